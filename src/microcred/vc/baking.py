"""Baking: a credential carried inside its badge image (Open Badges 3.0 and CLR 2.0 baking).

PNG
    One ``iTXt`` chunk, keyword ``openbadgecredential`` (CLR 2.0: ``clrcredential``), compression
    flag 0, empty language tag and translated keyword; the text is the credential JSON or the
    compact JWS. Baking again replaces the chunk; it goes just before ``IEND``.
SVG
    ``<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">`` with, right after the start
    tag, ``<openbadges:credential><![CDATA[{…json…}]]></openbadges:credential>`` or
    ``<openbadges:credential verify="<compact JWS>"/>``. CLR 2.0: ``xmlns:clr=
    "https://purl.imsglobal.org/clr/v2p0"`` and ``<clr:credential>``. SVG is parsed with
    defusedxml: entity declarations are refused; a DOCTYPE naming the SVG DTD is read but never
    fetched. Baking edits the bytes in place, so the rest of the document is left as it was.

Open Badges 2.0 images (PNG ``iTXt``/``tEXt`` keyword ``openbadges``; SVG ``<openbadges:assertion>``
in ``http://openbadges.org``) are recognised and reported as such (``LegacyBadge``), not unbaked.

Every problem with the input is a ``BakingError`` with a plain sentence; nothing else escapes.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from microcred.vc.errors import BakingError
from microcred.vc.jsondocs import JSONInputError, loads_strict

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = "openbadgecredential"
CLR2_KEYWORD = "clrcredential"
OB2_KEYWORD = "openbadges"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
CLR2_NS = "https://purl.imsglobal.org/clr/v2p0"
OB2_NS = "http://openbadges.org"

Standard = Literal["ob3", "clr2", "ob2"]
_KEYWORDS: dict[str, Standard] = {OB3_KEYWORD: "ob3", CLR2_KEYWORD: "clr2", OB2_KEYWORD: "ob2"}
_NAMESPACES: dict[str, Standard] = {OB3_NS: "ob3", CLR2_NS: "clr2"}
_PREFIXES = {OB3_NS: "openbadges", CLR2_NS: "clr"}
_STANDARD_NAMES = {"ob3": "Open Badges 3.0", "clr2": "CLR 2.0", "ob2": "Open Badges 2.0"}
_BAKE_TARGETS = {"ob3": (OB3_KEYWORD, OB3_NS), "clr2": (CLR2_KEYWORD, CLR2_NS)}

_MAX_CHUNK = 2**31 - 1  # PNG §5.3: a chunk length is at most 2^31 - 1
_MAX_TEXT = 16 * 1024 * 1024  # a compressed text chunk may not inflate beyond this
_XML_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class LegacyBadge(BakingError):
    """The image carries an Open Badges 2.0 assertion (``payload``: JSON, JWS or a URL)."""

    code = "baking_ob2"

    def __init__(self, user_message: str, *, payload: str):
        super().__init__(user_message)
        self.payload = payload


@dataclass(frozen=True)
class Baked:
    """What an image carries: the payload text, the image format and the standard it follows."""

    payload: str
    image_format: Literal["png", "svg"]
    standard: Standard


# ---- sniffing and the generic verbs -------------------------------------------------------
def sniff_image(data: bytes | str) -> Literal["png", "svg"] | None:
    """``"png"``, ``"svg"`` or None, from the first bytes (never raises)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<(?:[\w.-]+:)?svg[\s>/]", head):
        return "svg"
    return None


def bake(image: bytes, payload: str | dict[str, Any], *, standard: str = "ob3") -> bytes:
    """Bake ``payload`` into a PNG or SVG (sniffed). ``standard``: ``"ob3"`` or ``"clr2"``.

    Raises BakingError (not a PNG/SVG, malformed image, payload neither JSON nor a JWS).
    """
    if standard not in _BAKE_TARGETS:
        raise BakingError(f"cannot bake for {standard!r}: choose 'ob3' or 'clr2'")
    keyword, namespace = _BAKE_TARGETS[standard]
    kind = sniff_image(image)
    if kind == "png":
        return bake_png(image, payload, keyword=keyword)
    if kind == "svg":
        return bake_svg(image, payload, namespace=namespace)
    raise BakingError("the image is neither a PNG nor an SVG, so it cannot be baked")


def read_baked(image: bytes | str) -> Baked:
    """Find the credential in a PNG or SVG: Open Badges 3.0 first, then CLR 2.0, then OB 2.0.

    Raises BakingError (not a PNG/SVG, malformed, nothing baked in, two credentials).
    """
    kind = sniff_image(image)
    if kind == "png" and isinstance(image, bytes):
        found = _png_texts(_read_chunks(image), _KEYWORDS)
        for keyword, standard in _KEYWORDS.items():
            if keyword in found:
                return Baked(_one(found[keyword], f"'{keyword}' text chunks"), "png", standard)
        raise BakingError("this PNG carries no badge: it has no 'openbadgecredential' chunk")
    if kind == "svg":
        root = _parse_svg(_svg_bytes(image))
        for ns, standard in (*_NAMESPACES.items(), (OB2_NS, "ob2")):
            payloads = _svg_payloads(root, ns)
            if payloads:
                return Baked(_one(payloads, "credential elements"), "svg", standard)
        raise BakingError("this SVG carries no badge: it has no <openbadges:credential> element")
    raise BakingError("the file is neither a PNG nor an SVG image")


def unbake(image: bytes | str) -> str:
    """The Open Badges 3.0 or CLR 2.0 credential (JSON text or compact JWS) baked into ``image``.

    Raises LegacyBadge for an Open Badges 2.0 image, BakingError for anything else wrong.
    """
    baked = read_baked(image)
    if baked.standard == "ob2":
        raise _legacy(baked.payload, baked.image_format)
    return baked.payload


def _legacy(payload: str, image_format: str) -> LegacyBadge:
    return LegacyBadge(
        f"this {image_format.upper()} carries an Open Badges 2.0 assertion, not an Open Badges "
        "3.0 credential; Open Badges 2.0 is not verified here",
        payload=payload,
    )


def _one(values: list[str], what: str) -> str:
    if len(values) > 1:
        raise BakingError(f"the image has {len(values)} {what}; a baked badge has exactly one")
    return values[0]


def _payload_text(payload: str | dict[str, Any]) -> tuple[str, bool]:
    """(text, is_jws). JSON is written compactly with ``]]>`` escaped so it can sit in CDATA."""
    if isinstance(payload, dict):
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.replace("]]>", "]]\\u003e"), False
    if not isinstance(payload, str):
        raise BakingError("the payload to bake is a credential (dict or JSON) or a compact JWS")
    text = payload.strip()
    if text.startswith("{"):
        try:
            if not isinstance(loads_strict(text, "the payload to bake"), dict):
                raise ValueError
        except JSONInputError as exc:
            if exc.code == "duplicate_key":
                raise BakingError(str(exc), code="duplicate_key") from None
            raise BakingError("the payload to bake starts with '{' but is no JSON object") from None
        except ValueError:
            raise BakingError("the payload to bake starts with '{' but is no JSON object") from None
        # "]]>" can only occur inside a JSON string, where \u003e means the same ">".
        return text.replace("]]>", "]]\\u003e"), False
    if _JWS.fullmatch(text):
        return text, True
    raise BakingError("the payload to bake is neither a JSON credential nor a compact JWS")


# ---- PNG ----------------------------------------------------------------------------------
def _read_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """[(type, data)] up to and including IEND, checking lengths and CRCs."""
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (the PNG signature is missing)")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise BakingError("the PNG is truncated: it ends before its IEND chunk")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        name = ctype.decode("latin-1")
        if length > _MAX_CHUNK:
            raise BakingError(f"the PNG's {name!r} chunk declares an impossible length ({length})")
        if not re.fullmatch(rb"[A-Za-z]{4}", ctype):
            raise BakingError(f"the PNG has a chunk with an invalid type {ctype!r} at byte {pos}")
        end = pos + 8 + length + 4
        if end > len(data):
            raise BakingError(f"the PNG is truncated: its {name!r} chunk runs past the end")
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(ctype + body) != crc:
            raise BakingError(f"the PNG's {name!r} chunk at byte {pos} is corrupt (bad CRC)")
        if not chunks and ctype != b"IHDR":
            raise BakingError("the PNG does not start with an IHDR chunk")
        chunks.append((ctype, body))
        pos = end
        if ctype == b"IEND":
            return chunks


def _text_chunk(ctype: bytes, body: bytes) -> tuple[str, str] | None:
    """(keyword, text) of a tEXt/zTXt/iTXt chunk, or None for any other chunk."""
    if ctype not in (b"tEXt", b"zTXt", b"iTXt"):
        return None
    keyword, sep, rest = body.partition(b"\x00")
    if not sep:
        raise BakingError(f"the PNG has a malformed {ctype.decode()} chunk (no keyword separator)")
    kw = keyword.decode("latin-1")
    try:
        if ctype == b"tEXt":
            return kw, rest.decode("latin-1")
        if ctype == b"zTXt":
            return kw, _inflate(rest[1:]).decode("latin-1")
        if len(rest) < 2:
            raise BakingError(f"the PNG's iTXt chunk {kw!r} is truncated")
        compressed, text_fields = rest[0], rest[2:]
        parts = text_fields.split(b"\x00", 2)
        if len(parts) != 3:
            raise BakingError(f"the PNG's iTXt chunk {kw!r} lacks its language or keyword field")
        text = _inflate(parts[2]) if compressed else parts[2]
        return kw, text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError(f"the PNG's text chunk {kw!r} is not valid UTF-8") from None


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, _MAX_TEXT)
    except zlib.error:
        raise BakingError("a compressed text chunk in the PNG is corrupt") from None
    if d.unconsumed_tail:
        raise BakingError("a compressed text chunk in the PNG inflates to more than 16 MB")
    if not d.eof:
        raise BakingError("a compressed text chunk in the PNG is cut short")
    return out


def _chunk_keyword(ctype: bytes, body: bytes) -> str | None:
    if ctype not in (b"tEXt", b"zTXt", b"iTXt"):
        return None
    return body.split(b"\x00", 1)[0].decode("latin-1")


def _png_texts(chunks: list[tuple[bytes, bytes]], keywords: Iterable[str]) -> dict[str, list[str]]:
    """{keyword: [text, …]} for the text chunks whose keyword is in ``keywords``."""
    wanted = set(keywords)
    found: dict[str, list[str]] = {}
    for ctype, body in chunks:
        if _chunk_keyword(ctype, body) in wanted:
            kt = _text_chunk(ctype, body)
            if kt is not None:
                found.setdefault(kt[0], []).append(kt[1].strip())
    return found


def _chunk_bytes(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def _check_keyword(keyword: str) -> bytes:
    try:
        raw = keyword.encode("latin-1")
    except UnicodeEncodeError:
        raw = b""
    if not 1 <= len(raw) <= 79 or b"\x00" in raw or raw != raw.strip():
        raise BakingError(f"{keyword!r} is not a valid PNG text keyword (1-79 Latin-1 characters)")
    return raw


def bake_png(image: bytes, payload: str | dict[str, Any], *, keyword: str = OB3_KEYWORD) -> bytes:
    """``image`` with ``payload`` in an uncompressed iTXt chunk ``keyword``, just before IEND.

    Any earlier chunk with that keyword is removed. Raises BakingError.
    """
    raw_kw = _check_keyword(keyword)
    text, _ = _payload_text(payload)
    chunks = _read_chunks(image)
    kept = [c for c in chunks if c[0] != b"IEND" and _chunk_keyword(*c) != keyword]
    itxt = raw_kw + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    out = PNG_SIGNATURE + b"".join(_chunk_bytes(t, b) for t, b in kept)
    out += _chunk_bytes(b"iTXt", itxt) + _chunk_bytes(b"IEND", b"")
    return out


def unbake_png(image: bytes, *, keyword: str = OB3_KEYWORD) -> str:
    """The text of the one ``keyword`` chunk (JSON or compact JWS).

    Raises LegacyBadge (only an OB 2.0 ``openbadges`` chunk), BakingError (not a PNG, truncated,
    bad CRC, none or two such chunks).
    """
    found = _png_texts(_read_chunks(image), {keyword, OB2_KEYWORD})
    if keyword in found:
        return _one(found[keyword], f"'{keyword}' text chunks")
    if keyword != OB2_KEYWORD and OB2_KEYWORD in found:
        raise _legacy(found[OB2_KEYWORD][0], "png")
    raise BakingError(f"this PNG carries no badge: it has no '{keyword}' chunk")


# ---- SVG ----------------------------------------------------------------------------------
def _svg_bytes(svg: bytes | str) -> bytes:
    return svg.encode("utf-8") if isinstance(svg, str) else svg


def _parse_svg(data: bytes) -> Any:
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BakingError(
            "the SVG declares XML entities or external references, which are refused "
            "(they are a way to attack XML parsers)"
        ) from None
    except SafeET.ParseError as exc:
        raise BakingError(f"the SVG is not well-formed XML ({exc})") from None
    except (ValueError, LookupError):
        raise BakingError("the SVG cannot be read as XML (unknown encoding)") from None
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2] != "svg":
        raise BakingError("the XML document is not an SVG (its root element is not <svg>)")
    return root


def _svg_payloads(root: Any, namespace: str) -> list[str]:
    name = f"{{{namespace}}}assertion" if namespace == OB2_NS else f"{{{namespace}}}credential"
    out = []
    for el in root.iter(name):
        verify = el.get("verify")
        text = verify if verify is not None else "".join(el.itertext())
        if not text.strip():
            raise BakingError("the SVG's credential element is empty")
        out.append(text.strip())
    return out


def unbake_svg(svg: bytes | str, *, namespace: str = OB3_NS) -> str:
    """The credential in the SVG's ``{namespace}credential`` element (CDATA JSON or ``verify``).

    Raises LegacyBadge (only an OB 2.0 ``<openbadges:assertion>``), BakingError (not XML, not
    SVG, entities declared, no or two credential elements).
    """
    root = _parse_svg(_svg_bytes(svg))
    payloads = _svg_payloads(root, namespace)
    if payloads:
        return _one(payloads, "credential elements")
    legacy = _svg_payloads(root, OB2_NS)
    if legacy:
        raise _legacy(legacy[0], "svg")
    raise BakingError(f"this SVG carries no badge: it has no credential element in {namespace}")


def bake_svg(
    svg: bytes | str,
    payload: str | dict[str, Any],
    *,
    namespace: str = OB3_NS,
    prefix: str | None = None,
) -> bytes:
    """The SVG with ``payload`` as the first child of ``<svg>``; earlier credentials removed.

    The namespace is declared on ``<svg>`` (as ``openbadges`` / ``clr`` unless already declared
    there under another prefix). A JWS goes in ``verify``, JSON in CDATA. Only UTF-8 SVG can be
    baked. Raises BakingError.
    """
    data = _svg_bytes(svg)
    text, is_jws = _payload_text(payload)
    _parse_svg(data)  # refuses entities and non-SVG before anything else reads the bytes
    _require_utf8(data)
    root_start, root_decls, spans = _locate(data, namespace)
    tag_end = _tag_end(data, root_start)
    empty_root = data[tag_end - 2 : tag_end] == b"/>"
    pfx = _prefix_for(root_decls, namespace, prefix)
    decl = b"" if root_decls.get(pfx) == namespace else f' xmlns:{pfx}="{namespace}"'.encode()
    if is_jws:
        element = f'<{pfx}:credential verify="{text}"/>'
    else:
        element = f"<{pfx}:credential><![CDATA[{text}]]></{pfx}:credential>"
    head = data[: tag_end - (2 if empty_root else 1)] + decl + b">\n" + element.encode("utf-8")
    body = data[tag_end:]
    for start, end in sorted(spans, reverse=True):  # remove earlier credentials, last first
        start, end = start - tag_end, end - tag_end
        while start > 0 and body[start - 1 : start] in (b" ", b"\t", b"\r", b"\n"):
            start -= 1
        body = body[:start] + body[end:]
    out = head + (b"\n</" + _root_qname(data, root_start) + b">" + body if empty_root else body)
    unbake_svg(out, namespace=namespace)  # check our own output
    return out


def _require_utf8(data: bytes) -> None:
    m = _XML_ENCODING.match(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        m and m.group(1).lower() not in (b"utf-8", b"utf8")
    ):
        raise BakingError("only UTF-8 SVG files can be baked (re-save the image as UTF-8)")


def _locate(data: bytes, namespace: str) -> tuple[int, dict[str, str], list[tuple[int, int]]]:
    """(root start offset, namespace declarations on the root, [(start, end)] of credentials).

    Runs after defusedxml accepted the document, so no entity is declared.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    decls: dict[str, str] = {}
    state: dict[str, Any] = {"root": None, "open": [], "spans": []}
    target = f"{namespace} credential"

    def on_ns(prefix: str | None, uri: str) -> None:
        if state["root"] is None:
            decls[prefix or ""] = uri

    def on_start(name: str, _attrs: Any) -> None:
        pos = parser.CurrentByteIndex
        if state["root"] is None:
            state["root"] = pos
        if name == target:
            state["open"].append(pos)

    def on_end(name: str) -> None:
        if name == target and state["open"]:
            start = state["open"].pop()
            tag_end = _tag_end(data, start)
            end = (
                tag_end
                if data[tag_end - 2 : tag_end] == b"/>"
                else (data.index(b">", parser.CurrentByteIndex) + 1)
            )
            if not state["open"]:
                state["spans"].append((start, end))

    parser.StartNamespaceDeclHandler = on_ns
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BakingError(f"the SVG is not well-formed XML ({exc})") from None
    return state["root"], decls, state["spans"]


def _tag_end(data: bytes, start: int) -> int:
    """Offset just past the '>' closing the start tag at ``start`` ('>' may sit in quotes)."""
    quote = 0
    for i in range(start + 1, len(data)):
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return i + 1
    raise BakingError("the SVG ends inside a start tag")


def _root_qname(data: bytes, start: int) -> bytes:
    m = re.match(rb"<([^\s/>]+)", data[start:])
    return m.group(1) if m else b"svg"


def _prefix_for(decls: dict[str, str], namespace: str, wanted: str | None) -> str:
    if wanted is None:
        for pfx, uri in decls.items():
            if uri == namespace and pfx:
                return pfx
    pfx = wanted or _PREFIXES.get(namespace, "credential")
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", pfx) or pfx.lower().startswith("xml"):
        raise BakingError(f"{pfx!r} is not a usable XML namespace prefix")
    base, n = pfx, 1
    while decls.get(pfx, namespace) != namespace:  # the prefix is taken for something else
        pfx, n = f"{base}{n}", n + 1
    return pfx
