"""Skills and occupations: look them up by URI, code or words, for the advisor.

A :class:`SkillsSource` answers four questions: which occupation a query names
(:meth:`~SkillsSource.occupation`), what a skill URI is (:meth:`~SkillsSource.skill`), which
skills a learner's comma-separated list names (:meth:`~SkillsSource.match_skills`, with the
items it could not place) and which occupations some words describe
(:meth:`~SkillsSource.search_occupations`).

:class:`CuratedSkills` answers them from the bundled ``data/skills_curated.json`` (a small
curated set of ESCO and O*NET skills and the occupations the sample catalog serves; the file's
``note`` says what was verified and how); :func:`load_curated` loads it once. A
database-backed source for the full ESCO import implements the same protocol, and
:class:`ChainedSkills` asks several sources in turn (e.g. the database, then the curated set).

Matching, everywhere: case-insensitive, on words (letters and digits; a few stop words such
as "and", "of", "use" are ignored; a plural ``s`` is dropped). A name matches a label when
their words agree exactly; otherwise the best word overlap (the Dice coefficient of the two
word sets) wins, if it reaches a threshold. Ties go to the earlier entry of the file.

Pure: no web, database or CLI import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

CURATED_PATH = Path(__file__).parent / "data" / "skills_curated.json"
TAXONOMIES = ("esco", "onet")
# the identifier forms a curated entry may use (a test checks every URI of the file)
ESCO_SKILL = re.compile(
    r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
ESCO_OCCUPATION = re.compile(
    r"^http://data\.europa\.eu/esco/occupation/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
ONET_ELEMENT = re.compile(
    r"^https://www\.onetonline\.org/find/descriptor/result/[0-9](\.[A-Za-z0-9]+)+$"
)
ONET_OCCUPATION = re.compile(r"^https://www\.onetonline\.org/link/summary/\d{2}-\d{4}\.\d{2}$")
ONET_SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")

# how close a fuzzy match must be (Dice coefficient of the word sets, 0..1)
OCCUPATION_THRESHOLD = 0.4
# above 0.5: one word shared of two each ("manage payrolls", "manage frustration") is not one
SKILL_THRESHOLD = 0.6
_STOP = frozenset(
    "a an and as at be by for from i in into of on or the to use using with want work".split()
)
_WORD = re.compile(r"[a-z0-9+#]+")
_ITEM_SEP = re.compile(r"[,;\n|]")


@dataclass(frozen=True)
class Skill:
    uri: str
    label: str
    taxonomy: str  # esco | onet
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Occupation:
    uri: str
    label: str
    taxonomy: str  # esco | onet
    code: str | None  # the ISCO code (ESCO) or the O*NET-SOC code
    alt_labels: tuple[str, ...] = ()
    essential_skills: tuple[str, ...] = ()  # skill URIs
    optional_skills: tuple[str, ...] = ()

    @property
    def skills(self) -> tuple[str, ...]:
        """Essential skills, then optional ones."""
        return self.essential_skills + self.optional_skills


@dataclass(frozen=True)
class SkillMatch:
    """What a list of skill names resolved to: the skills (in the list's order, each once)
    and the items that matched nothing (as the learner wrote them)."""

    skills: list[Skill] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class SkillsSource(Protocol):
    def occupation(self, query: str) -> Occupation | None:
        """The occupation with this URI, or this code (O*NET-SOC, ``15-1212`` or
        ``15-1212.00``; ISCO), or whose label or alternative label best matches the words."""
        ...

    def skill(self, uri: str) -> Skill | None:
        """The skill with this URI."""
        ...

    def match_skills(self, text: str) -> SkillMatch:
        """Resolve a comma-separated list of skill names or URIs (``;``, ``|`` and new
        lines separate items too): each item by URI, then exact label or alternative label,
        then best word overlap; items that match nothing are in ``unknown``."""
        ...

    def search_occupations(self, text: str, limit: int = 10) -> list[Occupation]:
        """Occupations whose labels share words with ``text``, best first."""
        ...


def split_items(text: str) -> list[str]:
    """The items of a learner's list of skills, stripped, empty ones dropped."""
    return [item.strip() for item in _ITEM_SEP.split(text) if item.strip()]


def words(text: str) -> frozenset[str]:
    """The words a match compares: lower case, stop words out, plurals folded."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _code_key(text: str) -> str:
    t = text.strip()
    return f"{t}.00" if re.fullmatch(r"\d{2}-\d{4}", t) else t


class CuratedSkills:
    """The curated skills and occupations (``data/skills_curated.json``), in memory."""

    def __init__(self, skills: Sequence[Skill], occupations: Sequence[Occupation]):
        self.skills: tuple[Skill, ...] = tuple(skills)
        self.occupations: tuple[Occupation, ...] = tuple(occupations)
        self._skill_by_uri = {s.uri: s for s in self.skills}
        self._occ_by_uri = {o.uri: o for o in self.occupations}
        self._occ_by_code: dict[str, Occupation] = {}
        for o in self.occupations:
            if o.code:
                self._occ_by_code.setdefault(o.code, o)
        # exact names: preferred labels first, so an alternative label never hides one
        self._skill_exact: dict[frozenset[str], Skill] = {}
        for s in self.skills:
            self._skill_exact.setdefault(words(s.label), s)
        for s in self.skills:
            for alt in s.alt_labels:
                self._skill_exact.setdefault(words(alt), s)
        self._skill_names = [(s, [words(n) for n in (s.label, *s.alt_labels)]) for s in self.skills]
        self._occ_names = [
            (o, [words(n) for n in (o.label, *o.alt_labels)]) for o in self.occupations
        ]

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str = "skills data") -> CuratedSkills:
        """Build from the file's JSON; ``ValueError`` naming ``where`` and the entry if an
        entry lacks a field."""
        try:
            skills = [
                Skill(
                    uri=str(s["uri"]),
                    label=str(s["label"]),
                    taxonomy=str(s["taxonomy"]),
                    alt_labels=tuple(str(a) for a in s.get("alt_labels", ())),
                )
                for s in data["skills"]
            ]
            occupations = [
                Occupation(
                    uri=str(o["uri"]),
                    label=str(o["label"]),
                    taxonomy=str(o["taxonomy"]),
                    code=str(o["code"]) if o.get("code") else None,
                    alt_labels=tuple(str(a) for a in o.get("alt_labels", ())),
                    essential_skills=tuple(str(u) for u in o.get("essential_skills", ())),
                    optional_skills=tuple(str(u) for u in o.get("optional_skills", ())),
                )
                for o in data["occupations"]
            ]
        except (KeyError, TypeError) as exc:
            raise ValueError(
                f"{where}: an entry lacks a field or has the wrong type ({exc})"
            ) from exc
        return cls(skills, occupations)

    # ---- SkillsSource --------------------------------------------------------------------
    def occupation(self, query: str) -> Occupation | None:
        q = query.strip()
        if not q:
            return None
        found = self._occ_by_uri.get(q) or self._occ_by_code.get(_code_key(q))
        if found is not None:
            return found
        best = self._ranked_occupations(words(q))
        return best[0] if best else None

    def skill(self, uri: str) -> Skill | None:
        return self._skill_by_uri.get(uri.strip())

    def match_skills(self, text: str) -> SkillMatch:
        result = SkillMatch()
        for item in split_items(text):
            s = self._match_one(item)
            if s is None:
                result.unknown.append(item)
            elif s not in result.skills:
                result.skills.append(s)
        return result

    def search_occupations(self, text: str, limit: int = 10) -> list[Occupation]:
        q = text.strip()
        if not q or limit <= 0:
            return []
        exact = self._occ_by_uri.get(q) or self._occ_by_code.get(_code_key(q))
        if exact is not None:
            return [exact]
        return self._ranked_occupations(words(q), threshold=0.0)[:limit]

    # ---- matching ------------------------------------------------------------------------
    def _match_one(self, item: str) -> Skill | None:
        by_uri = self._skill_by_uri.get(item)
        if by_uri is not None:
            return by_uri
        w = words(item)
        if not w:
            return None
        exact = self._skill_exact.get(w)
        if exact is not None:
            return exact
        best: Skill | None = None
        best_score = 0.0
        for s, names in self._skill_names:
            score = max(_dice(w, n) for n in names)
            if score > best_score:
                best, best_score = s, score
        return best if best_score >= SKILL_THRESHOLD else None

    def _ranked_occupations(
        self, w: frozenset[str], threshold: float = OCCUPATION_THRESHOLD
    ) -> list[Occupation]:
        if not w:
            return []
        scored: list[tuple[float, int, Occupation]] = []
        for i, (o, names) in enumerate(self._occ_names):
            score = max(1.0 if n == w else _dice(w, n) for n in names)
            if score > 0 and score >= threshold:
                scored.append((score, i, o))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [o for _, _, o in scored]


@lru_cache(maxsize=1)
def load_curated() -> CuratedSkills:
    """The bundled curated set (read once)."""
    with CURATED_PATH.open(encoding="utf-8") as f:
        data = json.load(f)
    return CuratedSkills.from_json(data, where=CURATED_PATH.name)


class ChainedSkills:
    """Several sources asked in order: the first that knows the answer gives it."""

    def __init__(self, *sources: SkillsSource):
        self.sources: tuple[SkillsSource, ...] = sources

    def occupation(self, query: str) -> Occupation | None:
        for source in self.sources:
            found = source.occupation(query)
            if found is not None:
                return found
        return None

    def skill(self, uri: str) -> Skill | None:
        for source in self.sources:
            found = source.skill(uri)
            if found is not None:
                return found
        return None

    def match_skills(self, text: str) -> SkillMatch:
        """Each item is tried on each source in turn (so a skill the first source lacks can
        come from the next)."""
        result = SkillMatch()
        for item in split_items(text):
            skill = _first_match(self.sources, item)
            if skill is None:
                result.unknown.append(item)
            elif skill not in result.skills:
                result.skills.append(skill)
        return result

    def search_occupations(self, text: str, limit: int = 10) -> list[Occupation]:
        out: list[Occupation] = []
        seen: set[str] = set()
        for source in self.sources:
            for o in source.search_occupations(text, limit):
                if o.uri not in seen:
                    seen.add(o.uri)
                    out.append(o)
        return out[:limit]


def _first_match(sources: Iterable[SkillsSource], item: str) -> Skill | None:
    for source in sources:
        found = source.match_skills(item).skills
        if found:
            return found[0]
    return None
