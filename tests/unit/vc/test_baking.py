"""Baking: 1EdTech's baked samples, round trips on images made here, and hostile input."""

from __future__ import annotations

import json
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.vc import baking
from microcred.vc.baking import (
    CLR2_NS,
    LegacyBadge,
    bake,
    bake_png,
    bake_svg,
    read_baked,
    sniff_image,
    unbake,
    unbake_png,
    unbake_svg,
)
from microcred.vc.errors import BakingError

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Teamwork – “quoted” ]]> and <tags>",
}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
SAMPLES = [
    "simple-json.png",
    "simple-jwt.png",
    "simple-jwt_v1.png",
    "simple-json.svg",
    "simple-jwt.svg",
    "simple-jwt_v1.svg",
]


def chunk(ctype: bytes, body: bytes, *, crc: int | None = None) -> bytes:
    crc = zlib.crc32(ctype + body) if crc is None else crc
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def tiny_png(*extra: bytes) -> bytes:
    """A 1×1 grey PNG, with ``extra`` chunks before IEND."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x80")
    return (
        baking.PNG_SIGNATURE
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat)
        + b"".join(extra)
        + chunk(b"IEND", b"")
    )


def chunks_of(png: bytes) -> list[tuple[bytes, bytes]]:
    return baking._read_chunks(png)


SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-x="a>b">\n'
    '  <circle cx="5" cy="5" r="4"/>\n'
    "</svg>\n"
)


# ---- 1EdTech samples ----------------------------------------------------------------------
@pytest.mark.conformance
@pytest.mark.parametrize("name", SAMPLES)
def test_unbake_1edtech_samples(conformance_dir, name):
    data = (conformance_dir / "1edtech-validator-ob30" / name).read_bytes()
    assert sniff_image(data) == name.rsplit(".", 1)[1]
    payload = unbake(data)
    if "json" in name:
        assert json.loads(payload)["type"][0] == "VerifiableCredential"
    else:
        assert len(payload.split(".")) == 3
    assert read_baked(data).standard == "ob3"


@pytest.mark.conformance
@pytest.mark.parametrize("name", SAMPLES)
def test_rebake_1edtech_samples_replaces_the_credential(conformance_dir, name):
    data = (conformance_dir / "1edtech-validator-ob30" / name).read_bytes()
    rebaked = bake(data, CREDENTIAL)
    assert json.loads(unbake(rebaked)) == CREDENTIAL
    assert unbake(bake(rebaked, JWS)) == JWS


# ---- PNG ----------------------------------------------------------------------------------
def test_png_round_trip_json_and_jws():
    png = tiny_png()
    baked = bake_png(png, CREDENTIAL)
    assert json.loads(unbake_png(baked)) == CREDENTIAL
    assert unbake_png(bake_png(png, JWS)) == JWS
    assert unbake(baked) == unbake_png(baked)


def test_png_chunk_layout():
    baked = bake_png(tiny_png(), JWS)
    chunks = chunks_of(baked)  # checks every CRC
    assert [c[0] for c in chunks] == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    body = chunks[2][1]
    assert body == b"openbadgecredential\x00" + b"\x00\x00" + b"\x00" + b"\x00" + JWS.encode()


def test_baking_again_replaces_the_chunk():
    baked = bake_png(bake_png(tiny_png(), CREDENTIAL), JWS)
    itxt = [c for c in chunks_of(baked) if c[0] == b"iTXt"]
    assert len(itxt) == 1
    assert unbake_png(baked) == JWS


def test_other_text_chunks_are_kept():
    png = tiny_png(chunk(b"tEXt", b"Comment\x00hello"))
    baked = bake_png(png, JWS)
    assert (b"tEXt", b"Comment\x00hello") in chunks_of(baked)


def test_clr_keyword():
    baked = bake_png(tiny_png(), JWS, keyword="clrcredential")
    assert unbake_png(baked, keyword="clrcredential") == JWS
    assert unbake(baked) == JWS
    assert read_baked(baked).standard == "clr2"
    assert read_baked(bake(tiny_png(), JWS, standard="clr2")).standard == "clr2"
    with pytest.raises(BakingError, match="no 'openbadgecredential' chunk"):
        unbake_png(baked)


def test_two_chunks_are_an_error():
    itxt = b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode()
    png = tiny_png(chunk(b"iTXt", itxt), chunk(b"iTXt", itxt))
    with pytest.raises(BakingError, match="2 'openbadgecredential' text chunks"):
        unbake_png(png)


def test_compressed_itxt_is_read():
    itxt = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(JWS.encode())
    assert unbake_png(tiny_png(chunk(b"iTXt", itxt))) == JWS
    with pytest.raises(BakingError, match="cut short"):
        unbake_png(tiny_png(chunk(b"iTXt", itxt[:-6])))


@pytest.mark.parametrize("ctype", [b"tEXt", b"iTXt"])
def test_open_badges_2_is_reported(ctype):
    url = b"https://example.org/assertions/1"
    body = b"openbadges\x00" + (url if ctype == b"tEXt" else b"\x00\x00\x00\x00" + url)
    png = tiny_png(chunk(ctype, body))
    assert read_baked(png).standard == "ob2"
    with pytest.raises(LegacyBadge, match="Open Badges 2.0") as info:
        unbake(png)
    assert info.value.payload == url.decode()
    with pytest.raises(LegacyBadge):
        unbake_png(png)


def test_no_badge():
    with pytest.raises(BakingError, match="carries no badge"):
        unbake(tiny_png())


def test_bad_crc_is_named():
    png = tiny_png(chunk(b"tEXt", b"Comment\x00hi", crc=1234))
    with pytest.raises(BakingError, match="bad CRC"):
        unbake(png)
    with pytest.raises(BakingError, match="bad CRC"):
        bake_png(png, JWS)


def test_truncated_png():
    baked = bake_png(tiny_png(), JWS)
    with pytest.raises(BakingError, match="truncated"):
        unbake(baked[:-20])
    with pytest.raises(BakingError, match="truncated"):
        unbake(baked[:-12])  # cut right before IEND


def test_huge_declared_length():
    png = tiny_png()
    hostile = png[:33] + struct.pack(">I", 0xFFFFFFF0) + b"iTXt" + b"x" * 10
    with pytest.raises(BakingError, match="impossible length"):
        unbake(hostile)
    hostile = png[:33] + struct.pack(">I", 2**30) + b"iTXt" + b"x" * 10
    with pytest.raises(BakingError, match="truncated"):
        unbake(hostile)


def test_not_an_image():
    with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
        unbake(b"GIF89a....")
    with pytest.raises(BakingError, match="not a PNG"):
        unbake_png(b"GIF89a....")
    with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
        bake(b"", JWS)


@pytest.mark.parametrize("payload", ["not a credential", "{not json", "[1, 2]", "a.b", 42])
def test_bad_payloads(payload):
    with pytest.raises(BakingError, match="payload"):
        bake_png(tiny_png(), payload)


def test_bad_keyword():
    with pytest.raises(BakingError, match="keyword"):
        bake_png(tiny_png(), JWS, keyword="")


# ---- SVG ----------------------------------------------------------------------------------
def test_svg_round_trip_json():
    baked = bake_svg(SVG, CREDENTIAL)
    text = baked.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text.split("\n")[1]
    assert "<openbadges:credential><![CDATA[" in text
    assert json.loads(unbake_svg(baked)) == CREDENTIAL
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    assert '<circle cx="5" cy="5" r="4"/>' in text  # the rest is untouched


def test_svg_round_trip_jws_and_rebake():
    baked = bake_svg(bake_svg(SVG, CREDENTIAL), JWS)
    text = baked.decode()
    assert f'<openbadges:credential verify="{JWS}"/>' in text
    assert text.count("openbadges:credential") == 1
    assert text.count("xmlns:openbadges") == 1
    assert unbake(baked) == JWS


def test_svg_existing_prefix_is_reused():
    svg = SVG.replace("<svg ", '<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0" ')
    svg = svg.replace("  <circle", '  <ob:credential verify="x.y.z"/>\n  <circle')
    baked = bake_svg(svg, JWS).decode()
    assert f'<ob:credential verify="{JWS}"/>' in baked
    assert "x.y.z" not in baked and "xmlns:openbadges" not in baked


def test_svg_prefix_clash():
    svg = SVG.replace("<svg ", '<svg xmlns:openbadges="http://example.org/other" ')
    baked = bake_svg(svg, JWS).decode()
    assert 'xmlns:openbadges1="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert unbake_svg(baked) == JWS


def test_svg_self_closing_root():
    baked = bake_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert baked.endswith(b"</svg>")
    assert unbake(baked) == JWS


def test_svg_clr():
    baked = bake_svg(SVG, JWS, namespace=CLR2_NS)
    assert b'xmlns:clr="https://purl.imsglobal.org/clr/v2p0"' in baked
    assert b"<clr:credential" in baked
    assert unbake_svg(baked, namespace=CLR2_NS) == JWS
    assert read_baked(baked).standard == "clr2"
    assert read_baked(bake(SVG.encode(), JWS, standard="clr2")).standard == "clr2"


def test_svg_open_badges_2_is_reported():
    svg = SVG.replace("<svg ", '<svg xmlns:openbadges="http://openbadges.org" ')
    svg = svg.replace(
        "  <circle", '  <openbadges:assertion verify="https://e.org/a/1"/>\n  <circle'
    )
    with pytest.raises(LegacyBadge) as info:
        unbake(svg)
    assert info.value.payload == "https://e.org/a/1"


def test_svg_two_credentials():
    cred = '<o:credential verify="a.b.c"/>'
    svg = SVG.replace("<svg ", '<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0" ')
    svg = svg.replace("  <circle", f"{cred}{cred}<circle")
    with pytest.raises(BakingError, match="2 credential elements"):
        unbake_svg(svg)
    assert bake_svg(svg, JWS).count(b"credential verify") == 1


def test_svg_entities_are_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        unbake(bomb)
    with pytest.raises(BakingError, match="entities"):
        bake_svg(bomb, JWS)
    external = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        unbake(external)


def test_svg_malformed_and_not_svg():
    with pytest.raises(BakingError, match="not well-formed"):
        unbake(b"<svg><g></svg>")
    with pytest.raises(BakingError, match="not an SVG"):
        unbake_svg(b"<html><svg/></html>")
    with pytest.raises(BakingError, match="carries no badge"):
        unbake(SVG)


def test_svg_only_utf8_is_baked():
    latin = SVG.replace("UTF-8", "ISO-8859-1").encode("latin-1")
    with pytest.raises(BakingError, match="UTF-8"):
        bake_svg(latin, JWS)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (SVG.encode(), "svg"),
        ("\ufeff  <svg/>", "svg"),
        (b"<!-- c --><svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>", "svg"),
        (b"<html></html>", None),
        (b"{}", None),
        (b"", None),
    ],
)
def test_sniff(data, kind):
    assert sniff_image(data) == kind


# ---- hostile input never escapes as anything but BakingError ------------------------------
def _unbake_or_error(data: bytes) -> None:
    try:
        assert isinstance(unbake(data), str)
    except BakingError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data):
    _unbake_or_error(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_png_signature_then_anything(data):
    _unbake_or_error(baking.PNG_SIGNATURE + data)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255), st.booleans())
def test_mutated_baked_png(position, value, cut):
    baked = bake_png(tiny_png(), CREDENTIAL)
    i = position % len(baked)
    mutated = baked[:i] if cut else baked[:i] + bytes([value]) + baked[i + 1 :]
    _unbake_or_error(mutated)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_svg_ish_text(text):
    _unbake_or_error(("<svg " + text).encode("utf-8", "surrogatepass"))
    try:
        bake_svg("<svg " + text, JWS)
    except BakingError:
        pass
