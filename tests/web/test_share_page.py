"""The public share page /s/{token}: what it shows (status re-checked on every view, to whom
the credential was issued as the account stands now, only the identity fields chosen, never
the DID), escaping, headers, the same 404 for unknown, expired and revoked links, downloads
limited to the share's credentials, and no database lock held while it verifies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from microcred.issuing import status
from microcred.store.db import session_scope
from microcred.store.models import Credential, ShareLink, WalletCredential
from tests.web.wallet_kit import (
    FIRST_AID,
    Learner,
    add_verified_address,
    issue,
    make_issuer,
    sign_in,
)

API = "/api/v1/wallet"
HTML = {"accept": "text/html"}
NASTY = {**FIRST_AID, "name": "CPR <script>alert(1)</script> & AED"}


@pytest.fixture
def issuer(app: Any, client: Any) -> tuple[str, str]:
    return make_issuer(app, NASTY)


@pytest.fixture
def ann(app: Any, client: Any) -> Any:
    learner = sign_in(app, "ann@example.org", name="Ann <b>Example</b>")
    yield learner
    learner.client.__exit__(None, None, None)


def add(who: Learner, doc: dict[str, Any]) -> str:
    reply = who.client.post(
        f"{API}/credentials", files={"file": ("b.json", json.dumps(doc).encode())}, headers=who.h
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["credentials"][0]["id"])


def share(who: Learner, kind: str, target: str, **extra: Any) -> tuple[str, str]:
    """(share id, the page's path)"""
    reply = who.client.post(
        f"{API}/shares", json={"target_kind": kind, "target_id": target, **extra}, headers=who.h
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["id"], urlsplit(reply.json()["url"]).path


def test_a_shared_credential_shows_what_it_says_and_its_status(
    app: Any, client: Any, ann: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    _, path = share(ann, "credential", cid)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 22  # >= 128 bits, URL-safe base64 (it is 43: 256 bits)
    page = client.get(path, headers=HTML)  # anyone with the link: no session
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-robots-tag"].startswith("noindex")
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert "CPR &lt;script&gt;alert(1)&lt;/script&gt; &amp; AED" in html
    assert "<script>alert" not in html and "<style" not in html and " style=" not in html
    assert "Acme College" in html and "Adult CPR and defibrillator use." in html
    assert "Pass the practical assessment." in html
    assert "perform cardiopulmonary resuscitation" in html
    assert 'data-state="verified"' in html and "Verified" in html
    # identity: nothing unless chosen; never the DID
    assert "Ann" not in html and ann.email not in html and ann.did not in html
    assert 'href="/verify"' in html
    download = f"/s/{token}/credentials/{cid}/original"
    assert f'href="{download}"' in html
    original = client.get(download)
    assert original.status_code == 200 and json.loads(original.content) == doc
    assert original.headers["content-disposition"].startswith("attachment")
    assert original.headers["x-content-type-options"] == "nosniff"
    assert original.headers["referrer-policy"] == "no-referrer"
    with session_scope(app.state.engine) as s:
        assert s.query(ShareLink).one().views == 2


def test_identity_fields_show_only_when_chosen(
    app: Any, client: Any, ann: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    _, name_only = share(ann, "credential", cid, show_name=True)
    html = client.get(name_only).text
    assert "Ann &lt;b&gt;Example&lt;/b&gt;" in html and ann.email not in html
    _, both = share(ann, "credential", cid, show_name=True, show_email=True)
    html = client.get(both).text
    assert "Ann &lt;b&gt;Example&lt;/b&gt;" in html and ann.email in html
    assert ann.did not in html
    _, email_only = share(ann, "credential", cid, show_email=True)
    html = client.get(email_only).text
    assert "Ann" not in html.replace(ann.email, "") and ann.email in html


def test_a_collection_shows_its_credentials_only(
    app: Any, client: Any, ann: Learner, issuer: Any
) -> None:
    add_verified_address(app, ann.id, "ann+other@example.org")
    _, doc1, _ = issue(app, issuer, ann.email)
    _, doc2, _ = issue(app, issuer, "ann+other@example.org")
    inside, outside = add(ann, doc1), add(ann, doc2)
    coll = ann.client.post(
        f"{API}/collections", json={"name": "For employers", "description": "Care"}, headers=ann.h
    ).json()["id"]
    ann.client.post(
        f"{API}/collections/{coll}/credentials", json={"credentials": [inside]}, headers=ann.h
    )
    _, path = share(ann, "collection", coll)
    token = path.rsplit("/", 1)[1]
    html = client.get(path).text
    assert "For employers" in html and f"credential-{inside}" in html
    assert outside not in html
    assert client.get(f"/s/{token}/credentials/{inside}/original").status_code == 200
    refused = client.get(f"/s/{token}/credentials/{outside}/original", headers=HTML)
    assert refused.status_code == 404 and refused.headers["x-robots-tag"].startswith("noindex")


def test_unknown_expired_and_revoked_links_are_the_same_404(
    app: Any, client: Any, ann: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    share_id, revoked = share(ann, "credential", cid)
    assert client.get(revoked).status_code == 200
    assert ann.client.delete(f"{API}/shares/{share_id}", headers=ann.h).status_code == 200
    expiring_id, expired = share(
        ann, "credential", cid, expires_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()
    )
    assert client.get(expired).status_code == 200
    with session_scope(app.state.engine) as s:
        s.get(ShareLink, expiring_id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    _, deleted = share(ann, "credential", cid)
    answers = []
    for path in (revoked, expired, "/s/" + "A" * 43, "/s/short", "/s/<script>"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 404, path
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        answers.append(page.text)
    assert len(set(answers)) == 1 and "Basic" not in answers[0]
    token = revoked.rsplit("/", 1)[1]
    assert client.get(f"/s/{token}/credentials/{cid}/original").status_code == 404
    # the credential deleted from the wallet: its links stop too
    assert ann.client.delete(f"{API}/credentials/{cid}", headers=ann.h).status_code == 204
    assert client.get(deleted).status_code == 404


def _state(html: str) -> str:
    return html.split('data-state="', 1)[1].split('"', 1)[0]


def test_status_is_never_stale(app: Any, client: Any, ann: Learner, issuer: Any) -> None:
    cred_id, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    _, path = share(ann, "credential", cid)
    assert _state(client.get(path).text) == "verified"

    def change(action: str) -> None:
        with session_scope(app.state.engine) as s:
            status.change_status(
                s, app.state.issuing, s.get(Credential, cred_id), action, reason="test"
            )

    change("suspend")  # a moment ago, the last check was seconds old: the next view shows it
    html = client.get(path).text
    assert _state(html) == "suspended" and "Suspended by its issuer" in html
    assert ">Verified<" not in html and "✓" not in html
    change("unsuspend")
    assert _state(client.get(path).text) == "verified"
    change("revoke")
    html = client.get(path).text
    assert _state(html) == "revoked" and "Revoked by its issuer" in html
    with session_scope(app.state.engine) as s:  # recorded: the wallet says the same
        row = s.get(WalletCredential, cid)
        assert row.verdict == "failed" and s.query(ShareLink).one().views == 4


def test_the_page_says_to_whom_it_was_issued_as_the_account_stands_now(
    app: Any, client: Any, ann: Learner, issuer: Any, issuer_key: Any
) -> None:
    from microcred.vc import proofs
    from tests.helpers import ob_credential

    add_verified_address(app, ann.id, "ann@school.example")
    _, doc, _ = issue(app, issuer, "ann@school.example")
    by_address = add(ann, doc)
    by_did = add(
        ann, proofs.sign(ob_credential(issuer_key.controller, subject_id=ann.did), issuer_key)
    )
    _, path = share(ann, "credential", by_address)
    _, did_path = share(ann, "credential", by_did)
    html = client.get(path).text
    assert "Issued to the holder&#39;s verified e-mail address." in html
    assert 'data-holder="matched"' in html and ">Verified<" in html
    assert "ann@school.example" not in html  # the address is not shown
    did_html = client.get(did_path).text
    assert "Issued to the holder&#39;s DID." in did_html and ann.did not in did_html
    # the address removed from the account: the credential no longer shows as the holder's
    listed = ann.client.get("/api/v1/me/emails").json()["emails"]
    school = next(e["id"] for e in listed if e["email"] == "ann@school.example")
    assert ann.client.delete(f"/api/v1/me/emails/{school}", headers=ann.h).status_code == 204
    html = client.get(path).text
    assert 'data-holder="unmatched"' in html and 'data-state="verified"' in html
    assert ">Verified<" not in html and "✓" not in html
    assert "Genuine, but not shown to be the holder&#39;s" in html
    assert (
        "Not shown to be the holder&#39;s: this credential&#39;s subject is a hashed e-mail "
        "address, which is none of the holder&#39;s confirmed e-mail addresses nor their DID "
        "(any more)."
    ) in html


def test_a_view_holds_no_database_lock_while_it_verifies(
    app: Any, client: Any, ann: Learner, issuer_key: Any, fixtures: Any
) -> None:
    """The credential's status list is another issuer's: fetched (through the app's fetcher)
    while the page re-checks it. Meanwhile another connection can write at once."""
    import sqlite3

    from microcred.vc import proofs, statuslist
    from microcred.web import deps
    from tests.helpers import ob_credential

    list_url = "https://status.example/lists/1"
    status_list = statuslist.status_list_credential(
        id=list_url,
        issuer=issuer_key.controller,
        purpose="suspension",
        encoded_list=statuslist.StatusList().encode(),
        valid_from="2025-01-01T00:00:00Z",
    )
    fixtures[list_url] = json.dumps(proofs.sign(status_list, issuer_key)).encode()
    entry = statuslist.status_entry(list_url=list_url, index=7, purpose="suspension")
    doc = proofs.sign(
        ob_credential(issuer_key.controller, subject_id=ann.did, credential_status=entry),
        issuer_key,
    )
    cid = add(ann, doc)
    _, path = share(ann, "credential", cid)
    database = app.state.engine.url.database
    inner = app.dependency_overrides[deps.app_fetcher]()
    writes: list[str] = []

    def probing_fetch(url: str, *, accept: str | None = None) -> bytes:
        probe = sqlite3.connect(database, timeout=0.2)
        try:
            probe.execute("BEGIN IMMEDIATE")  # takes the write lock, or fails when held
            probe.execute("ROLLBACK")
            writes.append("free")
        except sqlite3.OperationalError as exc:
            writes.append(str(exc))
        finally:
            probe.close()
        return inner(url, accept=accept)

    app.dependency_overrides[deps.app_fetcher] = lambda: probing_fetch
    html = client.get(path).text
    assert writes == ["free"] and _state(html) == "verified"
    with session_scope(app.state.engine) as s:
        assert s.query(ShareLink).one().views == 1


def test_another_learners_credential_cannot_be_shared(
    app: Any, client: Any, ann: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    bob = sign_in(app, "bob@example.org", name="Bob")
    try:
        for kind in ("credential", "collection"):
            reply = bob.client.post(
                f"{API}/shares", json={"target_kind": kind, "target_id": cid}, headers=bob.h
            )
            assert reply.status_code == 404
        with session_scope(app.state.engine) as s:
            assert s.query(ShareLink).count() == 0
    finally:
        bob.client.__exit__(None, None, None)
