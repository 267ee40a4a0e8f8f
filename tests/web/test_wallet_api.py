"""The wallet's JSON API (/api/v1/wallet): import in every format (refused and duplicate
ones too, the size cap), organising, views, export, transcripts, share links,
presentations; 401 without a session, 403 without the CSRF header, and isolation: another
learner's ids are 404 everywhere and never listed."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from microcred.store.db import session_scope
from microcred.store.models import WalletCredential
from microcred.vc import baking, vcjwt
from microcred.vc.presentations import verify_presentation
from tests.helpers import ob_credential, tiny_png
from tests.web.conftest import UPLOAD_LIMIT
from tests.web.wallet_kit import (
    ESCO_CPR,
    Learner,
    add_verified_address,
    issue,
    make_issuer,
    sign_in,
    to,
)

API = "/api/v1/wallet"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@pytest.fixture
def issuer(app: Any, client: Any) -> tuple[str, str]:  # client: the app has started
    return make_issuer(app)


@pytest.fixture
def ann(app: Any, client: Any) -> Any:
    learner = sign_in(app, "ann@example.org", name="Ann Example")
    yield learner
    learner.client.__exit__(None, None, None)


@pytest.fixture
def bob(app: Any, client: Any) -> Any:
    learner = sign_in(app, "bob@example.org", name="Bob Other")
    yield learner
    learner.client.__exit__(None, None, None)


def add(who: Learner, doc: dict[str, Any] | bytes, name: str = "badge.json") -> str:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    reply = who.client.post(f"{API}/credentials", files={"file": (name, data)}, headers=who.h)
    assert reply.status_code in (200, 201), reply.text
    return str(reply.json()["credentials"][0]["id"])


def stored(app: Any, learner_id: str) -> int:
    with session_scope(app.state.engine) as s:
        return len(
            list(s.query(WalletCredential).filter(WalletCredential.learner_id == learner_id))
        )


# ---- authentication and CSRF --------------------------------------------------------------
READS = [
    ("GET", "/credentials"),
    ("GET", "/credentials/x"),
    ("GET", "/credentials/x/original"),
    ("GET", "/collections"),
    ("GET", "/timeline"),
    ("GET", "/expiring"),
    ("GET", "/skills"),
    ("GET", "/export"),
    ("GET", "/shares"),
]
WRITES = [
    ("POST", "/credentials", {"url": "https://example.org/b.json"}),
    ("POST", "/credentials/x/recheck", None),
    ("DELETE", "/credentials/x", None),
    ("PUT", "/credentials/x/tags", {"tags": ["a"]}),
    ("PUT", "/credentials/x/note", {"note": "n"}),
    ("POST", "/collections", {"name": "C"}),
    ("PATCH", "/collections/x", {"name": "D"}),
    ("DELETE", "/collections/x", None),
    ("POST", "/collections/x/credentials", {"credentials": ["x"]}),
    ("DELETE", "/collections/x/credentials", {"credentials": ["x"]}),
    ("POST", "/transcript", {"credentials": ["x"]}),
    ("POST", "/shares", {"target_kind": "credential", "target_id": "x"}),
    ("DELETE", "/shares/x", None),
    ("POST", "/presentations", {"credentials": ["x"], "challenge": "c", "domain": "d"}),
]


def test_without_a_session_every_endpoint_is_401(client: Any) -> None:
    for method, path in READS:
        reply = client.request(method, API + path)
        assert reply.status_code == 401, (method, path, reply.text)
        assert reply.headers["content-type"] == "application/problem+json"
    for method, path, body in WRITES:
        reply = client.request(method, API + path, json=body)
        assert reply.status_code == 401, (method, path, reply.text)


def test_every_mutation_needs_the_csrf_header(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    coll = ann.client.post(f"{API}/collections", json={"name": "Mine"}, headers=ann.h).json()
    share = ann.client.post(
        f"{API}/shares", json={"target_kind": "credential", "target_id": cid}, headers=ann.h
    ).json()
    ids = {"/credentials/x": f"/credentials/{cid}", "/collections/x": f"/collections/{coll['id']}"}
    for method, path, body in WRITES:
        for old, new in ids.items():
            path = path.replace(old, new)
        path = path.replace("/shares/x", f"/shares/{share['id']}")
        if body and body.get("credentials") == ["x"]:
            body = {**body, "credentials": [cid]}
        if body and body.get("target_id") == "x":
            body = {**body, "target_id": cid}
        for headers in ({}, {"X-CSRF-Token": "0" * 64}):
            reply = ann.client.request(method, API + path, json=body, headers=headers)
            assert reply.status_code == 403, (method, path, reply.text)
            assert reply.json()["code"] == "forbidden"
    # nothing changed
    listed = ann.client.get(f"{API}/credentials").json()["items"]
    assert [c["id"] for c in listed] == [cid] and listed[0]["tags"] == []
    assert ann.client.get(f"{API}/shares").json()["items"][0]["state"] == "active"
    # another site's origin is refused even with the token
    evil = ann.client.delete(
        f"{API}/credentials/{cid}", headers={**ann.h, "Origin": "https://evil.example"}
    )
    assert evil.status_code == 403


# ---- import -------------------------------------------------------------------------------
def test_import_every_format(
    app: Any, ann: Learner, issuer: Any, issuer_key: Any, fixtures: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    reply = ann.client.post(
        f"{API}/credentials",
        files={"file": ("bls.json", json.dumps(doc).encode(), "application/json")},
        headers=ann.h,
    )
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["created"] == 1 and body["duplicates"] == 0
    (item,) = body["credentials"]
    assert item["name"] == "Basic Life Support" and item["created"] is True
    assert item["status"]["state"] == "verified", item
    assert reply.headers["cache-control"] == "no-store"

    # the same credential baked in a PNG and an SVG: duplicates, 200
    for name, image in (("b.png", tiny_png()), ("b.svg", SVG)):
        again = ann.client.post(
            f"{API}/credentials",
            files={"file": (name, baking.bake(image, doc))},
            headers=ann.h,
        )
        assert again.status_code == 200, again.text
        assert (
            again.json()["duplicates"] == 1 and again.json()["credentials"][0]["id"] == item["id"]
        )

    # JSON Lines as the raw body; a VC-JWT as the raw body; a baked SVG of a new one (each
    # issued to one of ann's verified addresses)
    for address in ("ann+2@example.org", "ann+3@example.org"):
        add_verified_address(app, ann.id, address)
    _, doc2, _ = issue(app, issuer, "ann+2@example.org")
    _, doc3, _ = issue(app, issuer, "ann+3@example.org")
    lines = (json.dumps(doc) + "\n" + json.dumps(doc2) + "\n").encode()
    jl = ann.client.post(
        f"{API}/credentials", content=lines, headers={**ann.h, "content-type": "application/jsonl"}
    )
    assert jl.status_code == 201 and [c["created"] for c in jl.json()["credentials"]] == [
        False,
        True,
    ]
    token = vcjwt.sign_vc_jwt(
        ob_credential(issuer_key.controller, name="JWT Badge", identifier=to(ann.email)),
        issuer_key,
    )
    jwt = ann.client.post(
        f"{API}/credentials",
        content=token.encode(),
        headers={**ann.h, "content-type": "application/vc+jwt"},
    )
    assert jwt.status_code == 201, jwt.text
    svg = ann.client.post(
        f"{API}/credentials",
        files={"file": ("c.svg", baking.bake(SVG, doc3), "image/svg+xml")},
        headers=ann.h,
    )
    assert svg.status_code == 201, svg.text
    # a URL, through the app's fetcher
    from microcred.vc import proofs

    url_badge = proofs.sign(
        ob_credential(issuer_key.controller, name="From a URL", subject_id=ann.did), issuer_key
    )
    fixtures["https://badges.example.edu/42.json"] = json.dumps(url_badge).encode()
    by_url = ann.client.post(
        f"{API}/credentials", json={"url": "https://badges.example.edu/42.json"}, headers=ann.h
    )
    assert by_url.status_code == 201, by_url.text
    assert by_url.json()["credentials"][0]["name"] == "From a URL"

    listed = ann.client.get(f"{API}/credentials").json()
    assert listed["total"] == 5
    kinds = sorted(c["media_type"] for c in listed["items"])
    assert kinds == ["application/ld+json"] * 3 + ["application/vc+jwt", "image/svg+xml"]
    assert {c["status"]["state"] for c in listed["items"]} == {"verified"}
    # the original comes back byte for byte, as an attachment
    svg_id = svg.json()["credentials"][0]["id"]
    original = ann.client.get(f"{API}/credentials/{svg_id}/original")
    assert original.status_code == 200 and original.content == baking.bake(SVG, doc3)
    assert original.headers["content-type"].startswith("image/svg+xml")
    assert original.headers["content-disposition"].startswith("attachment; filename=")
    assert original.headers["x-content-type-options"] == "nosniff"


def test_refused_credentials_store_nothing(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    tampered = json.loads(json.dumps(doc))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    reply = ann.client.post(
        f"{API}/credentials",
        files={"file": ("t.json", json.dumps(tampered).encode())},
        headers=ann.h,
    )
    assert reply.status_code == 400 and reply.headers["content-type"] == "application/problem+json"
    assert "refused (proof check failed)" in reply.json()["detail"]
    assert "t.json" in reply.json()["detail"]
    # all or none: a good file next to a bad one stores neither
    both = ann.client.post(
        f"{API}/credentials",
        files=[
            ("file", ("ok.json", json.dumps(doc).encode())),
            ("file", ("t.json", json.dumps(tampered).encode())),
        ],
        headers=ann.h,
    )
    assert both.status_code == 400
    assert stored(app, ann.id) == 0
    for body, kind in (
        (b'{"broken": ', "application/json"),
        (b"", "application/json"),
        (b"hello", "text/plain"),
    ):
        bad = ann.client.post(
            f"{API}/credentials", content=body, headers={**ann.h, "content-type": kind}
        )
        assert bad.status_code == 400, (body, bad.text)
    not_url = ann.client.post(f"{API}/credentials", json={"url": 42}, headers=ann.h)
    assert not_url.status_code == 400 and "url" in not_url.json()["detail"]
    assert stored(app, ann.id) == 0


def test_someone_elses_credential_is_refused_and_nothing_is_stored(
    app: Any, ann: Learner, bob: Learner, issuer: Any, fixtures: Any
) -> None:
    _, anns, _ = issue(app, issuer, ann.email)
    _, priyas, _ = issue(app, issuer, "priya@example.org")
    for attempt in (
        {"files": {"file": ("priya.json", json.dumps(priyas).encode())}},
        {
            "files": [
                ("file", ("a.json", json.dumps(anns).encode())),
                ("file", ("p.json", json.dumps(priyas).encode())),
            ]
        },
        {"content": json.dumps(priyas).encode(), "headers": {"content-type": "application/json"}},
    ):
        headers = {**ann.h, **attempt.pop("headers", {})}
        reply = ann.client.post(f"{API}/credentials", headers=headers, **attempt)
        assert reply.status_code == 400, reply.text
        assert reply.headers["content-type"] == "application/problem+json"
        assert reply.json()["code"] == "refused"
        assert (
            "refused: issued to someone else: this credential's subject is a hashed e-mail "
            "address, not you" in reply.json()["detail"]
        )
    fixtures["https://badges.example.edu/priya.json"] = json.dumps(priyas).encode()
    by_url = ann.client.post(
        f"{API}/credentials", json={"url": "https://badges.example.edu/priya.json"}, headers=ann.h
    )
    assert by_url.status_code == 400 and "issued to someone else" in by_url.json()["detail"]
    # ann's own goes into ann's wallet, not bob's
    assert (
        bob.client.post(
            f"{API}/credentials",
            files={"file": ("a.json", json.dumps(anns).encode())},
            headers=bob.h,
        ).status_code
        == 400
    )
    assert stored(app, ann.id) == 0 and stored(app, bob.id) == 0


def test_the_upload_limit_is_413(ann: Learner) -> None:
    big = b"{" + b" " * UPLOAD_LIMIT + b"}"
    reply = ann.client.post(
        f"{API}/credentials", content=big, headers={**ann.h, "content-type": "application/json"}
    )
    assert reply.status_code == 413 and reply.json()["code"] == "too_large"
    files = ann.client.post(f"{API}/credentials", files={"file": ("b.json", big)}, headers=ann.h)
    assert files.status_code == 413


# ---- one credential -----------------------------------------------------------------------
def test_detail_recheck_tags_note_and_delete(app: Any, ann: Learner, issuer: Any) -> None:
    cred_id, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    detail = ann.client.get(f"{API}/credentials/{cid}").json()
    assert detail["document"] == doc and detail["report"]["verdict"] == "verified"
    assert detail["issued_credential_id"] == cred_id and detail["collections"] == []
    assert detail["skills"][0]["uri"] == ESCO_CPR
    # a stale check is made again on view: the issuer revoked it meanwhile
    from microcred.issuing import status
    from microcred.store.models import Credential

    with session_scope(app.state.engine) as s:
        status.change_status(
            s, app.state.issuing, s.get(Credential, cred_id), "revoke", reason="test"
        )
        row = s.get(WalletCredential, cid)
        row.checked_at = datetime.now(UTC) - timedelta(hours=2)
    seen = ann.client.get(f"{API}/credentials/{cid}").json()
    assert seen["status"]["state"] == "revoked", seen["status"]
    listed = ann.client.get(f"{API}/credentials").json()["items"][0]
    assert listed["status"]["state"] == "revoked" and listed["status"]["reason"]
    forced = ann.client.post(f"{API}/credentials/{cid}/recheck", headers=ann.h)
    assert forced.status_code == 200 and forced.json()["status"]["state"] == "revoked"

    tags = ann.client.put(
        f"{API}/credentials/{cid}/tags",
        json={"tags": ["#First Aid", "work", "work"]},
        headers=ann.h,
    )
    assert tags.json() == {"tags": ["first aid", "work"]}
    too_long = ann.client.put(
        f"{API}/credentials/{cid}/tags", json={"tags": ["x" * 41]}, headers=ann.h
    )
    assert too_long.status_code == 400 and "40" in too_long.json()["detail"]
    typo = ann.client.put(f"{API}/credentials/{cid}/tags", json={"tag": ["x"]}, headers=ann.h)
    assert typo.status_code == 400 and "tag" in typo.json()["detail"]
    note = ann.client.put(
        f"{API}/credentials/{cid}/note", json={"note": " renew in May "}, headers=ann.h
    )
    assert note.json() == {"note": "renew in May"}
    assert ann.client.get(f"{API}/credentials", params={"tag": "work"}).json()["total"] == 1
    assert ann.client.get(f"{API}/credentials", params={"q": "may"}).json()["total"] == 1
    assert ann.client.get(f"{API}/credentials", params={"q": "zebra"}).json()["total"] == 0
    bad_sort = ann.client.get(f"{API}/credentials", params={"sort": "colour"})
    assert bad_sort.status_code == 400 and "sort" in bad_sort.json()["detail"]

    gone = ann.client.delete(f"{API}/credentials/{cid}", headers=ann.h)
    assert gone.status_code == 204
    assert ann.client.get(f"{API}/credentials/{cid}").status_code == 404
    assert ann.client.delete(f"{API}/credentials/{cid}", headers=ann.h).status_code == 404


# ---- collections and views ----------------------------------------------------------------
def test_collections(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    made = ann.client.post(
        f"{API}/collections", json={"name": "Health", "description": "Care work"}, headers=ann.h
    )
    assert made.status_code == 201 and made.json()["count"] == 0
    coll = made.json()["id"]
    dup = ann.client.post(f"{API}/collections", json={"name": "health"}, headers=ann.h)
    assert dup.status_code == 409 and dup.json()["code"] == "conflict"
    empty = ann.client.post(f"{API}/collections", json={"name": ""}, headers=ann.h)
    assert empty.status_code == 400 and "name" in empty.json()["detail"]
    added = ann.client.post(
        f"{API}/collections/{coll}/credentials", json={"credentials": [cid, cid]}, headers=ann.h
    )
    assert added.json() == {"changed": 1}
    assert ann.client.get(f"{API}/credentials", params={"collection": coll}).json()["total"] == 1
    renamed = ann.client.patch(f"{API}/collections/{coll}", json={"name": "Care"}, headers=ann.h)
    assert renamed.json()["name"] == "Care" and renamed.json()["count"] == 1
    assert renamed.json()["description"] == "Care work"
    listed = ann.client.get(f"{API}/collections").json()["items"]
    assert [(c["name"], c["count"]) for c in listed] == [("Care", 1)]
    assert ann.client.get(f"{API}/credentials/{cid}").json()["collections"] == [
        {"id": coll, "name": "Care"}
    ]
    out = ann.client.request(
        "DELETE",
        f"{API}/collections/{coll}/credentials",
        json={"credentials": [cid]},
        headers=ann.h,
    )
    assert out.json() == {"changed": 1}
    assert ann.client.delete(f"{API}/collections/{coll}", headers=ann.h).status_code == 204
    assert ann.client.get(f"{API}/collections").json()["items"] == []
    assert ann.client.get(f"{API}/credentials").json()["total"] == 1  # credentials stay


def test_timeline_expiring_and_skills(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    events = ann.client.get(f"{API}/timeline").json()["events"]
    assert [(e["kind"], e["credential_id"]) for e in events] == [("issued", cid), ("expires", cid)]
    assert ann.client.get(f"{API}/expiring", params={"days": 30}).json()["items"] == []
    soon = ann.client.get(f"{API}/expiring", params={"days": 800}).json()
    assert soon["items"][0]["credential_id"] == cid and soon["items"][0]["days_left"] > 700
    assert ann.client.get(f"{API}/expiring", params={"days": -1}).status_code == 400
    assert ann.client.get(f"{API}/expiring", params={"days": "soon"}).status_code == 400
    skills = ann.client.get(f"{API}/skills").json()
    assert skills["have"] == [ESCO_CPR]
    assert skills["skills"][0]["credentials"] == [cid]


# ---- export, transcript, presentation -----------------------------------------------------
def test_export_and_transcript(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    reply = ann.client.get(f"{API}/export")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/zip"
    assert reply.headers["content-disposition"].startswith("attachment; filename=")
    zf = zipfile.ZipFile(io.BytesIO(reply.content))
    manifest = json.loads(zf.read("manifest.json"))
    assert [c["id"] for c in manifest["credentials"]] == [cid]
    clr = json.loads(zf.read("transcript.clr.json"))
    assert "ClrCredential" in clr["type"] and clr["proof"]
    transcript = ann.client.post(f"{API}/transcript", json={"credentials": [cid]}, headers=ann.h)
    assert transcript.status_code == 200, transcript.text
    body = transcript.json()
    assert body["credentialSubject"]["id"] == ann.did
    from microcred.issuing.public import LocalFirstFetch
    from microcred.vc.verifier import verify_credential

    report = verify_credential(
        body, fetch=LocalFirstFetch(app.state.engine, app.state.issuing, None)
    )
    assert {c.name: c.status for c in report.checks}["proof"] == "passed", report.to_json()
    none = ann.client.post(f"{API}/transcript", json={"credentials": []}, headers=ann.h)
    assert none.status_code == 400


def test_presentation_verifies_for_its_challenge_and_domain(
    app: Any, ann: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    reply = ann.client.post(
        f"{API}/presentations",
        json={"credentials": [cid], "challenge": "n-1", "domain": "jobs.example"},
        headers=ann.h,
    )
    assert reply.status_code == 200, reply.text
    vp = reply.json()
    assert vp["holder"] == ann.did
    from microcred.issuing.public import LocalFirstFetch

    fetch = LocalFirstFetch(app.state.engine, app.state.issuing, None)
    now = datetime.now(UTC)
    ok = verify_presentation(vp, challenge="n-1", domain="jobs.example", now=now, fetch=fetch)
    assert ok.verdict == "verified", ok.to_json()
    other = verify_presentation(vp, challenge="n-1", domain="evil.example", now=now, fetch=fetch)
    assert other.verdict == "failed"
    naive = ann.client.post(
        f"{API}/presentations",
        json={"credentials": [cid], "challenge": "c", "domain": "d", "expires": "2030-01-01T00:00"},
        headers=ann.h,
    )
    assert naive.status_code == 400 and "expires" in naive.json()["detail"]
    past = ann.client.post(
        f"{API}/presentations",
        json={
            "credentials": [cid],
            "challenge": "c",
            "domain": "d",
            "expires": "2020-01-01T00:00:00Z",
        },
        headers=ann.h,
    )
    assert past.status_code == 400 and "expired" in past.json()["detail"]


# ---- share links --------------------------------------------------------------------------
def test_share_links_through_the_api(app: Any, ann: Learner, issuer: Any) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    made = ann.client.post(
        f"{API}/shares",
        json={
            "target_kind": "credential",
            "target_id": cid,
            "label": "for Acme",
            "show_name": True,
        },
        headers=ann.h,
    )
    assert made.status_code == 201, made.text
    share = made.json()
    base = app.state.issuing.base_url
    assert share["url"].startswith(f"{base}/s/") and share["state"] == "active"
    token = share["url"].rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, URL-safe: 256 bits (>= 128 required)
    listed = ann.client.get(f"{API}/shares").json()["items"]
    assert [s["id"] for s in listed] == [share["id"]] and "url" not in listed[0]
    assert token not in json.dumps(listed)
    past = ann.client.post(
        f"{API}/shares",
        json={"target_kind": "credential", "target_id": cid, "expires_at": "2020-01-01T00:00:00Z"},
        headers=ann.h,
    )
    assert past.status_code == 400 and "expires_at" in past.json()["detail"]
    kind = ann.client.post(
        f"{API}/shares", json={"target_kind": "program", "target_id": cid}, headers=ann.h
    )
    assert kind.status_code == 400 and "target_kind" in kind.json()["detail"]
    revoked = ann.client.delete(f"{API}/shares/{share['id']}", headers=ann.h)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"


# ---- isolation ----------------------------------------------------------------------------
def test_another_learners_ids_are_404_everywhere(
    app: Any, ann: Learner, bob: Learner, issuer: Any
) -> None:
    _, doc, _ = issue(app, issuer, ann.email)
    cid = add(ann, doc)
    coll = ann.client.post(f"{API}/collections", json={"name": "Ann's"}, headers=ann.h).json()["id"]
    ann.client.post(
        f"{API}/collections/{coll}/credentials", json={"credentials": [cid]}, headers=ann.h
    )
    share = ann.client.post(
        f"{API}/shares", json={"target_kind": "credential", "target_id": cid}, headers=ann.h
    ).json()["id"]
    _, bob_doc, _ = issue(app, issuer, bob.email)
    bob_cid = add(bob, bob_doc)
    bob_coll = bob.client.post(f"{API}/collections", json={"name": "Bob's"}, headers=bob.h).json()[
        "id"
    ]

    b = bob.client
    calls = [
        ("GET", f"/credentials/{cid}", None),
        ("GET", f"/credentials/{cid}/original", None),
        ("POST", f"/credentials/{cid}/recheck", None),
        ("PUT", f"/credentials/{cid}/tags", {"tags": ["mine"]}),
        ("PUT", f"/credentials/{cid}/note", {"note": "mine"}),
        ("DELETE", f"/credentials/{cid}", None),
        ("GET", "/credentials?collection=" + coll, None),
        ("PATCH", f"/collections/{coll}", {"name": "Taken"}),
        ("POST", f"/collections/{coll}/credentials", {"credentials": [bob_cid]}),
        ("DELETE", f"/collections/{coll}/credentials", {"credentials": [cid]}),
        ("POST", f"/collections/{bob_coll}/credentials", {"credentials": [cid]}),
        ("DELETE", f"/collections/{bob_coll}/credentials", {"credentials": [cid]}),
        ("DELETE", f"/collections/{coll}", None),
        ("POST", "/transcript", {"credentials": [cid]}),
        ("POST", "/transcript", {"credentials": [bob_cid, cid]}),
        ("POST", "/presentations", {"credentials": [cid], "challenge": "c", "domain": "d"}),
        (
            "POST",
            "/presentations",
            {"credentials": [bob_cid, cid], "challenge": "c", "domain": "d"},
        ),
        ("POST", "/shares", {"target_kind": "credential", "target_id": cid}),
        ("POST", "/shares", {"target_kind": "collection", "target_id": coll}),
        ("DELETE", f"/shares/{share}", None),
    ]
    for method, path, body in calls:
        reply = b.request(method, API + path, json=body, headers=bob.h)
        assert reply.status_code == 404, (method, path, reply.status_code, reply.text)
        assert reply.json()["code"] == "not_found"
        assert "Ann" not in reply.text and "Basic Life Support" not in reply.text
    # the same answer as for ids that never existed
    assert b.get(f"{API}/credentials/{'0' * 8}-0000-4000-8000-{'0' * 12}").status_code == 404
    # lists and views hold only Bob's
    assert [c["id"] for c in b.get(f"{API}/credentials").json()["items"]] == [bob_cid]
    assert [c["id"] for c in b.get(f"{API}/collections").json()["items"]] == [bob_coll]
    assert b.get(f"{API}/shares").json()["items"] == []
    assert {e["credential_id"] for e in b.get(f"{API}/timeline").json()["events"]} == {bob_cid}
    assert b.get(f"{API}/skills").json()["skills"][0]["credentials"] == [bob_cid]
    zf = zipfile.ZipFile(io.BytesIO(b.get(f"{API}/export").content))
    assert [c["id"] for c in json.loads(zf.read("manifest.json"))["credentials"]] == [bob_cid]
    assert all(bob_cid[:8] in n for n in zf.namelist() if n.startswith("credentials/"))
    # Ann's things are untouched
    mine = ann.client.get(f"{API}/credentials/{cid}").json()
    assert mine["tags"] == [] and mine["note"] is None
    assert mine["collections"] == [{"id": coll, "name": "Ann's"}]
    assert ann.client.get(f"{API}/shares").json()["items"][0]["state"] == "active"


# ---- OpenAPI ------------------------------------------------------------------------------
def test_openapi_documents_the_wallet(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        "/api/v1/wallet/credentials": {"get", "post"},
        "/api/v1/wallet/credentials/{credential_id}": {"get", "delete"},
        "/api/v1/wallet/credentials/{credential_id}/recheck": {"post"},
        "/api/v1/wallet/credentials/{credential_id}/original": {"get"},
        "/api/v1/wallet/credentials/{credential_id}/tags": {"put"},
        "/api/v1/wallet/credentials/{credential_id}/note": {"put"},
        "/api/v1/wallet/collections": {"get", "post"},
        "/api/v1/wallet/collections/{collection_id}": {"patch", "delete"},
        "/api/v1/wallet/collections/{collection_id}/credentials": {"post", "delete"},
        "/api/v1/wallet/timeline": {"get"},
        "/api/v1/wallet/expiring": {"get"},
        "/api/v1/wallet/skills": {"get"},
        "/api/v1/wallet/export": {"get"},
        "/api/v1/wallet/transcript": {"post"},
        "/api/v1/wallet/shares": {"get", "post"},
        "/api/v1/wallet/shares/{share_id}": {"delete"},
        "/api/v1/wallet/presentations": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert "/s/{token}" not in paths  # the public page is a page
    post = paths["/api/v1/wallet/credentials"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"400", "401", "403", "404", "413"} <= set(post["responses"])
    assert "ShareCreated" in spec["components"]["schemas"]


# ---- the advisor counts the wallet's skills when asked ------------------------------------
def test_advise_can_use_the_wallets_skills(app: Any, client: Any, ann: Learner) -> None:
    from tests.web.advice_programs import ESCO_PY, import_advice_catalog

    import_advice_catalog(app.state.engine)
    python = {
        "name": "Python Basics",
        "description": "Python for data work.",
        "criteria": "Pass the exam.",
        "alignment": [{"targetName": "Python", "targetUrl": ESCO_PY, "targetFramework": "ESCO"}],
    }
    _, doc, _ = issue(app, make_issuer(app, python, slug="py-school"), ann.email)
    add(ann, doc)
    ask = {"goal": "data scientist", "learner": {"jurisdiction": "US", "tax_year": 2026}}

    def gap(who: Any, **extra: Any) -> set[str]:
        reply = who.post("/api/v1/advise", json={**ask, **extra})
        assert reply.status_code == 200, reply.text
        return {g["uri"] for g in reply.json()["gap"]}

    assert ESCO_PY in gap(ann.client)
    assert ESCO_PY not in gap(ann.client, use_wallet=True)
    assert ESCO_PY in gap(client, use_wallet=True)  # no session: nothing to add
    page = ann.client.get("/advisor", params={"goal": "data scientist", "use_wallet": "1"})
    assert page.status_code == 200 and 'name="use_wallet" value="1" checked' in page.text
    assert "Python" in page.text.split("Counted as yours")[1].split("</p>")[0]
    assert 'name="use_wallet"' not in client.get("/advisor").text
