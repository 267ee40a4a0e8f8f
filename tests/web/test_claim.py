"""Claim links through the app: the page, the form with its token, the learner's choice on
the public page, refusals (bad form token 403, unknown link 404), escaping; the renewal
page; the outbox page in development only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from microcred.config import Settings
from microcred.issuing import achievements, awards, claims, orgs, status
from microcred.store.db import session_scope
from microcred.store.models import Credential, Event

NAME = "<script>alert(1)</script> Ada"
ACH = {
    "name": "Basic Life Support <b>& AED</b>",
    "description": "Adult CPR and defibrillator use.",
    "criteria": "Pass the practical assessment.",
    "validity": "P2Y",
    "renewal": {
        "renewable": True,
        "requires": "a 3-hour refresher <course>",
        "window": "in the 3 months before expiry",
        "url": "https://lifeline.example/renew",
    },
}
HTML = {"accept": "text/html"}


@pytest.fixture
def issued(app, client):
    """(credential id, claim token) of an award with its e-mail queued."""
    engine, ctx = app.state.engine, app.state.issuing
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, ctx, slug="lifeline", name="Lifeline <i>Skills</i>")
        ach = achievements.create_achievement(s, org, ACH)
        out = awards.issue_award(
            s,
            ctx,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email="ada@example.org", name=NAME),
        )
        return out.credential.id, out.claim_token


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html
    return m.group(1)


def _claimed_events(app, cred_id: str) -> int:
    with session_scope(app.state.engine) as s:
        return len(
            list(
                s.scalars(
                    select(Event).where(Event.credential_id == cred_id, Event.kind == "claimed")
                )
            )
        )


def test_claim_page_shows_the_credential_and_a_form(client, issued):
    _, token = issued
    page = client.get(f"/claim/{token}", headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert "Basic Life Support &lt;b&gt;&amp; AED&lt;/b&gt;" in html
    assert "Lifeline &lt;i&gt;Skills&lt;/i&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ada" in html
    assert "<script>alert" not in html and "<b>&" not in html
    assert f'action="/claim/{token}"' in html and 'method="post"' in html
    assert re.search(r'name="show_name" value="no" checked', html)  # private by default
    _csrf(html)


def test_claim_with_the_form_token_records_the_choice(app, client, issued):
    cred_id, token = issued
    csrf = _csrf(client.get(f"/claim/{token}").text)
    reply = client.post(
        f"/claim/{token}", data={"csrf": csrf, "show_name": "yes"}, follow_redirects=False
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/credentials/{cred_id}"
    with session_scope(app.state.engine) as s:
        cred = s.get(Credential, cred_id)
        assert cred.claimed_at is not None and cred.show_recipient is True
    assert _claimed_events(app, cred_id) == 1
    with session_scope(app.state.engine) as s:
        assert claims.count_events(s, "claimed") == 1
    page = client.get(f"/credentials/{cred_id}", headers=HTML).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ada" in page and "<script>alert" not in page

    # the link still works: the learner changes their mind; still one claim counted
    again = client.get(f"/claim/{token}").text
    assert re.search(r'name="show_name" value="yes" checked', again) and "Save my choice" in again
    reply = client.post(
        f"/claim/{token}", data={"csrf": _csrf(again), "show_name": "no"}, follow_redirects=False
    )
    assert reply.status_code == 303
    page = client.get(f"/credentials/{cred_id}", headers=HTML).text
    assert "alert(1)" not in page and "name not shown" in page
    assert _claimed_events(app, cred_id) == 1


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "not-hex-é"])
def test_a_wrong_or_missing_form_token_is_refused(app, client, issued, csrf):
    cred_id, token = issued
    data = {"show_name": "yes"} | ({"csrf": csrf} if csrf is not None else {})
    reply = client.post(f"/claim/{token}", data=data, follow_redirects=False)
    assert reply.status_code == 403
    with session_scope(app.state.engine) as s:
        assert s.get(Credential, cred_id).claimed_at is None
    assert _claimed_events(app, cred_id) == 0


def test_the_form_token_of_another_link_is_refused(app, client, issued):
    _, token = issued
    other = claims.form_token(app.state.issuing.secret, "x" * 32)
    reply = client.post(f"/claim/{token}", data={"csrf": other}, follow_redirects=False)
    assert reply.status_code == 403


@pytest.mark.parametrize("token", ["A" * 32, "short", "a" * 200])
def test_an_unknown_claim_link_is_404(app, client, issued, token):
    assert client.get(f"/claim/{token}", headers=HTML).status_code == 404
    csrf = claims.form_token(app.state.issuing.secret, token)
    reply = client.post(f"/claim/{token}", data={"csrf": csrf}, follow_redirects=False)
    assert reply.status_code == 404


def test_a_revoked_credential_cannot_be_claimed(app, client, issued):
    cred_id, token = issued
    with session_scope(app.state.engine) as s:
        cred = s.get(Credential, cred_id)
        status.change_status(s, app.state.issuing, cred, "revoke", reason="issued in error")
    page = client.get(f"/claim/{token}", headers=HTML)
    assert page.status_code == 200 and "revoked" in page.text and 'name="csrf"' not in page.text
    csrf = claims.form_token(app.state.issuing.secret, token)
    reply = client.post(f"/claim/{token}", data={"csrf": csrf}, follow_redirects=False)
    assert reply.status_code == 409
    assert _claimed_events(app, cred_id) == 0


def test_renewal_page_shows_the_rules_escaped(client, issued):
    cred_id, _ = issued
    page = client.get(f"/renew/{cred_id}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "a 3-hour refresher &lt;course&gt;" in html and "in the 3 months before expiry" in html
    assert 'href="https://lifeline.example/renew"' in html
    assert (
        client.get(f"/renew/{'0' * 8}-0000-0000-0000-{'0' * 12}", headers=HTML).status_code == 404
    )


def test_outbox_page_in_development(client, issued):
    _, token = issued
    page = client.get("/console/outbox", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "ada@example.org" in html and 'data-kind="award"' in html and "not sent" in html
    assert f"/claim/{token}" in html and "<pre" in html
    assert "Lifeline &lt;i&gt;Skills&lt;/i&gt;" in html and "<script>alert" not in html


def test_no_outbox_page_in_production(tmp_path, make_client):
    from microcred.web import create_app

    settings = Settings(data_dir=tmp_path, environment="production", secret_key="s" * 40)
    with make_client(create_app(settings)) as client:
        assert client.get("/console/outbox", headers=HTML).status_code == 404
