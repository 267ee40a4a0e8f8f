"""A learner's e-mail addresses on the web: the account page's list and forms, the mailed
link (GET shows, POST confirms), CSRF on every change, another learner's ids and verified
addresses, and the JSON API under /api/v1/me/emails."""

from __future__ import annotations

import re

from sqlalchemy import select

from microcred.store.db import session_scope
from microcred.store.models import LearnerEmail, OutboxMail
from tests.web.wallet_kit import sign_in

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def _mails(app, kind="verify_address"):
    with session_scope(app.state.engine) as s:
        return list(
            s.scalars(select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id))
        )


def _link_path(mail) -> str:
    return "/account/emails/verify/" + mail.body.split("/account/emails/verify/")[1].split()[0]


def _address_id(app, email):
    with session_scope(app.state.engine) as s:
        return s.scalar(select(LearnerEmail.id).where(LearnerEmail.email == email))


def test_add_confirm_and_remove_an_address_on_the_account_page(app):
    eva = sign_in(app, "eva@example.org", name="Eva")
    c = eva.client
    page = c.get("/account")
    assert 'id="emails"' in page.text and "eva@example.org" in page.text
    reply = c.post(
        "/account/emails",
        data={"email": " Eva@School.example ", "csrf_token": eva.csrf},
        follow_redirects=False,
    )
    assert reply.status_code == 303 and reply.headers["location"].startswith(
        "/account?done=email_added"
    )
    page = c.get(reply.headers["location"])
    assert "We sent a confirmation link to the new address" in page.text
    assert 'data-email="eva@school.example" data-verified="no"' in page.text
    (mail,) = _mails(app)
    assert mail.to == "eva@school.example"
    path = _link_path(mail)
    # the link, opened anywhere (no session needed): a page saying what it would do, and
    # nothing changes until its button is pressed
    with type(c)(app) as other:
        shown = other.get(path)
        assert shown.status_code == 200
        assert "eva@school.example" in shown.text and "eva@example.org" in shown.text
        assert shown.headers["cache-control"] == "no-store"
        assert 'data-verified="no"' in c.get("/account").text
        token = FORM_TOKEN.search(shown.text).group(1)
        refused = other.post(path, data={"csrf_token": "forged"})
        assert refused.status_code == 403
        done = other.post(path, data={"csrf_token": token})
        assert done.status_code == 200 and "eva@school.example is confirmed" in done.text
        again = other.post(path, data={"csrf_token": token})
        assert again.status_code == 400 and "used already" in again.text
        assert other.get(path).status_code == 400
    assert 'data-email="eva@school.example" data-verified="yes"' in c.get("/account").text
    address_id = _address_id(app, "eva@school.example")
    gone = c.post(
        f"/account/emails/{address_id}/remove",
        data={"csrf_token": eva.csrf},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert "eva@school.example" not in c.get("/account").text
    eva.client.__exit__(None, None, None)


def test_every_change_needs_the_csrf_token(app):
    eva = sign_in(app, "eva@example.org")
    c = eva.client
    assert c.post("/account/emails", data={"email": "x@example.net"}).status_code == 403
    assert (
        c.post("/account/emails", data={"email": "x@example.net", "csrf_token": "nope"}).status_code
        == 403
    )
    assert c.post("/api/v1/me/emails", json={"email": "x@example.net"}).status_code == 403
    assert _mails(app) == []
    c.post("/account/emails", data={"email": "x@example.net", "csrf_token": eva.csrf})
    address_id = _address_id(app, "x@example.net")
    assert c.post(f"/account/emails/{address_id}/remove").status_code == 403
    assert c.delete(f"/api/v1/me/emails/{address_id}").status_code == 403
    assert c.post(f"/api/v1/me/emails/{address_id}/resend").status_code == 403
    assert _address_id(app, "x@example.net") == address_id
    # another site's form, even with the token
    hostile = c.post(
        "/account/emails",
        data={"email": "y@example.net", "csrf_token": eva.csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert hostile.status_code == 403
    eva.client.__exit__(None, None, None)


def test_bad_and_taken_addresses_say_why(app):
    priya = sign_in(app, "priya@example.org", name="Priya")
    eva = sign_in(app, "eva@example.org", name="Eva")
    for value, status, words in [
        ("not-an-address", 400, "is not an e-mail address"),
        ("eva@example.org", 400, "one of your addresses already"),
        ("PRIYA@example.org", 409, "already confirmed for another account"),
    ]:
        reply = eva.client.post("/account/emails", data={"email": value, "csrf_token": eva.csrf})
        assert reply.status_code == status, reply.text
        assert words in reply.text and 'aria-invalid="true"' in reply.text
        assert f'value="{value}"' in reply.text  # kept in the field
    api = eva.client.post("/api/v1/me/emails", json={"email": "priya@example.org"}, headers=eva.h)
    assert api.status_code == 409 and api.headers["content-type"] == "application/problem+json"
    assert "already confirmed for another account" in api.json()["detail"]
    assert eva.client.post("/api/v1/me/emails", json={}, headers=eva.h).status_code in (400, 422)
    assert _mails(app) == []
    for learner in (priya, eva):
        learner.client.__exit__(None, None, None)


def test_another_learners_address_ids_are_not_found(app):
    eva = sign_in(app, "eva@example.org")
    priya = sign_in(app, "priya@example.org")
    eva.client.post("/account/emails", data={"email": "eva@school.example", "csrf_token": eva.csrf})
    address_id = _address_id(app, "eva@school.example")
    p = priya.client
    assert (
        p.post(
            f"/account/emails/{address_id}/remove",
            data={"csrf_token": priya.csrf},
            headers={"Accept": "text/html"},
        ).status_code
        == 404
    )
    assert p.delete(f"/api/v1/me/emails/{address_id}", headers=priya.h).status_code == 404
    assert p.post(f"/api/v1/me/emails/{address_id}/resend", headers=priya.h).status_code == 404
    assert _address_id(app, "eva@school.example") == address_id
    for learner in (priya, eva):
        learner.client.__exit__(None, None, None)


def test_the_json_api(app):
    eva = sign_in(app, "eva@example.org")
    c = eva.client
    listed = c.get("/api/v1/me/emails")
    assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
    assert [(e["email"], e["primary"], e["verified"]) for e in listed.json()["emails"]] == [
        ("eva@example.org", True, True)
    ]
    added = c.post("/api/v1/me/emails", json={"email": "Eva@Work.example"}, headers=eva.h)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["email"] == "eva@work.example" and body["verified"] is False
    assert c.post(f"/api/v1/me/emails/{body['id']}/resend", headers=eva.h).json() == {
        "sent": False  # a link went out less than a minute ago
    }
    (mail,) = _mails(app)
    page = c.get(_link_path(mail))
    c.post(_link_path(mail), data={"csrf_token": FORM_TOKEN.search(page.text).group(1)})
    emails = c.get("/api/v1/me/emails").json()["emails"]
    assert [(e["email"], e["verified"]) for e in emails] == [
        ("eva@example.org", True),
        ("eva@work.example", True),
    ]
    assert emails[1]["verified_at"] and emails[1]["id"] == body["id"]
    assert c.delete(f"/api/v1/me/emails/{body['id']}", headers=eva.h).status_code == 204
    assert len(c.get("/api/v1/me/emails").json()["emails"]) == 1
    c.cookies.clear()
    assert c.get("/api/v1/me/emails").status_code == 401
    eva.client.__exit__(None, None, None)


def test_a_link_for_an_address_someone_else_confirmed_meanwhile(app):
    eva = sign_in(app, "eva@example.org")
    priya = sign_in(app, "priya@example.org")
    for who in (eva, priya):
        who.client.post(
            "/account/emails", data={"email": "shared@example.net", "csrf_token": who.csrf}
        )
    eva_mail, priya_mail = _mails(app)
    for mail in (priya_mail, eva_mail):
        page = eva.client.get(_link_path(mail))
        token = FORM_TOKEN.search(page.text).group(1)
        last = eva.client.post(_link_path(mail), data={"csrf_token": token})
    assert last.status_code == 409
    assert "already confirmed for another account" in last.text
    assert 'data-email="shared@example.net" data-verified="no"' in eva.client.get("/account").text
    for learner in (priya, eva):
        learner.client.__exit__(None, None, None)


def test_an_account_address_another_learner_confirmed_cannot_be_confirmed(app):
    late = sign_in(app, "late@example.net", verified=False)
    eva = sign_in(app, "eva@example.org")
    eva.client.post("/account/emails", data={"email": "late@example.net", "csrf_token": eva.csrf})
    (mail,) = _mails(app)
    page = eva.client.get(_link_path(mail))
    eva.client.post(_link_path(mail), data={"csrf_token": FORM_TOKEN.search(page.text).group(1)})
    late.client.post("/account", data={"action": "resend", "csrf_token": late.csrf})
    (verify,) = _mails(app, "verify_email")
    path = "/account/verify/" + verify.body.split("/account/verify/")[1].split()[0]
    page = late.client.get(path)
    assert page.status_code == 200  # the confirmation page: nothing happens on GET
    reply = late.client.post(path, data={"csrf_token": FORM_TOKEN.search(page.text).group(1)})
    assert reply.status_code == 409 and "already confirmed for another account" in reply.text
    assert late.client.get("/api/v1/me").json()["verified"] is False
    for learner in (late, eva):
        learner.client.__exit__(None, None, None)
