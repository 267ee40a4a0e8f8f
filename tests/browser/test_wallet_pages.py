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

from tests.browser.conftest import TIMEOUT_MS, axe_violations
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


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(base URL, app) of a live server whose database the test can also change."""
    import socket

    from microcred.config import Settings
    from microcred.web import create_app
    from tests.helpers import live_app as serve

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("share"), public_base_url=url))
    with serve(app, sock):
        yield url, app


def test_a_share_link_viewed_after_a_suspension_says_suspended(browser: Any, live_app: Any) -> None:
    """The issuer suspends the credential; the very next view of the share link says so."""
    from microcred.accounts import auth
    from microcred.issuing import achievements, awards, orgs, status
    from microcred.issuing.public import LocalFirstFetch
    from microcred.store.db import session_scope
    from microcred.store.models import Credential, LearnerAccount
    from microcred.wallet import holdings, shares

    url, app = live_app
    ctx = app.state.issuing
    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, ctx, slug="harbour", name="Harbour College")
        ach = achievements.create_achievement(
            s, org, {"name": "Sea Survival", "description": "Survives.", "criteria": "Pass."}
        )
        issued = awards.issue_award(
            s, ctx, org=org, achievement=ach, recipient=awards.Recipient(email="ines@example.org")
        ).credential.id
        ines_id = auth.create_account(
            s, email="ines@example.org", secret=ctx.secret, verified=True
        ).id
    with session_scope(app.state.engine) as s:
        ines = s.get(LearnerAccount, ines_id)
        fetch = LocalFirstFetch(app.state.engine, ctx, None)
        row = holdings.add_issued(s, ines, s.get(Credential, issued), fetch=fetch)
        _, token = shares.create_share(s, ines, "credential", row.id)
    expect = _expect()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/s/{token}")
        verdict = page.locator(".shared-credential .verdict")
        expect(verdict).to_have_attribute("data-state", "verified")
        expect(verdict.locator(".verdict-text")).to_have_text("Verified")
        expect(verdict.locator(".holder-binding")).to_have_text(
            "Issued to the holder's verified e-mail address."
        )
        with session_scope(app.state.engine) as s:
            status.change_status(
                s, ctx, awards.get_credential(s, issued), "suspend", reason="under review"
            )
        page.reload()
        expect(verdict).to_have_attribute("data-state", "suspended")
        expect(verdict.locator(".verdict-text")).to_have_text("Suspended by its issuer")
        expect(verdict.locator(".verdict-icon")).to_have_text("✕")
        assert "Verified" not in page.locator(".shared-credential").inner_text()
        _shot(page, "share-suspended")
        assert axe_violations(page) == []
        assert errors == []
    finally:
        context.close()


def _before(page: Any, first: str, then: str) -> bool:
    """Whether the element ``first`` comes before ``then`` in the page (document order)."""
    return bool(
        page.evaluate(
            """([a, b]) => {
                const x = document.querySelector(a), y = document.querySelector(b);
                return !!(x && y && (x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING));
            }""",
            [first, then],
        )
    )


def test_who_issued_it_comes_first_on_the_credential_and_share_pages(
    browser: Any, live_app: Any
) -> None:
    """A credential of an organisation of this server ("listed in this server") and a
    did:key one that does not fully follow Open Badges 3.0 ("calls itself"; a quiet note):
    the wallet's credential page and a collection's share page say who issued each first,
    before the checks and the facts, then to whom it was issued; axe-core at 390 and 1280 px."""
    from microcred.accounts import auth
    from microcred.issuing import achievements, awards, orgs
    from microcred.issuing.public import LocalFirstFetch
    from microcred.store.db import session_scope
    from microcred.store.models import Credential, LearnerAccount
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from microcred.verifying.trust import TrustSources
    from microcred.wallet import holdings, organise, shares
    from tests.helpers import ob_credential

    url, app = live_app
    ctx = app.state.issuing
    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, ctx, slug="lighthouse", name="Lighthouse Institute")
        ach = achievements.create_achievement(
            s, org, {"name": "Night Navigation", "description": "Steers.", "criteria": "Pass."}
        )
        issued = awards.issue_award(
            s, ctx, org=org, achievement=ach, recipient=awards.Recipient(email="lena@example.org")
        ).credential.id
        lena = auth.create_account(s, email="lena@example.org", secret=ctx.secret, verified=True)
        lena_id, did, session = lena.id, lena.did, auth.start_session(s, lena)
    key = Ed25519Multikey.generate()
    informal = ob_credential(key.controller, name="Knots and Splices", subject_id=did)
    informal["issuer"]["image"] = "https://example.org/logo.png"  # OB 3.0 wants an Image
    fetch = LocalFirstFetch(app.state.engine, ctx, None)
    trust = TrustSources([], engine=app.state.engine, base_url=url).registry(fetch)
    with session_scope(app.state.engine) as s:
        me = s.get(LearnerAccount, lena_id)
        ours = holdings.add_issued(s, me, s.get(Credential, issued), fetch=fetch, trust=trust)
        theirs = holdings.import_credential(
            s, me, json.dumps(proofs.sign(informal, key)).encode(), source="knots.json", fetch=None
        )
        coll = organise.create_collection(s, me, "Seamanship")
        organise.add_to_collection(s, me, coll.id, [ours.id, theirs.id])
        _, token = shares.create_share(s, me, "collection", coll.id)
        ours_id, theirs_id = ours.id, theirs.id
    registered = (
        "Who issued it: issued by “Lighthouse Institute”, listed in this server (127.0.0.1)."
    )
    self_asserted = (
        "Who issued it: calls itself “Example College”; anyone can create such a key, so the "
        "name is not proven."
    )
    expect = _expect()
    context = browser.new_context()
    context.add_cookies([{"name": "mc_learner", "value": session, "url": url}])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(f"{url}/wallet/credentials/{ours_id}")
        line = page.locator("#issuer-identity")
        expect(line).to_have_text(registered)
        expect(line).to_have_attribute("data-level", "registered")
        expect(page.locator("#credential-state")).to_have_text("Verified")
        expect(page.locator("#holder-binding")).to_have_text(
            "Yes: to one of your confirmed e-mail addresses"
        )
        assert _before(page, "#issuer-identity", ".checks")
        assert _before(page, "#issuer-identity", ".facts")
        expect(page.locator("#conformance")).to_have_count(0)

        page.goto(f"{url}/wallet/credentials/{theirs_id}")
        expect(page.locator("#issuer-identity")).to_have_text(self_asserted)
        expect(page.locator("#issuer-identity")).to_have_attribute("data-level", "self-asserted")
        expect(page.locator("#holder-binding")).to_have_text("Yes: to your DID")
        expect(page.locator("#conformance")).to_contain_text(
            "Does not fully follow Open Badges 3.0"
        )
        expect(page.locator("#conformance .conformance-list")).to_contain_text("$.issuer.image")
        assert _before(page, "#issuer-identity", ".checks")
        assert _before(page, ".checks", "#conformance")  # a quiet note, after the checks
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_violations(page) == [], width
        _shot(page, "credential-identity")

        page.goto(f"{url}/wallet")
        cards = page.locator(".wallet-card .issuer-identity")
        expect(cards).to_have_count(2)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_violations(page) == [], width

        page.goto(f"{url}/s/{token}")
        items = page.locator(".shared-credential")
        expect(items).to_have_count(2)
        first = items.filter(has_text="Night Navigation")
        expect(first.locator(".issuer-identity")).to_have_text(registered)
        expect(first.locator(".verdict-text")).to_have_text("Verified")
        expect(first.locator(".holder-binding")).to_have_text(
            "Issued to the holder's verified e-mail address."
        )
        second = items.filter(has_text="Knots and Splices")
        expect(second.locator(".issuer-identity")).to_have_text(self_asserted)
        expect(second.locator(".holder-binding")).to_have_text("Issued to the holder's DID.")
        expect(second.locator(".conformance")).to_contain_text("$.issuer.image")
        expect(first.locator(".conformance")).to_have_count(0)
        for item in (f"#credential-{ours_id}", f"#credential-{theirs_id}"):
            assert _before(page, f"{item} .issuer-identity", f"{item} .holder-binding")
            assert _before(page, f"{item} .issuer-identity", f"{item} .facts")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_violations(page) == [], width
        _shot(page, "share-identity")
        assert errors == []
    finally:
        context.close()
