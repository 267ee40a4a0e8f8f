"""The public share page /s/{token}: what it shows (status re-checked, only the identity
fields chosen, never the DID), escaping, headers, the same 404 for unknown, expired and
revoked links, downloads limited to the share's credentials."""

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


def test_status_is_rechecked_when_stale(app: Any, client: Any, ann: Learner, issuer: Any) -> None:
    cred_id, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    _, path = share(ann, "credential", cid)
    with session_scope(app.state.engine) as s:
        status.change_status(
            s, app.state.issuing, s.get(Credential, cred_id), "revoke", reason="test"
        )
    assert 'data-state="verified"' in client.get(path).text  # checked minutes ago
    with session_scope(app.state.engine) as s:
        s.get(WalletCredential, cid).checked_at = datetime.now(UTC) - timedelta(hours=2)
    html = client.get(path).text
    assert 'data-state="revoked"' in html and "Revoked by its issuer" in html


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
