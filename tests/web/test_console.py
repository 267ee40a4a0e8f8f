"""The organisation console through the app: sign-in and sessions, roles, CSRF and origin
checks, every page and form, escaping, the CSV export, the upload cap, and no secret on
any page."""

from __future__ import annotations

import base64
import csv
import io
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from microcred.config import Settings
from microcred.issuing import achievements, awards, keystore, orgs, tokens
from microcred.issuing.public import LocalFirstFetch
from microcred.store.db import session_scope
from microcred.store.models import (
    Achievement,
    ApiToken,
    AuditEntry,
    Credential,
    Event,
    Job,
    SigningKey,
)
from microcred.vc.verifier import verify_credential
from microcred.web import console_auth

EVIL = "<script>alert(1)</script>"
UPLOAD_LIMIT = 200_000  # conftest's settings.upload_max_bytes
ACH = {
    "name": "Data Literacy Foundations",
    "description": "Reads, cleans and charts tabular data.",
    "criteria": "Pass the final project.",
    "workloadHours": 30,
    "eqfLevel": 4,
}
COHORT = (
    b"email,name,grade\r\nada@example.org,Ada Lovelace,A\r\ngrace@example.org,Grace Hopper,B\r\n"
)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
FORM = {
    "name": "Project Management Essentials",
    "description": "Plans and runs small projects.",
    "criteria": "Pass the case-study assessment.",
    "achievementType": "MicroCredential",
    "workloadHours": "40",
    "ects": "1.5",
    "eqfLevel": "5",
    "assessmentType": "supervised written exam",
    "participationForm": "hybrid",
    "qualityAssurance": "accredited by the national agency",
    "learningOutcome": "plan a project\r\nrun a project\r\n",
    "alignment": "manage projects | http://data.europa.eu/esco/skill/pm | ESCO | S4.2\r\n",
    "validity": "P2Y",
    "renewal": "a refresher course",
}


@dataclass
class Org:
    slug: str
    achievement_id: str
    credential_id: str
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, str] = field(default_factory=dict)


def _make_org(app: Any, slug: str, name: str, ach: dict[str, Any] = ACH) -> Org:
    engine, ctx = app.state.engine, app.state.issuing
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, ctx, slug=slug, name=name)
        a = achievements.create_achievement(s, org, ach)
        out = awards.issue_award(
            s,
            ctx,
            org=org,
            achievement=a,
            recipient=awards.Recipient(email=f"lin@{slug}.example.org", name="Lin Learner"),
        )
        made = Org(slug, a.id, out.credential.id)
        for role in tokens.ROLES:
            made.tokens[role] = tokens.create_token(s, org, name=f"{role} token", role=role)
        for info in tokens.list_tokens(s, org):
            made.token_ids[info.role] = info.id
    return made


@pytest.fixture
def acme(app: Any, client: Any) -> Org:
    return _make_org(app, "acme", "Acme College")


def login(client: Any, token: str, *, next_path: str = "/console") -> str:
    """Sign ``client`` in with ``token``; returns the session's CSRF value."""
    client.cookies.clear()
    form = client.get("/console/login")
    assert form.status_code == 200
    reply = client.post(
        "/console/login",
        data={"token": token, "csrf": _csrf(form.text), "next": next_path},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    return _csrf(client.get("/console").text)


def _csrf(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no csrf field on the page"
    return m.group(1)


def _count(app: Any, model: Any) -> int:
    with session_scope(app.state.engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _wait_for_job(client: Any, job_path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get(f"{job_path}/progress.json").json()
        if body["state"] == "done":
            return body
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {body}")


PAGES = (
    "/console",
    "/console/achievements",
    "/console/achievements/new",
    "/console/award",
    "/console/cohorts/new",
    "/console/credentials",
    "/console/keys",
)


# ---- sign-in and sessions -----------------------------------------------------------------
def test_console_pages_redirect_to_the_sign_in_page_without_a_session(
    client: Any, acme: Org
) -> None:
    for path in (*PAGES, f"/console/credentials/{acme.credential_id}", "/console/credentials.csv"):
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 303, path
        assert reply.headers["location"].startswith("/console/login?next=%2Fconsole")
    reply = client.get("/console/jobs/x/progress.json")
    assert reply.status_code == 401
    reply = client.post("/console/award", data={"csrf": "x"}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/console/login")
    # and the sign-in page sends the user back where they were going
    page = client.get("/console/login?next=/console/credentials%3Fq%3Dada")
    assert 'name="next" value="/console/credentials?q=ada"' in page.text


@pytest.mark.parametrize("role", ["owner", "issuer", "viewer"])
def test_sign_in_with_a_token_of_each_role(client: Any, acme: Org, role: str) -> None:
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={"token": acme.tokens[role], "csrf": _csrf(form.text), "next": "/console/credentials"},
        follow_redirects=False,
    )
    assert reply.status_code == 303 and reply.headers["location"] == "/console/credentials"
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"{console_auth.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # http deployment
    assert acme.tokens[role] not in cookie
    page = client.get("/console")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Acme College" in page.text and f'data-role="{role}"' in page.text
    assert ("Award one</a>" in page.text) == (role != "viewer")
    assert ('href="/console/keys"' in page.text) == (role == "owner")
    with session_scope(client.app.state.engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "console_sign_in")).one()
        assert entry.subject == acme.token_ids[role]


def test_a_session_cookie_is_secure_on_an_https_deployment(tmp_path: Any, make_client: Any) -> None:
    from microcred.web import create_app

    app = create_app(Settings(data_dir=tmp_path, public_base_url="https://badges.example.edu"))
    with make_client(app, base_url="https://badges.example.edu") as client:
        with session_scope(app.state.engine) as s:  # (did:web: no award, it would resolve)
            org = orgs.create_organisation(s, app.state.issuing, slug="acme", name="Acme")
            token = tokens.create_token(s, org, name="viewer", role="viewer")
        form = client.get("/console/login")
        assert "Secure" in form.headers["set-cookie"]
        reply = client.post(
            "/console/login",
            data={"token": token, "csrf": _csrf(form.text)},
            headers={"origin": "https://badges.example.edu"},
            follow_redirects=False,
        )
        assert reply.status_code == 303
        assert "Secure" in reply.headers["set-cookie"]


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "mc_" + "A" * 43, "mc_" + "x" * 400],
    ids=["empty", "garbage", "unknown", "long"],
)
def test_a_bad_token_does_not_sign_in(client: Any, acme: Org, token: str) -> None:
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={"token": token, "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert reply.status_code == 400
    assert "not a valid API token" in reply.text
    assert console_auth.COOKIE + "=" not in reply.headers.get("set-cookie", "")
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_the_sign_in_form_is_tied_to_its_cookie(client: Any, acme: Org) -> None:
    form = client.get("/console/login")
    value = _csrf(form.text)
    client.cookies.clear()  # another site's form: no cookie of ours
    reply = client.post("/console/login", data={"token": acme.tokens["owner"], "csrf": value})
    assert reply.status_code == 403
    form = client.get("/console/login")
    reply = client.post("/console/login", data={"token": acme.tokens["owner"], "csrf": "x" * 64})
    assert reply.status_code == 403
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_console_pages(client: Any, acme: Org) -> None:
    for target in ("https://evil.example/", "//evil.example/console", "/verify", "/console\\@x"):
        form = client.get("/console/login")
        reply = client.post(
            "/console/login",
            data={"token": acme.tokens["viewer"], "csrf": _csrf(form.text), "next": target},
            follow_redirects=False,
        )
        assert reply.headers["location"] == "/console", target
        client.cookies.clear()


def test_a_revoked_tokens_session_stops_working(client: Any, acme: Org) -> None:
    login(client, acme.tokens["issuer"])
    assert client.get("/console/credentials").status_code == 200
    with session_scope(client.app.state.engine) as s:
        tokens.revoke_token(s, acme.token_ids["issuer"], reason="left the team")
    for path in PAGES:
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 303 and "/console/login" in reply.headers["location"]
    before = _count(client.app, Credential)
    reply = client.post(
        "/console/award",
        data={"csrf": "anything", "achievement_id": acme.achievement_id, "recipient": "x@e.org"},
        follow_redirects=False,
    )
    assert reply.status_code == 303 and _count(client.app, Credential) == before


def test_a_tampered_or_expired_session_is_refused(client: Any, acme: Org) -> None:
    login(client, acme.tokens["viewer"])
    value = client.cookies[console_auth.COOKIE]
    body, mac = value.split(".")
    payload = base64.urlsafe_b64decode(body + "==").replace(b'"viewer"', b'"owner"')
    forged = base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + mac
    client.cookies.set(console_auth.COOKIE, forged, path="/console")
    assert client.get("/console", follow_redirects=False).status_code == 303
    secret = client.app.state.issuing.secret
    expired = console_auth.unsign(secret, value)
    assert expired is not None
    expired["exp"] = int(time.time()) - 1
    client.cookies.set(console_auth.COOKIE, console_auth.sign(secret, expired), path="/console")
    assert client.get("/console", follow_redirects=False).status_code == 303
    assert console_auth.unsign(b"another secret", value) is None


def test_console_pages_are_not_cached_and_send_their_origin_with_forms(
    client: Any, acme: Org
) -> None:
    login(client, acme.tokens["owner"])
    for path in (*PAGES, "/console/login"):
        reply = client.get(path)
        assert reply.headers["cache-control"] == "no-store", path
        # the site's "no-referrer" would make a browser send "Origin: null" with the forms
        assert reply.headers["referrer-policy"] == "same-origin", path
        assert "script-src 'self'" in reply.headers["content-security-policy"], path
        assert "<script>" not in reply.text  # no inline script anywhere


def test_sign_out(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["viewer"])
    reply = client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/console/login"
    assert 'mc_console=""' in reply.headers["set-cookie"]
    assert client.get("/console", follow_redirects=False).status_code == 303


# ---- roles ---------------------------------------------------------------------------------
def test_a_viewer_reads_but_cannot_award_revoke_or_define(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["viewer"])
    for path in ("/console", "/console/achievements", "/console/credentials"):
        assert client.get(path).status_code == 200
    for path in ("/console/award", "/console/achievements/new", "/console/keys"):
        reply = client.get(path)
        assert reply.status_code == 403 and "viewer" in reply.text, path
    before = {m: _count(client.app, m) for m in (Credential, Achievement, Job, AuditEntry)}
    posts = [
        ("/console/award", {"achievement_id": acme.achievement_id, "recipient": "x@example.org"}),
        ("/console/achievements/new", FORM),
        (f"/console/achievements/{acme.achievement_id}/edit", FORM),
        (f"/console/credentials/{acme.credential_id}/revoke", {"reason": "no"}),
        (f"/console/credentials/{acme.credential_id}/suspend", {"reason": "no"}),
        ("/console/keys/rotate", {"reason": "no"}),
    ]
    for path, data in posts:
        reply = client.post(path, data={**data, "csrf": csrf})
        assert reply.status_code == 403, path
        assert reply.headers["content-type"].startswith("text/html")
    reply = client.post(
        "/console/cohorts/new",
        data={"csrf": csrf, "achievement_id": acme.achievement_id},
        files={"file": ("c.csv", COHORT)},
    )
    assert reply.status_code == 403
    assert before == {m: _count(client.app, m) for m in before}
    page = client.get(f"/console/credentials/{acme.credential_id}")
    assert "/revoke" not in page.text and "shown to issuers and owners" in page.text


def test_an_issuer_cannot_rotate_keys(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    assert client.get("/console/keys").status_code == 403
    assert client.post("/console/keys/rotate", data={"csrf": csrf}).status_code == 403
    assert _count(client.app, SigningKey) == 1


def test_an_owner_rotates_the_key(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["owner"])
    with session_scope(client.app.state.engine) as s:
        old = orgs.current_key_row(s, orgs.get_organisation(s, "acme")).public_key_multibase
    reply = client.post("/console/keys/rotate", data={"csrf": csrf, "reason": "yearly"})
    assert reply.status_code == 200 and "A new key signs from now on" in reply.text
    assert old in reply.text and "retired" in reply.text
    with session_scope(client.app.state.engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "rotate_key")).one()
        assert entry.reason == "yearly" and entry.actor.endswith("via console")


def test_another_organisations_records_are_not_found(client: Any, acme: Org) -> None:
    beta = _make_org(client.app, "beta", "Beta University")
    csrf = login(client, acme.tokens["owner"])
    for path in (
        f"/console/credentials/{beta.credential_id}",
        f"/console/achievements/{beta.achievement_id}/preview",
        f"/console/achievements/{beta.achievement_id}/edit",
    ):
        assert client.get(path).status_code == 404, path
    reply = client.post(
        f"/console/credentials/{beta.credential_id}/revoke", data={"csrf": csrf, "reason": "x"}
    )
    assert reply.status_code == 404
    listed = client.get("/console/credentials").text
    assert beta.credential_id not in listed and "lin@beta" not in listed
    assert "Beta" not in client.get("/console/credentials.csv").text
    with session_scope(client.app.state.engine) as s:
        assert s.get(Credential, beta.credential_id).revoked_at is None


# ---- CSRF and origin -----------------------------------------------------------------------
def _award(acme: Org, **extra: str) -> dict[str, str]:
    return {
        "achievement_id": acme.achievement_id,
        "recipient": "ada@example.org",
        "name": "Ada Lovelace",
        "on_duplicate": "fail",
        **extra,
    }


def test_a_console_form_needs_the_sessions_csrf_value(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    before = _count(client.app, Credential)
    for data in (_award(acme), _award(acme, csrf=""), _award(acme, csrf=csrf[:-1] + "x")):
        reply = client.post("/console/award", data=data)
        assert reply.status_code == 403
        assert reply.headers["content-type"].startswith("text/html")
        assert "security token" in reply.text
    assert _count(client.app, Credential) == before
    # the value of another session does not work either
    other = login(client, acme.tokens["owner"])
    assert other != csrf
    login(client, acme.tokens["issuer"])
    assert client.post("/console/award", data=_award(acme, csrf=other)).status_code == 403
    csrf = _csrf(client.get("/console/award").text)
    reply = client.post("/console/award", data=_award(acme, csrf=csrf), follow_redirects=False)
    assert reply.status_code == 303 and _count(client.app, Credential) == before + 1


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"referer": "https://evil.example/page"},
        {"origin": "http://testserver.evil.example"},
    ],
)
def test_a_form_sent_from_another_site_is_refused(
    client: Any, acme: Org, headers: dict[str, str]
) -> None:
    csrf = login(client, acme.tokens["issuer"])
    reply = client.post("/console/award", data=_award(acme, csrf=csrf), headers=headers)
    assert reply.status_code == 403 and "another site" in reply.text
    reply = client.post(
        f"/console/credentials/{acme.credential_id}/revoke",
        data={"csrf": csrf, "reason": "x"},
        headers=headers,
    )
    assert reply.status_code == 403
    with session_scope(client.app.state.engine) as s:
        assert s.get(Credential, acme.credential_id).revoked_at is None
    form = client.get("/console/login")
    reply = client.post(
        "/console/login",
        data={"token": acme.tokens["owner"], "csrf": _csrf(form.text)},
        headers=headers,
    )
    assert reply.status_code == 403


def test_a_form_from_this_site_passes_the_origin_check(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    reply = client.post(
        "/console/award",
        data=_award(acme, csrf=csrf),
        headers={"origin": "http://testserver", "referer": "http://testserver/console/award"},
        follow_redirects=False,
    )
    assert reply.status_code == 303


# ---- achievements --------------------------------------------------------------------------
def test_an_achievement_with_a_bad_field_shows_its_json_path_and_keeps_the_values(
    client: Any, acme: Org
) -> None:
    csrf = login(client, acme.tokens["issuer"])
    before = _count(client.app, Achievement)
    cases = [
        ({"workloadHours": "lots"}, "$.workloadHours: a number of hours (0 or more)", "f-workload"),
        ({"eqfLevel": "9"}, "$.eqfLevel: an EQF level, 1 to 8", "f-eqf"),
        (
            {"alignment": "manage projects\r\n"},
            "$.alignment[0]: needs targetName and targetUrl",
            "f-alignment",
        ),
        ({"validity": "two years"}, "$.validity: give an ISO 8601 duration", "f-validity"),
        ({"description": ""}, "$.description: required", "f-description"),
        ({"participationForm": "by post"}, "$.participationForm: one of online", "f-participation"),
    ]
    for change, message, field_id in cases:
        data = {**FORM, **change, "name": f"Keep me {EVIL}", "csrf": csrf}
        reply = client.post("/console/achievements/new", data=data)
        assert reply.status_code == 400, change
        assert message in reply.text.replace("&#39;", "'"), change
        assert 'value="Keep me &lt;script&gt;alert(1)&lt;/script&gt;"' in reply.text
        assert "plan a project\nrun a project" in reply.text.replace("\r\n", "\n")
        assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', reply.text), change
        assert "<script>alert" not in reply.text
    assert _count(client.app, Achievement) == before


def test_an_achievement_is_created_edited_and_previewed(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    reply = client.post(
        "/console/achievements/new", data={**FORM, "csrf": csrf}, follow_redirects=False
    )
    assert reply.status_code == 303
    path = reply.headers["location"]
    ach_id = path.split("/")[3]
    with session_scope(client.app.state.engine) as s:
        d = s.get(Achievement, ach_id).definition
    assert d["workloadHours"] == 40 and d["ects"] == 1.5 and d["eqfLevel"] == 5
    assert d["learningOutcome"] == ["plan a project", "run a project"]
    assert d["alignment"] == [
        {
            "targetName": "manage projects",
            "targetUrl": "http://data.europa.eu/esco/skill/pm",
            "targetFramework": "ESCO",
            "targetCode": "S4.2",
        }
    ]
    assert d["renewal"] == {"renewable": True, "requires": "a refresher course"}
    assert d["criteria"] == {"narrative": "Pass the case-study assessment."}
    preview = client.get(path)
    assert preview.status_code == 200 and "Saved." in preview.text
    assert "OpenBadgeCredential" in preview.text and "Sample Learner" in preview.text
    assert "EQF level" in preview.text and "manage projects" in preview.text
    assert "would not pass" not in preview.text  # the shape check passes
    assert '"proof"' not in preview.text

    # fields the form does not show survive an edit; the form shows what is stored
    with session_scope(client.app.state.engine) as s:
        ach = s.get(Achievement, ach_id)
        ach.definition = {**ach.definition, "tag": ["projects"]}
    form = client.get(f"/console/achievements/{ach_id}/edit")
    assert 'value="Project Management Essentials"' in form.text
    assert "manage projects | http://data.europa.eu/esco/skill/pm | ESCO | S4.2" in form.text
    assert '<option value="5" selected>' in form.text
    edit = {**FORM, "ects": "", "workloadHours": "12", "renewal": "", "csrf": csrf}
    reply = client.post(f"/console/achievements/{ach_id}/edit", data=edit, follow_redirects=False)
    assert reply.status_code == 303
    with session_scope(client.app.state.engine) as s:
        d = s.get(Achievement, ach_id).definition
    assert d["tag"] == ["projects"] and d["workloadHours"] == 12
    assert "ects" not in d and "creditsAvailable" not in d and "renewal" not in d
    listed = client.get("/console/achievements").text
    assert "Project Management Essentials" in listed and "12 h" in listed


# ---- awards --------------------------------------------------------------------------------
def test_award_one_and_the_credential_verifies(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    reply = client.post(
        "/console/award",
        data=_award(acme, csrf=csrf, grade="A", narrative="Top of the class", notify="yes"),
        follow_redirects=False,
    )
    assert reply.status_code == 303
    location = reply.headers["location"]
    assert location.startswith("/console/credentials/") and location.endswith("?done=issued")
    cred_id = location.split("/")[3].split("?")[0]
    page = client.get(location)
    assert "Issued." in page.text and "ada@example.org" in page.text
    assert f'href="/credentials/{cred_id}"' in page.text
    app = client.app
    with session_scope(app.state.engine) as s:
        cred = s.get(Credential, cred_id)
        assert cred.recipient_name == "Ada Lovelace" and cred.claim_token_hash
        doc = cred.document
    report = verify_credential(
        doc, fetch=LocalFirstFetch(app.state.engine, app.state.issuing, None)
    )
    assert report.verdict == "verified", report.to_json()
    assert doc["credentialSubject"]["result"][0]["value"] == "A"
    # the same recipient again: refused by default, with the form kept
    again = client.post("/console/award", data=_award(acme, csrf=csrf))
    assert again.status_code == 409 and "already holds" in again.text
    assert 'value="ada@example.org"' in again.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recipient": "bob@"}, "is not an e-mail address"),
        ({"recipient": ""}, "give the recipient"),
        ({"recipient": "did:nope"}, "is not a DID"),
        ({"achievement_id": "00000000-0000-4000-8000-000000000000"}, "Choose one of"),
        ({"name": "two\nlines"}, "line break"),
    ],
)
def test_award_errors_are_shown_with_the_form(
    client: Any, acme: Org, change: dict[str, str], message: str
) -> None:
    csrf = login(client, acme.tokens["issuer"])
    before = _count(client.app, Credential)
    reply = client.post("/console/award", data=_award(acme, csrf=csrf, **change))
    assert reply.status_code in (400, 404), reply.text
    assert message in reply.text and 'role="alert"' in reply.text
    assert _count(client.app, Credential) == before


def test_award_to_a_did(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    reply = client.post(
        "/console/award", data=_award(acme, csrf=csrf, recipient=did), follow_redirects=False
    )
    assert reply.status_code == 303
    cred_id = reply.headers["location"].split("/")[3].split("?")[0]
    with session_scope(client.app.state.engine) as s:
        assert s.get(Credential, cred_id).document["credentialSubject"]["id"] == did


# ---- cohorts -------------------------------------------------------------------------------
def test_a_cohort_dry_run_lists_problems_by_line_and_column(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    text = b"email,name,grade\r\nada@example.org,Ada,A\r\nbob@,Bob,B\r\nada@example.org,Ada,A\r\n"
    data = {"csrf": csrf, "achievement_id": acme.achievement_id, "dry_run": "yes"}
    reply = client.post("/console/cohorts/new", data=data, files={"file": ("c.csv", text)})
    assert reply.status_code == 200
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', reply.text
    )
    assert rows == [
        ("3", "email", "&#34;bob@&#34; is not an e-mail address"),
        ("4", "—", "the same recipient as on line 2"),
    ]
    assert "3 rows read, 2 valid" in reply.text
    # without a dry run: the same problems, nothing stored
    del data["dry_run"]
    reply = client.post("/console/cohorts/new", data=data, files={"file": ("c.csv", text)})
    assert reply.status_code == 400 and "nothing was issued" in reply.text
    assert "is not an e-mail address" in reply.text
    assert _count(client.app, Job) == 0
    # a good file in a dry run: no problem, nothing issued
    data["dry_run"] = "yes"
    reply = client.post("/console/cohorts/new", data=data, files={"file": ("c.csv", COHORT)})
    assert reply.status_code == 200 and "No problems" in reply.text
    assert _count(client.app, Job) == 0


def test_a_cohort_is_issued_with_live_progress(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    data = {"csrf": csrf, "achievement_id": acme.achievement_id, "on_duplicate": "skip"}
    reply = client.post(
        "/console/cohorts/new",
        data=data,
        files={"file": ("spring.csv", COHORT)},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    job_path = reply.headers["location"]
    assert job_path.startswith("/console/jobs/")
    page = client.get(job_path)
    assert page.status_code == 200
    assert '<progress id="job-bar"' in page.text and "console.js" in page.text
    assert f'data-progress-url="{job_path}/progress.json"' in page.text
    done = _wait_for_job(client, job_path)
    assert (done["total"], done["done"], done["skipped"], done["failed"]) == (2, 2, 0, 0)
    assert done["percent"] == 100
    page = client.get(job_path)
    assert 'data-state="done"' in page.text and "2 of 2 rows" in page.text
    assert "spring.csv" in client.get("/console").text
    listed = client.get("/console/credentials", params={"q": "hopper"}).text
    assert "grace@example.org" in listed


def test_an_upload_over_the_cap_is_413(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    big = b"email,name\r\n" + b"".join(
        f"p{i}@example.org,Person {i}\r\n".encode() for i in range(12_000)
    )
    assert len(big) > UPLOAD_LIMIT
    reply = client.post(
        "/console/cohorts/new",
        data={"csrf": csrf, "achievement_id": acme.achievement_id},
        files={"file": ("big.csv", big)},
    )
    assert reply.status_code == 413
    assert _count(client.app, Job) == 0


# ---- credentials ---------------------------------------------------------------------------
def test_credentials_search_and_filters(client: Any, acme: Org) -> None:
    app = client.app
    with session_scope(app.state.engine) as s:
        org = orgs.get_organisation(s, "acme")
        other = achievements.create_achievement(s, org, {**ACH, "name": "Spreadsheet Basics"})
        for email, name, ach in [
            ("ada@example.org", "Ada Lovelace", other),
            ("grace@example.org", "Grace Hopper", other),
        ]:
            awards.issue_award(
                s,
                app.state.issuing,
                org=org,
                achievement=ach,
                recipient=awards.Recipient(email=email, name=name),
            )
        other_id = other.id
    csrf = login(client, acme.tokens["issuer"])
    page = client.get("/console/credentials")
    assert "3 credentials" in page.text
    page = client.get("/console/credentials", params={"q": "LOVELACE"})
    assert "1 credential." in page.text and "ada@example.org" in page.text
    assert "grace@" not in page.text
    page = client.get("/console/credentials", params={"achievement": other_id})
    assert "2 credentials" in page.text and "lin@acme" not in page.text
    client.post(
        f"/console/credentials/{acme.credential_id}/revoke",
        data={"csrf": csrf, "reason": "issued in error"},
    )
    page = client.get("/console/credentials", params={"state": "revoked"})
    assert "1 credential." in page.text and "lin@acme.example.org" in page.text
    page = client.get("/console/credentials", params={"state": "active", "q": "example.org"})
    assert "2 credentials" in page.text
    assert f'href="/credentials/{acme.credential_id}"' not in page.text
    page = client.get("/console/credentials", params={"state": "bogus", "page": "1"})
    assert page.status_code == 200 and "3 credentials" in page.text


def test_credentials_page_through(client: Any, acme: Org) -> None:
    app = client.app
    with session_scope(app.state.engine) as s:
        org = orgs.get_organisation(s, "acme")
        ach = achievements.get_achievement(s, org, acme.achievement_id)
        awards.issue_batch(
            s,
            app.state.issuing,
            org=org,
            achievement=ach,
            recipients=[
                awards.Recipient(email=f"p{i}@example.org", name=f"P {i}") for i in range(55)
            ],
            notify=False,
        )
    login(client, acme.tokens["viewer"])
    first = client.get("/console/credentials")
    assert "56 credentials, page 1 of 2" in first.text and 'rel="next"' in first.text
    second = client.get("/console/credentials", params={"page": 2})
    assert "page 2 of 2" in second.text and 'rel="prev"' in second.text
    assert second.text.count('<span class="state-badge"') == 6


def test_revoke_with_a_reason_through_the_console(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    path = f"/console/credentials/{acme.credential_id}"
    reply = client.post(f"{path}/revoke", data={"csrf": csrf, "reason": "  "})
    assert reply.status_code == 400 and "give a reason" in reply.text
    reply = client.post(f"{path}/suspend", data={"csrf": csrf, "reason": "investigation"})
    assert reply.status_code == 200 and "Suspended." in reply.text
    assert f"{path}/unsuspend" in reply.text
    reply = client.post(f"{path}/unsuspend", data={"csrf": csrf, "reason": "cleared"})
    assert "Unsuspended." in reply.text
    reply = client.post(
        f"{path}/revoke", data={"csrf": csrf, "reason": "issued in error"}, follow_redirects=False
    )
    assert reply.status_code == 303 and reply.headers["location"] == f"{path}?done=revoke"
    page = client.get(reply.headers["location"])
    assert "Revoked." in page.text and 'data-state="revoked"' in page.text
    assert "issued in error" in page.text and "investigation" in page.text
    assert f"{path}/revoke" not in page.text  # no form for a revoked credential
    with session_scope(client.app.state.engine) as s:
        entries = list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.subject == acme.credential_id)
                .order_by(AuditEntry.id)
            )
        )
    assert [(e.action, e.reason) for e in entries] == [
        ("suspend", "investigation"),
        ("unsuspend", "cleared"),
        ("revoke", "issued in error"),
    ]
    assert entries[-1].actor.startswith("issuer token (token ")
    assert entries[-1].actor.endswith("via console")
    again = client.post(f"{path}/revoke", data={"csrf": csrf, "reason": "again"})
    assert again.status_code == 409 and "already revoked" in again.text
    public = client.get(f"/credentials/{acme.credential_id}", headers={"accept": "text/html"})
    assert "Not valid" in public.text
    assert client.post(f"{path}/delete", data={"csrf": csrf}).status_code == 404


# ---- the CSV export ------------------------------------------------------------------------
def test_the_console_csv_export_neutralises_formulas(client: Any, acme: Org) -> None:
    csrf = login(client, acme.tokens["issuer"])
    formulas = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]
    for i, name in enumerate(formulas):
        reply = client.post(
            "/console/award",
            data=_award(acme, csrf=csrf, recipient=f"p{i}@example.org", name=name),
            follow_redirects=False,
        )
        assert reply.status_code == 303, reply.text
    export = client.get("/console/credentials.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="acme-credentials.csv"' == export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    names = {row["name"] for row in rows}
    for name in formulas:
        assert "'" + name in names and name not in names
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


# ---- the dashboard -------------------------------------------------------------------------
def test_the_dashboard_counts_events_per_week(client: Any, acme: Org) -> None:
    from datetime import UTC, datetime, timedelta

    app = client.app
    now = datetime.now(UTC)
    with session_scope(app.state.engine) as s:
        org = orgs.get_organisation(s, "acme")
        for kind, weeks_ago in [("viewed", 0), ("viewed", 0), ("claimed", 1), ("verified", 3)]:
            s.add(Event(org_id=org.id, kind=kind, at=now - timedelta(weeks=weeks_ago)))
        s.add(Event(org_id=org.id, kind="viewed", at=now - timedelta(weeks=30)))  # too old
    login(client, acme.tokens["viewer"])
    page = client.get("/console").text
    assert '<svg class="chart"' in page and 'role="img"' in page
    totals = dict(
        re.findall(r'stat-card stat-(\w+)">.*?<span class="stat-total">(\d+)</span>', page, re.S)
    )
    assert totals == {"issued": "1", "claimed": "1", "viewed": "3", "verified": "1"}
    table = re.findall(
        r'<tr><th scope="row">([\d-]+)</th>((?:<td class="num">\d+</td>)+)</tr>', page
    )
    assert len(table) == 12
    last = re.findall(r"\d+", table[-1][1])
    assert last == ["1", "0", "2", "0"]  # issued, claimed, viewed, verified this week
    assert re.findall(r"\d+", table[-4][1]) == ["0", "0", "0", "1"]
    assert "Viewed, week of" in page


# ---- escaping and secrets ------------------------------------------------------------------
def _every_console_page(client: Any, org: Org) -> list[Any]:
    """Sign in as owner and visit every console page (forms with errors included)."""
    csrf = login(client, org.tokens["owner"])
    replies = [client.get(p) for p in PAGES]
    award = client.post(
        "/console/award",
        data={
            "csrf": csrf,
            "achievement_id": org.achievement_id,
            "recipient": "evil@example.org",
            "name": EVIL,
            "grade": EVIL,
            "narrative": EVIL,
        },
        follow_redirects=False,
    )
    cred_path = award.headers["location"]
    replies.append(client.get(cred_path))
    replies.append(client.post("/console/award", data={"csrf": csrf, "recipient": EVIL}))
    replies.append(
        client.post(
            "/console/award",
            data={
                "csrf": csrf,
                "achievement_id": org.achievement_id,
                "recipient": "evil@example.org",
                "name": EVIL,
            },
        )
    )
    cid = cred_path.split("/")[3].split("?")[0]
    replies.append(
        client.post(f"/console/credentials/{cid}/suspend", data={"csrf": csrf, "reason": EVIL})
    )
    replies.append(
        client.post(f"/console/credentials/{cid}/revoke", data={"csrf": csrf, "reason": EVIL})
    )
    replies.append(client.get(f"/console/achievements/{org.achievement_id}/preview"))
    replies.append(client.get(f"/console/achievements/{org.achievement_id}/edit"))
    replies.append(
        client.post(
            "/console/achievements/new", data={**FORM, "name": EVIL, "eqfLevel": EVIL, "csrf": csrf}
        )
    )
    cohort = f"email,name,{EVIL}\r\nx@example.org,{EVIL},\r\n".encode()
    form = {"csrf": csrf, "achievement_id": org.achievement_id, "dry_run": "yes"}
    replies.append(
        client.post("/console/cohorts/new", data=form, files={"file": (f"{EVIL}.csv", cohort)})
    )
    good = f"email,name\r\nq@example.org,{EVIL}\r\n".encode()
    job = client.post(
        "/console/cohorts/new",
        data={"csrf": csrf, "achievement_id": org.achievement_id},
        files={"file": (f"{EVIL}.csv", good)},
        follow_redirects=False,
    )
    _wait_for_job(client, job.headers["location"])
    replies.append(client.get(job.headers["location"]))
    replies.append(client.get(job.headers["location"] + "/progress.json"))
    replies.append(client.get("/console/credentials", params={"q": EVIL}))
    replies.append(client.get("/console/credentials"))
    replies.append(client.get("/console"))
    replies.append(client.get(f"/console/credentials/{EVIL}"))
    replies.append(client.post("/console/keys/rotate", data={"csrf": csrf, "reason": EVIL}))
    replies.append(client.get("/console/keys"))
    replies.append(client.get("/console/credentials.csv"))
    replies.append(client.get("/console/login"))
    return replies


def test_every_console_page_escapes_names(client: Any) -> None:
    org = _make_org(
        client.app,
        "evil",
        f"Evil {EVIL} College",
        {**ACH, "name": f"Data {EVIL}", "description": EVIL, "criteria": EVIL},
    )
    replies = _every_console_page(client, org)
    assert {r.status_code for r in replies} <= {200, 400, 404, 405, 409}
    for reply in replies:
        if reply.headers["content-type"].startswith("text/html"):
            assert "<script>alert" not in reply.text, reply.request.url
            assert (
                "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
                or "login" in str(reply.request.url)
                or reply.status_code == 404
            ), reply.request.url
            assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert "Evil &lt;script&gt;" in replies[0].text


def _secrets(app: Any, issued: list[str]) -> dict[str, str]:
    out = {"secretKeyMultibase": "secretKeyMultibase"}
    ctx = app.state.issuing
    with session_scope(app.state.engine) as s:
        for row in s.scalars(select(SigningKey)):
            blob = row.secret_encrypted
            out[f"sealed {row.id} hex"] = blob.hex()
            out[f"sealed {row.id} base64"] = base64.b64encode(blob).decode()
            key = keystore.unseal(
                blob, key_id=row.id, secret=ctx.secret, controller="did:example:x", vm_id="x"
            )
            seed = key.private_key.private_bytes_raw()
            out[f"seed {row.id} hex"] = seed.hex()
            out[f"seed {row.id} base64"] = base64.b64encode(seed).decode()
            out[f"seed {row.id} multibase"] = key.to_json(include_secret=True)["secretKeyMultibase"]
        for token_hash in s.scalars(select(ApiToken.token_hash)):
            out[f"token hash {token_hash[:6]}"] = token_hash
        for claim_hash in s.scalars(select(Credential.claim_token_hash)):
            if claim_hash:
                out[f"claim hash {claim_hash[:6]}"] = claim_hash
    out["key-encryption secret"] = ctx.secret.decode()
    for i, token in enumerate(issued):
        out[f"token {i}"] = token
    return out


def test_no_secret_on_any_console_page(client: Any, acme: Org) -> None:
    replies = _every_console_page(client, acme)
    secrets = _secrets(client.app, list(acme.tokens.values()))
    for reply in replies:
        for what, secret in secrets.items():
            assert secret not in reply.text, f"{what} in {reply.request.method} {reply.request.url}"
            assert secret not in str(reply.headers), f"{what} in the headers of {reply.request.url}"
