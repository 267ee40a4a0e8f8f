"""Learner accounts on the web: sign up, sign in (password or link), the session cookie,
CSRF and origin checks, rate limits, redirects, /api/v1/me."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

import pytest
from sqlalchemy import select

from microcred.config import Settings
from microcred.store.db import session_scope
from microcred.store.models import OutboxMail
from microcred.web import create_app

PASSWORD = "correct horse battery"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def form_token(page: Any) -> str:
    return FORM_TOKEN.search(page.text).group(1)


def signup(client, email="ann@example.org", password=PASSWORD, **extra):
    token = form_token(client.get("/account/signup"))
    data = {"email": email, "password": password, "display_name": "Ann", "csrf_token": token}
    return client.post("/account/signup", data={**data, **extra}, follow_redirects=False)


def signin(client, email="ann@example.org", password=PASSWORD, **extra):
    token = form_token(client.get("/account/signin"))
    data = {"email": email, "password": password, "csrf_token": token, "method": "password"}
    return client.post("/account/signin", data={**data, **extra}, follow_redirects=False)


def account_csrf(client) -> str:
    return form_token(client.get("/account"))


def outbox(app) -> list[OutboxMail]:
    with session_scope(app.state.engine) as s:
        return list(s.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header line)."""
    out = {}
    for header in response.headers.get_list("set-cookie"):
        out[next(iter(SimpleCookie(header).keys()))] = header
    return out


def test_sign_up_signs_in_with_a_safe_cookie_and_asks_to_confirm_the_address(client, app):
    reply = signup(client)
    assert reply.status_code == 303 and reply.headers["location"] == "/account"
    header = set_cookies(reply)["mc_learner"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert "Secure" not in header and "Max-Age=1209600" in header
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.headers["cache-control"] == "no-store"
    body = me.json()
    assert body["email"] == "ann@example.org" and body["verified"] is False
    assert body["did"].startswith("did:key:z6Mk") and set(body) >= {"id", "email", "did"}
    page = client.get("/account")
    assert page.status_code == 200 and 'id="unverified-banner"' in page.text
    assert body["did"] in page.text and "Referrer-Policy" in page.headers
    assert page.headers["referrer-policy"] == "same-origin"
    (mail,) = outbox(app)
    assert mail.kind == "verify_email"
    path = "/account/verify/" + mail.body.split("/account/verify/")[1].split()[0]
    # the link confirms on the POST of its page only: opening it changes nothing
    for _ in range(2):
        shown = client.get(path)
        assert shown.status_code == 200 and "Confirm ann@example.org" in shown.text
        assert shown.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").json()["verified"] is False
    confirmed = client.post(path, data={"csrf_token": form_token(shown)}, follow_redirects=False)
    assert confirmed.status_code == 200 and "ann@example.org is confirmed" in confirmed.text
    assert client.get("/api/v1/me").json()["verified"] is True
    assert "unverified-banner" not in client.get("/account").text
    again = client.get(path)
    assert again.status_code == 400 and "used already" in again.text
    repost = client.post(path, data={"csrf_token": form_token(shown)})
    assert repost.status_code == 400 and "used already" in repost.text


def test_a_mail_scanner_opening_the_confirmation_link_confirms_nothing(app, make_client):
    """Someone signs up with another person's address: the mail goes to that person, whose
    mail scanner opens every link. The address stays unconfirmed, so the account cannot take
    the credentials issued to it; a POST needs the page's form token and its cookie."""
    with make_client(app) as squatter:
        assert signup(squatter, email="victim@example.org").status_code == 303
        (mail,) = outbox(app)
        path = "/account/verify/" + mail.body.split("/account/verify/")[1].split()[0]
        with make_client(app) as scanner:  # no cookies, follows and fetches everything
            page = scanner.get(path)
            assert page.status_code == 200 and 'method="post"' in page.text
            forged = scanner.post(path, data={"csrf_token": "0" * 64})
            assert forged.status_code == 403
            bare = scanner.post(path, data={})
            assert bare.status_code == 403
        assert squatter.get("/api/v1/me").json()["verified"] is False
        # the link still works: only a person pressing the page's button confirms
        assert squatter.get(path).status_code == 200
    with make_client(app) as other:
        assert other.get("/account/verify/" + "x" * 43).status_code == 400


def test_sign_up_refuses_bad_passwords_and_known_addresses(client):
    short = signup(client, password="too short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    same = signup(client, password="ann@example.org")
    assert same.status_code == 400 and "e-mail address" in same.text
    assert signup(client).status_code == 303
    client.cookies.clear()
    known = signup(client)
    assert known.status_code == 409 and "already an account" in known.text


def test_https_deployment_uses_a_host_prefixed_secure_cookie(tmp_path, make_client):
    app = create_app(Settings(data_dir=tmp_path, public_base_url="https://wallet.example"))
    with make_client(app, base_url="https://wallet.example") as client:
        reply = signup(client)
        assert reply.status_code == 303
        cookies = set_cookies(reply)
        header = cookies["__Host-mc_learner"]
        assert "Secure" in header and "HttpOnly" in header and "Path=/" in header
        assert "SameSite=lax" in header and "Domain" not in header and "mc_learner" not in cookies
        assert client.get("/api/v1/me").status_code == 200
        client.cookies.set("mc_learner", client.cookies.get("__Host-mc_learner"))
        del client.cookies["__Host-mc_learner"]
        assert client.get("/api/v1/me").status_code == 401  # the http name is not read


def test_pages_redirect_to_sign_in_and_the_api_answers_401(client):
    page = client.get("/account", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/account/signin?next=%2Faccount"
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "unauthorized"


def test_state_changing_requests_need_the_csrf_token(client):
    signup(client)
    csrf = account_csrf(client)
    for data in ({"action": "name", "display_name": "Mallory"}, {"csrf_token": "x" * 64}):
        refused = client.post("/account", data={"action": "name", **data})
        assert refused.status_code == 403
    assert client.get("/api/v1/me").json()["display_name"] == "Ann"
    ok = client.post(
        "/account",
        data={"action": "name", "display_name": "Ann B", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/account?done=name"
    assert client.get("/api/v1/me").json()["display_name"] == "Ann B"
    html = client.post(
        "/account/signout", data={"csrf_token": "wrong"}, headers={"accept": "text/html"}
    )
    assert html.status_code == 403 and "security token" in html.text
    assert client.post("/account/signout").status_code == 403  # neither field nor header
    assert client.get("/api/v1/me").status_code == 200
    out = client.post("/account/signout", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_another_sites_origin_is_refused_even_with_the_token(client):
    signup(client)
    csrf = account_csrf(client)
    for origin in ("https://evil.example", "null"):
        refused = client.post(
            "/account",
            data={"action": "name", "display_name": "Mallory", "csrf_token": csrf},
            headers={"origin": origin},
        )
        assert refused.status_code == 403, origin
    referer = client.post(
        "/account",
        data={"action": "name", "display_name": "Mallory", "csrf_token": csrf},
        headers={"referer": "https://evil.example/page"},
    )
    assert referer.status_code == 403
    ours = client.post(
        "/account",
        data={"action": "name", "display_name": "Ann C", "csrf_token": csrf},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert ours.status_code == 303


def test_sign_in_forms_need_their_form_token(client):
    signup(client)
    client.cookies.clear()
    assert signin(client, csrf_token="forged").status_code == 403
    client.cookies.clear()  # a token without its cookie
    token = form_token(client.get("/account/signin"))
    client.cookies.clear()
    data = {"email": "ann@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/account/signin", data=data).status_code == 403
    token = form_token(client.get("/account/signin"))
    cross = client.post(
        "/account/signin",
        data={**data, "csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert signin(client).status_code == 303


def test_sign_in_sign_out_and_the_old_cookie_is_dead(client):
    signup(client)
    client.cookies.clear()
    wrong = signin(client, password="not my password")
    assert wrong.status_code == 401 and "wrong" in wrong.text
    ok = signin(client)
    assert ok.status_code == 303 and ok.headers["location"] == "/account"
    cookie = client.cookies.get("mc_learner")
    out = client.post(
        "/account/signout", data={"csrf_token": account_csrf(client)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/account/signin"
    assert 'mc_learner=""' in out.headers["set-cookie"]
    client.cookies.set("mc_learner", cookie)
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("//evil.example/x", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\evil.example", "/account"),
        ("/\t/evil.example", "/account"),
        ("javascript:alert(1)", "/account"),
        ("/wallet?tab=shared", "/wallet?tab=shared"),
    ],
)
def test_next_only_leads_to_this_site(client, given, expected):
    signup(client, email="n@example.org")
    client.cookies.clear()
    reply = signin(client, email="n@example.org", next=given)
    assert reply.status_code == 303 and reply.headers["location"] == expected
    page = client.get("/account/signin", params={"next": given})
    if page.status_code == 200:
        assert "evil.example" not in page.text


def test_too_many_failures_answer_429_also_for_the_right_password(client):
    signup(client)
    client.cookies.clear()
    for _ in range(5):
        assert signin(client, password="wrong password").status_code == 401
    refused = signin(client)
    assert refused.status_code == 429 and "try again in 15 minutes" in refused.text
    assert int(refused.headers["retry-after"]) > 14 * 60
    assert "mc_learner" not in set_cookies(refused)


def test_signin_link_answers_the_same_for_unknown_addresses(client, app):
    signup(client)
    client.cookies.clear()

    def ask(email):
        token = form_token(client.get("/account/signin"))
        data = {"email": email, "method": "link", "csrf_token": token}
        return client.post("/account/signin", data=data)

    known, unknown = ask("ann@example.org"), ask("zed@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ann@example.org", "X") == unknown.text.replace(
        "zed@example.org", "X"
    )
    mail = outbox(app)[-1]
    assert mail.kind == "signin_link" and mail.to == "ann@example.org"
    path = "/account/link/" + mail.body.split("/account/link/")[1].split()[0]
    for _ in range(2):  # a mail scanner's GET does not use it up
        confirm = client.get(path)
        assert confirm.status_code == 200 and "Sign me in" in confirm.text
    assert client.get("/api/v1/me").status_code == 401
    signed_in = client.post(path, data={"csrf_token": form_token(confirm)}, follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/account"
    assert client.get("/api/v1/me").json()["verified"] is True
    client.cookies.clear()
    used = client.get(path)
    assert used.status_code == 400
    token = form_token(client.get("/account/signin"))
    assert client.post(path, data={"csrf_token": token}).status_code == 400


def test_each_session_is_its_own_learner(app, make_client):
    with make_client(app) as a, make_client(app) as b:
        signup(a, email="a@example.org")
        signup(b, email="b@example.org")
        assert a.get("/api/v1/me").json()["email"] == "a@example.org"
        assert b.get("/api/v1/me").json()["email"] == "b@example.org"
        a_id = a.get("/api/v1/me").json()["id"]
        assert b.get("/api/v1/me").json()["id"] != a_id


def test_password_change_ends_other_sessions(app, make_client):
    with make_client(app) as here, make_client(app) as there:
        signup(here)
        assert signin(there).status_code == 303
        wrong = here.post(
            "/account",
            data={
                "action": "password",
                "current_password": "not it at all",
                "new_password": "a brand new passphrase",
                "csrf_token": account_csrf(here),
            },
        )
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        changed = here.post(
            "/account",
            data={
                "action": "password",
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
                "csrf_token": account_csrf(here),
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert here.get("/api/v1/me").status_code == 200
        assert there.get("/api/v1/me").status_code == 401
        everywhere = here.post(
            "/account",
            data={"action": "signout_all", "csrf_token": account_csrf(here)},
            follow_redirects=False,
        )
        assert everywhere.status_code == 303
        assert here.get("/api/v1/me").status_code == 401


def test_nav_offers_sign_in_then_the_wallet(client):
    assert 'href="/account/signin">Sign in' in client.get("/verify").text
    signup(client)
    assert 'href="/wallet">Wallet' in client.get("/verify").text
