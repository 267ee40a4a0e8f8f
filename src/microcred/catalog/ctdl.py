"""Credential Engine's CTDL JSON-LD: import programs, and export them.

Import takes a single node, a list of nodes, or an ``@graph`` (organisations may be inline
or blank nodes ``_:…`` in the graph). Keys are read with or without the ``ceterms:`` prefix;
language maps (``{"en-US": "…"}``) give their English (else first) value. What CTDL cannot
say (EU elements such as ECTS and EQF level, proof, employer recognition…) travels in a
``microcred:program`` extension, so an export imports back to the same programs.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from microcred.catalog.model import (
    CREDENTIAL_TYPES,
    CostItem,
    Problem,
    Program,
    Provider,
    duplicates,
    validate,
)

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
EXT = "microcred:program"
_TYPE_OF_CLASS = {v.split(":", 1)[1]: k for k, v in CREDENTIAL_TYPES.items()}
_ORG_CLASSES = {"CredentialOrganization", "QACredentialOrganization", "Organization"}
_DELIVERY = {"InPerson": "in_person", "OnlineOnly": "online", "BlendedDelivery": "hybrid"}
_DELIVERY_OUT = {v: k for k, v in _DELIVERY.items()}
_ORG_TYPE = {
    "CollegeUniversity": "university_college",
    "Postsecondary": "university_college",
    "Business": "employer_vendor",
    "Vendor": "employer_vendor",
    "PrimarilyOnline": "online_platform",
    "TrainingProvider": "online_platform",
    "ProfessionalAssociation": "nonprofit_industry",
    "CertificationBody": "nonprofit_industry",
    "NonProfit": "nonprofit_industry",
}
_ORG_TYPE_OUT = {
    "university_college": "CollegeUniversity",
    "employer_vendor": "Business",
    "online_platform": "PrimarilyOnline",
    "nonprofit_industry": "ProfessionalAssociation",
}
_CURRENCY_NAMES = {
    "us dollar": "USD",
    "canadian dollar": "CAD",
    "euro": "EUR",
    "british pound": "GBP",
    "pound sterling": "GBP",
    "singapore dollar": "SGD",
    "australian dollar": "AUD",
}
_COST_TYPE = {
    "StandaloneAssessment": "exam",
    "AssessmentFee": "exam",
    "ReexaminationFee": "retake",
    "RenewalFee": "renewal",
}
_COST_TYPE_OUT = {
    "one_time": "Tuition",
    "per_course": "Tuition",
    "monthly": "Tuition",
    "exam": "StandaloneAssessment",
    "retake": "ReexaminationFee",
    "renewal": "RenewalFee",
}
_DURATION = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# fields carried in the extension (CTDL has no term for them, or a lossy one)
_EXT_FIELDS = (
    "learning_outcomes",
    "ects",
    "eqf_level",
    "qualification_level",
    "assessment",
    "participation",
    "quality_assurance",
    "prerequisites",
    "stackability",
    "skills",
    "hours_per_week",
    "pacing",
    "cohort_dates",
    "proof",
    "validity_months",
    "renewal",
    "recognition",
    "as_of",
    "provider_recognised",
    "cost_detail",
    "language",
)


class _Reject(ValueError):
    pass


def parse_duration(text: str) -> tuple[float, float]:
    """An ISO 8601 duration as (weeks, hours): ``P3M`` is 13 weeks, ``PT180H`` 180 hours.

    A month is 52/12 weeks, a year 52 weeks, a day 1/7 week (weeks are not rounded here)."""
    m = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise _Reject(f"{text!r} is not an ISO 8601 duration (e.g. P3M, P8W, PT180H)")
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    weeks = y * 52 + mo * 52 / 12 + w + d / 7
    hours = h + mi / 60 + s / 3600
    return weeks, hours


def read_ctdl(text: str) -> tuple[list[tuple[str, Program]], list[Problem]]:
    """The programs of a CTDL JSON-LD document, each with its place (``record N``), and
    every rejected record with its reason."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(f"line {exc.lineno}", f"not JSON: {exc.msg}")]
    if isinstance(doc, dict) and "@graph" in doc:
        nodes = doc["@graph"]
    elif isinstance(doc, list):
        nodes = doc
    else:
        nodes = [doc]
    if not isinstance(nodes, list):
        return [], [Problem("@graph", "must be a list of nodes")]
    index: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if isinstance(node, dict) and isinstance(node.get("@id"), str):
            index[node["@id"]] = node
    programs: list[tuple[str, Program]] = []
    problems: list[Problem] = []
    for i, node in enumerate(nodes):
        where = f"record {i}"
        if not isinstance(node, dict):
            problems.append(Problem(where, "not a JSON object"))
            continue
        types = [_local(t) for t in _as_list(node.get("@type"))]
        if any(t in _ORG_CLASSES for t in types) or types == ["CostProfile"]:
            continue  # organisations are referenced by programs
        kinds = [t for t in types if t in _TYPE_OF_CLASS]
        if not kinds:
            shown = ", ".join(str(t) for t in _as_list(node.get("@type"))) or "none"
            problems.append(
                Problem(
                    where,
                    f"@type {shown} is not a credential or learning program type "
                    f"(use one of {', '.join(CREDENTIAL_TYPES.values())})",
                )
            )
            continue
        try:
            program = _program(_unprefix(node), _TYPE_OF_CLASS[kinds[0]], index)
        except _Reject as exc:
            problems.append(Problem(where, str(exc)))
            continue
        found = validate(program)
        problems.extend(p.within(where) for p in found)
        if not found:
            programs.append((where, program))
    problems.extend(duplicates(programs))
    return programs, problems


def _local(term: Any) -> str:
    t = str(term)
    for prefix in ("ceterms:", "https://purl.org/ctdl/terms/", "http://purl.org/ctdl/terms/"):
        if t.startswith(prefix):
            return t[len(prefix) :]
    return t


def _unprefix(node: dict[str, Any]) -> dict[str, Any]:
    return {(_local(k) if not k.startswith("@") else k): v for k, v in node.items()}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A string from a string, a language map or a list of either."""
    if value is None:
        return None
    if isinstance(value, list):
        return _text(value[0]) if value else None
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"])
        for lang, v in value.items():
            if lang.lower().startswith("en"):
                return _text(v)
        return _text(next(iter(value.values()), None))
    return str(value)


def _texts(value: Any) -> list[str]:
    out: list[str] = []
    for v in _as_list(value):
        if isinstance(v, dict) and v and all(_LANG_TAG.match(k) for k in v):
            # a language map of lists: {"en": ["a", "b"]}
            lang = next((k for k in v if k.lower().startswith("en")), next(iter(v), None))
            if lang is not None:
                out.extend(str(x) for x in _as_list(v[lang]))
        elif isinstance(v, dict):
            n = _unprefix(v)
            t = _text(n.get("targetNodeName")) or _text(n.get("name")) or _text(n.get("@value"))
            if t:
                out.append(t)
        elif v is not None:
            out.append(str(v))
    return out


def _ref(value: Any) -> str | None:
    """The URI or id a reference names (a string, ``{"@id": …}`` or an alignment object)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        n = _unprefix(value)
        for key in ("targetNode", "@id", "ctid", "codedNotation"):
            if isinstance(n.get(key), str):
                return str(n[key])
    return None


def _provider(node: dict[str, Any], index: dict[str, dict[str, Any]]) -> Provider:
    refs = _as_list(node.get("offeredBy")) + _as_list(node.get("ownedBy"))
    if not refs:
        raise _Reject("ceterms:offeredBy or ceterms:ownedBy: a program needs its provider")
    ref = refs[0]
    org: dict[str, Any] | None
    if isinstance(ref, dict) and any(_local(k) == "name" for k in ref):
        org = ref
    else:
        uri = _ref(ref)
        org = index.get(uri) if uri else None
        if org is None:
            raise _Reject(
                f"ceterms:offeredBy/ownedBy: the organisation {uri!r} is not in the document "
                "(include it, e.g. in the @graph)"
            )
    o = _unprefix(org)
    name = _text(o.get("name"))
    if not name:
        raise _Reject("the provider organisation has no ceterms:name")
    ptype = o.get("microcred:providerType")
    if not isinstance(ptype, str):
        agent = [
            _local(_ref(a) or "").removeprefix("orgType:") for a in _as_list(o.get("agentType"))
        ]
        ptype = next((_ORG_TYPE[a] for a in agent if a in _ORG_TYPE), None)
        if ptype is None:
            raise _Reject(
                f"the provider {name!r}: its ceterms:agentType does not say what kind of "
                f"provider it is (one of orgType:{', orgType:'.join(_ORG_TYPE)})"
            )
    accredited = [_accreditor(a, index) for a in _as_list(o.get("accreditedBy"))]
    itype = o.get("microcred:institutionType")
    return Provider(
        name=name,
        provider_type=ptype,
        accrediting_body=next((a for a in accredited if a), None),
        recognised_institution=bool(o.get("microcred:recognisedInstitution", False)),
        url=_text(o.get("subjectWebpage")),
        country=_country(o),
        institution_type=itype if isinstance(itype, str) else None,
    )


def _country(org: dict[str, Any]) -> str | None:
    """``CA`` or ``CA-ON`` from the organisation's first ``ceterms:address`` (a Place with
    ``addressCountry`` and ``addressRegion``), upper-cased; None without one."""
    for place in _as_list(org.get("address")):
        if not isinstance(place, dict):
            continue
        pl = _unprefix(place)
        country = (_text(pl.get("addressCountry")) or "").strip().upper()
        region = (_text(pl.get("addressRegion")) or "").strip().upper()
        if country:
            return f"{country}-{region}" if region and len(region) <= 3 else country
    return None


def _accreditor(value: Any, index: dict[str, dict[str, Any]]) -> str | None:
    if isinstance(value, dict) and any(_local(k) == "name" for k in value):
        return _text(_unprefix(value).get("name"))
    uri = _ref(value)
    if uri and uri in index:
        return _text(_unprefix(index[uri]).get("name"))
    return uri


def _number(value: Any, what: str) -> float:
    try:
        x = float(_text(value) or "")
    except ValueError:
        raise _Reject(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(x):
        raise _Reject(f"{what}: {value!r} is not a number")
    return x


def _currency(value: Any, what: str) -> str:
    text = (_text(value) or "").strip()
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    code = _CURRENCY_NAMES.get(text.lower())
    if code is None:
        raise _Reject(f"{what}: currency {text!r} is not an ISO 4217 code (e.g. USD)")
    return code


def _costs(node: dict[str, Any]) -> list[CostItem]:
    out: list[CostItem] = []
    for i, raw in enumerate(_as_list(node.get("estimatedCost"))):
        what = f"ceterms:estimatedCost[{i}]"
        if not isinstance(raw, dict):
            raise _Reject(f"{what}: a CostProfile must be an object")
        c = _unprefix(raw)
        if "price" not in c:
            raise _Reject(f"{what}: ceterms:price is missing")
        amount = _number(c.get("price"), f"{what} ceterms:price")
        currency = _currency(c.get("currency"), what)
        cost_types = [
            _local(_ref(t) or "").removeprefix("costType:")
            for t in _as_list(c.get("directCostType"))
        ]
        pattern = (_text(c.get("paymentPattern")) or "").lower()
        kind = next((_COST_TYPE[t] for t in cost_types if t in _COST_TYPE), None)
        if kind is None:
            if "month" in pattern:
                kind = "monthly"
            elif "course" in pattern:
                kind = "per_course"
            else:
                kind = "one_time"
        n_courses = re.search(r"(\d+)\s*course", pattern)
        n_years = re.search(r"(\d+)\s*year", pattern)
        out.append(
            CostItem(
                kind=kind,
                amount=amount,
                currency=currency,
                courses=int(n_courses.group(1)) if kind == "per_course" and n_courses else None,
                every_years=int(n_years.group(1)) if kind == "renewal" and n_years else None,
            )
        )
    return out


def _durations(node: dict[str, Any]) -> tuple[float | None, int | None, int | None]:
    hours: float | None = None
    wmin: int | None = None
    wmax: int | None = None
    for i, raw in enumerate(_as_list(node.get("estimatedDuration"))):
        if not isinstance(raw, dict):
            raise _Reject(f"ceterms:estimatedDuration[{i}]: a DurationProfile must be an object")
        d = _unprefix(raw)
        for key in ("exactDuration", "minimumDuration", "maximumDuration", "timeRequired"):
            if key not in d:
                continue
            try:
                weeks, h = parse_duration(str(d[key]))
            except _Reject as exc:
                raise _Reject(f"ceterms:estimatedDuration[{i}] ceterms:{key}: {exc}") from None
            if h and not weeks:
                hours = h
                continue
            w = max(1, math.ceil(weeks - 1e-9))
            if key in ("exactDuration", "timeRequired"):
                wmin = wmax = w
            elif key == "minimumDuration":
                wmin = w
            else:
                wmax = w
    return hours, wmin, wmax


def _program(
    node: dict[str, Any], credential_type: str, index: dict[str, dict[str, Any]]
) -> Program:
    provider = _provider(node, index)
    external_id = _text(node.get("ctid")) or (
        node["@id"] if isinstance(node.get("@id"), str) else None
    )
    if not external_id:
        raise _Reject("the program has neither ceterms:ctid nor @id")
    hours, wmin, wmax = _durations(node)
    formats = [
        _DELIVERY.get(_local(_ref(x) or "").removeprefix("deliveryType:"))
        for x in _as_list(node.get("learningDeliveryType")) + _as_list(node.get("deliveryType"))
    ]
    known = [f for f in formats if f]
    subjects: list[str] = []
    skills: list[str] = []
    for s in _as_list(node.get("subject")):
        target = _ref(s) if isinstance(s, dict) else None
        if target and target.startswith(("http://", "https://")):
            skills.append(target)
        else:
            subjects.extend(_texts([s]))
    topics = list(dict.fromkeys(subjects + _texts(node.get("keyword"))))
    occupations = [r for r in (_ref(o) for o in _as_list(node.get("occupationType"))) if r]
    funding = []
    for f in _as_list(node.get("financialAssistance")):
        name = _text(_unprefix(f).get("name")) if isinstance(f, dict) else _text(f)
        if name:
            funding.append(re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"))
    languages = _texts(node.get("inLanguage"))
    prerequisites = [
        t
        for c in _as_list(node.get("requires"))
        if isinstance(c, dict)
        for t in [_text(_unprefix(c).get("description"))]
        if t
    ]
    program = Program(
        external_id=external_id,
        name=_text(node.get("name")) or "",
        provider=provider,
        credential_type=credential_type,
        description=_text(node.get("description")) or "",
        url=_text(node.get("subjectWebpage")),
        hours=hours,
        weeks_min=wmin,
        weeks_max=wmax,
        format=(known[0] if len(set(known)) == 1 else "hybrid") if known else None,
        language=languages[0] if languages else None,
        cost=_costs(node),
        funding=funding,
        topics=topics,
        skills=skills,
        occupations=occupations,
        stacks_into=[r for r in (_ref(x) for x in _as_list(node.get("isPartOf"))) if r],
        has_parts=[r for r in (_ref(x) for x in _as_list(node.get("hasPart"))) if r],
        prerequisites=prerequisites,
    )
    ext = node.get(EXT)
    if isinstance(ext, dict):
        _apply_extension(program, ext)
    return program


def _apply_extension(program: Program, ext: dict[str, Any]) -> None:
    data = program.to_json()
    for key in _EXT_FIELDS:
        if key in ext and key not in ("provider_recognised", "cost_detail"):
            data[key] = ext[key]
    if "provider_recognised" in ext:
        data["provider"]["recognised_institution"] = bool(ext["provider_recognised"])
    if isinstance(ext.get("cost_detail"), list) and len(ext["cost_detail"]) == len(data["cost"]):
        for item, detail in zip(data["cost"], ext["cost_detail"], strict=True):
            if isinstance(detail, dict) and detail.get("kind") in (None, item["kind"]):
                item["courses"] = detail.get("courses", item["courses"])
                item["every_years"] = detail.get("every_years", item["every_years"])
    try:
        new = Program.from_json(data)
    except (TypeError, ValueError) as exc:
        raise _Reject(f"{EXT}: {exc}") from None
    program.__dict__.update(new.__dict__)


# ---- export ---------------------------------------------------------------------------------
def _pattern(c: CostItem) -> str:
    if c.kind == "monthly":
        return "Monthly"
    if c.kind == "per_course":
        return f"Per course, {c.courses} courses" if c.courses else "Per course"
    if c.kind == "renewal":
        return f"Every {c.every_years} years" if c.every_years else "On renewal"
    if c.kind == "retake":
        return "Per retake"
    if c.kind == "exam":
        return "Once, at the exam"
    return "One time"


def _iso_weeks(weeks: int) -> str:
    return f"P{weeks}W"


def _iso_hours(hours: float) -> str:
    return f"PT{int(hours) if float(hours).is_integer() else hours}H"


def write_ctdl(programs: list[Program]) -> dict[str, Any]:
    """The programs as one CTDL JSON-LD document with an ``@graph`` (organisations as blank
    nodes)."""
    graph: list[dict[str, Any]] = []
    orgs: dict[str, str] = {}
    for p in programs:
        prov = p.provider
        if prov.name not in orgs:
            org_id = f"_:org{len(orgs) + 1}"
            orgs[prov.name] = org_id
            org: dict[str, Any] = {
                "@id": org_id,
                "@type": "ceterms:CredentialOrganization",
                "ceterms:name": {"en": prov.name},
                "ceterms:agentType": [
                    {
                        "@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:targetNode": f"orgType:{_ORG_TYPE_OUT[prov.provider_type]}",
                    }
                ],
                "microcred:providerType": prov.provider_type,
                "microcred:recognisedInstitution": prov.recognised_institution,
            }
            if prov.url:
                org["ceterms:subjectWebpage"] = prov.url
            if prov.country:
                country, _, region = prov.country.partition("-")
                place: dict[str, Any] = {
                    "@type": "ceterms:Place",
                    "ceterms:addressCountry": country,
                }
                if region:
                    place["ceterms:addressRegion"] = region
                org["ceterms:address"] = [place]
            if prov.institution_type:
                org["microcred:institutionType"] = prov.institution_type
            if prov.accrediting_body:
                org["ceterms:accreditedBy"] = [
                    {
                        "@type": "ceterms:CredentialOrganization",
                        "ceterms:name": {"en": prov.accrediting_body},
                    }
                ]
            graph.append(org)
        graph.append(_program_node(p, orgs[prov.name]))
    return {"@context": [CONTEXT, {"microcred": "https://microcred.dev/ns#"}], "@graph": graph}


def _program_node(p: Program, org_id: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": CREDENTIAL_TYPES[p.credential_type],
        "ceterms:ctid": p.external_id,
        "ceterms:name": {"en": p.name},
        "ceterms:offeredBy": [org_id],
        "ceterms:ownedBy": [org_id],
    }
    if p.description:
        node["ceterms:description"] = {"en": p.description}
    if p.url:
        node["ceterms:subjectWebpage"] = p.url
    if p.language:
        node["ceterms:inLanguage"] = [p.language]
    if p.format:
        node["ceterms:learningDeliveryType"] = [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:targetNode": f"deliveryType:{_DELIVERY_OUT[p.format]}",
            }
        ]
    durations: list[dict[str, Any]] = []
    if p.hours:
        durations.append(
            {"@type": "ceterms:DurationProfile", "ceterms:timeRequired": _iso_hours(p.hours)}
        )
    if p.weeks_min is not None or p.weeks_max is not None:
        d: dict[str, Any] = {"@type": "ceterms:DurationProfile"}
        if p.weeks_min is not None and p.weeks_min == p.weeks_max:
            d["ceterms:exactDuration"] = _iso_weeks(p.weeks_min)
        else:
            if p.weeks_min is not None:
                d["ceterms:minimumDuration"] = _iso_weeks(p.weeks_min)
            if p.weeks_max is not None:
                d["ceterms:maximumDuration"] = _iso_weeks(p.weeks_max)
        durations.append(d)
    if durations:
        node["ceterms:estimatedDuration"] = durations
    if p.cost:
        node["ceterms:estimatedCost"] = [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:price": c.amount,
                "ceterms:currency": c.currency,
                "ceterms:directCostType": [
                    {
                        "@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:targetNode": f"costType:{_COST_TYPE_OUT[c.kind]}",
                    }
                ],
                "ceterms:paymentPattern": {"en": _pattern(c)},
            }
            for c in p.cost
        ]
    if p.funding:
        node["ceterms:financialAssistance"] = [
            {"@type": "ceterms:FinancialAssistanceProfile", "ceterms:name": {"en": f}}
            for f in p.funding
        ]
    if p.occupations:
        node["ceterms:occupationType"] = [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": o}
            if o.startswith(("http://", "https://"))
            else {"@type": "ceterms:CredentialAlignmentObject", "ceterms:codedNotation": o}
            for o in p.occupations
        ]
    subjects: list[Any] = [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": s} for s in p.skills
    ]
    if subjects:
        node["ceterms:subject"] = subjects
    if p.topics:
        node["ceterms:keyword"] = {"en": list(p.topics)}
    if p.stacks_into:
        node["ceterms:isPartOf"] = list(p.stacks_into)
    if p.has_parts:
        node["ceterms:hasPart"] = list(p.has_parts)
    if p.prerequisites:
        node["ceterms:requires"] = [
            {"@type": "ceterms:ConditionProfile", "ceterms:description": {"en": x}}
            for x in p.prerequisites
        ]
    data = p.to_json()
    ext = {k: data[k] for k in _EXT_FIELDS if k in data}
    ext["provider_recognised"] = p.provider.recognised_institution
    ext["cost_detail"] = [
        {"kind": c.kind, "courses": c.courses, "every_years": c.every_years} for c in p.cost
    ]
    node[EXT] = ext
    return node
