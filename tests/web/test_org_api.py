"""The organisation API and the VC API's issue, through the app: the security proofs.

- a token of organisation A can neither read, issue nor revoke for organisation B, on any
  endpoint (404, the same answer as for an organisation that does not exist);
- roles: a viewer cannot issue, an issuer cannot rotate keys or read the audit log;
- a revoked, missing or garbage token is 401 (with WWW-Authenticate: Bearer);
- no secret (sealed keys, seeds, secretKeyMultibase, token hashes, the token itself) in any
  response of a full scenario, nor in the logs at DEBUG;
- the CSV export neutralises spreadsheet formulas; an upload over the cap is 413;
- a credential issued through the VC API verifies; every error is a problem document.
"""

from __future__ import annotations

import base64
import csv
import io
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from microcred.issuing import achievements, awards, keystore, orgs, records, tokens
from microcred.issuing.public import LocalFirstFetch
from microcred.store.db import session_scope
from microcred.store.models import Achievement, ApiToken, AuditEntry, Credential, Job, SigningKey
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.verifier import verify_credential
from tests.helpers import ob_credential

PROBLEM = "application/problem+json"
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


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == status and body["detail"]
    assert body["type"] == f"urn:microcred:problem:{body['code']}"
    return body


@dataclass
class Org:
    slug: str
    achievement_id: str
    credential_id: str
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token
    token_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    a: Org
    b: Org
    app: Any

    def h(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def _make_org(app: Any, slug: str) -> Org:
    engine, ctx = app.state.engine, app.state.issuing
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, ctx, slug=slug, name=f"{slug.title()} College")
        ach = achievements.create_achievement(s, org, ACH)
        out = awards.issue_award(
            s,
            ctx,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email=f"learner@{slug}.example.org", name="Lin Learner"),
        )
        made = Org(slug, ach.id, out.credential.id)
        for role in tokens.ROLES:
            made.tokens[role] = tokens.create_token(s, org, name=f"{role} token", role=role)
        for info in tokens.list_tokens(s, org):
            made.token_ids[info.role] = info.id
    return made


@pytest.fixture
def world(app: Any, client: Any) -> World:
    return World(_make_org(app, "acme"), _make_org(app, "beta"), app)


def _counts(app: Any) -> dict[str, int]:
    with session_scope(app.state.engine) as s:
        return {
            name: s.scalar(select(func.count()).select_from(model)) or 0
            for name, model in {
                "achievements": Achievement,
                "credentials": Credential,
                "jobs": Job,
                "keys": SigningKey,
                "audit": AuditEntry,
            }.items()
        }


def _endpoints(org: Org, other: Org) -> list[tuple[str, str, dict[str, Any]]]:
    """Every organisation endpoint, addressed to ``org`` (ids of ``other`` where an id is
    taken: the wrong organisation's ids must not help)."""
    base = f"/api/v1/orgs/{org.slug}"
    cid, aid = other.credential_id, other.achievement_id
    award = {"achievement_id": aid, "email": "x@example.org", "name": "X"}
    cohort = {"files": {"file": ("c.csv", COHORT)}, "data": {"achievement_id": aid}}
    return [
        ("GET", base, {}),
        ("GET", f"{base}/achievements", {}),
        ("POST", f"{base}/achievements", {"json": ACH}),
        ("GET", f"{base}/achievements/{aid}", {}),
        ("PUT", f"{base}/achievements/{aid}", {"json": ACH}),
        ("POST", f"{base}/awards", {"json": award}),
        ("POST", f"{base}/cohorts", cohort),
        ("GET", f"{base}/jobs/00000000-0000-4000-8000-000000000000", {}),
        ("GET", f"{base}/credentials", {}),
        ("GET", f"{base}/credentials.csv", {}),
        ("GET", f"{base}/credentials/{cid}", {}),
        ("POST", f"{base}/credentials/{cid}/revoke", {"json": {"reason": "x"}}),
        ("POST", f"{base}/credentials/{cid}/suspend", {"json": {"reason": "x"}}),
        ("POST", f"{base}/credentials/{cid}/unsuspend", {"json": {"reason": "x"}}),
        ("GET", f"{base}/audit", {}),
        ("POST", f"{base}/keys/rotate", {"json": {"reason": "x"}}),
    ]


def test_every_endpoint_is_listed_here(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    listed = {
        (m.upper(), p)
        for p, ops in spec["paths"].items()
        if p.startswith("/api/v1/orgs/")
        for m in ops
    }
    ids = Org("acme", "AID", "CID")
    ours = {(m, _template(p)) for m, p, _ in _endpoints(ids, ids)}
    assert listed == ours


def _template(path: str) -> str:
    return (
        path.replace("/acme", "/{slug}")
        .replace("/AID", "/{achievement_id}")
        .replace("/CID", "/{credential_id}")
        .replace("/00000000-0000-4000-8000-000000000000", "/{job_id}")
    )


# ---- organisation A cannot touch organisation B ------------------------------------------
def test_a_token_of_one_organisation_cannot_read_issue_or_revoke_for_another(
    client: Any, world: World
) -> None:
    before = _counts(world.app)
    owner_a = world.h(world.a.tokens["owner"])
    for method, path, kwargs in _endpoints(world.b, world.b):
        reply = client.request(method, path, headers=owner_a, **kwargs)
        body = assert_problem(reply, 404)
        # the same answer as for an organisation that does not exist
        nowhere = path.replace("/orgs/beta", "/orgs/nowhere")
        ghost = client.request(method, nowhere, headers=owner_a, **kwargs)
        assert ghost.status_code == 404
        assert ghost.json()["detail"] == body["detail"].replace("/orgs/beta", "/orgs/nowhere")
        assert "beta" not in body["detail"].replace(path, "")
    # B's ids through A's own URLs are not found either
    for method, path, kwargs in _endpoints(world.a, world.b):
        if path.endswith(("/orgs/acme", "/achievements", "/credentials", "/credentials.csv")):
            continue
        if path.endswith(("/audit", "/keys/rotate")):
            continue
        assert_problem(client.request(method, path, headers=owner_a, **kwargs), 404)
    assert _counts(world.app) == before
    listed = client.get("/api/v1/orgs/acme/credentials", headers=owner_a).json()
    assert world.b.credential_id not in {c["id"] for c in listed["items"]}
    export = client.get("/api/v1/orgs/acme/credentials.csv", headers=owner_a).text
    assert world.b.credential_id not in export and "beta" not in export
    with session_scope(world.app.state.engine) as s:
        cred = s.get(Credential, world.b.credential_id)
        assert cred.revoked_at is None and not cred.suspended


def test_a_token_cannot_issue_through_the_vc_api_as_another_organisation(
    client: Any, world: World
) -> None:
    with session_scope(world.app.state.engine) as s:
        b_id = orgs.issuer_id(orgs.get_organisation(s, "beta"), world.app.state.issuing, s)
    reply = client.post(
        "/credentials/issue",
        headers=world.h(world.a.tokens["owner"]),
        json={"credential": ob_credential(b_id)},
    )
    body = assert_problem(reply, 400)
    assert body["detail"].startswith("$.issuer")


# ---- roles ---------------------------------------------------------------------------------
def test_a_viewer_reads_but_cannot_issue_revoke_or_define(client: Any, world: World) -> None:
    viewer = world.h(world.a.tokens["viewer"])
    before = _counts(world.app)
    for method, path, kwargs in _endpoints(world.a, world.a):
        reply = client.request(method, path, headers=viewer, **kwargs)
        if method == "GET" and not path.endswith("/audit"):
            assert reply.status_code == (404 if "/jobs/" in path else 200), (path, reply.text)
        else:
            body = assert_problem(reply, 403)
            assert "viewer" in body["detail"]
    with session_scope(world.app.state.engine) as s:
        iss = orgs.issuer_id(orgs.get_organisation(s, "acme"), world.app.state.issuing, s)
    reply = client.post(
        "/credentials/issue", headers=viewer, json={"credential": ob_credential(iss)}
    )
    assert_problem(reply, 403)
    assert _counts(world.app) == before


def test_an_issuer_cannot_rotate_keys_or_read_the_audit_log(client: Any, world: World) -> None:
    issuer = world.h(world.a.tokens["issuer"])
    assert_problem(client.post("/api/v1/orgs/acme/keys/rotate", headers=issuer), 403)
    assert_problem(client.get("/api/v1/orgs/acme/audit", headers=issuer), 403)
    owner = world.h(world.a.tokens["owner"])
    rotated = client.post("/api/v1/orgs/acme/keys/rotate", headers=owner, json={"reason": "yearly"})
    assert rotated.status_code == 200 and list(rotated.json()) == ["public_key_multibase"]
    audit = client.get("/api/v1/orgs/acme/audit", headers=owner).json()
    assert audit["items"][0]["action"] == "rotate_key"
    assert audit["items"][0]["actor"].startswith("owner token (token ")


# ---- 401 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer garbage",
        "Bearer mc_" + "A" * 43,
        "Bearer " + "mc_" + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Token mc_abc",
    ],
)
def test_missing_or_garbage_tokens_are_401(
    client: Any, world: World, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, kwargs in _endpoints(world.a, world.a) + [
        ("POST", "/credentials/issue", {"json": {"credential": {}}})
    ]:
        reply = client.request(method, path, headers=headers, **kwargs)
        assert_problem(reply, 401)
        assert reply.headers["www-authenticate"].startswith("Bearer")


def test_401_does_not_tell_whether_an_organisation_exists(client: Any, world: World) -> None:
    one = client.get("/api/v1/orgs/acme/credentials")
    two = client.get("/api/v1/orgs/nowhere/credentials")
    assert one.status_code == two.status_code == 401 and one.json() == two.json()


def test_a_revoked_token_is_401_at_once(client: Any, world: World) -> None:
    token = world.a.tokens["issuer"]
    assert client.get("/api/v1/orgs/acme", headers=world.h(token)).status_code == 200
    with session_scope(world.app.state.engine) as s:
        tokens.revoke_token(s, world.a.token_ids["issuer"], reason="left the team")
    for method, path, kwargs in _endpoints(world.a, world.a):
        assert_problem(client.request(method, path, headers=world.h(token), **kwargs), 401)
    # the others keep working
    assert client.get("/api/v1/orgs/acme", headers=world.h(world.a.tokens["viewer"])).is_success


# ---- no secret leaves -----------------------------------------------------------------------
def _secrets(app: Any, issued_tokens: list[str]) -> dict[str, str]:
    """Every secret the deployment holds, in every spelling a leak could take."""
    out: dict[str, str] = {"secretKeyMultibase": "secretKeyMultibase"}
    ctx = app.state.issuing
    with session_scope(app.state.engine) as s:
        for row in s.scalars(select(SigningKey)):
            blob = row.secret_encrypted
            out[f"sealed {row.id} hex"] = blob.hex()
            out[f"sealed {row.id} base64"] = base64.b64encode(blob).decode()
            out[f"sealed {row.id} base64url"] = base64.urlsafe_b64encode(blob).decode().rstrip("=")
            key = keystore.unseal(
                blob, key_id=row.id, secret=ctx.secret, controller="did:example:x", vm_id="x"
            )
            seed = key.private_key.private_bytes_raw()
            out[f"seed {row.id} hex"] = seed.hex()
            out[f"seed {row.id} base64"] = base64.b64encode(seed).decode()
            out[f"seed {row.id} multibase"] = key.to_json(include_secret=True)["secretKeyMultibase"]
        for org in ("acme", "beta"):
            current = orgs.signer(s, ctx, orgs.get_organisation(s, org))
            out[f"current seed {org}"] = current.private_key.private_bytes_raw().hex()
        for token_hash in s.scalars(select(ApiToken.token_hash)):
            out[f"token hash {token_hash[:6]}"] = token_hash
        for claim_hash in s.scalars(select(Credential.claim_token_hash)):
            if claim_hash:
                out[f"claim hash {claim_hash[:6]}"] = claim_hash
    out["key-encryption secret"] = ctx.secret.decode()
    for i, token in enumerate(issued_tokens):
        out[f"token {i}"] = token
    return out


def _wait_for_job(client: Any, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(url, headers=headers).json()
        if body["state"] == "done":
            return body
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {body}")


def test_no_secret_in_any_response_or_log_of_a_full_scenario(
    client: Any, world: World, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = world.h(world.a.tokens["owner"])
    base = "/api/v1/orgs/acme"
    replies: list[Any] = []

    def call(method: str, path: str, **kwargs: Any) -> Any:
        reply = client.request(method, path, headers=kwargs.pop("headers", owner), **kwargs)
        replies.append(reply)
        return reply

    call("GET", base)
    aid = call("POST", f"{base}/achievements", json=ACH).json()["id"]
    call("PUT", f"{base}/achievements/{aid}", json={**ACH, "validity": "P2Y"})
    call("GET", f"{base}/achievements")
    call("GET", f"{base}/achievements/{aid}")
    call("POST", f"{base}/achievements", json={"name": "no description"})
    award = {"achievement_id": aid, "email": "ada@example.org", "name": "Ada"}
    cid = call("POST", f"{base}/awards", json=award).json()["credential_id"]
    call("POST", f"{base}/awards", json=award)  # 409
    call("POST", f"{base}/awards", json={**award, "on_duplicate": "skip"})
    files = {"file": ("cohort.csv", COHORT.replace(b"ada@", b"ada2@"))}
    call("POST", f"{base}/cohorts", files=files, data={"achievement_id": aid, "dry_run": "true"})
    job = call("POST", f"{base}/cohorts", files=files, data={"achievement_id": aid}).json()
    replies.append(client.get(job["status_url"], headers=owner))
    _wait_for_job(client, job["status_url"], owner)
    call("GET", job["status_url"])
    call("GET", f"{base}/credentials")
    call("GET", f"{base}/credentials", params={"q": "ada", "state": "active"})
    call("GET", f"{base}/credentials/{cid}")
    call("POST", f"{base}/credentials/{cid}/suspend", json={"reason": "investigation"})
    call("POST", f"{base}/credentials/{cid}/unsuspend", json={"reason": "cleared"})
    call("POST", f"{base}/credentials/{cid}/revoke", json={"reason": "issued in error"})
    call("POST", f"{base}/credentials/{cid}/revoke", json={"reason": "again"})  # 409
    call("GET", f"{base}/credentials.csv")
    call("GET", f"{base}/audit")
    call("POST", f"{base}/keys/rotate", json={"reason": "yearly"})
    with session_scope(world.app.state.engine) as s:
        iss = orgs.issuer_id(orgs.get_organisation(s, "acme"), world.app.state.issuing, s)
    call("POST", "/credentials/issue", json={"credential": ob_credential(iss)})
    call("POST", "/credentials/issue", json={"credential": ob_credential("did:example:other")})
    call("GET", base, headers={"Authorization": "Bearer mc_nope"})
    call("GET", "/api/v1/orgs/beta", headers=owner)
    call("GET", "/orgs/acme/did.json", headers={})
    statuses = [r.status_code for r in replies]
    assert 500 not in statuses and {200, 201, 202, 400, 401, 404, 409} <= set(statuses)

    issued = [t for org in (world.a, world.b) for t in org.tokens.values()]
    secrets = _secrets(world.app, issued)
    for reply in replies:
        text = reply.text
        for what, secret in secrets.items():
            assert secret not in text, f"{what} in {reply.request.method} {reply.request.url}"
    logged = (
        "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
        + caplog.text
    )
    assert caplog.records, "the scenario should have logged something (the check needs logs)"
    for what, secret in secrets.items():
        assert secret not in logged, f"{what} in the logs"


def test_response_models_have_no_secret_fields(client: Any) -> None:
    spec = client.get("/openapi.json").text
    for name in ("token_hash", "secret_encrypted", "claim_token_hash", "secretKeyMultibase"):
        assert name not in spec


# ---- the CSV export -----------------------------------------------------------------------
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)"]


def test_the_csv_export_neutralises_formulas(client: Any, world: World) -> None:
    issuer = world.h(world.a.tokens["issuer"])
    for i, name in enumerate(FORMULAS):
        reply = client.post(
            "/api/v1/orgs/acme/awards",
            headers=issuer,
            json={
                "achievement_id": world.a.achievement_id,
                "email": f"p{i}@example.org",
                "name": name,
            },
        )
        assert reply.status_code == 201, reply.text
    reply = client.post(
        "/api/v1/orgs/acme/awards",
        headers=issuer,
        json={"achievement_id": world.a.achievement_id, "email": "=2+5@example.org", "name": "Eq"},
    )
    assert reply.status_code == 201, reply.text
    export = client.get(
        "/api/v1/orgs/acme/credentials.csv", headers=world.h(world.a.tokens["viewer"])
    )
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    names = {row["name"] for row in rows}
    for name in FORMULAS:
        assert "'" + name in names and name not in names
    assert "'=2+5@example.org" in {row["recipient"] for row in rows}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(records.FORMULA_START), row
    assert rows[0].keys() >= {"credential_id", "recipient", "name", "state", "url"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("Ada", "Ada"),
        (None, ""),
        (42, "42"),
        (-1, "'-1"),
    ],
)
def test_csv_cell(value: Any, cell: str) -> None:
    assert records.csv_cell(value) == cell


# ---- cohorts -------------------------------------------------------------------------------
def test_a_cohort_upload_over_the_cap_is_413(client: Any, world: World) -> None:
    big = b"email,name\r\n" + b"".join(
        f"p{i}@example.org,Person {i}\r\n".encode() for i in range(12_000)
    )
    assert len(big) > UPLOAD_LIMIT
    reply = client.post(
        "/api/v1/orgs/acme/cohorts",
        headers=world.h(world.a.tokens["issuer"]),
        files={"file": ("big.csv", big)},
        data={"achievement_id": world.a.achievement_id},
    )
    assert_problem(reply, 413)
    with session_scope(world.app.state.engine) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


def test_a_cohort_dry_run_reports_problems_by_line_and_column(client: Any, world: World) -> None:
    csv_text = (
        b"email,name,grade\r\nada@example.org,Ada,A\r\nbob@,Bob,B\r\nada@example.org,Ada,A\r\n"
    )
    issuer = world.h(world.a.tokens["issuer"])
    form = {"achievement_id": world.a.achievement_id, "dry_run": "true"}
    reply = client.post(
        "/api/v1/orgs/acme/cohorts", headers=issuer, files={"file": ("c.csv", csv_text)}, data=form
    )
    assert reply.status_code == 200, reply.text
    report = reply.json()
    assert report["ok"] is False and report["rows"] == 3 and report["valid"] == 2
    assert report["problems"] == [
        {"line": 3, "column": "email", "message": '"bob@" is not an e-mail address'}
    ]
    assert report["duplicates_in_file"] == [[2, 4]]
    # without dry run: 400 with the same problems, nothing stored
    reply = client.post(
        "/api/v1/orgs/acme/cohorts",
        headers=issuer,
        files={"file": ("c.csv", csv_text)},
        data={"achievement_id": world.a.achievement_id},
    )
    body = assert_problem(reply, 400)
    assert body["code"] == "cohort_rejected"
    assert {"line": 3, "column": "email", "message": '"bob@" is not an e-mail address'} in body[
        "problems"
    ]
    with session_scope(world.app.state.engine) as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


def test_a_cohort_is_issued_by_the_worker(client: Any, world: World) -> None:
    issuer = world.h(world.a.tokens["issuer"])
    reply = client.post(
        "/api/v1/orgs/acme/cohorts",
        headers=issuer,
        files={"file": ("cohort.csv", COHORT)},
        data={"achievement_id": world.a.achievement_id, "on_duplicate": "skip"},
    )
    assert reply.status_code == 202, reply.text
    accepted = reply.json()
    assert accepted["total"] == 2 and reply.headers["location"] == accepted["status_url"]
    done = _wait_for_job(client, accepted["status_url"], issuer)
    assert (done["done"], done["skipped"], done["failed"]) == (2, 0, 0)
    listed = client.get(
        "/api/v1/orgs/acme/credentials", headers=issuer, params={"q": "hopper"}
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["recipient"] == "grace@example.org"
    # another organisation's token cannot follow the job
    other = client.get(accepted["status_url"], headers=world.h(world.b.tokens["owner"]))
    assert_problem(other, 404)
    stranger = accepted["status_url"].replace("/acme/", "/beta/")
    assert_problem(client.get(stranger, headers=world.h(world.b.tokens["owner"])), 404)


# ---- awards, credentials, achievements ----------------------------------------------------
def test_award_duplicates_and_status_changes(client: Any, world: World) -> None:
    issuer = world.h(world.a.tokens["issuer"])
    base = "/api/v1/orgs/acme"
    award = {"achievement_id": world.a.achievement_id, "email": "Ada@Example.org", "name": "Ada"}
    first = client.post(f"{base}/awards", headers=issuer, json=award)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "issued" and body["url"].endswith(body["credential_id"])
    assert body["credential"]["proof"]["type"] == "DataIntegrityProof"
    assert assert_problem(client.post(f"{base}/awards", headers=issuer, json=award), 409)[
        "code"
    ] == ("duplicate")
    skipped = client.post(f"{base}/awards", headers=issuer, json={**award, "on_duplicate": "skip"})
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
    again = client.post(f"{base}/awards", headers=issuer, json={**award, "on_duplicate": "reissue"})
    assert again.status_code == 201 and again.json()["replaced"] == [body["credential_id"]]
    old = client.get(f"{base}/credentials/{body['credential_id']}", headers=issuer).json()
    assert old["state"] == "revoked" and old["replaced_by"] == again.json()["credential_id"]

    cid = again.json()["credential_id"]
    suspended = client.post(
        f"{base}/credentials/{cid}/suspend", headers=issuer, json={"reason": "check"}
    )
    assert suspended.status_code == 200 and suspended.json()["state"] == "suspended"
    states = client.get(f"{base}/credentials", headers=issuer, params={"state": "suspended"})
    assert [c["id"] for c in states.json()["items"]] == [cid]
    assert (
        client.post(
            f"{base}/credentials/{cid}/unsuspend", headers=issuer, json={"reason": "ok"}
        ).json()["state"]
        == "active"
    )
    assert_problem(
        client.post(f"{base}/credentials/{cid}/unsuspend", headers=issuer, json={"reason": "x"}),
        409,
    )
    assert_problem(
        client.post(f"{base}/credentials/{cid}/revoke", headers=issuer, json={"reason": ""}), 400
    )
    revoked = client.post(
        f"{base}/credentials/{cid}/revoke", headers=issuer, json={"reason": "fraud"}
    )
    assert revoked.json()["state"] == "revoked"
    audit = client.get(
        f"{base}/audit", headers=world.h(world.a.tokens["owner"]), params={"subject": cid}
    ).json()
    assert [e["action"] for e in audit["items"]] == ["revoke", "unsuspend", "suspend"]
    assert all(e["actor"].startswith("issuer token") for e in audit["items"])


@pytest.mark.parametrize(
    "body",
    [
        {"achievement_id": "x", "name": "No recipient"},
        {"achievement_id": "x", "email": "a@example.org", "did": "did:example:1", "name": "Both"},
        {"achievement_id": "x", "email": "not-an-address", "name": "Bad"},
        {"achievement_id": "x", "did": "not a did", "name": "Bad"},
        {"achievement_id": "x", "email": "a@example.org", "evidence_url": "http://x.org/e"},
        {"achievement_id": "x", "email": "a@example.org", "name": "Line\nbreak"},
        {"achievement_id": "x", "email": "a@example.org", "on_duplicate": "sometimes"},
        {"achievement_id": "x", "email": "a@example.org", "secret": "unknown field"},
    ],
)
def test_bad_awards_are_400_problems(client: Any, world: World, body: dict[str, Any]) -> None:
    reply = client.post(
        "/api/v1/orgs/acme/awards", headers=world.h(world.a.tokens["issuer"]), json=body
    )
    assert_problem(reply, 400)


def test_credential_search_filters(client: Any, world: World) -> None:
    viewer = world.h(world.a.tokens["viewer"])
    base = "/api/v1/orgs/acme/credentials"
    everything = client.get(base, headers=viewer).json()
    assert everything["total"] == 1 and everything["items"][0]["recipient_name"] == "Lin Learner"
    assert client.get(base, headers=viewer, params={"q": "LIN"}).json()["total"] == 1
    assert client.get(base, headers=viewer, params={"q": "%"}).json()["total"] == 0
    assert client.get(base, headers=viewer, params={"state": "revoked"}).json()["total"] == 0
    ach = {"achievement_id": world.a.achievement_id}
    assert client.get(base, headers=viewer, params=ach).json()["total"] == 1
    assert client.get(base, headers=viewer, params={"achievement_id": "x"}).json()["total"] == 0
    assert_problem(client.get(base, headers=viewer, params={"state": "lost"}), 400)
    assert_problem(client.get(base, headers=viewer, params={"limit": 0}), 400)
    detail = client.get(f"{base}/{world.a.credential_id}", headers=viewer).json()
    assert detail["credential"]["id"] == detail["url"]
    assert "claim_token_hash" not in detail


def test_achievement_definitions_are_checked_with_json_paths(client: Any, world: World) -> None:
    issuer = world.h(world.a.tokens["issuer"])
    base = "/api/v1/orgs/acme/achievements"
    body = assert_problem(client.post(base, headers=issuer, json={**ACH, "eqfLevel": 9}), 400)
    assert body["detail"].startswith("$.eqfLevel:")
    body = assert_problem(client.post(base, headers=issuer, json=[1, 2]), 400)
    created = client.post(base, headers=issuer, json=ACH)
    assert created.status_code == 201
    aid = created.json()["id"]
    changed = client.put(f"{base}/{aid}", headers=issuer, json={**ACH, "name": "Renamed"})
    assert changed.json()["name"] == "Renamed"
    body = assert_problem(client.put(f"{base}/{aid}", headers=issuer, json={"name": "x"}), 400)
    assert body["detail"].startswith("$.description")
    assert client.get(f"{base}/{aid}", headers=issuer).json()["name"] == "Renamed"


# ---- the VC API's issue ---------------------------------------------------------------------
def test_the_vc_api_issues_a_credential_that_verifies(client: Any, world: World) -> None:
    app = world.app
    with session_scope(app.state.engine) as s:
        iss = orgs.issuer_id(orgs.get_organisation(s, "acme"), app.state.issuing, s)
    issuer = world.h(world.a.tokens["issuer"])
    unsigned = ob_credential(iss)
    reply = client.post("/credentials/issue", headers=issuer, json={"credential": unsigned})
    assert reply.status_code == 201, reply.text
    vc = reply.json()["verifiableCredential"]
    assert vc["proof"]["verificationMethod"].startswith(iss)
    report = verify_credential(vc, fetch=LocalFirstFetch(app.state.engine, app.state.issuing, None))
    assert report.verdict == "verified", report.to_json()
    # issuer left out: filled in with the organisation's profile
    anonymous = {k: v for k, v in unsigned.items() if k != "issuer"}
    reply = client.post("/credentials/issue", headers=issuer, json={"credential": anonymous})
    assert reply.status_code == 201
    assert reply.json()["verifiableCredential"]["issuer"]["id"] == iss
    # jcs suite on request
    reply = client.post(
        "/credentials/issue",
        headers=issuer,
        json={"credential": unsigned, "options": {"cryptosuite": "eddsa-jcs-2022"}},
    )
    assert reply.json()["verifiableCredential"]["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    audit = client.get("/api/v1/orgs/acme/audit", headers=world.h(world.a.tokens["owner"]))
    assert "vc_api_issue" in {e["action"] for e in audit.json()["items"]}


def test_the_vc_api_refuses_bad_credentials_naming_paths(client: Any, world: World) -> None:
    with session_scope(world.app.state.engine) as s:
        iss = orgs.issuer_id(orgs.get_organisation(s, "acme"), world.app.state.issuing, s)
    issuer = world.h(world.a.tokens["issuer"])
    broken = ob_credential(iss)
    broken["credentialSubject"] = {"type": ["AchievementSubject"], "id": "did:example:1"}
    body = assert_problem(
        client.post("/credentials/issue", headers=issuer, json={"credential": broken}), 400
    )
    assert body["code"] == "bad_credential"
    assert {
        "path": "$.credentialSubject.achievement",
        "message": "achievement is required",
    } in body["problems"]
    signed = {**ob_credential(iss), "proof": {"type": "DataIntegrityProof"}}
    body = assert_problem(
        client.post("/credentials/issue", headers=issuer, json={"credential": signed}), 400
    )
    assert body["detail"].startswith("$.proof")
    other = ob_credential("did:example:someone-else")
    body = assert_problem(
        client.post("/credentials/issue", headers=issuer, json={"credential": other}), 400
    )
    assert "did:example:someone-else" in body["detail"]
    body = assert_problem(
        client.post("/credentials/issue", headers=issuer, json={"verifiableCredential": {}}), 400
    )
    undefined = {**ob_credential(iss), "madeUpTerm": 1}
    body = assert_problem(
        client.post("/credentials/issue", headers=issuer, json={"credential": undefined}), 400
    )
    assert "madeUpTerm" in body["detail"]


def test_the_api_is_documented_with_its_security_scheme(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"
    op = spec["paths"]["/api/v1/orgs/{slug}/awards"]["post"]
    assert op["security"] == [{"ApiToken": []}] and "organisation API" in op["tags"]
    assert "/credentials/issue" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"AwardCreate", "AwardPublic", "CredentialPublic", "OrgPublic"} <= schemas.keys()


def test_keys_rotate_answers_only_the_public_key(client: Any, world: World) -> None:
    owner = world.h(world.a.tokens["owner"])
    before = client.get("/api/v1/orgs/acme", headers=owner).json()["keys"]
    reply = client.post("/api/v1/orgs/acme/keys/rotate", headers=owner)
    assert reply.json().keys() == {"public_key_multibase"}
    after = client.get("/api/v1/orgs/acme", headers=owner).json()["keys"]
    assert (
        len(after) == 2 and after[0]["public_key_multibase"] == reply.json()["public_key_multibase"]
    )
    assert after[1]["public_key_multibase"] == before[0]["public_key_multibase"]
    assert after[1]["retired_at"] is not None
    Ed25519Multikey.from_public(reply.json()["public_key_multibase"])  # a public key, parseable
