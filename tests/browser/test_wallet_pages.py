"""The wallet's pages in headless Chromium against a live server: sign up, drop a baked PNG
badge and a JSON credential issued to the learner's DID onto the import panel, see both
verified (and someone else's refused), tag and annotate one,
make a collection, create a share link and open it, and sign a presentation for a
verifier's challenge and domain. Real cookies, the pages' CSP (wallet.js from /static only),
their Referrer-Policy and the Origin a browser sends with forms.

Skipped when Chromium is missing, except under CI=true, where that fails.
"""

from __future__ import annotations

import base64
import json
import os
import re
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import tiny_png

pytestmark = pytest.mark.browser

PNG_NAME = "Baked Badge of Data Care"
JSON_NAME = "Spreadsheet Modelling"


def signed_badge(name: str, subject: str) -> dict[str, Any]:
    """A badge issued to ``subject`` (a DID): the wallet takes only the learner's own."""
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from tests.helpers import ob_credential

    key = Ed25519Multikey.generate()
    return proofs.sign(ob_credential(key.controller, name=name, subject_id=subject), key)


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def _shot(page: Any, name: str) -> None:
    """A full-page screenshot in $WALLET_SCREENSHOTS (a directory), when it is set."""
    where = os.environ.get("WALLET_SCREENSHOTS")
    if where:
        page.screenshot(path=os.path.join(where, f"{name}.png"), full_page=True)


def _drop(page: Any, selector: str, files: list[tuple[str, str, bytes]]) -> None:
    """Drop ``files`` (name, type, bytes) onto ``selector`` as a browser does."""
    transfer = page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const [name, type, b64] of files) {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], name, { type }));
            }
            return dt;
        }""",
        [[n, t, base64.b64encode(b).decode()] for n, t, b in files],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_wallet_from_sign_up_to_a_presentation(page: Any, live_url: str) -> None:
    from microcred.vc.baking import bake_png

    expect = _expect()
    page.goto(f"{live_url}/wallet")  # not signed in: sent to the sign-in page, then back
    assert "/account/signin?next=%2Fwallet" in page.url
    page.click("text=Create an account")
    page.fill("#email", "grace@example.org")
    page.fill("#display_name", "Grace Hopper")
    page.fill("#password", "compilers all the way down")
    page.click("button:has-text('Create my account')")
    page.goto(f"{live_url}/account")  # the DID the badges are issued to
    did = page.locator("#learner-did").inner_text()
    page.goto(f"{live_url}/wallet")
    expect(page.locator("h1")).to_have_text("Your wallet")
    expect(page.locator("#wallet-empty")).to_be_visible()

    # drag and drop: a baked PNG badge and a JSON credential at once
    png = bake_png(tiny_png(), json.dumps(signed_badge(PNG_NAME, did)))
    doc = json.dumps(signed_badge(JSON_NAME, did)).encode()
    _drop(
        page,
        "#import-form",
        [("badge.png", "image/png", png), ("credential.json", "application/json", doc)],
    )
    created = page.locator('.flash[data-kind="created"]')
    expect(created).to_have_count(2)
    expect(created.nth(0)).to_contain_text(f"Added “{PNG_NAME}” (verified)")
    expect(created.nth(1)).to_contain_text(f"Added “{JSON_NAME}” (verified)")
    cards = page.locator(".wallet-card")
    expect(cards).to_have_count(2)
    _shot(page, "wallet")
    expect(page.locator('.wallet-card[data-state="verified"] .wallet-status')).to_have_count(2)
    expect(page.locator(".wallet-status").first).to_have_text("Verified")

    # dropping the same badge again stores nothing new
    _drop(page, "#import-form", [("again.png", "image/png", png)])
    expect(page.locator('.flash[data-kind="duplicate"]')).to_contain_text("already in your wallet")
    expect(cards).to_have_count(2)

    # someone else's badge is refused with the reason
    theirs = json.dumps(signed_badge("Someone Else's Badge", "did:example:someone")).encode()
    _drop(page, "#import-form", [("theirs.json", "application/json", theirs)])
    expect(page.locator('.flash[data-kind="refused"]')).to_contain_text(
        "theirs.json: refused: issued to someone else: this credential's subject is "
        "did:example:someone, not you"
    )
    expect(cards).to_have_count(2)

    # the JSON credential: tag and note
    page.click(f".wallet-card-name a:has-text('{JSON_NAME}')")
    expect(page.locator("h1.credential-name")).to_have_text(JSON_NAME)
    expect(page.locator("#credential-state")).to_have_text("Verified")
    expect(page.locator('.check[data-check="proof"]')).to_have_attribute("data-status", "passed")
    expect(page.locator("#linkedin")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?")
    )
    detail_url = page.url
    page.fill("#tags", "spreadsheets, Portfolio")
    page.click("#tags-form button")
    expect(page.locator('.flash[data-kind="done"]')).to_contain_text(
        "Tags saved: spreadsheets, portfolio."
    )
    expect(page.locator("#tag-list")).to_contain_text("#portfolio")
    page.fill("#note", "Shown at the interview on Monday")
    page.click("#note-form button")
    expect(page.locator('.flash[data-kind="done"]')).to_contain_text("Note saved.")
    expect(page.locator("#note")).to_have_value("Shown at the interview on Monday")
    _shot(page, "credential")

    # a collection with both credentials
    page.click(".wallet-nav >> text=Collections")
    page.fill("#collection-name", "Job applications")
    page.click("#new-collection button")
    expect(page.locator("#collection-title")).to_have_text("Job applications")
    for box in page.locator("#add-items input[type=checkbox]").all():
        box.check()
    page.click("#add-items button")
    expect(page.locator('.flash[data-kind="done"]')).to_contain_text(
        "Added 2 credentials to “Job applications”."
    )
    expect(page.locator("#collection-items .wallet-card")).to_have_count(2)

    # a share link for the JSON credential, shown once, then opened
    page.goto(detail_url)
    page.fill("#share-form-label", "Acme application")
    page.check("#share-form input[name=show_name]")
    page.click("#share-form button")
    share = page.locator('.flash[data-kind="share"] input.share-url')
    expect(share).to_have_value(re.compile(f"^{re.escape(live_url)}/s/[A-Za-z0-9_-]{{43}}$"))
    share_url = share.input_value()
    page.goto(f"{live_url}/wallet/shares")
    expect(page.locator(".share-table tbody tr")).to_have_count(1)
    expect(page.locator(".share-table tbody tr")).to_have_attribute("data-state", "active")
    shared = page.goto(share_url)  # the public share page (/s/{token})
    assert shared is not None and shared.status == 200
    expect(page.locator("body")).to_contain_text(JSON_NAME)
    expect(page.locator("body")).to_contain_text("Grace Hopper")  # show_name was ticked
    page.goto(f"{live_url}/wallet/shares")
    expect(page.locator(".share-table tbody tr td.num")).to_have_text("1")  # one view

    _shot(page, "shares")

    # a presentation for a verifier's challenge and domain
    page.goto(f"{live_url}/wallet/present")
    page.check(f"#present-form label:has-text('{JSON_NAME}') input")
    page.fill("#challenge", "7c1d-challenge-from-acme")
    page.fill("#domain", "jobs.acme.example")
    page.click("#present-form button[type=submit]")
    expect(page.locator("#vp-json")).to_be_visible()
    vp = json.loads(page.locator("#vp-json").inner_text())
    assert "VerifiablePresentation" in vp["type"]
    assert vp["proof"]["challenge"] == "7c1d-challenge-from-acme"
    assert vp["proof"]["domain"] == "jobs.acme.example"
    assert vp["holder"].startswith("did:key:z6Mk")
    assert len(vp["verifiableCredential"]) == 1
    _shot(page, "present")
    with page.expect_download() as info:
        page.click("#vp-download button[type=submit]")
    download = info.value
    assert download.suggested_filename == "presentation.json"
    with open(download.path(), encoding="utf-8") as fh:
        assert json.load(fh) == vp
