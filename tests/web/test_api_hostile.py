"""Hostile input through the HTTP API: it is refused as such and leaves nothing behind."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyld import jsonld as pyld_jsonld

from microcred.vc import jsonld
from microcred.vc.documents import get_context

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

Badge = Callable[..., dict[str, Any]]


def _poisoning(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with an inline context: a default language, and a term whose scoped context is
    the Achievement's type-scoped context (what used to poison the processed-context cache)."""
    bad = copy.deepcopy(doc)
    ob = bad["@context"][1]
    achievement_ctx = get_context(ob)["@context"]["Achievement"]["@context"]
    bad["@context"] = [
        *bad["@context"],
        {"@language": "fr", "x": {"@id": "https://evil.example/x", "@context": achievement_ctx}},
    ]
    return bad


def test_a_poisoning_request_does_not_make_the_next_genuine_badge_fail(
    client: TestClient, make_badge: Badge
) -> None:
    genuine = make_badge()
    unsigned = {k: v for k, v in genuine.items() if k != "proof"}
    before = jsonld.canonical_nquads(unsigned)
    # a fresh server process: nothing processed yet, so the hostile request comes first
    jsonld._CONTEXT_CACHE.clear()
    pyld_jsonld._inverse_context_cache.clear()
    for _ in range(2):
        poisoned = client.post(
            "/credentials/verify", json={"verifiableCredential": _poisoning(genuine)}
        )
        assert poisoned.status_code == 400
        raw = client.post(
            "/verify",
            content=json.dumps(_poisoning(genuine)).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert raw.status_code in (200, 400)
    response = client.post("/credentials/verify", json={"verifiableCredential": genuine})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    # what we would sign now is what we signed before (our own signing is not corrupted)
    assert jsonld.canonical_nquads(unsigned) == before


# ---- a key twice in one JSON object: 400 naming it, on every way a credential arrives ------
PROBLEM = "application/problem+json"


def _twice(doc: dict[str, Any], member: str) -> bytes:
    """``doc`` as JSON text with ``member`` (``"key": value``) added at its start: a key it
    already has appears twice."""
    text = json.dumps(doc)
    return ("{" + member + "," + text[1:]).encode()


def _assert_duplicate(response: Any, key: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == "duplicate_key"
    assert f"the key '{key}' appears twice" in body["detail"]
    assert "line 1, column" in body["detail"]


def test_vc_api_refuses_a_body_with_a_key_twice(client: TestClient, make_badge: Badge) -> None:
    badge = make_badge()
    json_type = {"Content-Type": "application/json"}
    inner = _twice(badge, '"issuer": "did:example:mallory"').decode()
    body = '{"verifiableCredential": ' + inner + ', "options": {}}'
    reply = client.post("/credentials/verify", content=body, headers=json_type)
    _assert_duplicate(reply, "issuer")
    outer = _twice({"verifiableCredential": badge}, '"verifiableCredential": {}')
    reply = client.post("/credentials/verify", content=outer, headers=json_type)
    _assert_duplicate(reply, "verifiableCredential")
    vp = b'{"verifiablePresentation": {}, "verifiablePresentation": {"type": "VerifiablePresentation"}}'
    _assert_duplicate(
        client.post("/presentations/verify", content=vp, headers=json_type),
        "verifiablePresentation",
    )


def test_verify_refuses_a_raw_body_or_upload_with_a_key_twice(
    client: TestClient, make_badge: Badge
) -> None:
    raw = _twice(make_badge(), '"issuer": "did:example:mallory"')
    json_type = {"Content-Type": "application/json"}
    _assert_duplicate(client.post("/verify", content=raw, headers=json_type), "issuer")
    _assert_duplicate(client.post("/verify", files={"file": ("b.json", raw)}), "issuer")
    _assert_duplicate(client.post("/verify", data={"text": raw.decode()}), "issuer")


def test_wallet_import_refuses_a_key_twice(app: Any, make_badge: Badge) -> None:
    from tests.web.wallet_kit import sign_in

    who = sign_in(app, "dup@example.org")
    try:
        api = "/api/v1/wallet/credentials"
        raw = _twice(make_badge(), '"issuer": "did:example:mallory"')
        headers = {**who.h, "Content-Type": "application/json"}
        _assert_duplicate(who.client.post(api, content=raw, headers=headers), "issuer")
        files = {"file": ("b.json", raw)}
        _assert_duplicate(who.client.post(api, files=files, headers=who.h), "issuer")
        # {"url": ..., "url": ...} is not taken as a URL (a first-wins reader fetches another)
        two_urls = b'{"url": "https://a.example/b.json", "url": "https://b.example/b.json"}'
        _assert_duplicate(who.client.post(api, content=two_urls, headers=headers), "url")
        assert who.client.get(api).json()["items"] == []
    finally:
        who.client.__exit__(None, None, None)


def test_vc_api_issue_refuses_a_key_twice(app: Any, client: TestClient) -> None:
    from microcred.issuing import orgs, tokens
    from microcred.store.db import session_scope
    from tests.helpers import ob_credential

    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, app.state.issuing, slug="dup", name="Dup College")
        token = tokens.create_token(s, org, name="issuer", role="issuer")
        issuer = orgs.issuer_id(org, app.state.issuing, s)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    credential = ob_credential(issuer)
    good = json.dumps({"credential": credential}).encode()
    assert client.post("/credentials/issue", content=good, headers=headers).status_code == 201
    # a first-wins reader of the request would think another name was signed
    twice = _twice(credential, '"name": "Another Name"').decode()
    body = ('{"credential": ' + twice + "}").encode()
    _assert_duplicate(client.post("/credentials/issue", content=body, headers=headers), "name")
    awards = json.dumps({"achievement_id": "x", "email": "a@example.org", "name": "A"})
    body = ("{" + '"name": "B", ' + awards[1:]).encode()
    reply = client.post("/api/v1/orgs/dup/awards", content=body, headers=headers)
    _assert_duplicate(reply, "name")


# ---- not in the plain compacted form: the signature holds, the verdict is failed ------------
def test_a_credential_not_in_plain_form_is_not_verified(
    client: TestClient, make_badge: Badge
) -> None:
    badge = make_badge()
    subject = badge["credentialSubject"]
    tricked = {
        **badge,
        "credentialSubject": {("@id" if k == "id" else k): v for k, v in subject.items()},
    }
    for path, body in (
        ("/credentials/verify", {"json": {"verifiableCredential": tricked}}),
        ("/verify", {"files": {"file": ("b.json", json.dumps(tricked).encode())}}),
    ):
        reply = client.post(path, **body)
        report = (
            reply.json()["report"] if path == "/credentials/verify" else reply.json()["reports"][0]
        )
        assert report["verdict"] == "failed", report
        checks = {c["name"]: c for c in report["checks"]}
        assert checks["proof"]["status"] == "passed"  # the signature still holds
        assert checks["context"]["status"] == "failed"
        assert "$.credentialSubject['@id']" in checks["context"]["message"]
