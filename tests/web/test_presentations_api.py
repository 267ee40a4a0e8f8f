"""POST /presentations/verify (W3C VC API): 200 when verified, else 400 problem details with
the report; malformed requests are 400 problems, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation, sign_presentation
from tests.web.test_api import assert_problem

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

Badge = Callable[..., dict[str, Any]]
LEARNER = Ed25519Multikey.from_seed(bytes(range(1, 33)))
CHALLENGE, DOMAIN = "nonce-123", "verifier.example"


@pytest.fixture
def presentation(make_badge: Badge) -> dict[str, Any]:
    vp = build_presentation(
        [make_badge(subject_id=LEARNER.controller)], holder=LEARNER.controller or ""
    )
    return sign_presentation(vp, LEARNER, challenge=CHALLENGE, domain=DOMAIN)


def test_verified(client: TestClient, presentation: dict[str, Any]) -> None:
    response = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": CHALLENGE, "domain": DOMAIN},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True and body["errors"] == []
    assert {"proof", "holder", "challenge", "domain", "credentials"} <= set(body["checks"])
    report = body["report"]
    assert report["verdict"] == "verified" and report["holder"] == LEARNER.controller
    assert [c["verdict"] for c in report["credentials"]] == ["verified"]


@pytest.mark.parametrize(
    "options, check",
    [
        ({"challenge": "other", "domain": DOMAIN}, "challenge"),
        ({"challenge": CHALLENGE, "domain": "evil.example"}, "domain"),
    ],
)
def test_a_replay_is_a_400_problem(
    client: TestClient, presentation: dict[str, Any], options: dict[str, str], check: str
) -> None:
    response = client.post(
        "/presentations/verify", json={"verifiablePresentation": presentation, "options": options}
    )
    body = assert_problem(response, 400)
    assert body["title"] == "Presentation not verified"
    assert body["verified"] is False and body["report"]["verdict"] == "failed"
    assert [e["check"] for e in body["errors"]] == [check]
    assert body["detail"].startswith(f"{check}: ")


def test_without_options_the_challenge_is_not_checked(
    client: TestClient, presentation: dict[str, Any]
) -> None:
    response = client.post("/presentations/verify", json={"verifiablePresentation": presentation})
    assert response.status_code == 200, response.text
    assert any("replay" in w for w in response.json()["warnings"])


def test_a_revocation_status_that_cannot_be_fetched_is_indeterminate(
    client: TestClient, make_badge: Badge
) -> None:
    status = {
        "id": "https://status.example/lists/1#17",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "17",
        "statusListCredential": "https://status.example/lists/1",
    }
    badge = make_badge(subject_id=LEARNER.controller, credential_status=status)
    vp = build_presentation([badge], holder=LEARNER.controller or "")
    signed = sign_presentation(vp, LEARNER, challenge=CHALLENGE, domain=DOMAIN)
    response = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": signed,
            "options": {"challenge": CHALLENGE, "domain": DOMAIN},
        },
    )
    body = assert_problem(response, 400)
    assert body["report"]["verdict"] == "indeterminate"
    assert body["detail"].startswith("could not check")
    assert body["title"] == "Presentation could not be checked"


@pytest.mark.parametrize(
    "content, words",
    [
        (b"not json at all", "not JSON"),
        (b"[1, 2, 3]", "verifiablePresentation"),
        (b'{"presentation": {}}', "verifiablePresentation"),
        (b'{"verifiablePresentation": "eyJhbGciOi.x.y"}', "must be a JSON object"),
        (b'{"verifiablePresentation": {"type": "VerifiableCredential"}}', "VerifiablePresentation"),
        (
            b'{"verifiablePresentation": {"type": "VerifiablePresentation"}, "options": []}',
            "options",
        ),
        (
            b'{"verifiablePresentation": {"type": "VerifiablePresentation"}, '
            b'"options": {"challenge": 5}}',
            "options.challenge",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_requests_are_400(client: TestClient, content: bytes, words: str) -> None:
    response = client.post(
        "/presentations/verify", content=content, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert words in body["detail"]


def test_a_broken_presentation_is_a_400_not_a_500(client: TestClient) -> None:
    response = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": {
                "type": "VerifiablePresentation",
                "verifiableCredential": [1, "x", None],
                "proof": [{"type": "DataIntegrityProof"}, 7],
            }
        },
    )
    body = assert_problem(response, 400)
    assert body["report"]["verdict"] == "failed"


def test_documented_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    op = paths["/presentations/verify"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert "verifiablePresentation" in schema["required"]
    assert {"200", "400"} <= op["responses"].keys()
