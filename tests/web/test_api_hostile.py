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
