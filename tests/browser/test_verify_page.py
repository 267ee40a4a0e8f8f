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

from tests.browser.conftest import TIMEOUT_MS
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


def test_refused_url_shows_the_reason(page: Any) -> None:
    expect = _expect()
    page.fill("#url", "http://example.org/badge.json")
    page.click("#url-form button[type=submit]")
    problem = page.locator("#problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("only https://")
    assert page.locator(".report").count() == 0
