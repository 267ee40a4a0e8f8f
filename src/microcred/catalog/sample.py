"""The bundled sample catalog (``data/sample_programs.csv``), read through the catalog CSV
template.

SAMPLE DATA: the providers are fictional (``.example`` sites, names marked "(sample)"), except
a few listings built from public prices (Google Career Certificates on Coursera, Salesforce
certification exams), which are named "(sample listing)" and cite their source in the
description. Skills are URIs of the curated taxonomy (``microcred.advisor.skills``), and
occupations are its O*NET occupation URIs. ``microcred seed`` imports the catalog with
``is_sample=True``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from microcred.catalog.csv_io import read_csv
from microcred.catalog.model import Program

SAMPLE_PATH = Path(__file__).parent / "data" / "sample_programs.csv"


class SampleCatalogError(ValueError):
    """The bundled sample catalog does not read cleanly (a packaging or editing mistake)."""


def load_sample_programs() -> list[Program]:
    """The sample programs, in file order (a fresh list each call; the file is read once).
    Raises :class:`SampleCatalogError` listing every problem if the bundled file is invalid."""
    return [Program.from_json(data) for data in _sample_json()]


@lru_cache(maxsize=1)
def _sample_json() -> tuple[dict[str, object], ...]:
    try:
        text = SAMPLE_PATH.read_text(encoding="utf-8")
    except OSError as exc:
        raise SampleCatalogError(f"cannot read the sample catalog {SAMPLE_PATH}: {exc}") from exc
    programs, problems = read_csv(text)
    if problems:
        lines = "\n".join(f"{SAMPLE_PATH.name}: {p}" for p in problems)
        raise SampleCatalogError(f"the bundled sample catalog is invalid:\n{lines}")
    return tuple(p.to_json() for _, p in programs)
