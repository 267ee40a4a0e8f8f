"""Every forgery of the red team's report, through both APIs (``POST /verify`` and the VC
API's ``POST /credentials/verify`` / ``/presentations/verify``): never ``verified``; and
``options.strict`` / ``strict`` turn conformance notes into failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.vc import proofs
from microcred.vc.keys import Ed25519Multikey
from tests.helpers import ob_credential
from tests.unit.vc.test_forgeries import forgery_cases, genuine_case

CASES = forgery_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_post_verify_never_says_verified(client, fixtures, case):
    name, data, served = case
    fixtures.update(served)
    resp = client.post(
        "/verify?challenge=c1&domain=hr.example",
        content=data,
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 200, resp.text
    verdicts = [r["verdict"] for r in resp.json()["reports"]]
    assert verdicts and "verified" not in verdicts, (name, resp.json())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_the_vc_api_never_says_verified(client, fixtures, case):
    name, data, served = case
    fixtures.update(served)
    text = data.decode()
    if text.startswith("ey"):  # a VC-JWT goes in an envelope
        body: dict[str, Any] = {
            "verifiableCredential": {
                "@context": "https://www.w3.org/ns/credentials/v2",
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{text}",
            }
        }
        path = "/credentials/verify"
    else:
        doc = json.loads(text)
        is_vp = "VerifiablePresentation" in doc.get("type", []) and "holder" in doc
        if is_vp and "VerifiableCredential" not in doc["type"]:
            body = {
                "verifiablePresentation": doc,
                "options": {"challenge": "c1", "domain": "hr.example"},
            }
            path = "/presentations/verify"
        else:
            body, path = {"verifiableCredential": doc}, "/credentials/verify"
    resp = client.post(path, json=body)
    assert resp.status_code != 200 or resp.json().get("verified") is False, (name, resp.text)
    assert resp.status_code < 500


def test_the_genuine_credential_verifies_with_its_issuers_document(client, fixtures):
    data, served = genuine_case()
    fixtures.update(served)
    resp = client.post("/credentials/verify", json={"verifiableCredential": json.loads(data)})
    assert resp.status_code == 200, resp.text
    report = client.post(
        "/verify", content=data, headers={"content-type": "application/octet-stream"}
    ).json()["reports"][0]
    assert report["verdict"] == "verified"
    assert report["issuer_identity"]["level"] == "domain"
    assert report["issuer_identity"]["domain"] == "registrar.ox.ac.uk"
    assert "owner of registrar.ox.ac.uk" in report["issuer_identity"]["sentence"]


def _informal() -> dict[str, Any]:
    key = Ed25519Multikey.generate()
    doc = ob_credential(key.controller)
    doc["issuer"]["image"] = "https://example.org/logo.png"  # OB 3.0 wants an Image object
    return proofs.sign(doc, key)


def test_options_strict_fails_conformance_problems(client):
    doc = _informal()
    lenient = client.post("/credentials/verify", json={"verifiableCredential": doc})
    assert lenient.status_code == 200, lenient.text
    strict = client.post(
        "/credentials/verify", json={"verifiableCredential": doc, "options": {"strict": True}}
    )
    assert strict.status_code == 400 and "$.issuer.image" in strict.text
    bad = client.post(
        "/credentials/verify", json={"verifiableCredential": doc, "options": {"strict": "yes"}}
    )
    assert bad.status_code == 400 and "options.strict" in bad.text


def test_post_verify_strict(client):
    data = json.dumps(_informal()).encode()
    ctype = {"content-type": "application/octet-stream"}
    lenient = client.post("/verify", content=data, headers=ctype).json()["reports"][0]
    assert lenient["verdict"] == "verified"
    assert lenient["conformance"]["follows"] is False
    assert any("$.issuer.image" in p for p in lenient["conformance"]["problems"])
    strict = client.post("/verify?strict=true", content=data, headers=ctype).json()["reports"][0]
    assert strict["verdict"] == "failed"
    form = client.post("/verify", data={"text": data.decode(), "strict": "true"})
    assert form.json()["reports"][0]["verdict"] == "failed"


def test_a_did_key_naming_itself_after_an_organisation_of_this_server_fails(app, client):
    from microcred.issuing import orgs
    from microcred.store.db import session_scope

    with session_scope(app.state.engine) as s:
        orgs.create_organisation(
            s, app.state.issuing, slug="northbridge", name="Northbridge College of Applied Sciences"
        )
    key = Ed25519Multikey.generate()
    doc = ob_credential(key.controller)
    doc["issuer"]["name"] = "Northbridge College of Applied Sciences"
    data = json.dumps(proofs.sign(doc, key)).encode()
    ctype = {"content-type": "application/octet-stream"}
    report = client.post("/verify", content=data, headers=ctype).json()["reports"][0]
    assert report["verdict"] == "failed"
    issuer = next(c for c in report["checks"] if c["name"] == "issuer")
    assert "claims to be from" in issuer["message"] and "this server" in issuer["message"]
    vc_api = client.post("/credentials/verify", json={"verifiableCredential": json.loads(data)})
    assert vc_api.status_code == 400 and "claims to be from" in vc_api.text
    # another name is only "self-asserted", said as such
    doc["issuer"]["name"] = "Southbridge Academy"
    other = client.post(
        "/verify", content=json.dumps(proofs.sign(doc, key)).encode(), headers=ctype
    ).json()["reports"][0]
    assert other["verdict"] == "verified"
    assert other["issuer_identity"]["level"] == "self-asserted"
    assert "anyone can create such a key" in other["issuer_identity"]["sentence"]
