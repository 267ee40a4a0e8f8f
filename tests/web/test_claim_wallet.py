"""Claiming into the wallet from the claim page: offered to the signed-in learner one of
whose verified addresses is the recipient's (POST with the session's CSRF token adds it and
records the claim); sign-in links otherwise; a clear refusal for another learner or an
unconfirmed address (the account's own, or one added). The claim form itself keeps working
as before."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from microcred.accounts import emails
from microcred.store.db import session_scope
from microcred.store.models import Credential, Event, LearnerAccount, WalletCredential
from tests.web.wallet_kit import issue, make_issuer, sign_in

HTML = {"accept": "text/html"}


@pytest.fixture
def award(app: Any, client: Any) -> tuple[str, str]:
    """(credential id, claim token) of an award to ann@example.org."""
    cred_id, _, token = issue(app, make_issuer(app), "ann@example.org")
    assert token
    return cred_id, token


def wallet_rows(app: Any, learner_id: str) -> list[WalletCredential]:
    with session_scope(app.state.engine) as s:
        return list(
            s.scalars(select(WalletCredential).where(WalletCredential.learner_id == learner_id))
        )


def claimed(app: Any, cred_id: str) -> tuple[Any, int]:
    with session_scope(app.state.engine) as s:
        events = s.scalars(
            select(Event).where(Event.credential_id == cred_id, Event.kind == "claimed")
        )
        return s.get(Credential, cred_id).claimed_at, len(list(events))


def test_the_matching_learner_adds_it_to_their_wallet(app: Any, award: Any) -> None:
    cred_id, token = award
    ann = sign_in(app, "ann@example.org")
    try:
        page = ann.client.get(f"/claim/{token}", headers=HTML)
        assert page.status_code == 200 and "Add to my wallet" in page.text
        assert f'action="/claim/{token}/wallet"' in page.text
        assert page.headers["referrer-policy"] == "same-origin"  # the form sends its Origin
        csrf = re.search(
            r'action="/claim/[^"]+/wallet">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
            page.text,
        )
        assert csrf and csrf.group(1) == ann.csrf
        # without the session's CSRF token: refused, nothing added
        refused = ann.client.post(f"/claim/{token}/wallet", headers=HTML, data={})
        assert refused.status_code == 403 and wallet_rows(app, ann.id) == []
        added = ann.client.post(
            f"/claim/{token}/wallet", data={"csrf_token": ann.csrf}, follow_redirects=False
        )
        assert added.status_code == 303
        (row,) = wallet_rows(app, ann.id)
        assert added.headers["location"] == f"/wallet/credentials/{row.id}"
        assert row.issued_credential_id == cred_id and row.verdict == "verified"
        at, events = claimed(app, cred_id)
        assert at is not None and events == 1
        again = ann.client.get(f"/claim/{token}", headers=HTML)
        assert "in your wallet" in again.text and "Add to my wallet" not in again.text
        assert f'href="/wallet/credentials/{row.id}"' in again.text
        # twice: still one row, one claim
        ann.client.post(f"/claim/{token}/wallet", data={"csrf_token": ann.csrf})
        assert len(wallet_rows(app, ann.id)) == 1 and claimed(app, cred_id)[1] == 1
        # the API lists it
        listed = ann.client.get("/api/v1/wallet/credentials").json()["items"]
        assert [c["issued_credential_id"] for c in listed] == [cred_id]
    finally:
        ann.client.__exit__(None, None, None)


def test_another_learner_is_refused_clearly(app: Any, award: Any) -> None:
    cred_id, token = award
    bob = sign_in(app, "bob@example.org")
    try:
        page = bob.client.get(f"/claim/{token}", headers=HTML)
        assert page.status_code == 200 and "Add to my wallet" not in page.text
        assert "issued to another e-mail address" in page.text
        forced = bob.client.post(
            f"/claim/{token}/wallet", data={"csrf_token": bob.csrf}, headers=HTML
        )
        assert forced.status_code == 403 and "another recipient" in forced.text
        assert wallet_rows(app, bob.id) == []
        assert claimed(app, cred_id) == (None, 0)
    finally:
        bob.client.__exit__(None, None, None)


def test_an_unconfirmed_address_must_be_confirmed_first(app: Any, award: Any) -> None:
    _, token = award
    ann = sign_in(app, "ann@example.org", verified=False)
    try:
        page = ann.client.get(f"/claim/{token}", headers=HTML)
        assert "Confirm your e-mail address" in page.text and "Add to my wallet" not in page.text
        forced = ann.client.post(f"/claim/{token}/wallet", data={"csrf_token": ann.csrf})
        assert forced.status_code == 403 and wallet_rows(app, ann.id) == []
    finally:
        ann.client.__exit__(None, None, None)


def test_without_a_session_the_page_links_to_sign_in_and_back(client: Any, award: Any) -> None:
    _, token = award
    page = client.get(f"/claim/{token}", headers=HTML)
    assert page.status_code == 200
    assert f'href="/account/signin?next=%2Fclaim%2F{token}"' in page.text
    assert f'href="/account/signup?next=%2Fclaim%2F{token}"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"  # as before
    posted = client.post(f"/claim/{token}/wallet", data={}, follow_redirects=False)
    assert posted.status_code == 401
    unknown = client.get("/claim/" + "x" * 32, headers=HTML)
    assert unknown.status_code == 404


def test_an_added_address_claims_once_it_is_confirmed(app: Any, client: Any) -> None:
    _, _, token = issue(app, make_issuer(app), "Eva.Work@Example.org")
    eva = sign_in(app, "eva@example.org")
    try:
        with session_scope(app.state.engine) as s:
            me = s.get(LearnerAccount, eva.id)
            _, link = emails.add_address(s, me, "eva.work@example.org", base_url="http://x")
        page = eva.client.get(f"/claim/{token}", headers=HTML)
        assert "Confirm your e-mail address first" in page.text
        assert "Add to my wallet" not in page.text
        forced = eva.client.post(f"/claim/{token}/wallet", data={"csrf_token": eva.csrf})
        assert forced.status_code == 403 and "Verify your e-mail address first" in forced.text
        with session_scope(app.state.engine) as s:
            emails.confirm_address(s, link)
        page = eva.client.get(f"/claim/{token}", headers=HTML)
        assert "Add to my wallet" in page.text
        assert "It was issued to one of your confirmed e-mail addresses." in page.text
        added = eva.client.post(
            f"/claim/{token}/wallet", data={"csrf_token": eva.csrf}, follow_redirects=False
        )
        assert added.status_code == 303 and len(wallet_rows(app, eva.id)) == 1
    finally:
        eva.client.__exit__(None, None, None)
