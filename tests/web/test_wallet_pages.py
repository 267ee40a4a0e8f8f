"""The wallet's pages (server-rendered forms) with a TestClient: each page for its owner,
import by file / pasted text / URL with a message per credential, refusals with their
reason, organising, share links, presentations, the export, and isolation: another
learner's ids answer 404 on every page and every form; a form without its CSRF token 403.

``make_badge`` here issues to ann's address (a hashed e-mail identity) unless told ``to=``:
the wallet takes only credentials issued to the learner.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from microcred.accounts import auth
from microcred.issuing import achievements, awards, orgs, status
from microcred.issuing.public import LocalFirstFetch
from microcred.store.db import session_scope
from microcred.store.models import Credential, LearnerAccount, ShareLink, WalletCredential
from microcred.vc import openbadges
from microcred.vc.baking import bake_png
from microcred.vc.presentations import verify_presentation
from microcred.wallet import holdings
from tests.helpers import tiny_png

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HTML = {"accept": "text/html"}


class Who:
    """A signed-in TestClient, its learner id and the CSRF value of its forms."""

    def __init__(self, client: Any, learner_id: str, csrf: str) -> None:
        self.client = client
        self.id = learner_id
        self.csrf = csrf

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(path, data=body, follow_redirects=False, headers=HTML, **kw)

    def follow(self, reply: Any) -> Any:
        assert reply.status_code == 303, reply.text
        return self.client.get(reply.headers["location"], headers=HTML)


def _sign_in(app: Any, make_client: Any, email: str, name: str = "Ann Example") -> Who:
    with session_scope(app.state.engine) as s:
        acct = auth.create_account(
            s, email=email, secret=app.state.issuing.secret, display_name=name, verified=True
        )
        token = auth.start_session(s, acct)
        learner_id = acct.id
    client = make_client(app)
    client.__enter__()
    client.cookies.set("mc_learner", token)
    page = client.get("/wallet", headers=HTML)
    assert page.status_code == 200, page.text
    return Who(client, learner_id, _CSRF.search(page.text).group(1))


@pytest.fixture
def ann(app: Any, make_client: Any) -> Any:
    who = _sign_in(app, make_client, "ann@example.org")
    yield who
    who.client.__exit__(None, None, None)


@pytest.fixture
def bob(app: Any, make_client: Any) -> Any:
    who = _sign_in(app, make_client, "bob@example.org", "Bob")
    yield who
    who.client.__exit__(None, None, None)


def held(app: Any, who: Who) -> list[WalletCredential]:
    with session_scope(app.state.engine) as s:
        return list(
            s.scalars(select(WalletCredential).where(WalletCredential.learner_id == who.id))
        )


def upload(who: Who, *files: tuple[str, bytes, str], text: str = "", url: str = "") -> Any:
    parts = [("file", f) for f in files] or [("file", ("", b"", "application/octet-stream"))]
    return who.client.post(
        "/wallet/import",
        data={"csrf_token": who.csrf, "text": text, "url": url},
        files=parts,
        follow_redirects=False,
        headers=HTML,
    )


def add_badge(who: Who, doc: dict[str, Any], name: str = "badge.json") -> str:
    reply = upload(who, (name, json.dumps(doc).encode(), "application/json"))
    assert reply.status_code == 303
    page = who.follow(reply)
    m = re.search(r'href="/wallet/credentials/([0-9a-f-]{36})"', page.text)
    assert m, page.text
    return m.group(1)


def collection_of(who: Who, name: str) -> str:
    reply = who.post("/wallet/collections", {"name": name, "description": "For jobs"})
    assert reply.status_code == 303
    return reply.headers["location"].rsplit("/", 1)[-1]


def share_of(app: Any, who: Who) -> str:
    with session_scope(app.state.engine) as s:
        return s.scalars(select(ShareLink.id).where(ShareLink.learner_id == who.id)).first()


@pytest.fixture
def make_badge(make_badge: Any) -> Any:
    """conftest's make_badge, issued to ``to`` (ann by default) as OB 3.0 issuers do."""

    def make(name: str = "Data Literacy Foundations", *, to: str = "ann@example.org", **kw: Any):
        kw.setdefault("identifier", openbadges.identity_object(to, salt="wallet-pages"))
        kw.setdefault("subject_id", None)
        return make_badge(name, **kw)

    return make


# ---- pages ----------------------------------------------------------------------------------
def test_not_signed_in_is_sent_to_sign_in(client: Any) -> None:
    for path in ("/wallet", "/wallet/collections", "/wallet/present", "/wallet/export"):
        reply = client.get(path, headers=HTML, follow_redirects=False)
        assert reply.status_code == 303
        assert reply.headers["location"].startswith("/account/signin?next=")


def test_every_page_renders_for_its_owner(app: Any, ann: Who, make_badge: Any) -> None:
    cid = add_badge(ann, make_badge())
    coll = collection_of(ann, "Job applications")
    assert ann.post(f"/wallet/collections/{coll}/items", {"credential": cid}).status_code == 303
    assert ann.post(f"/wallet/credentials/{cid}/share", {"label": "CV"}).status_code == 303
    for path, text in [
        ("/wallet", "Data Literacy Foundations"),
        (f"/wallet/credentials/{cid}", "Example College"),
        ("/wallet/collections", "Job applications"),
        (f"/wallet/collections/{coll}", "Data Literacy Foundations"),
        ("/wallet/shares", "CV"),
        ("/wallet/present", "Data Literacy Foundations"),
        ("/wallet/timeline", "Earned"),
        ("/wallet/skills", "data analysis"),
    ]:
        page = ann.client.get(path, headers=HTML)
        assert page.status_code == 200, (path, page.text)
        assert text in page.text, path
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert 'href="/wallet/export"' in page.text
    detail = ann.client.get(f"/wallet/credentials/{cid}", headers=HTML).text
    assert 'data-check="proof" data-status="passed"' in detail
    assert "ESCO" in detail and "Pass the final project" in detail
    skills = ann.client.get("/wallet/skills", headers=HTML).text
    href = re.search(r'id="advisor-link" href="([^"]+)"', skills).group(1)
    assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["have"] == ["data analysis"]


def test_import_by_file_text_and_url_with_a_message_each(
    app: Any, ann: Who, make_badge: Any, fixtures: dict[str, bytes]
) -> None:
    first, second, third = make_badge("First"), make_badge("Second"), make_badge("Third")
    png = bake_png(tiny_png(), json.dumps(second))
    fixtures["https://badges.example/third.json"] = json.dumps(third).encode()
    reply = upload(
        ann,
        ("first.json", json.dumps(first).encode(), "application/json"),
        ("second.png", png, "image/png"),
        text=json.dumps(first),  # the same credential again: not stored twice
        url="https://badges.example/third.json",
    )
    page = ann.follow(reply)
    flashes = re.findall(r'<li class="flash" data-kind="(\w+)">\s*<span>([^<]*)</span>', page.text)
    assert [k for k, _ in flashes] == ["created", "created", "duplicate", "created"]
    assert "Added “First” (verified)" in flashes[0][1]
    assert "“First” is already in your wallet" in flashes[2][1]
    assert sorted(r.name for r in held(app, ann)) == ["First", "Second", "Third"]
    assert {r.media_type for r in held(app, ann)} == {"application/ld+json", "image/png"}
    again = ann.client.get("/wallet", headers=HTML)  # shown once
    assert 'class="flash"' not in again.text and "3 credentials" in again.text


def test_someone_elses_credential_is_refused_with_the_reason_and_nothing_is_stored(
    app: Any, ann: Who, make_badge: Any
) -> None:
    mine = ("mine.json", json.dumps(make_badge("Mine")).encode(), "application/json")
    theirs = make_badge("Priya's badge", to="priya@example.org")
    reply = upload(ann, mine, ("priya.json", json.dumps(theirs).encode(), "application/json"))
    page = html.unescape(ann.follow(reply).text)
    assert "Added “Mine”" in page
    assert (
        "Not added: priya.json: refused: issued to someone else: this credential's subject is "
        "a hashed e-mail address, not you"
    ) in page
    assert [r.name for r in held(app, ann)] == ["Mine"]
    # pasted: the same words
    reply = upload(ann, text=json.dumps(theirs))
    assert "pasted text: refused: issued to someone else" in html.unescape(ann.follow(reply).text)
    assert len(held(app, ann)) == 1


def test_a_refused_credential_shows_its_reason_and_nothing_is_stored(
    app: Any, ann: Who, make_badge: Any
) -> None:
    doc = make_badge()
    doc["name"] = "Changed after signing"
    page = ann.follow(upload(ann, ("tampered.json", json.dumps(doc).encode(), "application/json")))
    assert 'data-kind="refused"' in page.text
    assert "Not added: tampered.json: refused (proof check failed)" in page.text
    assert held(app, ann) == []
    broken = ann.follow(upload(ann, text="{not json"))
    assert 'data-kind="refused"' in broken.text and "pasted text" in broken.text
    nothing = ann.follow(upload(ann))
    assert "Choose a file, paste a credential or give its link first." in nothing.text
    assert held(app, ann) == []


def test_a_status_that_cannot_be_checked_is_shown_as_such(ann: Who, make_badge: Any) -> None:
    from microcred.vc import statuslist

    entry = statuslist.status_entry(
        list_url="https://status.example/lists/1", index=3, purpose="revocation"
    )
    doc = make_badge("Unsure", credential_status=entry)  # the list cannot be fetched
    page = ann.follow(upload(ann, ("unsure.json", json.dumps(doc).encode(), "application/json")))
    assert "Added “Unsure” (could not check:" in page.text
    card = page.text.split('class="wallet-card"')[1]
    assert 'data-state="indeterminate"' in card and ">Could not check</span>" in card
    assert 'class="status-reason"' in card


def test_markup_in_a_credential_is_escaped(app: Any, ann: Who, make_badge: Any) -> None:
    name = "<script>alert(1)</script>"
    cid = add_badge(ann, make_badge(name))
    for path in ("/wallet", f"/wallet/credentials/{cid}", "/wallet/present", "/wallet/timeline"):
        text = ann.client.get(path, headers=HTML).text
        assert "<script>alert(1)</script>" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
    coll = collection_of(ann, '"><img src=x onerror=alert(1)>')
    text = ann.client.get(f"/wallet/collections/{coll}", headers=HTML).text
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_flash_cookie_cannot_be_forged(ann: Who) -> None:
    ann.client.cookies.set("mc_wallet_flash", "W1siZXJyb3IiLCJoaSIsbnVsbF1d.00")
    assert 'class="flash"' not in ann.client.get("/wallet", headers=HTML).text


# ---- organising -----------------------------------------------------------------------------
def test_tags_note_collections_recheck_and_delete(app: Any, ann: Who, make_badge: Any) -> None:
    cid = add_badge(ann, make_badge())
    detail = f"/wallet/credentials/{cid}"
    page = ann.follow(ann.post(f"{detail}/tags", {"tags": "Data, #Job Search , data"}))
    assert "Tags saved: data, job search." in page.text
    assert "#job search" in page.text
    page = ann.follow(ann.post(f"{detail}/tags", {"remove": "data"}))
    assert held(app, ann)[0].tags == ["job search"]
    too_long = ann.follow(ann.post(f"{detail}/tags", {"tags": "x" * 50}))
    assert 'data-kind="error"' in too_long.text and "at most 40 characters" in too_long.text
    page = ann.follow(ann.post(f"{detail}/note", {"note": "Ask Jo for the transcript"}))
    assert "Note saved." in page.text and "Ask Jo for the transcript</textarea>" in page.text
    wallet = ann.client.get("/wallet?q=jo+transcript", headers=HTML).text
    assert "1 of 1 credentials" in wallet
    assert "0 of 1" in ann.client.get("/wallet?q=nothing-like-it", headers=HTML).text

    coll = collection_of(ann, "Applications")
    page = ann.follow(ann.post(f"{detail}/collections", {"collection": coll, "action": "add"}))
    assert "Added to “Applications”." in page.text and 'id="member-of"' in page.text
    listed = ann.client.get(f"/wallet?collection={coll}&tag=job+search", headers=HTML).text
    assert "1 of 1 credentials" in listed
    page = ann.follow(ann.post(f"/wallet/collections/{coll}/rename", {"name": "Jobs 2026"}))
    assert "Saved as “Jobs 2026”." in page.text
    page = ann.follow(
        ann.post(f"/wallet/collections/{coll}/items", {"credential": cid, "action": "remove"})
    )
    assert "Took 1 credential out of “Jobs 2026”." in page.text
    unconfirmed = ann.follow(ann.post(f"/wallet/collections/{coll}/delete"))
    assert "tick the box" in unconfirmed.text.lower()
    gone = ann.follow(ann.post(f"/wallet/collections/{coll}/delete", {"confirm": "yes"}))
    assert "Collection “Jobs 2026” deleted" in gone.text

    page = ann.follow(ann.post(f"{detail}/recheck"))
    assert "Checked again: Verified." in page.text
    page = ann.follow(ann.post("/wallet/recheck"))
    assert "checked within the last day" in page.text

    original = ann.client.get(f"{detail}/original")
    assert original.status_code == 200 and json.loads(original.content)["name"]
    assert original.headers["content-disposition"].startswith("attachment;")
    assert ann.follow(ann.post(f"{detail}/delete")).status_code == 200  # not confirmed
    assert len(held(app, ann)) == 1
    page = ann.follow(ann.post(f"{detail}/delete", {"confirm": "yes"}))
    assert "was removed from your wallet" in page.text and held(app, ann) == []


def test_share_links_are_shown_once_listed_and_revoked(app: Any, ann: Who, make_badge: Any) -> None:
    cid = add_badge(ann, make_badge())
    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    page = ann.follow(
        ann.post(
            f"/wallet/credentials/{cid}/share",
            {"label": "Acme <job>", "expires": until, "show_name": "yes"},
        )
    )
    url = re.search(r'class="share-url"[^>]*value="([^"]+)"', page.text).group(1)
    base = re.escape(app.state.issuing.base_url)
    assert re.fullmatch(base + r"/s/[A-Za-z0-9_-]{43}", url), url
    assert "Acme &lt;job&gt;" in page.text
    again = ann.client.get(f"/wallet/credentials/{cid}", headers=HTML).text
    assert url not in again  # the token is not kept
    shares_page = ann.client.get("/wallet/shares", headers=HTML).text
    assert 'data-state="active"' in shares_page and "shows your name" in shares_page
    with session_scope(app.state.engine) as s:
        (row,) = s.scalars(select(ShareLink).where(ShareLink.learner_id == ann.id))
        assert row.show_name and not row.show_email and row.expires_at is not None
        share_id = row.id
    past = ann.follow(ann.post(f"/wallet/credentials/{cid}/share", {"expires": "2001-01-01"}))
    assert "would be expired already" in past.text
    bad = ann.follow(ann.post(f"/wallet/credentials/{cid}/share", {"expires": "soon"}))
    assert "is not a date" in bad.text
    page = ann.follow(ann.post(f"/wallet/shares/{share_id}/revoke"))
    assert "revoked" in page.text and 'data-state="revoked"' in page.text

    coll = collection_of(ann, "Portfolio")
    page = ann.follow(ann.post(f"/wallet/collections/{coll}/share", {"label": "All"}))
    assert re.search(r'class="share-url"[^>]*value="' + base + "/s/", page.text)


def test_presentation_is_signed_for_the_challenge_and_domain(
    app: Any, ann: Who, make_badge: Any
) -> None:
    with session_scope(app.state.engine) as s:
        did = s.get(LearnerAccount, ann.id).did
    cid = add_badge(ann, make_badge(subject_id=did))  # issued to the learner's DID
    form = ann.client.get(f"/wallet/present?credential={cid}", headers=HTML).text
    assert f'value="{cid}" checked' in form
    missing = ann.post("/wallet/present", {"credential": cid, "domain": "jobs.example"})
    assert missing.status_code == 400 and "challenge and domain" in missing.text
    none = ann.post("/wallet/present", {"challenge": "c", "domain": "d"})
    assert none.status_code == 400 and "at least one credential" in none.text
    reply = ann.post(
        "/wallet/present",
        {"credential": cid, "challenge": "abc-123", "domain": "jobs.example"},
    )
    assert reply.status_code == 200
    shown = re.search(
        r'<pre class="json-view" id="vp-json" tabindex="0">(.*?)</pre>', reply.text, re.S
    )
    vp = json.loads(html.unescape(shown.group(1)))
    assert vp["proof"]["challenge"] == "abc-123" and vp["proof"]["domain"] == "jobs.example"
    report = verify_presentation(
        vp, challenge="abc-123", domain="jobs.example", now=datetime.now(UTC)
    )
    assert report.verdict == "verified", [c for c in report.checks if c.status != "passed"]
    download = ann.post("/wallet/present/download", {"vp": json.dumps(vp)})
    assert download.status_code == 200 and json.loads(download.content) == vp
    assert download.headers["content-disposition"] == 'attachment; filename="presentation.json"'
    assert ann.post("/wallet/present/download", {"vp": '{"type": "x"}'}).status_code == 400


def test_export_is_a_zip_with_a_signed_transcript(app: Any, ann: Who, make_badge: Any) -> None:
    add_badge(ann, make_badge())
    reply = ann.client.get("/wallet/export")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/zip"
    assert reply.headers["content-disposition"].startswith('attachment; filename="wallet-')
    with zipfile.ZipFile(io.BytesIO(reply.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["transcript"] == "transcript.clr.json"
        clr = json.loads(zf.read("transcript.clr.json"))
    assert "ClrCredential" in clr["type"] and clr["proof"]
    assert manifest["credentials"][0]["in_transcript"] is True


def _ours_in_wallet(app: Any, ann: Who) -> tuple[str, str]:
    """(wallet id, issued credential id) of a credential this app issued to Ann, in her
    wallet."""
    ctx = app.state.issuing
    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, ctx, slug="acme", name="Acme College")
        ach = achievements.create_achievement(
            s, org, {"name": "Basic Life Support", "description": "CPR.", "criteria": "Pass."}
        )
        out = awards.issue_award(
            s,
            ctx,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email="ann@example.org", name="Ann"),
            notify=False,
        )
        issued_id = out.credential.id
    with session_scope(app.state.engine) as s:
        me = s.get(LearnerAccount, ann.id)
        row = holdings.add_issued(
            s,
            me,
            s.get(Credential, issued_id),
            fetch=LocalFirstFetch(app.state.engine, ctx, None),
        )
        return row.id, issued_id


def test_our_own_credential_links_its_public_page_image_pdf_and_linkedin(
    app: Any, ann: Who
) -> None:
    ctx = app.state.issuing
    wid, issued_id = _ours_in_wallet(app, ann)
    page = ann.client.get(f"/wallet/credentials/{wid}", headers=HTML).text
    assert f'href="/credentials/{issued_id}.png" id="baked-png"' in page
    assert f'href="/credentials/{issued_id}" id="public-page"' in page
    assert f"/credentials/{issued_id}.pdf" in page
    linkedin = re.search(r'id="linkedin" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(linkedin).query)
    assert params["name"] == ["Basic Life Support"]
    assert params["organizationName"] == ["Acme College"]
    assert params["certUrl"] == [f"{ctx.base_url}/credentials/{issued_id}"]
    assert params["certId"] == [issued_id]


def test_a_credential_revoked_a_moment_ago_shows_revoked_on_the_next_view(
    app: Any, ann: Who
) -> None:
    ctx = app.state.issuing
    wid, issued_id = _ours_in_wallet(app, ann)
    detail = ann.client.get(f"/wallet/credentials/{wid}", headers=HTML).text
    assert '<p class="verdict-text" id="credential-state">Verified</p>' in detail
    with session_scope(app.state.engine) as s:
        status.change_status(s, ctx, awards.get_credential(s, issued_id), "revoke", reason="x")
    # checked seconds ago, and still: the list checks it again
    wallet = ann.client.get("/wallet", headers=HTML).text
    assert 'data-state="revoked"' in wallet and ">Revoked</span>" in wallet
    assert "not checked again on this view" not in wallet
    page = ann.client.get(f"/wallet/credentials/{wid}", headers=HTML).text
    assert '<p class="verdict-text" id="credential-state">Revoked</p>' in page
    assert 'id="linkedin"' not in page  # offered only while it verifies
    page = ann.follow(ann.post(f"/wallet/credentials/{wid}/recheck"))
    assert "Checked again: Revoked" in page.text


def test_a_suspension_shows_on_the_next_view_of_every_wallet_page(app: Any, ann: Who) -> None:
    wid, issued_id = _ours_in_wallet(app, ann)

    def change(action: str) -> None:
        with session_scope(app.state.engine) as s:
            status.change_status(
                s, app.state.issuing, awards.get_credential(s, issued_id), action, reason="x"
            )

    coll = collection_of(ann, "Applications")
    ann.post(f"/wallet/collections/{coll}/items", {"credential": wid})
    change("suspend")
    page = ann.client.get(f"/wallet/credentials/{wid}", headers=HTML).text
    assert '<p class="verdict-text" id="credential-state">Suspended</p>' in page
    change("unsuspend")
    assert 'data-state="verified"' in ann.client.get("/wallet", headers=HTML).text
    change("suspend")
    collection = ann.client.get(f"/wallet/collections/{coll}", headers=HTML).text
    assert 'data-state="suspended"' in collection
    change("unsuspend")
    present = ann.client.get("/wallet/present", headers=HTML).text
    assert 'class="state-badge wallet-status" data-state="verified"' in present
    assert "issued to one of your confirmed e-mail addresses" in present
    change("suspend")
    listed = ann.client.get("/api/v1/wallet/credentials").json()["items"]
    assert [c["status"]["state"] for c in listed] == ["suspended"]
    change("unsuspend")
    one = ann.client.get(f"/api/v1/wallet/credentials/{wid}").json()
    assert one["status"]["state"] == "verified"


def test_the_detail_page_says_whether_it_was_issued_to_you(
    app: Any, ann: Who, make_badge: Any
) -> None:
    with session_scope(app.state.engine) as s:
        did = s.get(LearnerAccount, ann.id).did
    by_address = add_badge(ann, make_badge("Mine by address"))
    by_did = add_badge(ann, make_badge("Mine by DID", identifier=None, subject_id=did))
    page = ann.client.get(f"/wallet/credentials/{by_address}", headers=HTML).text
    assert 'data-holder="matched">Yes: to one of your confirmed e-mail addresses' in page
    page = ann.client.get(f"/wallet/credentials/{by_did}", headers=HTML).text
    assert 'data-holder="matched">Yes: to your DID' in page
    with session_scope(app.state.engine) as s:  # as if the address had been removed
        s.get(LearnerAccount, ann.id).email_verified_at = None
    page = html.unescape(ann.client.get(f"/wallet/credentials/{by_address}", headers=HTML).text)
    assert 'data-holder="unmatched">Not as your account stands now: issued to someone else' in page


def test_linkedin_for_another_issuers_credential(app: Any, ann: Who, make_badge: Any) -> None:
    cid = add_badge(ann, make_badge(valid_until="2099-06-30T00:00:00Z"))
    page = ann.client.get(f"/wallet/credentials/{cid}", headers=HTML).text
    linkedin = re.search(r'id="linkedin" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(linkedin).query)
    assert params["organizationName"] == ["Example College"]
    assert params["issueYear"] == ["2025"] and params["expirationYear"] == ["2099"]
    assert "certUrl" not in params  # a urn: id is no web address
    assert params["certId"] == ["urn:uuid:2f0e4b9c-5d3b-4c57-9f7e-1d2a8c0b6e11"]
    assert 'id="baked-png"' not in page


def test_expiring_credentials_are_announced_with_the_renewal_link(
    app: Any, ann: Who, make_badge: Any
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = make_badge("Soon gone", valid_until=soon)
    cid = add_badge(ann, doc)
    with session_scope(app.state.engine) as s:
        s.get(WalletCredential, cid).renewal_url = "https://college.example/renew"
    page = ann.client.get("/wallet", headers=HTML).text
    section = page.split('id="expiring"')[1].split("</section>")[0]
    assert "Soon gone" in section
    assert "in 19 days" in section or "in 20 days" in section
    assert 'href="https://college.example/renew"' in section


# ---- isolation and CSRF ---------------------------------------------------------------------
def _owned_by_ann(app: Any, ann: Who, make_badge: Any) -> tuple[str, str, str]:
    cid = add_badge(ann, make_badge())
    coll = collection_of(ann, "Mine")
    ann.post(f"/wallet/credentials/{cid}/share", {})
    return cid, coll, share_of(app, ann)


def _posts(cid: str, coll: str, share: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/wallet/credentials/{cid}/recheck", {}),
        (f"/wallet/credentials/{cid}/tags", {"tags": "x"}),
        (f"/wallet/credentials/{cid}/note", {"note": "x"}),
        (f"/wallet/credentials/{cid}/collections", {"collection": coll}),
        (f"/wallet/credentials/{cid}/share", {}),
        (f"/wallet/credentials/{cid}/delete", {"confirm": "yes"}),
        (f"/wallet/collections/{coll}/rename", {"name": "Theirs"}),
        (f"/wallet/collections/{coll}/items", {"credential": cid}),
        (f"/wallet/collections/{coll}/share", {}),
        (f"/wallet/collections/{coll}/delete", {"confirm": "yes"}),
        (f"/wallet/shares/{share}/revoke", {}),
        ("/wallet/present", {"credential": cid, "challenge": "c", "domain": "d"}),
    ]


def test_another_learners_ids_answer_404_everywhere(
    app: Any, ann: Who, bob: Who, make_badge: Any
) -> None:
    cid, coll, share = _owned_by_ann(app, ann, make_badge)
    for path in (
        f"/wallet/credentials/{cid}",
        f"/wallet/credentials/{cid}/original",
        f"/wallet/collections/{coll}",
        f"/wallet?collection={coll}",
    ):
        reply = bob.client.get(path, headers=HTML)
        assert reply.status_code == 404, path
        assert "Not Found" in reply.text and "Mine" not in reply.text
    bob_coll = collection_of(bob, "Bob's")
    bob_cid = add_badge(bob, make_badge("Bob's badge", to="bob@example.org"))
    for path, data in _posts(cid, coll, share):
        reply = bob.post(path, data)
        assert reply.status_code == 404, path
        assert "Not Found" in reply.text, path
    # Bob's own collection with Ann's credential, Ann's collection with Bob's credential
    assert bob.post(f"/wallet/collections/{bob_coll}/items", {"credential": cid}).status_code == 404
    assert (
        bob.post(f"/wallet/credentials/{bob_cid}/collections", {"collection": coll}).status_code
        == 404
    )
    # nothing of Ann's changed
    (row,) = held(app, ann)
    assert row.tags == [] and row.note is None
    with session_scope(app.state.engine) as s:
        assert s.get(ShareLink, share).revoked_at is None
        assert s.scalar(select(func.count()).select_from(ShareLink)) == 1


def test_forms_without_the_csrf_token_are_refused(app: Any, ann: Who, make_badge: Any) -> None:
    cid, coll, share = _owned_by_ann(app, ann, make_badge)
    posts = [
        *_posts(cid, coll, share),
        ("/wallet/import", {"text": json.dumps(make_badge("Other"))}),
        ("/wallet/recheck", {}),
        ("/wallet/collections", {"name": "New"}),
        ("/wallet/present/download", {"vp": "{}"}),
    ]
    for path, data in posts:
        for token in (None, "0" * 64):
            body = dict(data) if token is None else {**data, "csrf_token": token}
            reply = ann.client.post(path, data=body, headers=HTML, follow_redirects=False)
            assert reply.status_code == 403, (path, token)
    foreign = ann.client.post(
        f"/wallet/credentials/{cid}/note",
        data={"csrf_token": ann.csrf, "note": "x"},
        headers={**HTML, "origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    assert len(held(app, ann)) == 1 and held(app, ann)[0].note is None


def test_a_browser_form_too_large_gets_an_html_page_not_json(tmp_path):
    from fastapi.testclient import TestClient

    from microcred.config import Settings
    from microcred.web.app import create_app

    settings = Settings(data_dir=tmp_path, upload_max_bytes=1000, demo=False)
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/wallet/import",
            files={"file": ("big.json", b"{" + b" " * 5000 + b"}", "application/json")},
            headers={"Accept": "text/html,application/xhtml+xml"},
            follow_redirects=False,
        )
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("text/html")
        api = client.post(
            "/api/v1/wallet/credentials",
            content=b"{" + b" " * 5000 + b"}",
            headers={"Accept": "text/html", "Content-Type": "application/json"},
        )
        assert api.status_code == 413
        assert api.headers["content-type"].startswith("application/problem+json")
