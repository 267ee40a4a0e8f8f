"""Sharing pieces: the LinkedIn link, QR codes, the PDF certificate, Open Graph tags, badge SVG."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import defusedxml.ElementTree as DET
import pytest
import segno
from PIL import Image

from microcred.issuing import sharing
from microcred.issuing.sharing import (
    achievement_facts,
    achievement_skills,
    badge_svg,
    certificate_html,
    certificate_pdf,
    html_to_pdf,
    linkedin_add_url,
    open_graph_tags,
    qr_png,
    qr_svg,
)
from microcred.vc.baking import bake_svg, unbake_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
PAGE = "https://credentials.example.edu/credentials/3f2a9c1e-8b7d-4e0a-9a51-6c2f0d1b7e44"
CRED_ID = "urn:uuid:3f2a9c1e-8b7d-4e0a-9a51-6c2f0d1b7e44"
# A 1x1 red PNG.
PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAF"
    "BQIAX8jx0gAAAABJRU5ErkJggg=="
)

ACHIEVEMENT = {
    "type": ["Achievement"],
    "name": "Data Analysis with Python",
    "description": "Learners clean, explore and visualise real data sets.",
    "criteria": {"narrative": "Pass the final project."},
    "image": {"id": "https://images.example.org/badge.png"},
    "alignment": [
        {"type": ["Alignment"], "targetName": "Data cleaning", "targetUrl": "https://x.example/1"},
        {"type": ["Alignment"], "targetName": "Data visualisation", "targetUrl": "https://x/2"},
    ],
    "euMicroCredential": {
        "workloadHours": 50,
        "ects": 2.0,
        "eqfLevel": 5,
        "assessmentType": "Supervised online exam",
        "participationForm": "Online",
    },
}


def _cert_args(**changes: object) -> dict[str, object]:
    args: dict[str, object] = {
        "credential": {"id": CRED_ID},
        "page_url": PAGE,
        "issuer_name": "Example University",
        "recipient_name": "Zoë Müller-Dubois",
        "achievement": ACHIEVEMENT,
        "issued": datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
        "expires": datetime(2028, 3, 14, tzinfo=UTC),
        "verified_note": "Verified on 14 March 2025.",
    }
    args.update(changes)
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} (Debian poppler-utils) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        [_tool("pdftotext"), "-q", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any socket connection or name lookup is recorded and refused."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


# --- LinkedIn ---------------------------------------------------------------------------------


def _query(url: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    return parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)


def test_linkedin_every_parameter_round_trips() -> None:
    url = linkedin_add_url(
        name="Données & Analyse: niveau 2",
        organization_name="École Polytechnique & Co",
        issued=datetime(2025, 3, 14, tzinfo=UTC),
        expires=datetime(2027, 11, 1, tzinfo=UTC),
        cert_url="https://example.edu/credentials/abc?x=1&y=2",
        cert_id=CRED_ID,
    )
    assert _query(url) == [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", "Données & Analyse: niveau 2"),
        ("organizationName", "École Polytechnique & Co"),
        ("issueYear", "2025"),
        ("issueMonth", "3"),
        ("expirationYear", "2027"),
        ("expirationMonth", "11"),
        ("certUrl", "https://example.edu/credentials/abc?x=1&y=2"),
        ("certId", CRED_ID),
    ]
    query = urlsplit(url).query
    # Percent-encoding throughout: spaces as %20 (not +), & and é and / encoded.
    assert "name=Donn%C3%A9es%20%26%20Analyse%3A%20niveau%202&" in query
    assert "certUrl=https%3A%2F%2Fexample.edu%2Fcredentials%2Fabc%3Fx%3D1%26y%3D2&" in query
    assert "+" not in query and " " not in query
    assert query.count("&") == 8


def test_linkedin_prefers_organization_id_and_omits_expiry() -> None:
    url = linkedin_add_url(
        name="Course",
        organization_name="Ignored when an id is given",
        organization_id=1337,
        issued=datetime(2024, 1, 31, tzinfo=UTC),
        expires=None,
        cert_url=PAGE,
        cert_id="42",
    )
    params = dict(_query(url))
    assert params["organizationId"] == "1337"
    assert "organizationName" not in params
    assert not {"expirationYear", "expirationMonth"} & params.keys()
    assert (params["issueYear"], params["issueMonth"]) == ("2024", "1")
    assert list(params)[0] == "startTask"


def test_linkedin_month_is_taken_in_utc_and_an_organisation_is_required() -> None:
    late = datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))  # 2024-12-31 UTC
    params = dict(
        _query(
            linkedin_add_url(
                name="n",
                organization_name="o",
                issued=late,
                expires=None,
                cert_url="u",
                cert_id="i",
            )
        )
    )
    assert (params["issueYear"], params["issueMonth"]) == ("2024", "12")
    with pytest.raises(ValueError, match="organization"):
        linkedin_add_url(
            name="n", issued=late, expires=None, cert_url="u", cert_id="i", organization_id=" "
        )


# --- QR codes ---------------------------------------------------------------------------------


def _expected_qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error="m", boost_error=False)


def test_qr_png_carries_exactly_the_matrix_for_the_url() -> None:
    expected = _expected_qr(PAGE)
    assert expected.designator.endswith("-M") and not expected.is_micro
    modules = expected.symbol_size(scale=1, border=0)[0]
    image = Image.open(io.BytesIO(qr_png(PAGE)))
    assert image.format == "PNG"
    assert image.size == ((modules + 8) * 8,) * 2  # 4-module quiet zone, 8 px per module
    gray = image.convert("L")
    seen = [
        tuple(gray.getpixel(((4 + col) * 8 + 4, (4 + row) * 8 + 4)) < 128 for col in range(modules))
        for row in range(modules)
    ]
    assert seen == [tuple(bool(v) for v in row) for row in expected.matrix]
    # The quiet zone is light.
    assert all(gray.getpixel((x, 3)) > 128 for x in range(image.size[0]))
    # Another URL gives another code.
    assert _expected_qr(PAGE + "x").matrix != expected.matrix


def test_qr_svg_is_well_formed_and_sized_for_the_url() -> None:
    svg = qr_svg(PAGE)
    root = DET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    modules = _expected_qr(PAGE).symbol_size(scale=1, border=0)[0]
    side = str((modules + 8) * 8)
    assert (root.get("width"), root.get("height")) == (side, side)
    assert root.find(f"{SVG_NS}title").text == PAGE
    # Same bytes as segno writes for that matrix with our settings.
    out = io.BytesIO()
    _expected_qr(PAGE).save(out, kind="svg", scale=8, border=4, xmldecl=False, title=PAGE)
    assert svg == out.getvalue().decode()


# --- The certificate --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return certificate_pdf(**_cert_args())  # type: ignore[arg-type]


def test_certificate_pdf_carries_the_facts(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    text = " ".join(_pdf_text(pdf).split())
    for expected in (
        "Example University",
        "certifies that",
        "Zoë Müller-Dubois",
        "Data Analysis with Python",
        "Learners clean, explore and visualise real data sets.",
        "Workload: 50 hours",
        "Credits: 2 ECTS",
        "EQF level: 5",
        "Assessment: Supervised online exam",
        "Participation: Online",
        "Data cleaning",
        "Data visualisation",
        "14 March 2025",
        "14 March 2028",
        CRED_ID,
        "Verified on 14 March 2025.",
    ):
        assert expected in text
    assert "".join(text.split()).count(PAGE) == 1  # the URL printed under the QR code


def test_certificate_is_one_a4_landscape_page(pdf: bytes) -> None:
    info = subprocess.run(
        [_tool("pdfinfo"), "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Pages:           1" in info
    assert "841.89 x 595.276 pts (A4)" in info
    assert "Title:           Data Analysis with Python — Example University" in info


def test_hidden_name_and_no_expiry() -> None:
    html = certificate_html(**_cert_args(recipient_name=None, expires=None))  # type: ignore[arg-type]
    assert "the holder of this credential" in html
    assert "Zoë" not in html
    assert "Valid until" not in html


def test_certificate_html_escapes_everything() -> None:
    evil = "<script>alert(1)</script>"
    html = certificate_html(
        **_cert_args(  # type: ignore[arg-type]
            recipient_name=evil + "r",
            issuer_name=evil + "i",
            achievement={**ACHIEVEMENT, "name": evil + "n", "alignment": [{"targetName": evil}]},
            credential={"id": evil},
            verified_note=evil,
            page_url=PAGE + "?<b>",
        )
    )
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;r" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;n" in html
    assert "?<b>" not in html and PAGE + "?&lt;b&gt;" in html


def test_https_image_is_never_fetched(monkeypatch: pytest.MonkeyPatch, no_network: list) -> None:
    refused: list[str] = []
    original = sharing._data_only_fetcher
    monkeypatch.setattr(sharing, "_data_only_fetcher", lambda _: original(refused.append))
    html = certificate_html(**_cert_args())  # type: ignore[arg-type]
    assert "images.example.org" not in html  # only data: images reach the template
    pdf = certificate_pdf(**_cert_args())  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF-")
    assert no_network == [] and refused == []


def test_the_fetcher_refuses_everything_but_data_urls(no_network: list, tmp_path: Path) -> None:
    nested = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 4'%3E"
        "%3Cimage href='https://nested.example/x.png' width='4' height='4'/%3E%3C/svg%3E"
    )
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="https://css.example/x.css">
      <style>@import url("http://import.example/y.css");
        @font-face {{ font-family: X; src: url(https://font.example/x.woff2); }}
        body {{ font-family: X; background: url(ftp://ftp.example/bg.png); }}</style>
      </head><body><p>Hello</p>
      <img src="https://image.example/a.png"><img src="http://image.example/b.png">
      <img src="file:///etc/passwd"><img src="{nested}"><img src="{PNG_1PX}">
      </body></html>"""
    refused: list[str] = []
    pdf = html_to_pdf(html, on_refused=refused.append)
    assert pdf.startswith(b"%PDF-")
    assert no_network == []
    assert set(refused) >= {
        "https://css.example/x.css",
        "http://import.example/y.css",
        "https://font.example/x.woff2",
        "ftp://ftp.example/bg.png",
        "https://image.example/a.png",
        "http://image.example/b.png",
        "file:///etc/passwd",
        "https://nested.example/x.png",
    }
    assert not any(url.startswith("data:") for url in refused)
    path = tmp_path / "fetch.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        [_tool("pdfimages"), "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert [row[3:5] for row in rows if row[2] == "image"] == [["1", "1"]]  # the data: PNG only


def test_a_data_image_is_used_in_place_of_the_generated_badge() -> None:
    with_data = certificate_html(**_cert_args(achievement={**ACHIEVEMENT, "image": PNG_1PX}))  # type: ignore[arg-type]
    assert f'<img src="{PNG_1PX}"' in with_data
    without = certificate_html(**_cert_args())  # type: ignore[arg-type]
    assert "<img" not in without and 'aria-label="Data Analysis with Python' in without


# --- Reading achievements ---------------------------------------------------------------------


def test_facts_from_top_level_or_nested_keys() -> None:
    nested = achievement_facts(ACHIEVEMENT)
    top = achievement_facts({"name": "x", **ACHIEVEMENT["euMicroCredential"]})  # type: ignore[dict-item]
    assert (
        nested
        == top
        == [
            ("Workload", "50 hours"),
            ("Credits", "2 ECTS"),
            ("EQF level", "5"),
            ("Assessment", "Supervised online exam"),
            ("Participation", "Online"),
        ]
    )
    assert achievement_facts({"creditsAvailable": 3.5}) == [("Credits", "3.5")]
    assert achievement_facts({"ects": 1, "creditsAvailable": 3}) == [("Credits", "1 ECTS")]


@pytest.mark.parametrize(
    "achievement",
    [
        {},
        {"euMicroCredential": "not an object", "alignment": "nor a list"},
        {"eqfLevel": {"prefLabel": {"de": "Stufe 6"}}, "alignment": [None, 3, {"targetName": ""}]},
        {"assessmentType": [{"id": "http://x/a"}, "Oral"], "qualityAssurance": True},
        {"workloadHours": None, "ects": [], "alignment": {"targetName": "Single"}},
    ],
)
def test_odd_shapes_never_raise(achievement: dict[str, object]) -> None:
    achievement_facts(achievement)
    achievement_skills(achievement)
    certificate_html(**_cert_args(achievement=achievement))  # type: ignore[arg-type]


def test_concepts_and_language_maps_are_read() -> None:
    facts = dict(
        achievement_facts(
            {
                "eqfLevel": {"prefLabel": {"de": "Stufe 6", "en": "Level 6"}},
                "assessmentType": [{"id": "http://x/a"}, "Oral"],
            }
        )
    )
    assert facts == {"EQF level": "Level 6", "Assessment": "http://x/a; Oral"}
    assert achievement_skills({"alignment": {"targetName": "Single"}}) == ["Single"]


# --- Open Graph -------------------------------------------------------------------------------


def test_open_graph_tags() -> None:
    tags = open_graph_tags(
        title="Data Analysis — Example University",
        description="word " * 100,
        page_url=PAGE,
        image_url="https://example.edu/badge.png",
    )
    as_dict = dict(tags)
    assert len(as_dict) == len(tags)
    assert as_dict["og:type"] == "website"
    assert as_dict["og:url"] == PAGE
    assert as_dict["og:image"] == "https://example.edu/badge.png"
    assert as_dict["twitter:card"] == "summary"
    assert as_dict["og:site_name"] == "microcred"
    assert len(as_dict["og:description"]) <= 200 and as_dict["og:description"].endswith("word…")
    short = dict(open_graph_tags(title="t", description=" a  b ", page_url=PAGE, image_url=None))
    assert short["og:description"] == "a b" and "og:image" not in short
    data = dict(open_graph_tags(title="t", description="d", page_url=PAGE, image_url=PNG_1PX))
    assert "og:image" not in data


# --- The generated badge ----------------------------------------------------------------------


def test_badge_svg_escapes_and_parses() -> None:
    name = '<script>alert("x")</script> & Ünïcode\x00 name that wraps over several lines for sure'
    svg = badge_svg(name=name, issuer="A & B <University>")
    root = DET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert not list(root.iter(f"{SVG_NS}script")) and "<script" not in svg
    texts = root.findall(f".//{SVG_NS}text")
    lines = [t.text for t in texts[0].findall(f"{SVG_NS}tspan")]
    assert 1 <= len(lines) <= 3 and "".join(lines).startswith('<script>alert("x")</script>')
    assert lines[-1].endswith("…")
    assert texts[1].text == "A & B <University>"
    assert root.find(f"{SVG_NS}title").text == name.replace("\x00", "")


def test_badge_svg_short_name_and_colour() -> None:
    root = DET.fromstring(badge_svg(name="Python", issuer="X", color="#0a0"))
    assert [t.text for t in root.iter(f"{SVG_NS}tspan")] == ["Python"]
    assert root.find(f"{SVG_NS}circle").get("fill") == "#0a0"
    for colour in ("red", "#12345", '#fff" onload="x', "url(#a)"):
        with pytest.raises(ValueError):
            badge_svg(name="n", issuer="i", color=colour)


def test_badge_svg_can_be_baked() -> None:
    payload = {"id": CRED_ID, "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    baked = bake_svg(badge_svg(name="Data & <Analysis>", issuer="Example"), payload)
    assert CRED_ID in unbake_svg(baked)
