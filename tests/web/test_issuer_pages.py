"""The issuer's public side through the app: DID document, profile, status lists with cache
headers, the credential page (verification state, Open Graph, LinkedIn only while valid,
escaping) and every download."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from microcred.issuing import achievements, awards, orgs, status
from microcred.store.db import session_scope
from microcred.vc.verifier import verify_bytes

ACH = {
    "name": "Project Management Essentials",
    "description": "Plans and runs small projects.",
    "criteria": "Pass the case-study assessment.",
    "workloadHours": 40,
    "eqfLevel": 5,
    "alignment": [
        {
            "targetName": "manage projects",
            "targetFramework": "ESCO",
            "targetUrl": "http://data.europa.eu/esco/skill/project-management",
        }
    ],
}


@pytest.fixture
def issued(app, client):
    engine, ctx = app.state.engine, app.state.issuing
    with session_scope(engine) as s:
        org = orgs.create_organisation(
            s, ctx, slug="acme", name="Acme <script>alert(1)</script> Ltd"
        )
        ach = achievements.create_achievement(s, org, ACH)
        out = awards.issue_award(
            s,
            ctx,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email="ada@example.org", name="Ada"),
        )
        out.credential.show_recipient = True
        return out.credential.id


def _local_fetch(app):
    from microcred.issuing.public import LocalFirstFetch

    return LocalFirstFetch(app.state.engine, app.state.issuing, None)


def test_page_shows_a_verified_credential_with_og_tags_and_linkedin(client, issued):
    page = client.get(f"/credentials/{issued}", headers={"accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert 'data-verdict="verified"' in html and "Project Management Essentials" in html
    assert '<meta property="og:title"' in html and "Ada" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    link = next(part.split('"')[0] for part in html.split('href="')[1:] if "linkedin.com" in part)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"] and query["certId"] == [issued]
    assert query["name"] == ["Project Management Essentials"]


def test_page_says_who_issued_it_first(client, issued):
    """Our own organisation is in this server's trust registry: the identity level is
    'registered', said in plain words before the details."""
    html = client.get(f"/credentials/{issued}", headers={"accept": "text/html"}).text
    assert 'class="identity" data-level="registered"' in html
    who = html.index('class="identity"')
    assert who < html.index('class="report-main"')
    assert "listed in this server" in html[who : who + 400]
    assert "Acme &lt;script&gt;" in html[who : who + 400]


def test_accept_json_returns_the_credential_itself(client, issued):
    for accept in ("application/vc+ld+json", "application/ld+json"):
        reply = client.get(f"/credentials/{issued}", headers={"accept": accept})
        assert reply.headers["content-type"].startswith("application/vc+ld+json")
        assert reply.json()["id"].endswith(f"/credentials/{issued}")


@pytest.mark.parametrize("fmt", ["json", "jwt", "png", "svg"])
def test_every_download_verifies(app, client, issued, fmt):
    reply = client.get(f"/credentials/{issued}.{fmt}")
    assert reply.status_code == 200 and "attachment" in reply.headers["content-disposition"]
    [report] = verify_bytes(reply.content, filename=f"c.{fmt}", fetch=_local_fetch(app))
    assert report.verdict == "verified", report.to_json()["checks"]


def test_pdf_certificate(client, issued):
    reply = client.get(f"/credentials/{issued}.pdf")
    assert reply.status_code == 200 and reply.content.startswith(b"%PDF")


def test_status_list_has_cache_headers_and_etag(app, client, issued):
    with session_scope(app.state.engine) as s:
        cred = awards.get_credential(s, issued)
        url = cred.document["credentialStatus"][0]["statusListCredential"]
    path = urlsplit(url).path
    first = client.get(path)
    assert first.status_code == 200 and first.headers["cache-control"] == "public, max-age=60"
    again = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    with session_scope(app.state.engine) as s:
        status.change_status(
            s, app.state.issuing, awards.get_credential(s, issued), "revoke", reason="test"
        )
    changed = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


def test_after_revocation_the_page_says_so_and_offers_no_linkedin(app, client, issued):
    with session_scope(app.state.engine) as s:
        status.change_status(
            s,
            app.state.issuing,
            awards.get_credential(s, issued),
            "revoke",
            reason="issued in error",
        )
    html = client.get(f"/credentials/{issued}", headers={"accept": "text/html"}).text
    assert 'data-verdict="failed"' in html and "revoked" in html
    assert "linkedin.com" not in html


def test_did_document_profile_and_context(client, issued):
    assert client.get("/orgs/acme/did.json").json()["verificationMethod"]
    assert client.get("/orgs/acme").json()["type"] == ["Profile"]
    ctx = client.get("/contexts/eu-mc/v1").json()
    assert "eqfLevel" in ctx["@context"]
    assert client.get("/orgs/nope/did.json").status_code == 404


def test_unknown_credential_is_404(client):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000").status_code == 404
    assert (
        json.loads(client.get("/credentials/00000000-0000-4000-8000-000000000000.xml").text)[
            "status"
        ]
        == 404
    )


def test_verifying_one_of_our_credentials_counts_a_verified_event(app, client, issued):
    from sqlalchemy import func, select

    from microcred.store.models import Event

    doc = client.get(f"/credentials/{issued}.json").json()
    assert client.post("/credentials/verify", json={"verifiableCredential": doc}).status_code == 200
    with session_scope(app.state.engine) as s:
        n = s.scalar(select(func.count()).select_from(Event).where(Event.kind == "verified"))
    assert n == 1
