"""POST /verify with presentations (challenge, domain) and the recipient check; the address
given for the recipient check never reaches a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from microcred.vc import openbadges
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation, sign_presentation
from tests.web.test_api import assert_problem

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

Badge = Callable[..., dict[str, Any]]
HOLDER = Ed25519Multikey.from_seed(bytes(range(2, 34)))
CHALLENGE, DOMAIN = "8f2c-nonce", "hr.example.com"
ADDRESS = "ada.lovelace@example.org"


@pytest.fixture
def presentation(make_badge: Badge) -> dict[str, Any]:
    vp = build_presentation(
        [make_badge(subject_id=HOLDER.controller)], holder=HOLDER.controller or ""
    )
    return sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN)


def checks_of(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


def post(client: TestClient, **fields: str) -> httpx.Response:
    return client.post("/verify", files={k: (None, v) for k, v in fields.items()})


# ---- presentations ----------------------------------------------------------------------------
def test_a_pasted_presentation_is_verified_for_the_challenge_and_domain(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = post(client, text=json.dumps(presentation), challenge=CHALLENGE, domain=DOMAIN)
    assert response.status_code == 200, response.text
    (report,) = response.json()["reports"]
    assert report["type"] == "VerifiablePresentation"
    assert report["verdict"] == "verified" and report["holder"] == HOLDER.controller
    assert report["source"] == "pasted text"
    checks = checks_of(report)
    assert checks["challenge"] == checks["domain"] == checks["holder"] == "passed"
    assert not any("replay" in w for w in report["warnings"])
    (credential,) = report["credentials"]
    assert credential["verdict"] == "verified"
    assert credential["credential"]["name"] == "Data Literacy Foundations"
    assert "recipient" not in credential  # not asked


def test_an_uploaded_presentation_for_another_challenge_fails(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = client.post(
        "/verify",
        files={"file": ("vp.json", json.dumps(presentation).encode(), "application/json")},
        data={"challenge": "another-nonce", "domain": DOMAIN},
    )
    (report,) = response.json()["reports"]
    assert report["verdict"] == "failed" and report["source"] == "vp.json"
    assert checks_of(report)["challenge"] == "failed"
    message = next(c["message"] for c in report["checks"] if c["name"] == "challenge")
    assert "'8f2c-nonce', not 'another-nonce'" in message


def test_without_a_challenge_the_report_warns_of_a_replay(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    (report,) = post(client, text=json.dumps(presentation)).json()["reports"]
    assert checks_of(report)["challenge"] == checks_of(report)["domain"] == "skipped"
    assert any("could be a replay" in w for w in report["warnings"])
    assert report["verdict"] == "verified"  # the proof itself is sound


def test_a_raw_presentation_takes_challenge_and_domain_as_query_parameters(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = client.post(
        "/verify",
        params={"challenge": CHALLENGE, "domain": "elsewhere.example"},
        content=json.dumps(presentation).encode(),
        headers={"Content-Type": "application/octet-stream"},
    )
    (report,) = response.json()["reports"]
    assert checks_of(report)["challenge"] == "passed"
    assert checks_of(report)["domain"] == "failed"


def test_a_challenge_given_twice_differently_is_refused(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = client.post(
        "/verify",
        params={"challenge": "a"},
        files={"text": (None, json.dumps(presentation)), "challenge": (None, "b")},
    )
    body = assert_problem(response, 400)
    assert "challenge is given twice" in body["detail"]


def test_an_unknown_form_field_is_named(client: TestClient, make_badge: Badge) -> None:
    body = assert_problem(post(client, text=json.dumps(make_badge()), nonce="x"), 400)
    assert "'nonce'" in body["detail"] and "challenge, domain and recipient" in body["detail"]


def test_a_credential_ignores_the_presentation_options(
    client: TestClient, make_badge: Badge
) -> None:
    response = post(client, text=json.dumps(make_badge()), challenge=CHALLENGE)
    (report,) = response.json()["reports"]
    assert "type" not in report and report["verdict"] == "verified"


def test_openapi_documents_the_options(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/verify"]["post"]
    query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert query == {"challenge", "domain", "strict"}  # never the recipient
    form = op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"file", "text", "url", "challenge", "domain", "recipient", "strict"} <= form.keys()
    assert "never a query parameter" in form["recipient"]["description"]


# ---- the recipient check ----------------------------------------------------------------------
@pytest.fixture
def to_address(make_badge: Badge) -> dict[str, Any]:
    """A credential issued to ADDRESS, by its hashed e-mail identity (as microcred issues)."""
    return make_badge(subject_id=None, identifier=openbadges.identity_object(ADDRESS))


@pytest.mark.parametrize(
    "recipient, answer, sentence",
    [
        ("  Ada.Lovelace@Example.org ", "issued", "issued to this address"),
        ("someone.else@example.org", "not_issued", "not issued to this address"),
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "not_comparable",
            "the credential names no recipient this DID can be compared with",
        ),
    ],
)
def test_the_recipient_check_by_e_mail(
    client: TestClient, to_address: dict[str, Any], recipient: str, answer: str, sentence: str
) -> None:
    (report,) = post(client, text=json.dumps(to_address), recipient=recipient).json()["reports"]
    assert report["recipient"]["answer"] == answer
    assert report["recipient"]["sentence"] == sentence
    assert recipient.strip() not in json.dumps(report)  # the address is not echoed


def test_the_recipient_check_by_did(client: TestClient, make_badge: Badge) -> None:
    badge = json.dumps(make_badge(subject_id="did:example:learner-42"))
    (same,) = post(client, text=badge, recipient="did:example:learner-42").json()["reports"]
    assert same["recipient"] == {"answer": "issued", "how": "did", "sentence": "issued to this DID"}
    (other,) = post(client, text=badge, recipient="did:example:learner-7").json()["reports"]
    assert other["recipient"]["answer"] == "not_issued"
    (mail,) = post(client, text=badge, recipient=ADDRESS).json()["reports"]
    assert mail["recipient"]["answer"] == "not_comparable"


def test_the_recipient_check_in_a_presentation(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = post(client, text=json.dumps(presentation), recipient=HOLDER.controller or "")
    (report,) = response.json()["reports"]
    assert [c["recipient"]["answer"] for c in report["credentials"]] == ["issued"]


@pytest.mark.parametrize("bad", ["not an address", "ada@localhost", "did:x", "a@b." + "c" * 400])
def test_a_recipient_that_is_neither_address_nor_did_is_refused(
    client: TestClient, make_badge: Badge, bad: str
) -> None:
    body = assert_problem(post(client, text=json.dumps(make_badge()), recipient=bad), 400)
    assert "recipient must be an e-mail address" in body["detail"]
    assert bad not in body["detail"]


def test_the_recipient_is_refused_in_the_query_string(
    client: TestClient, to_address: dict[str, Any]
) -> None:
    response = client.post(
        "/verify", params={"recipient": ADDRESS}, files={"text": (None, json.dumps(to_address))}
    )
    body = assert_problem(response, 400)
    assert "form field" in body["detail"] and ADDRESS not in response.text


def _logged(records: list[logging.LogRecord]) -> str:
    """Everything the server's records hold: messages, arguments, exception texts (the
    test's own HTTP client, httpx, logs the URLs it requests: those are not the server's)."""
    parts = []
    for r in records:
        if r.name != "httpx":
            parts += [r.getMessage(), repr(r.args), r.exc_text or "", r.name]
    return "\n".join(parts)


def test_the_recipient_address_is_never_logged(
    client: TestClient,
    to_address: dict[str, Any],
    presentation: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    post(client, text=json.dumps(to_address), recipient=ADDRESS)
    post(client, text=json.dumps(presentation), recipient=ADDRESS, challenge=CHALLENGE)
    post(client, text="not a credential", recipient=ADDRESS)  # a 400 is logged (info)
    post(client, url="http://example.org/x.json", recipient=ADDRESS)  # a refused fetch
    client.post("/verify", params={"recipient": ADDRESS}, files={"text": (None, "{}")})
    assert len(caplog.records) >= 5  # capture works: at least the client's request lines
    assert ADDRESS not in _logged(caplog.records)
    assert ADDRESS.split("@")[0] not in _logged(caplog.records)


def test_the_recipient_address_is_not_in_the_servers_access_log(
    app: Any, to_address: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn, as `microcred serve` runs it, with its access log on."""
    import socket
    import threading
    import time

    import uvicorn

    caplog.set_level(logging.DEBUG)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="debug", access_log=True, log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with httpx.Client() as http:
            ok = http.post(
                f"{base}/verify",
                files={"text": (None, json.dumps(to_address)), "recipient": (None, ADDRESS)},
            )
        assert ok.json()["reports"][0]["recipient"]["answer"] == "issued"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert any("POST /verify" in r.getMessage() for r in access), "no access log line"
    assert ADDRESS not in _logged(caplog.records)


# ---- trust registries ---------------------------------------------------------------------------
@pytest.fixture
def registry_app(tmp_path: Any, issuer_key: Any) -> Any:
    """The app with a trust registry file listing the test issuer (issuer_key) as
    "Example College" and another id as "Northbridge College"."""
    from microcred.config import Settings
    from microcred.verifying import Fetcher
    from microcred.web import create_app, deps
    from tests.web.conftest import offline

    path = tmp_path / "ontario.json"
    path.write_text(
        json.dumps(
            {
                "name": "Ontario Colleges",
                "issuers": [
                    {"id": issuer_key.controller, "name": "Example College"},
                    {"id": "did:web:northbridge.example", "name": "Northbridge College"},
                ],
            }
        )
    )
    app = create_app(Settings(data_dir=tmp_path, trust_registries=str(path)))
    fetcher = Fetcher(transport=httpx.MockTransport(offline))
    app.dependency_overrides[deps.app_fetcher] = lambda: fetcher
    yield app
    fetcher.close()


def test_a_registered_issuer_is_named_with_its_registry(
    registry_app: Any, make_client: Any, make_badge: Badge
) -> None:
    with make_client(registry_app) as client:
        (report,) = post(client, text=json.dumps(make_badge())).json()["reports"]
        vc_api = client.post("/credentials/verify", json={"verifiableCredential": make_badge()})
    identity = report["issuer_identity"]
    assert (identity["level"], identity["registry"]) == ("registered", "Ontario Colleges")
    assert identity["sentence"] == "issued by “Example College”, listed in Ontario Colleges"
    assert vc_api.json()["report"]["issuer_identity"]["level"] == "registered"


def test_a_credential_posing_as_a_registered_issuer_fails(
    registry_app: Any, make_client: Any
) -> None:
    from microcred.vc import proofs
    from tests.helpers import ob_credential

    impostor = Ed25519Multikey.generate()
    doc = ob_credential(impostor.controller)
    doc["issuer"]["name"] = "NORTHBRIDGE  college."
    forged = proofs.sign(doc, impostor)
    vp = sign_presentation(
        build_presentation([forged], holder=HOLDER.controller or ""),
        HOLDER,
        challenge=CHALLENGE,
        domain=DOMAIN,
    )
    with make_client(registry_app) as client:
        (report,) = post(client, text=json.dumps(forged)).json()["reports"]
        (in_vp,) = post(client, text=json.dumps(vp), challenge=CHALLENGE).json()["reports"]
        vp_api = client.post(
            "/presentations/verify",
            json={"verifiablePresentation": vp, "options": {"challenge": CHALLENGE}},
        )
    assert report["verdict"] == "failed"
    issuer = next(c for c in report["checks"] if c["name"] == "issuer")
    assert issuer["status"] == "failed" and "Northbridge College" in issuer["message"]
    assert report["issuer_identity"]["level"] == "self-asserted"
    assert in_vp["verdict"] == "failed"
    assert in_vp["credentials"][0]["issuer_identity"]["sentence"].startswith("calls itself")
    assert vp_api.json()["report"]["credentials"][0]["verdict"] == "failed"


def test_this_servers_organisations_are_registered(app: Any, client: TestClient) -> None:
    from microcred.issuing import orgs
    from microcred.store.db import session_scope
    from microcred.vc import proofs
    from tests.helpers import ob_credential

    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(
            s, app.state.issuing, slug="acme-college", name="Acme College"
        )
        key = orgs.signer(s, app.state.issuing, org)
        issuer = orgs.issuer_id(org, app.state.issuing, s)
    doc = ob_credential(issuer)
    doc["issuer"]["name"] = "Acme College"
    (report,) = post(client, text=json.dumps(proofs.sign(doc, key))).json()["reports"]
    identity = report["issuer_identity"]
    assert (identity["level"], identity["registry"]) == ("registered", "this server (127.0.0.1)")
    assert report["verdict"] == "verified"
