"""How catalog programs read on the pages: labels, money, durations, cost lines, links.

Pure functions from ``catalog.model`` values to display strings and small dicts the
templates lay out (the templates stay free of logic; Jinja escapes every string). A URL
from the data becomes a link only when it is ``http(s)://``.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from microcred.catalog.model import HINT_HOURS_PER_WEEK, CostItem, Program
from microcred.issuing.orgs import PROVIDER_TYPES

log = logging.getLogger(__name__)

PROVIDER_LABELS: dict[str, str] = dict(PROVIDER_TYPES)
FORMAT_LABELS = {"online": "Online", "hybrid": "Hybrid", "in_person": "In person"}
PROOF_LABELS = {
    "ob3_vc": "Verifiable (Open Badges 3.0)",
    "ob2": "Open Badges 2.0",
    "pdf": "PDF only",
    "none": "No proof",
}
CREDENTIAL_LABELS = {
    "micro_credential": "Micro-credential",
    "certificate": "Certificate",
    "certificate_of_completion": "Certificate of completion",
    "certification": "Certification",
    "badge": "Badge",
    "digital_badge": "Digital badge",
    "open_badge": "Open badge",
    "learning_program": "Learning program",
    "course": "Course",
}
PACING_LABELS = {"self_paced": "Self-paced", "cohort": "In a cohort (fixed start dates)"}
RECOGNITION_LABELS = {"endorsement": "Employer endorsement", "survey": "Survey"}
FUNDING_WORDS = {
    # the designations the funding rules name (advisor/rules, advisor/quote.py)
    "recognised_institution": "Offered by a recognised institution (tax credits may apply)",
    "public_institution": "Offered by a public institution",
    "ontario_osap_approved": "Approved for OSAP micro-credential aid (Ontario)",
    "bc_future_skills_designated": "Designated for the Future Skills Grant (British Columbia)",
    "workforce_pell_eligible": "Eligible for Workforce Pell grants (United States)",
    "federal_aid_eligible": "At an institution eligible for US federal student aid",
    "skillsfuture_eligible": "Eligible for SkillsFuture Credit (Singapore)",
    "lle_designated": "Designated for the Lifelong Learning Entitlement (England)",
    # other tokens seen in catalogs
    "lle_eligible": "Eligible for the Lifelong Learning Entitlement (England)",
    "osap_eligible": "Eligible for OSAP micro-credential aid (Ontario)",
    "provincially_approved": "Approved by the province",
    "ctc_eligible": "May qualify for the Canada Training Credit",
    "employer_sponsored": "Employer sponsorship available",
}
LANGUAGES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "fi": "Finnish",
    "da": "Danish",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ms": "Malay",
    "ta": "Tamil",
    "hi": "Hindi",
    "ar": "Arabic",
}
_HTTP = re.compile(r"^https?://[^\s/?#]+\S*$", re.IGNORECASE)
_CURRENCY_PREFIX = {"USD": "US$", "CAD": "CA$", "SGD": "S$", "GBP": "£", "EUR": "€", "AUD": "A$"}


# ---- small formatters ---------------------------------------------------------------------
def http_url(value: Any) -> str | None:
    """``value`` when it is an http(s) URL (a link may be made of it), else None."""
    return value if isinstance(value, str) and _HTTP.match(value) else None


def number(x: float) -> str:
    """1200 -> '1,200'; 12.5 -> '12.50' (whole amounts without decimals)."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def plain(x: float) -> str:
    """Hours and ECTS: 40 -> '40', 1.5 -> '1.5'."""
    return f"{x:g}"


def money(amount: float, currency: str | None) -> str:
    """'CA$1,200 (CAD)': the symbol a learner knows, and the ISO code that settles it."""
    if not currency:
        return number(amount)
    prefix = _CURRENCY_PREFIX.get(currency)
    return f"{prefix}{number(amount)} ({currency})" if prefix else f"{number(amount)} {currency}"


def long_date(d: date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else ""


def label(table: dict[str, str], value: str | None, missing: str = "Not stated") -> str:
    if value is None:
        return missing
    return table.get(value, value.replace("_", " "))


def funding_words(token: str) -> str:
    """A funding token in words (unknown tokens: their words, first letter capitalised)."""
    if token in FUNDING_WORDS:
        return FUNDING_WORDS[token]
    text = re.sub(r"[_-]+", " ", token).strip()
    return text[:1].upper() + text[1:]


def language(tag: str | None) -> str:
    if not tag:
        return "Not stated"
    name = LANGUAGES.get(tag.split("-")[0].lower())
    return f"{name} ({tag})" if name else tag


def weeks_text(p: Program) -> str | None:
    lo, hi = p.weeks_min, p.weeks_max
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo != hi:
        return f"{lo}–{hi} weeks"
    n = lo if lo is not None else hi
    return f"{n} week{'s' if n != 1 else ''}"


def duration(p: Program) -> str:
    """'40 h · 4–6 weeks' (what is known), or 'Not stated'."""
    parts = []
    if p.hours:
        parts.append(f"{plain(p.hours)} h")
    weeks = weeks_text(p)
    if weeks:
        parts.append(weeks)
    return " · ".join(parts) or "Not stated"


def price_hint_text(p: Program, hint: float | None = None) -> str | None:
    """'≈ CA$1,200 (CAD) at 5 h/week', or None when it cannot be told."""
    hint = p.price_hint() if hint is None else hint
    if hint is None:
        return None
    return f"≈ {money(hint, p.currency)} at {plain(HINT_HOURS_PER_WEEK)} h/week"


def cost_line(c: CostItem) -> str:
    m = money(c.amount, c.currency)
    if c.kind == "one_time":
        return f"One-time fee: {m}"
    if c.kind == "per_course":
        n = c.courses or 1
        return f"Per course: {m} × {n} course{'s' if n != 1 else ''}"
    if c.kind == "monthly":
        return f"Monthly subscription: {m} a month"
    if c.kind == "exam":
        return f"Exam fee: {m}"
    if c.kind == "retake":
        return f"Exam retake: {m} each time"
    if c.kind == "renewal":
        if c.every_years:
            every = "every year" if c.every_years == 1 else f"every {c.every_years} years"
            return f"Renewal: {m} {every}"
        return f"Renewal: {m}"
    return f"{c.kind.replace('_', ' ').capitalize()}: {m}"


def validity(p: Program) -> str:
    months = p.validity_months
    if not months:
        return "Does not expire (or not stated)"
    if months % 12 == 0:
        years = months // 12
        return f"Valid for {years} year{'s' if years != 1 else ''}"
    return f"Valid for {months} month{'s' if months != 1 else ''}"


def sample_marker(is_sample: bool, as_of: date | None) -> str | None:
    if not is_sample:
        return None
    return f"Sample data as of {long_date(as_of)}" if as_of else "Sample data"


# ---- skills and occupations: labels from the curated source when it exists --------------
@dataclass(frozen=True)
class Term:
    uri: str
    label: str  # the label (with the code, for a code), or the URI itself when none is known
    href: str | None  # a link when the URI is http(s)


@lru_cache(maxsize=1)
def _curated() -> Any:
    """``microcred.advisor.skills.load_curated()`` when that module exists, else None."""
    try:
        module = importlib.import_module("microcred.advisor.skills")
    except ImportError:
        return None
    try:
        return module.load_curated()
    except Exception:  # a broken source must not break the catalog pages
        log.warning("could not load the curated skills", exc_info=True)
        return None


def _exact_label(found: Any, value: str) -> str | None:
    """The label of ``found`` when it is exactly ``value`` (by URI or code): the source's
    occupation lookup also matches words, which must not rename a program's occupation."""
    if found is None:
        return None
    key = value.strip().lower()
    uri = getattr(found, "uri", None)
    code = getattr(found, "code", None)
    if not (
        (isinstance(uri, str) and uri.lower() == key)
        or (isinstance(code, str) and code.lower() == key)
    ):
        return None
    text = getattr(found, "label", None)
    return text if isinstance(text, str) and text.strip() else None


def term(uri: str, kind: str) -> Term:
    """A skill (``kind='skill'``) or occupation URI or code, with its label when the curated
    skills know it exactly."""
    source = _curated()
    name: str | None = None
    if source is not None:
        try:
            name = _exact_label(getattr(source, kind)(uri), uri)
        except Exception:  # an unexpected source shape: show the URI
            name = None
    href = http_url(uri)
    if name and not href:  # a code (O*NET-SOC, ISCO): keep it beside the label
        name = f"{name} ({uri})"
    return Term(uri=uri, label=name or uri, href=href)


def link_or_text(value: str) -> dict[str, str | None]:
    return {"text": value, "href": http_url(value)}


# ---- what the pages show ------------------------------------------------------------------
def summary(pid: str, p: Program, *, is_sample: bool, hint: float | None = None) -> dict[str, Any]:
    """One result line of the catalog page."""
    return {
        "id": pid,
        "name": p.name,
        "provider": p.provider.name,
        "provider_type": label(PROVIDER_LABELS, p.provider.provider_type),
        "credential_type": label(CREDENTIAL_LABELS, p.credential_type),
        "duration": duration(p),
        "format": label(FORMAT_LABELS, p.format),
        "price": price_hint_text(p, hint),
        "proof": p.proof or "unknown",
        "proof_label": label(PROOF_LABELS, p.proof, "Proof not stated"),
        "sample": sample_marker(is_sample, p.as_of),
        "description": p.description,
    }


def detail(pid: str, p: Program, *, is_sample: bool) -> dict[str, Any]:
    """Everything the program page shows, in display form."""
    prov = p.provider
    hours = None
    if p.hours:
        hours = f"{plain(p.hours)} hours"
    if p.ects:
        hours = f"{hours} ({plain(p.ects)} ECTS)" if hours else f"{plain(p.ects)} ECTS"
    return {
        "id": pid,
        "name": p.name,
        "description": p.description,
        "url": http_url(p.url),
        "provider": {
            "name": prov.name,
            "type": label(PROVIDER_LABELS, prov.provider_type),
            "accrediting_body": prov.accrediting_body,
            "recognised": prov.recognised_institution,
            "url": http_url(prov.url),
            "country": prov.country,
            "institution_type": (prov.institution_type or "").replace("_", " ") or None,
        },
        "credential_type": label(CREDENTIAL_LABELS, p.credential_type),
        "learning_outcomes": p.learning_outcomes,
        "workload": hours or "Not stated",
        "eqf_level": f"Level {p.eqf_level}" if p.eqf_level else "Not stated",
        "qualification_level": p.qualification_level,
        "assessment": p.assessment,
        "participation": p.participation,
        "quality_assurance": p.quality_assurance,
        "prerequisites": p.prerequisites,
        "stackability": p.stackability,
        "stacks_into": [link_or_text(x) for x in p.stacks_into],
        "has_parts": [link_or_text(x) for x in p.has_parts],
        "skills": [term(u, "skill") for u in p.skills],
        "occupations": [term(u, "occupation") for u in p.occupations],
        "topics": p.topics,
        "hours": f"{plain(p.hours)} hours" if p.hours else None,
        "weeks": weeks_text(p),
        "hours_per_week": f"{plain(p.hours_per_week)} h/week" if p.hours_per_week else None,
        "pacing": label(PACING_LABELS, p.pacing) if p.pacing else None,
        "cohort_dates": [long_date(d) for d in p.cohort_dates],
        "format": label(FORMAT_LABELS, p.format),
        "language": language(p.language),
        "cost_lines": [cost_line(c) for c in p.cost],
        "price": price_hint_text(p),
        "renews": any(c.kind == "renewal" and c.every_years for c in p.cost),
        "funding": [funding_words(t) for t in p.funding],
        "proof": p.proof or "unknown",
        "proof_label": label(PROOF_LABELS, p.proof, "Proof not stated"),
        "validity": validity(p),
        "renewal": p.renewal,
        "recognition": [
            {
                "kind": label(RECOGNITION_LABELS, r.kind),
                "text": r.text,
                "source": r.source,
                "source_href": http_url(r.source),
                "date": long_date(r.date),
            }
            for r in p.recognition
        ],
        "sample": sample_marker(is_sample, p.as_of),
        "as_of": long_date(p.as_of),
    }
