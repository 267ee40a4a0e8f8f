"""Sharing a credential from the issuer's public page: the pieces that need no database.

A LinkedIn "Add to profile" link, QR codes (segno), a PDF certificate (WeasyPrint, from the
autoescaped template ``templates/certificate.html``), Open Graph tags for link previews and a
generated round badge image (SVG, ready for baking).

Nothing here opens a socket. WeasyPrint renders with a URL fetcher that refuses everything
but ``data:`` URLs, so an image URL taken from a credential is never fetched by the server;
the certificate shows the achievement's image only when it is a ``data:`` URL, and the
generated badge otherwise. WeasyPrint is imported on first use (it loads Pango).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import jinja2
import segno
from markupsafe import Markup

__all__ = [
    "achievement_facts",
    "achievement_skills",
    "badge_svg",
    "certificate_html",
    "certificate_pdf",
    "html_to_pdf",
    "linkedin_add_url",
    "open_graph_tags",
    "qr_png",
    "qr_svg",
]

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# Characters XML 1.0 does not allow (an SVG carrying one is not well-formed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EU_KEYS = (
    "workloadHours",
    "ects",
    "eqfLevel",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
)
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)
_MAX_SKILLS = 10
_MAX_DESCRIPTION = 360


# --- LinkedIn -------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC when it carries a zone; a naive datetime is taken as it is."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def linkedin_add_url(
    *,
    name: str,
    organization_name: str | None = None,
    organization_id: str | int | None = None,
    issued: datetime,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
) -> str:
    """LinkedIn's "Add to profile" link for a certification, every value URL-encoded.

    ``organizationId`` (LinkedIn's numeric company id) is used when given, else
    ``organizationName``. Months are 1-12 (UTC for aware datetimes); the expiration
    parameters appear only when ``expires`` is given. Offer the link only while the
    credential verifies. Raises ValueError when neither organisation field is given.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    if organization_id is not None and str(organization_id).strip():
        params.append(("organizationId", str(organization_id).strip()))
    elif organization_name:
        params.append(("organizationName", organization_name))
    else:
        raise ValueError("linkedin_add_url needs organization_id or organization_name")
    issued = _utc(issued)
    params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if expires is not None:
        expires = _utc(expires)
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{LINKEDIN_ADD_URL}?{urlencode(params, quote_via=quote)}"


# --- QR codes -------------------------------------------------------------------------------


def _qr(url: str) -> segno.QRCode:
    # A full QR code (never Micro QR, which phone cameras do not read), error level M exactly.
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg(url: str) -> str:
    """A standalone SVG QR code for ``url`` (error level M, 4-module quiet zone, 8 px modules)."""
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", scale=8, border=4, xmldecl=False, title=url)
    return out.getvalue().decode("utf-8")


def qr_png(url: str) -> bytes:
    """A PNG QR code for ``url`` (error level M, 4-module quiet zone, 8 px modules)."""
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def _qr_inline(url: str) -> Markup:
    out = io.BytesIO()
    _qr(url).save(out, kind="svg", border=4, xmldecl=False, omitsize=True, svgclass="qr", title=url)
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 (segno's output: escaped)


# --- Reading an achievement defensively -----------------------------------------------------


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _text(value: Any, limit: int = 200) -> str | None:
    """A short display string for a JSON value (string, number, concept, language map, list)."""
    text: str | None = None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int | float):
        text = _number(value)
    elif isinstance(value, str):
        text = " ".join(value.split())
    elif isinstance(value, Mapping):
        for key in ("name", "prefLabel", "label", "title", "targetName", "@value", "value"):
            if key in value and (text := _text(value[key], limit)):
                break
        else:  # a language map, or a bare {"id": ...}
            lang = value.get("en") or next((v for v in value.values() if isinstance(v, str)), None)
            text = _text(lang or value.get("id"), limit)
    elif isinstance(value, list | tuple):
        text = "; ".join(t for t in (_text(v, limit) for v in value) if t)
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _eu_value(achievement: Mapping[str, Any], key: str) -> Any:
    nested = achievement.get("euMicroCredential")
    for source in (achievement, nested if isinstance(nested, Mapping) else {}):
        value = source.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def achievement_facts(achievement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of the EU micro-credential elements present, for display.

    Read from top-level keys (``workloadHours``, ``ects``, ``eqfLevel``, ``assessmentType``,
    ``participationForm``, ``qualityAssurance``) or a nested ``euMicroCredential`` object,
    plus Open Badges' ``creditsAvailable`` when no ECTS are given. Never raises.
    """
    values = {key: _text(_eu_value(achievement, key), 80) for key in _EU_KEYS}
    facts: list[tuple[str, str]] = []
    if values["workloadHours"]:
        facts.append(("Workload", f"{values['workloadHours']} hours"))
    if values["ects"]:
        facts.append(("Credits", f"{values['ects']} ECTS"))
    elif credits := _text(achievement.get("creditsAvailable"), 80):
        facts.append(("Credits", credits))
    if values["eqfLevel"]:
        facts.append(("EQF level", values["eqfLevel"]))
    for key, label in (
        ("assessmentType", "Assessment"),
        ("participationForm", "Participation"),
        ("qualityAssurance", "Quality assurance"),
    ):
        if value := values[key]:
            facts.append((label, value))
    return facts


def achievement_skills(achievement: Mapping[str, Any]) -> list[str]:
    """The ``targetName`` of each alignment (skills, competences), in order. Never raises."""
    alignment = achievement.get("alignment")
    if isinstance(alignment, Mapping):
        alignment = [alignment]
    if not isinstance(alignment, list):
        return []
    names = (_text(a.get("targetName"), 40) for a in alignment if isinstance(a, Mapping))
    return [n for n in names if n]


def _image_url(achievement: Mapping[str, Any]) -> str | None:
    image = achievement.get("image")
    if isinstance(image, Mapping):
        image = image.get("id")
    return image if isinstance(image, str) else None


# --- The certificate ------------------------------------------------------------------------


def _date(moment: datetime) -> str:
    moment = _utc(moment)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def certificate_html(
    *,
    credential: Mapping[str, Any],
    page_url: str,
    issuer_name: str,
    recipient_name: str | None,
    achievement: Mapping[str, Any],
    issued: datetime,
    expires: datetime | None,
    verified_note: str,
) -> str:
    """The certificate as an HTML document (autoescaped), as ``certificate_pdf`` renders it.

    ``recipient_name`` None (the learner hides their name) prints "the holder of this
    credential". The achievement's image is used only when it is a ``data:`` image URL.
    """
    name = _text(achievement.get("name"), 120) or "Achievement"
    description = _text(achievement.get("description"), _MAX_DESCRIPTION)
    skills = achievement_skills(achievement)
    image = _image_url(achievement)
    credential_id = credential.get("id")
    facts = achievement_facts(achievement)
    dense = (
        len(name) > 60
        or len(recipient_name or "") > 34
        or len(description or "") + 40 * (len(skills) + len(facts)) > 640
    )
    return _TEMPLATES.get_template("certificate.html").render(
        issuer_name=issuer_name,
        recipient_name=recipient_name,
        achievement_name=name,
        description=description,
        facts=facts,
        dense=dense,
        skills=skills[:_MAX_SKILLS],
        more_skills=max(0, len(skills) - _MAX_SKILLS),
        issued=_date(issued),
        expires=_date(expires) if expires is not None else None,
        credential_id=credential_id if isinstance(credential_id, str) else None,
        page_url=page_url,
        qr=_qr_inline(page_url),
        image=image if image and _DATA_IMAGE.match(image) else None,
        badge=Markup(badge_svg(name=name, issuer=issuer_name)),  # noqa: S704 (escaped within)
        verified_note=verified_note,
    )


def certificate_pdf(
    *,
    credential: Mapping[str, Any],
    page_url: str,
    issuer_name: str,
    recipient_name: str | None,
    achievement: Mapping[str, Any],
    issued: datetime,
    expires: datetime | None,
    verified_note: str,
) -> bytes:
    """An A4 landscape PDF certificate with a QR code to ``page_url``. Fetches nothing.

    See ``certificate_html`` for the content. Raises whatever WeasyPrint raises for a
    rendering failure (not expected for any input).
    """
    html = certificate_html(
        credential=credential,
        page_url=page_url,
        issuer_name=issuer_name,
        recipient_name=recipient_name,
        achievement=achievement,
        issued=issued,
        expires=expires,
        verified_note=verified_note,
    )
    return html_to_pdf(html)


def _data_only_fetcher(on_refused: Callable[[str], None] | None) -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class DataOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """WeasyPrint's fetcher limited to ``data:`` URLs: no http(s), no file, no ftp."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url[:5].lower() == "data:":
                if on_refused is not None:
                    on_refused(url)
                raise ValueError(f"refused to fetch {url[:100]!r}: only data: URLs are loaded")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def html_to_pdf(html: str, *, on_refused: Callable[[str], None] | None = None) -> bytes:
    """``html`` rendered to PDF by WeasyPrint, loading nothing but ``data:`` URLs.

    Every other URL (images, stylesheets, fonts) is refused and left out of the rendering;
    ``on_refused`` is called with each. Fonts come from the system (fontconfig).
    """
    import weasyprint  # type: ignore[import-untyped]

    document = weasyprint.HTML(string=html, url_fetcher=_data_only_fetcher(on_refused))
    pdf: bytes = document.write_pdf()
    return pdf


# --- Link previews --------------------------------------------------------------------------


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def open_graph_tags(
    *,
    title: str,
    description: str,
    page_url: str,
    image_url: str | None,
    site_name: str = "microcred",
) -> list[tuple[str, str]]:
    """(property, content) pairs for ``<meta>`` link-preview tags, to be escaped by the page.

    ``og:description`` is at most 200 characters; ``og:image`` appears only for an http(s)
    URL (previewers cannot use ``data:`` URLs); ``twitter:card`` is ``summary``.
    """
    tags = [
        ("og:type", "website"),
        ("og:site_name", site_name),
        ("og:title", _shorten(title, 200)),
        ("og:description", _shorten(description, 200)),
        ("og:url", page_url),
    ]
    if image_url and image_url.lower().startswith(("https://", "http://")):
        tags.append(("og:image", image_url))
    tags.append(("twitter:card", "summary"))
    return tags


# --- A generated badge image ----------------------------------------------------------------


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def _lines(text: str, width: int, count: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width=width) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def badge_svg(*, name: str, issuer: str, color: str = "#1f6feb") -> str:
    """A round badge (400x400 SVG) with ``name`` on up to 3 lines and ``issuer`` below.

    All text is XML-escaped. Raises ValueError when ``color`` is not #rgb or #rrggbb.
    """
    if not _HEX_COLOR.fullmatch(color):
        raise ValueError(f"badge colour must be #rgb or #rrggbb, not {color!r}")
    lines = _lines(name, 16, 3)
    longest = max(len(line) for line in lines)
    size = 40 if longest <= 10 else 34 if longest <= 13 else 28
    step = size * 1.2
    first = 200 - step * (len(lines) - 1) / 2 + size * 0.35
    tspans = "".join(
        f'<tspan x="200" y="{first + i * step:.1f}">{_xml_text(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    issuer_line = _xml_text(_shorten(issuer, 30))
    label = _xml_text(f"{' '.join(name.split())} — {' '.join(issuer.split())}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" '
        f'viewBox="0 0 400 400" role="img" aria-label="{label}">'
        f"<title>{_xml_text(' '.join(name.split()))}</title>"
        f'<circle cx="200" cy="200" r="196" fill="{color}"/>'
        '<circle cx="200" cy="200" r="178" fill="none" stroke="#ffffff" '
        'stroke-opacity="0.55" stroke-width="4"/>'
        '<path d="M200 62L207.1 82.3L228.5 82.7L211.4 95.7L217.6 116.3L200 104L182.4 116.3'
        'L188.6 95.7L171.5 82.7L192.9 82.3Z" fill="#ffffff" fill-opacity="0.9"/>'
        '<g fill="#ffffff" text-anchor="middle" font-family="DejaVu Sans, Verdana, sans-serif">'
        f'<text font-size="{size}" font-weight="bold">{tspans}</text>'
        f'<text x="200" y="318" font-size="18" fill-opacity="0.9">{issuer_line}</text>'
        "</g></svg>"
    )
