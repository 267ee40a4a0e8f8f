"""The verifier page in headless Chromium (Debian's /usr/bin/chromium) against a live server.

The server is uvicorn in a thread on 127.0.0.1 (tests.helpers.live_app). The badge images
are a small PNG (tests.helpers.tiny_png) baked with a credential
signed by a fresh did:key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS, axe_violations
from tests.helpers import live_app, tiny_png

pytestmark = pytest.mark.browser

NAME = "Data Literacy Foundations"


def signed_badge(name: str = NAME) -> dict[str, Any]:
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from tests.helpers import ob_credential

    key = Ed25519Multikey.generate()
    doc = ob_credential(key.controller, name=name)
    return proofs.sign(doc, key)


def baked(doc: dict[str, Any]) -> bytes:
    from microcred.vc.baking import bake_png

    return bake_png(tiny_png(), json.dumps(doc))


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from microcred.config import Settings
    from microcred.web import create_app

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var")))
    with live_app(app) as url:
        yield url


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:  # a 400 answer is logged as a failed load: expected
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", on_console)
    page.goto(f"{live_server}/verify")
    yield page
    context.close()
    assert errors == [], f"errors in the page: {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def test_baked_png_verifies(page: Any) -> None:
    expect = _expect()
    upload = {"name": "badge.png", "mimeType": "image/png", "buffer": baked(signed_badge())}
    page.set_input_files("#file", files=[upload])
    report = page.locator(".report")
    expect(report.locator("[data-verdict]")).to_have_attribute("data-verdict", "verified")
    expect(report.locator(".verdict-text")).to_have_text("Verified")
    expect(report.locator(".credential-name")).to_have_text(NAME)
    expect(report.locator(".facts")).to_contain_text("Example College")
    expect(report.locator(".facts")).to_contain_text("did:example:learner-42")
    expect(report.locator('.check[data-check="proof"]')).to_have_attribute("data-status", "passed")
    expect(page.locator("#progress")).to_have_text("1 credential checked.")


def test_tampered_png_dropped_fails_with_the_checks_message(page: Any) -> None:
    from microcred.vc.verifier import verify_bytes

    expect = _expect()
    doc = signed_badge()
    doc["name"] = "Advanced Data Science"  # changed after signing
    image = baked(doc)
    (expected,) = verify_bytes(image, filename="badge.png")
    failed = [c for c in expected.checks if c.status == "failed"]
    assert failed, "the tampered badge should fail a check"

    transfer = page.evaluate_handle(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], "badge.png", { type: "image/png" }));
            return dt;
        }""",
        base64.b64encode(image).decode(),
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})

    report = page.locator(".report")
    expect(report.locator("[data-verdict]")).to_have_attribute("data-verdict", "failed")
    expect(report.locator(".credential-name")).to_have_text("Advanced Data Science")
    for check in failed:
        row = report.locator(f'.check[data-check="{check.name}"]')
        expect(row).to_have_attribute("data-status", "failed")
        expect(row.locator(".check-status")).to_have_text("failed")
        expect(row.locator(".check-message")).to_have_text(check.message)


def test_pasted_credential_with_markup_is_shown_as_text(page: Any) -> None:
    expect = _expect()
    name = '<img src=x onerror="window.__owned = 1">Badge'
    page.fill("#text", json.dumps(signed_badge(name)))
    page.click("#text-form button[type=submit]")
    report = page.locator(".report")
    expect(report.locator("[data-verdict]")).to_have_attribute("data-verdict", "verified")
    expect(report.locator(".credential-name")).to_have_text(name)
    assert report.locator(".credential-name img").count() == 0
    assert page.evaluate("window.__owned") is None


def test_who_issued_it_comes_first_and_conformance_apart(page: Any) -> None:
    """The identity level is said in plain words inside the verdict, before any detail; a
    departure from Open Badges 3.0 is listed apart and does not fail the credential."""
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from tests.helpers import ob_credential

    expect = _expect()
    key = Ed25519Multikey.generate()
    doc = ob_credential(key.controller)
    doc["issuer"]["image"] = "https://example.org/logo.png"  # OB 3.0 wants an Image object
    page.fill("#text", json.dumps(proofs.sign(doc, key)))
    page.click("#text-form button[type=submit]")
    report = page.locator(".report")
    expect(report.locator("[data-verdict]")).to_have_attribute("data-verdict", "verified")
    who = report.locator(".verdict .issuer-identity")
    expect(who).to_have_attribute("data-level", "self-asserted")
    expect(who).to_contain_text("anyone can create such a key")
    order = page.evaluate(
        """() => {
            const card = document.querySelector('.report');
            const who = card.querySelector('.issuer-identity');
            const name = card.querySelector('.credential-name');
            return !!(who.compareDocumentPosition(name) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert order, "the identity line comes before the credential's name"
    section = report.locator(".conformance")
    expect(section).to_be_visible()
    expect(section).to_contain_text("Does not fully follow Open Badges 3.0")
    expect(section.locator(".conformance-list")).to_contain_text("$.issuer.image")


def test_refused_url_shows_the_reason(page: Any) -> None:
    expect = _expect()
    page.fill("#url", "http://example.org/badge.json")
    page.click("#url-form button[type=submit]")
    problem = page.locator("#problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("only https://")
    assert page.locator(".report").count() == 0


# ---- presentations, the recipient check, accessibility -------------------------------------
CHALLENGE, DOMAIN = "8f2c-nonce", "hr.example.com"
ADDRESS = "ada.lovelace@example.org"


def signed_presentation() -> tuple[dict[str, Any], str]:
    """A presentation of a badge issued to its holder, signed for CHALLENGE and DOMAIN."""
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from microcred.vc.presentations import build_presentation, sign_presentation
    from tests.helpers import ob_credential

    issuer, holder = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    assert holder.controller is not None
    badge = proofs.sign(ob_credential(issuer.controller, subject_id=holder.controller), issuer)
    vp = build_presentation([badge], holder=holder.controller)
    return sign_presentation(vp, holder, challenge=CHALLENGE, domain=DOMAIN), holder.controller


def paste(page: Any, doc: dict[str, Any], **options: str) -> None:
    for name, value in options.items():
        page.fill(f"#{name}", value)
    page.fill("#text", json.dumps(doc))
    page.click("#text-form button[type=submit]")


def test_a_presentation_with_challenge_and_domain_shows_its_checks(page: Any) -> None:
    expect = _expect()
    vp, holder = signed_presentation()
    paste(page, vp, challenge=CHALLENGE, domain=DOMAIN)
    card = page.locator(".report.presentation")
    expect(card.locator(".verdict").first).to_have_attribute("data-verdict", "verified")
    expect(card.locator(".verdict-text").first).to_have_text("Presentation verified")
    expect(card.locator(".facts").first).to_contain_text(holder)
    checks = card.locator(":scope > section .checks").first
    for name in ("proof", "holder", "challenge", "domain", "credentials", "subject"):
        expect(checks.locator(f'.check[data-check="{name}"]')).to_have_attribute(
            "data-status", "passed"
        )
    expect(checks.locator('.check[data-check="challenge"] .check-message')).to_contain_text(
        CHALLENGE
    )
    expect(card.locator(".replay-warning")).to_be_hidden()
    inner = card.locator(".credential-reports .report")
    expect(inner).to_have_count(1)
    expect(inner.locator(".credential-name")).to_have_text("Data Analysis Micro-credential")
    assert inner.locator("h4.credential-name").count() == 1  # nested under the presentation
    identity = inner.locator(".issuer-identity")  # a did:key issuer proves no name
    expect(identity).to_have_attribute("data-level", "self-asserted")
    expect(identity).to_have_text(
        "Calls itself “Example College”; anyone can create such a key, so the name is not proven."
    )
    expect(page.locator("#progress")).to_have_text("1 presentation checked.")


def test_a_presentation_with_another_challenge_fails_on_it(page: Any) -> None:
    expect = _expect()
    vp, _ = signed_presentation()
    paste(page, vp, challenge="someone-elses-nonce", domain=DOMAIN)
    card = page.locator(".report.presentation")
    expect(card.locator(".verdict").first).to_have_attribute("data-verdict", "failed")
    row = card.locator('.check[data-check="challenge"]').first
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.locator(".check-message")).to_contain_text("replay")


def test_a_presentation_without_a_challenge_warns_of_a_replay(page: Any) -> None:
    expect = _expect()
    vp, _ = signed_presentation()
    paste(page, vp)
    card = page.locator(".report.presentation")
    warning = card.locator(".replay-warning")
    expect(warning).to_be_visible()
    expect(warning.locator("h3")).to_have_text("This presentation could be a replay")
    expect(warning.locator(".replay-text")).to_contain_text("made for someone else")
    # shown before the verdict's details, and not repeated among the warnings
    box = warning.bounding_box()
    checks = card.locator(":scope > section .checks").first.bounding_box()
    assert box is not None and checks is not None and box["y"] < checks["y"]
    expect(card.locator(":scope > .warnings .warning-list")).not_to_contain_text("replay")
    expect(card.locator('.check[data-check="challenge"]').first).to_have_attribute(
        "data-status", "skipped"
    )


def test_the_recipient_field_answers(page: Any) -> None:
    from microcred.vc import openbadges, proofs
    from microcred.vc.keys import Ed25519Multikey
    from tests.helpers import ob_credential

    expect = _expect()
    key = Ed25519Multikey.generate()
    doc = ob_credential(
        key.controller, subject_id=None, identifier=openbadges.identity_object(ADDRESS)
    )
    badge = proofs.sign(doc, key)
    answer = page.locator(".report .recipient-answer")
    paste(page, badge, recipient=ADDRESS.upper())
    expect(answer).to_have_text("Issued to this address.")
    expect(answer).to_have_attribute("data-answer", "issued")
    paste(page, badge, recipient="grace.hopper@example.org")
    expect(answer).to_have_text("Not issued to this address.")
    paste(page, signed_badge(), recipient=ADDRESS)  # a badge naming its subject by DID only
    expect(answer).to_have_text(
        "The credential names no recipient this address can be compared with."
    )
    page.fill("#recipient", "")
    page.fill("#text", json.dumps(badge))
    page.click("#text-form button[type=submit]")
    expect(page.locator(".report .verdict-text")).to_have_text("Verified")
    expect(page.locator(".report .recipient")).to_be_hidden()  # not asked, no answer


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_violations(page: Any, width: int) -> None:
    expect = _expect()
    page.set_viewport_size({"width": width, "height": 900})
    assert axe_violations(page) == []  # the empty page
    vp, _ = signed_presentation()
    paste(page, vp, recipient=ADDRESS)  # a presentation, with the replay warning
    expect(page.locator(".report.presentation .replay-warning")).to_be_visible()
    expect(page.locator(".credential-reports .recipient")).to_be_visible()
    assert axe_violations(page) == []
    doc = signed_badge()
    doc["name"] = "Changed after signing"
    paste(page, doc)  # a failed credential
    expect(page.locator(".report [data-verdict]")).to_have_attribute("data-verdict", "failed")
    assert axe_violations(page) == []
    informal = signed_badge()
    del informal["proof"]
    informal["issuer"]["image"] = "https://example.org/logo.png"
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey

    key = Ed25519Multikey.generate()
    informal["issuer"]["id"] = key.controller
    paste(page, proofs.sign(informal, key))  # verified, with conformance notes
    expect(page.locator(".report .conformance")).to_be_visible()
    assert axe_violations(page) == []


def test_axe_does_find_a_violation(page: Any) -> None:
    """The accessibility checks above could fail: an image without alt text is caught."""
    page.evaluate(
        "() => { const img = document.createElement('img');"
        " img.src = 'data:,'; document.querySelector('main').append(img); }"
    )
    assert any(v.startswith("image-alt") for v in axe_violations(page))
