"""The HTTP API through the in-process ASGI client: shapes, status codes, never a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from microcred.vc.baking import bake_png
from microcred.web import create_app

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
UPLOAD_LIMIT = 200_000  # conftest's settings.upload_max_bytes
Badge = Callable[..., dict[str, Any]]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert body["detail"]
    return body


def tampered(doc: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(doc))
    changed["name"] = "Advanced Data Science (forged)"
    return changed


# --- pages and plumbing --------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_root_redirects_to_verify(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/verify"


def test_verify_page(client: TestClient) -> None:
    response = client.get("/verify")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    for field in ("file", "text", "url"):
        assert re.search(rf'<label[^>]+for="{field}"', page), f"no label for {field}"
    assert 'aria-live="polite"' in page
    # nothing loaded from elsewhere: every src/href is local (or a data: URL)
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith(("/", "#", "data:")), ref
    for asset in re.findall(r'(?:src|href)="(/static/[^"?]*)', page):
        assert client.get(asset).status_code == 200


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/credentials/verify", "/verify", "/healthz"} <= schema["paths"].keys()
    assert client.get("/docs").status_code == 200


def test_unknown_api_path_is_a_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/nowhere"), 404)
    assert "/nowhere" in body["detail"]


def test_unknown_page_is_html_for_browsers(client: TestClient) -> None:
    response = client.get("/nowhere", headers={"Accept": "text/html,*/*"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is nothing at /nowhere." in response.text


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    assert_problem(client.get("/credentials/verify"), 405)


def test_unexpected_error_is_a_500_problem_without_details(app: Any, make_client: Any) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with make_client(app, raise_server_exceptions=False) as client:
        body = assert_problem(client.get("/boom"), 500)
    assert "secret" not in json.dumps(body)


# --- POST /credentials/verify (W3C VC API) ----------------------------------------------------


@pytest.mark.parametrize(
    "content, words",
    [
        (b"not json at all", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b"[1, 2, 3]", "verifiableCredential"),
        (b'{"credential": {}}', "verifiableCredential"),
        (b'{"verifiableCredential": "eyJhbGciOi.x.y"}', "must be a JSON object"),
        (b'{"verifiableCredential": {}, "options": []}', "options"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_vc_api_malformed_requests(client: TestClient, content: bytes, words: str) -> None:
    response = client.post(
        "/credentials/verify", content=content, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert words in body["detail"]


def test_vc_api_verified(client: TestClient, make_badge: Badge) -> None:
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": make_badge(), "options": {}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is True
    assert "proof" in body["checks"]
    assert body["errors"] == []
    assert isinstance(body["warnings"], list)


def test_vc_api_failed(client: TestClient, make_badge: Badge) -> None:
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": tampered(make_badge())}
    )
    body = assert_problem(response, 400)
    assert body["verified"] is False
    assert body["report"]["verdict"] == "failed"
    assert "proof" in [e["check"] for e in body["errors"]]
    assert all(e["detail"] for e in body["errors"])
    assert "proof" not in body["checks"]


def test_vc_api_unsigned_object_fails_not_crashes(client: TestClient) -> None:
    body = assert_problem(
        client.post("/credentials/verify", json={"verifiableCredential": {"hello": "world"}}), 400
    )
    assert body["verified"] is False


def test_vc_api_indeterminate_says_could_not_check(client: TestClient, make_badge: Badge) -> None:
    status = {
        "id": "https://status.example/lists/1#17",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "17",
        "statusListCredential": "https://status.example/lists/1",
    }
    doc = make_badge(credential_status=status)
    response = client.post("/credentials/verify", json={"verifiableCredential": doc})
    body = assert_problem(response, 400)
    assert body["report"]["verdict"] == "indeterminate"
    assert body["detail"].startswith("could not check")
    assert [e["check"] for e in body["errors"]] == ["status"]
    assert "proof" in body["checks"]


def test_vc_api_enveloped_jwt(client: TestClient, make_badge: Badge, issuer_key: Any) -> None:
    from microcred.vc.vcjwt import sign_vc_jwt

    token = sign_vc_jwt(make_badge(signed=False), issuer_key)
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    response = client.post("/credentials/verify", json={"verifiableCredential": envelope})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True


# --- POST /verify ------------------------------------------------------------------------


def test_verify_pasted_json(client: TestClient, make_badge: Badge) -> None:
    response = client.post("/verify", data={"text": json.dumps(make_badge())})
    assert response.status_code == 200, response.text
    (report,) = response.json()["reports"]
    assert report["verdict"] == "verified"
    assert report["credential"]["name"] == "Data Literacy Foundations"
    assert report["credential"]["issuer_name"] == "Example College"


def test_verify_pasted_jwt(client: TestClient, make_badge: Badge, issuer_key: Any) -> None:
    from microcred.vc.vcjwt import sign_vc_jwt

    token = sign_vc_jwt(make_badge(signed=False), issuer_key)
    response = client.post("/verify", files={"text": (None, token)})
    assert response.status_code == 200, response.text
    assert response.json()["reports"][0]["verdict"] == "verified"


def test_verify_baked_png_upload(client: TestClient, make_badge: Badge, tiny_png: bytes) -> None:
    png = bake_png(tiny_png, json.dumps(make_badge()))
    response = client.post("/verify", files={"file": ("badge.png", png, "image/png")})
    assert response.status_code == 200, response.text
    (report,) = response.json()["reports"]
    assert report["verdict"] == "verified"
    assert "PNG" in report["credential"]["format"]


def test_verify_tampered_upload_reports_failure(client: TestClient, make_badge: Badge) -> None:
    data = json.dumps(tampered(make_badge())).encode()
    response = client.post("/verify", files={"file": ("badge.json", data, "application/json")})
    assert response.status_code == 200
    (report,) = response.json()["reports"]
    assert report["verdict"] == "failed"
    assert {c["name"]: c["status"] for c in report["checks"]}["proof"] == "failed"


def test_verify_json_lines(client: TestClient, make_badge: Badge) -> None:
    lines = "\n".join(json.dumps(d) for d in (make_badge(), tampered(make_badge())))
    response = client.post("/verify", files={"file": ("two.jsonl", lines.encode(), "text/plain")})
    assert [r["verdict"] for r in response.json()["reports"]] == ["verified", "failed"]


def test_verify_raw_body(client: TestClient, make_badge: Badge) -> None:
    response = client.post(
        "/verify", content=json.dumps(make_badge()), headers={"Content-Type": "application/json"}
    )
    assert response.json()["reports"][0]["verdict"] == "verified"


def test_verify_url_through_the_fetcher(
    client: TestClient, make_badge: Badge, fixtures: dict[str, bytes]
) -> None:
    fixtures["https://badges.example.edu/c/1"] = json.dumps(make_badge()).encode()
    response = client.post("/verify", data={"url": "https://badges.example.edu/c/1"})
    assert response.status_code == 200, response.text
    assert response.json()["reports"][0]["verdict"] == "verified"


def test_url_to_private_address_refused_by_the_apps_own_fetcher(
    settings: Any, make_client: Any
) -> None:
    with make_client(create_app(settings)) as client:  # the real, guarded fetcher
        response = client.post("/verify", data={"url": "https://10.0.0.1/credential"})
    body = assert_problem(response, 400)
    assert "https://10.0.0.1/credential" in body["detail"]
    assert "private address" in body["detail"]


def test_url_unreachable_is_400(client: TestClient) -> None:
    body = assert_problem(client.post("/verify", data={"url": "https://badges.example.edu/x"}), 400)
    assert "https://badges.example.edu/x" in body["detail"]


def test_unknown_format_names_accepted_formats(client: TestClient) -> None:
    response = client.post("/verify", files={"file": ("cat.gif", b"GIF89a\x01\x00", "image/gif")})
    body = assert_problem(response, 400)
    assert "PNG or SVG" in body["detail"]
    assert "JWT" in body["detail"]


@pytest.mark.parametrize(
    "form, files, words",
    [
        ({"text": "   "}, None, "(got nothing)"),
        ({"text": "{}", "url": "https://e.org/"}, None, "(got text and url)"),
        ({"colour": "blue"}, None, "Unknown form field 'colour'"),
        ({}, {"file": ("", b"", "application/octet-stream")}, "(got nothing)"),
        ({"url": "https://e.org/"}, {"file": ("a.json", b"{}")}, "(got file and url)"),
    ],
)
def test_verify_form_mistakes(client: TestClient, form: dict, files: Any, words: str) -> None:
    body = assert_problem(client.post("/verify", data=form, files=files), 400)
    assert words in body["detail"]


def test_empty_raw_body(client: TestClient) -> None:
    body = assert_problem(client.post("/verify"), 400)
    assert "empty" in body["detail"]


def test_empty_multipart_form(client: TestClient) -> None:
    response = client.post(
        "/verify",
        content=b"--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    body = assert_problem(response, 400)
    assert "exactly one of file, text or url" in body["detail"]


def test_bad_pasted_json_says_where(client: TestClient) -> None:
    body = assert_problem(client.post("/verify", data={"text": '{"a": 1,,}'}), 400)
    assert "line 1" in body["detail"]


def test_large_pasted_text_under_the_cap_is_read(client: TestClient) -> None:
    # larger than the form parser's default part size (1 MB) would be, under our cap
    text = json.dumps({"padding": "x" * (UPLOAD_LIMIT - 1_000)})
    response = client.post("/verify", data={"text": text})
    assert response.status_code == 200
    assert response.json()["reports"][0]["verdict"] == "failed"


# --- the body cap ----------------------------------------------------------------------------


def test_upload_over_the_cap_is_413(client: TestClient) -> None:
    big = b"x" * (UPLOAD_LIMIT + 1)
    body = assert_problem(client.post("/verify", files={"file": ("big.png", big)}), 413)
    assert f"{UPLOAD_LIMIT:,} bytes" in body["detail"]


@pytest.mark.parametrize("path", ["/verify", "/credentials/verify"])
def test_chunked_body_over_the_cap_is_413(client: TestClient, path: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"{" * (UPLOAD_LIMIT // 4)

    response = client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


def test_chunked_multipart_over_the_cap_is_413(client: TestClient) -> None:
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(5):
            yield b"x" * (UPLOAD_LIMIT // 4)
        yield b"\r\n--b--\r\n"

    response = client.post(
        "/verify", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert_problem(response, 413)


# --- never a 500 -----------------------------------------------------------------------------

FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=2_000))
def test_any_bytes_never_500(client: TestClient, data: bytes) -> None:
    response = client.post("/verify", files={"file": ("x", data)})
    assert response.status_code in (200, 400), response.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(value=json_values)
def test_any_json_never_500(client: TestClient, value: Any) -> None:
    for body in (value, {"verifiableCredential": value}):
        response = client.post("/credentials/verify", json=body)
        assert response.status_code in (200, 400), response.text
