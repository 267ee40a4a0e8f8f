"""The catalog CSV template (documented in docs/catalog-csv.md): read and write.

One program per row. Lists are ``|``-separated; ``cost`` entries are
``kind:amount[:currency][:n]`` separated by ``;`` (``n`` is the number of courses of a
per_course cost, the years between renewals of a renewal cost); ``recognition`` entries are
``kind|source|date|text`` separated by ``;``. Yes/no columns take yes/no/true/false/1/0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from microcred.catalog.model import (
    CostItem,
    Problem,
    Program,
    Provider,
    Recognition,
    duplicates,
    validate,
)

COLUMNS = (
    "external_id",
    "name",
    "provider",
    "provider_type",
    "provider_accrediting_body",
    "provider_recognised",
    "provider_url",
    "provider_country",
    "provider_institution_type",
    "credential_type",
    "description",
    "url",
    "learning_outcomes",
    "hours",
    "ects",
    "eqf_level",
    "qualification_level",
    "assessment",
    "participation",
    "quality_assurance",
    "prerequisites",
    "stackability",
    "stacks_into",
    "has_parts",
    "skills",
    "occupations",
    "topics",
    "weeks_min",
    "weeks_max",
    "hours_per_week",
    "pacing",
    "cohort_dates",
    "format",
    "language",
    "cost",
    "funding",
    "proof",
    "validity_months",
    "renewal",
    "recognition",
    "as_of",
)
REQUIRED = ("external_id", "name", "provider", "provider_type", "credential_type")
# model field -> column, where they differ
_FIELD_COLUMN = {
    "provider.name": "provider",
    "provider.provider_type": "provider_type",
    "provider.accrediting_body": "provider_accrediting_body",
    "provider.recognised_institution": "provider_recognised",
    "provider.url": "provider_url",
    "provider.country": "provider_country",
    "provider.institution_type": "provider_institution_type",
}
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n", ""}


class _Bad(ValueError):
    pass


def _list(text: str) -> list[str]:
    return [x.strip() for x in text.split("|") if x.strip()]


def _opt(text: str) -> str | None:
    return text.strip() or None


def _float(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise _Bad(f"{text!r} is not a number") from None


def _int(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise _Bad(f"{text!r} is not a whole number") from None


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise _Bad(f"{text!r}: use yes or no")


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _Bad(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _dates(text: str) -> list[date]:
    return [d for d in (_date(x) for x in _list(text)) if d is not None]


def _costs(text: str) -> list[CostItem]:
    out: list[CostItem] = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        parts = [x.strip() for x in entry.split(":")]
        if len(parts) < 2 or len(parts) > 4:
            raise _Bad(f"{entry!r}: write kind:amount[:currency][:n] (e.g. monthly:49:USD)")
        amount = _float(parts[1])
        if amount is None:
            raise _Bad(f"{entry!r}: the amount is missing")
        currency = parts[2].upper() if len(parts) > 2 and parts[2] else "USD"
        n = _int(parts[3]) if len(parts) > 3 else None
        kind = parts[0]
        out.append(
            CostItem(
                kind=kind,
                amount=amount,
                currency=currency,
                courses=n if kind == "per_course" else None,
                every_years=n if kind == "renewal" else None,
            )
        )
        if n is not None and kind not in ("per_course", "renewal"):
            raise _Bad(f"{entry!r}: only per_course and renewal costs take a count")
    return out


def _recognition(text: str) -> list[Recognition]:
    out: list[Recognition] = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        parts = [x.strip() for x in entry.split("|", 3)]
        if len(parts) != 4:
            raise _Bad(f"{entry!r}: write kind|source|date|text")
        out.append(Recognition(kind=parts[0], source=parts[1], date=_date(parts[2]), text=parts[3]))
    return out


_PARSERS: dict[str, Callable[[str], Any]] = {
    "provider_recognised": _bool,
    "hours": _float,
    "ects": _float,
    "hours_per_week": _float,
    "eqf_level": _int,
    "qualification_level": _int,
    "weeks_min": _int,
    "weeks_max": _int,
    "validity_months": _int,
    "cohort_dates": _dates,
    "cost": _costs,
    "recognition": _recognition,
    "as_of": _date,
}
for _c in (
    "learning_outcomes",
    "prerequisites",
    "stacks_into",
    "has_parts",
    "skills",
    "occupations",
    "topics",
    "funding",
):
    _PARSERS[_c] = _list
for _c in (
    "provider_accrediting_body",
    "provider_url",
    "provider_country",
    "provider_institution_type",
    "url",
    "assessment",
    "participation",
    "quality_assurance",
    "stackability",
    "pacing",
    "format",
    "language",
    "proof",
    "renewal",
):
    _PARSERS[_c] = _opt


def read_csv(text: str) -> tuple[list[tuple[str, Program]], list[Problem]]:
    """The programs of a catalog CSV (each with its place, ``line N``) and every problem
    (``line N, column C: reason``). Programs are only usable when there are no problems."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems: list[Problem] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing:
        problems.append(Problem("line 1", f"missing column(s): {', '.join(missing)}"))
    if unknown:
        problems.append(Problem("line 1", f"unknown column(s): {', '.join(unknown)}"))
    if problems:
        return [], problems
    reader.fieldnames = header
    programs: list[tuple[str, Program]] = []
    for row in reader:
        line = f"line {reader.line_num}"
        if None in row:
            problems.append(Problem(line, "more fields than the header has columns"))
            continue
        values: dict[str, Any] = {}
        bad = False
        for column in COLUMNS:
            raw = (row.get(column) or "").strip()
            try:
                values[column] = _PARSERS[column](raw) if column in _PARSERS else raw
            except _Bad as exc:
                problems.append(Problem(f"{line}, column {column}", str(exc)))
                bad = True
        if bad:
            continue
        program = Program(
            external_id=values["external_id"],
            name=values["name"],
            provider=Provider(
                name=values["provider"],
                provider_type=values["provider_type"],
                accrediting_body=values["provider_accrediting_body"],
                recognised_institution=values["provider_recognised"],
                url=values["provider_url"],
                country=values["provider_country"],
                institution_type=values["provider_institution_type"],
            ),
            credential_type=values["credential_type"],
            **{c: values[c] for c in COLUMNS if c not in REQUIRED and not c.startswith("provider")},
        )
        record_problems = validate(program)
        for p in record_problems:
            problems.append(Problem(f"{line}, column {_column(p.where)}", p.message))
        if not record_problems:
            programs.append((line, program))
    problems.extend(duplicates(programs))
    return programs, problems


def _column(path: str) -> str:
    return _FIELD_COLUMN.get(path, path)


def write_csv(programs: list[Program]) -> str:
    """The programs in the template (every column, in order)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in programs:
        writer.writerow([_cell(p, c) for c in COLUMNS])
    return out.getvalue()


def _num(x: float | int | None) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _cell(p: Program, column: str) -> str:
    prov = p.provider
    if column == "provider":
        return prov.name
    if column == "provider_type":
        return prov.provider_type
    if column == "provider_accrediting_body":
        return prov.accrediting_body or ""
    if column == "provider_recognised":
        return "yes" if prov.recognised_institution else "no"
    if column == "provider_url":
        return prov.url or ""
    if column == "provider_country":
        return prov.country or ""
    if column == "provider_institution_type":
        return prov.institution_type or ""
    if column == "cost":
        entries = []
        for c in p.cost:
            n = c.courses if c.kind == "per_course" else c.every_years
            entry = f"{c.kind}:{_num(c.amount)}:{c.currency}"
            entries.append(entry + (f":{n}" if n is not None else ""))
        return ";".join(entries)
    if column == "recognition":
        return ";".join(
            f"{r.kind}|{r.source}|{r.date.isoformat() if r.date else ''}|{r.text}"
            for r in p.recognition
        )
    if column == "cohort_dates":
        return "|".join(d.isoformat() for d in p.cohort_dates)
    if column == "as_of":
        return p.as_of.isoformat() if p.as_of else ""
    value = getattr(p, column)
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, (int, float)):
        return _num(value)
    return "" if value is None else str(value)
