"""The API documentation works offline: /docs loads Swagger UI from the app itself."""

from __future__ import annotations

import re


def test_docs_page_loads_nothing_from_outside(client):
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert urls, "the page should load its script and style"
    for url in urls:
        assert url.startswith("/"), f"{url} is not served by the app"
        assert client.get(url).status_code == 200, url


def test_openapi_lists_both_verify_endpoints(client):
    spec = client.get("/openapi.json").json()
    assert "/credentials/verify" in spec["paths"] and "/verify" in spec["paths"]


def test_demo_samples_are_offered_and_verify_as_described(client):
    page = client.get("/verify")
    assert "valid-badge.png" in page.text
    expected = {
        "valid-badge.png": "verified",
        "tampered-badge.json": "failed",
        "expired-certificate.json": "failed",
        "credential.jwt": "verified",
    }
    for name, verdict in expected.items():
        sample = client.get(f"/demo/samples/{name}")
        assert sample.status_code == 200
        reply = client.post("/verify", files={"file": (name, sample.content)})
        assert reply.json()["reports"][0]["verdict"] == verdict, name
    assert client.get("/demo/samples/nope.json").status_code == 404


def test_curl_data_binary_without_a_content_type_is_taken_as_the_input(client, make_badge):
    import json

    body = json.dumps(make_badge()).encode()
    reply = client.post(
        "/verify", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["reports"][0]["verdict"] == "verified"
    form = client.post("/verify", data={"text": body.decode()})
    assert form.json()["reports"][0]["verdict"] == "verified"
