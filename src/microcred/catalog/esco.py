"""Reading ESCO's CSV download: the skills, the occupations and which skills each needs.

Pure: no database, web or CLI code. ``open_esco(path)`` finds the three files of one
language in a directory or in the zip ESCO's portal hands out; ``EscoReader`` streams
their rows as records, checking every row, and keeps every problem with its place
(``skills_en.csv, line 12, column conceptUri``). ``catalog.skills_store`` writes what it
yields. Columns are found by their header name (order and extra columns do not matter); a
UTF-8 byte order mark is fine. The files of ESCO 1.1 / 1.2 (language ``en``):

    skills_en.csv       conceptType, conceptUri, skillType, reuseLevel, preferredLabel,
                        altLabels, hiddenLabels, status, modifiedDate, scopeNote,
                        definition, inScheme, description
    occupations_en.csv  conceptType, conceptUri, iscoGroup, preferredLabel, altLabels,
                        hiddenLabels, status, modifiedDate, regulatedProfessionNote,
                        scopeNote, definition, inScheme, description, code [, naceCode]
    occupationSkillRelations_en.csv   occupationUri, relationType, skillType, skillUri

``altLabels`` holds one label per line inside a quoted cell. Input is capped: the files
read may hold at most ``max_bytes`` together (declared sizes checked first for a zip, and
reading stops at the cap whatever the zip declares).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, TypeVar

from microcred.catalog.model import Problem
from microcred.errors import MicrocredError

# ESCO 1.2's English files are about 100 MB together
MAX_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_PROBLEMS = 1000  # listed; the rest are counted
MAX_FIELD = 4 * 1024 * 1024  # characters in one cell (csv's default is 128 KiB)

URI_MAX = 300
LABEL_MAX = 500
SKILL_TYPE_MAX = 40
CODE_MAX = 40
ISCO_MAX = 20
RELATIONS = ("essential", "optional")

_NOT_UTF8 = re.compile("[\udc80-\udcff]")
ESCO_URI = re.compile(r"https?://data\.europa\.eu/esco/[^\s\x00-\x1f\x7f]+")

Kind = Literal["skills", "occupations", "relations"]
FILE_STEMS: dict[Kind, str] = {
    "skills": "skills",
    "occupations": "occupations",
    "relations": "occupationSkillRelations",
}

T = TypeVar("T")


class EscoInputError(MicrocredError):
    """The download as a whole cannot be read: not found, too large, a damaged zip."""

    code = "bad_input"


@dataclass(frozen=True, slots=True)
class SkillRecord:
    uri: str
    label: str
    alt_labels: tuple[str, ...]
    skill_type: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class OccupationRecord:
    uri: str
    label: str
    alt_labels: tuple[str, ...]
    code: str | None
    isco_group: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class RelationRecord:
    occupation_uri: str
    skill_uri: str
    relation: str  # essential | optional


def normalise(label: str) -> str:
    """The form labels are matched in: case-folded, spaces collapsed."""
    return " ".join(label.split()).casefold()


def split_labels(cell: str) -> tuple[str, ...]:
    """ESCO's alternative labels: one per line in a cell; blanks and repeats dropped."""
    seen: dict[str, None] = {}
    for line in cell.splitlines():
        label = " ".join(line.split())
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


def batched(items: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---- the files ------------------------------------------------------------------------------
class _Budget:
    """Bytes left to read across all the files of one import."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise EscoInputError(
                f"the ESCO files are larger than the {_mb(self.limit)} limit; "
                "give only the skills, occupations and occupation-skill relations files"
            )


class _Capped(io.RawIOBase):
    """A binary stream that stops (EscoInputError) once the budget is spent."""

    def __init__(self, raw: IO[bytes], budget: _Budget) -> None:
        self._raw = raw
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        self._budget.take(n)
        b[:n] = data
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _mb(n: int) -> str:
    mib = 1024 * 1024
    if n % mib == 0:
        return f"{n // mib} MB"
    return f"{n / mib:.1f} MB" if n >= mib else f"{n} bytes"


class EscoFiles(AbstractContextManager["EscoFiles"]):
    """The three CSV files of one language, in a directory or a zip (``open_esco``)."""

    def __init__(
        self,
        root: Path,
        names: dict[Kind, str],
        *,
        zip_file: zipfile.ZipFile | None,
        budget: _Budget,
    ) -> None:
        self.root = root
        self.names = names  # kind -> path in the directory or member of the zip
        self._zip = zip_file
        self._budget = budget

    def display_name(self, kind: Kind) -> str:
        return self.names[kind].rsplit("/", 1)[-1]

    def open_text(self, kind: Kind) -> IO[str]:
        """The file as text (UTF-8, a byte order mark skipped), within the size budget."""
        name = self.names[kind]
        try:
            raw: IO[bytes] = (
                self._zip.open(name) if self._zip is not None else (self.root / name).open("rb")
            )
        except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise EscoInputError(f"{self.display_name(kind)}: cannot read ({exc})") from None
        buffered = io.BufferedReader(_Capped(raw, self._budget), buffer_size=1024 * 1024)
        # bytes that are not UTF-8 become lone surrogates, found (with their line and
        # column) by EscoReader
        return io.TextIOWrapper(
            buffered, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_esco(path: Path, *, language: str = "en", max_bytes: int = MAX_BYTES) -> EscoFiles:
    """Find ``skills_<language>.csv``, ``occupations_<language>.csv`` and
    ``occupationSkillRelations_<language>.csv`` in ``path`` (a directory, searched down,
    or a zip of the download) and check their sizes against ``max_bytes``."""
    if not re.fullmatch(r"[a-z]{2,3}(-[a-zA-Z]{2,4})?", language):
        raise EscoInputError(f"language {language!r} is not a language code such as en")
    wanted: dict[Kind, str] = {
        k: f"{stem}_{language}.csv".lower() for k, stem in FILE_STEMS.items()
    }
    budget = _Budget(max_bytes)
    if path.is_dir():
        found = _find_in_directory(path, wanted)
        _check_found(path, wanted, found)
        sizes = sum((path / name).stat().st_size for name in found.values())
        if sizes > max_bytes:
            raise EscoInputError(
                f"{path}: the ESCO files hold {_mb(sizes)}, more than the {_mb(max_bytes)} limit"
            )
        return EscoFiles(path, found, zip_file=None, budget=budget)
    if not path.exists():
        raise EscoInputError(f"{path}: no such file or directory")
    if not zipfile.is_zipfile(path):
        raise EscoInputError(
            f"{path}: give the directory of ESCO's CSV files or the zip of the download"
        )
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise EscoInputError(f"{path}: not a readable zip ({exc})") from None
    try:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise EscoInputError(f"{path}: more than {MAX_ZIP_ENTRIES} entries in the zip")
        members: dict[Kind, str] = {}
        for kind, name in wanted.items():
            candidates = [
                i
                for i in infos
                if not i.is_dir()
                and i.filename.rsplit("/", 1)[-1].lower() == name
                and not i.filename.startswith("__MACOSX/")
            ]
            if candidates:
                members[kind] = min(candidates, key=lambda i: i.filename.count("/")).filename
        _check_found(path, wanted, members)
        declared = sum(zf.getinfo(m).file_size for m in members.values())
        if declared > max_bytes:
            raise EscoInputError(
                f"{path}: the ESCO files in the zip hold {_mb(declared)} "
                f"uncompressed, more than the {_mb(max_bytes)} limit"
            )
        for m in members.values():
            if zf.getinfo(m).flag_bits & 0x1:
                raise EscoInputError(f"{path}: {m} is encrypted")
    except BaseException:
        zf.close()
        raise
    return EscoFiles(path, members, zip_file=zf, budget=budget)


def _find_in_directory(root: Path, wanted: dict[Kind, str]) -> dict[Kind, str]:
    found: dict[Kind, str] = {}
    best_depth: dict[Kind, int] = {}
    by_name = {name: kind for kind, name in wanted.items()}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        depth = len(rel.parts)
        if depth >= 3:
            dirnames[:] = []
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in filenames:
            kind = by_name.get(filename.lower())
            if kind is not None and depth < best_depth.get(kind, 99):
                found[kind] = (rel / filename).as_posix()
                best_depth[kind] = depth
    return found


def _check_found(path: Path, wanted: dict[Kind, str], found: dict[Kind, str]) -> None:
    missing = [wanted[k] for k in wanted if k not in found]
    if missing:
        raise EscoInputError(f"{path}: no {', '.join(missing)} (the ESCO CSV download)")


# ---- the rows -------------------------------------------------------------------------------
@dataclass
class ReadCounts:
    skills: int = 0
    occupations: int = 0
    relations: int = 0
    skipped_not_released: int = 0  # concepts whose status is not "released"
    skipped_relations: int = 0  # relations of such concepts
    duplicates: int = 0  # rows repeating a concept or relation already read


class EscoReader:
    """Stream the records of ``files`` in order (skills, occupations, relations), checking
    every row. ``problems`` (at most ``MAX_PROBLEMS``; ``problem_count`` counts all) says
    what is wrong; a caller writes nothing when ``problem_count`` is not 0 at the end."""

    def __init__(self, files: EscoFiles, *, include_obsolete: bool = False) -> None:
        self.files = files
        self.include_obsolete = include_obsolete
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.counts = ReadCounts()
        # uri -> its number: relations are checked against these, keyed by number pairs
        self._skills: dict[str, int] = {}
        self._occupations: dict[str, int] = {}
        self._excluded: set[str] = set()  # concepts left out for their status
        self._skills_readable = False
        self._occupations_readable = False

    def _problem(self, name: str, line: int, column: str | None, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            where = f"{name}, line {line}" + (f", column {column}" if column else "")
            self.problems.append(Problem(where, message))

    def _rows(
        self, kind: Kind, required: tuple[str, ...]
    ) -> Iterator[tuple[int, dict[str, int], list[str]]]:
        """(line where the record starts, column index by name, cells) for each record."""
        name = self.files.display_name(kind)
        old_limit = csv.field_size_limit()
        csv.field_size_limit(max(old_limit, MAX_FIELD))
        line = 1
        try:
            with self.files.open_text(kind) as text:
                reader = csv.reader(text)
                try:
                    header = next(reader, None)
                    if header is None:
                        self._problem(name, 1, None, "the file is empty")
                        return
                    index: dict[str, int] = {}
                    for i, col in enumerate(header):
                        index.setdefault(col.strip().lstrip("\ufeff"), i)
                    missing = [c for c in required if c not in index]
                    for col in missing:
                        self._problem(name, 1, col, "this column is missing from the header")
                    if missing:
                        return
                    if kind == "skills":
                        self._skills_readable = True
                    elif kind == "occupations":
                        self._occupations_readable = True
                    line = reader.line_num
                    columns = {i: col for col, i in index.items()}
                    for row in reader:
                        start = line + 1
                        line = reader.line_num
                        if not row or all(not cell.strip() for cell in row):
                            continue
                        if _NOT_UTF8.search("".join(row)):
                            for i, cell in enumerate(row):
                                if _NOT_UTF8.search(cell):
                                    self._problem(name, start, columns.get(i), "not UTF-8 text")
                            continue
                        yield start, index, row
                except csv.Error as exc:
                    self._problem(name, line + 1, None, f"not readable as CSV ({exc})")
                    self._unreadable(kind)
        finally:
            csv.field_size_limit(old_limit)

    def _none(self, what: str) -> str:
        if self._excluded and not self.include_obsolete:
            return f"no {what} with status released in the file (see --include-obsolete)"
        return f"no {what} in the file"

    def _unreadable(self, kind: Kind) -> None:
        if kind == "skills":
            self._skills_readable = False
        elif kind == "occupations":
            self._occupations_readable = False

    def _concept(
        self,
        kind: Kind,
        line: int,
        index: dict[str, int],
        row: list[str],
        concept_type: str,
        known: dict[str, int],
    ) -> tuple[str, str, tuple[str, ...]] | None:
        """Check the columns every concept has; (uri, label, alt labels), or None when the
        row is wrong, repeated or left out for its status."""
        name = self.files.display_name(kind)
        ok = True
        ctype = _cell(row, index, "conceptType")
        if ctype and ctype != concept_type:
            self._problem(
                name, line, "conceptType", f"{ctype!r}: this file holds {concept_type} rows"
            )
            ok = False
        uri = _cell(row, index, "conceptUri")
        ok = self._check_uri(name, line, "conceptUri", uri) and ok
        label = " ".join(_cell(row, index, "preferredLabel").split())
        if not label:
            self._problem(name, line, "preferredLabel", "empty")
            ok = False
        elif len(label) > LABEL_MAX:
            self._problem(name, line, "preferredLabel", f"longer than {LABEL_MAX} characters")
            ok = False
        alt = split_labels(_cell(row, index, "altLabels"))
        if not ok:
            return None
        if uri in known or uri in self._excluded:
            self.counts.duplicates += 1
            return None
        status = _cell(row, index, "status")
        if "status" in index and status.lower() != "released" and not self.include_obsolete:
            self._excluded.add(uri)
            self.counts.skipped_not_released += 1
            return None
        known[uri] = len(known)
        return uri, label, tuple(a for a in alt if a != label)

    def _check_uri(self, name: str, line: int, column: str, uri: str) -> bool:
        if not uri:
            self._problem(name, line, column, "empty")
            return False
        if len(uri) > URI_MAX or not ESCO_URI.fullmatch(uri):
            self._problem(
                name,
                line,
                column,
                f"{_short(uri)!r} is not an ESCO URI (http://data.europa.eu/esco/...)",
            )
            return False
        return True

    def _optional(
        self, kind: Kind, line: int, index: dict[str, int], row: list[str], col: str, most: int
    ) -> tuple[bool, str | None]:
        value = _cell(row, index, col)
        if len(value) > most:
            self._problem(
                self.files.display_name(kind), line, col, f"longer than {most} characters"
            )
            return False, None
        return True, value or None

    def skills(self) -> Iterator[SkillRecord]:
        for line, index, row in self._rows("skills", ("conceptUri", "preferredLabel")):
            ok, skill_type = self._optional("skills", line, index, row, "skillType", SKILL_TYPE_MAX)
            concept = self._concept(
                "skills", line, index, row, "KnowledgeSkillCompetence", self._skills
            )
            if concept is None or not ok:
                continue
            uri, label, alt = concept
            self.counts.skills += 1
            yield SkillRecord(uri, label, alt, skill_type, _description(row, index))
        if self._skills_readable and not self._skills:
            self._problem(self.files.display_name("skills"), 2, None, self._none("skills"))

    def occupations(self) -> Iterator[OccupationRecord]:
        for line, index, row in self._rows("occupations", ("conceptUri", "preferredLabel")):
            ok1, code = self._optional("occupations", line, index, row, "code", CODE_MAX)
            ok2, isco = self._optional("occupations", line, index, row, "iscoGroup", ISCO_MAX)
            concept = self._concept(
                "occupations", line, index, row, "Occupation", self._occupations
            )
            if concept is None or not (ok1 and ok2):
                continue
            uri, label, alt = concept
            self.counts.occupations += 1
            yield OccupationRecord(uri, label, alt, code, isco, _description(row, index))
        if self._occupations_readable and not self._occupations:
            name = self.files.display_name("occupations")
            self._problem(name, 2, None, self._none("occupations"))

    def relations(self) -> Iterator[RelationRecord]:
        """Call after ``skills()`` and ``occupations()`` were read to the end."""
        name = self.files.display_name("relations")
        skills_name = self.files.display_name("skills")
        occupations_name = self.files.display_name("occupations")
        # pair -> line * 2 + (1 if essential): a repeated pair must say the same
        seen: dict[int, int] = {}
        width = len(self._skills) + 1
        required = ("occupationUri", "relationType", "skillUri")
        for line, index, row in self._rows("relations", required):
            occ = _cell(row, index, "occupationUri")
            skill = _cell(row, index, "skillUri")
            relation = _cell(row, index, "relationType").lower()
            ok = self._check_uri(name, line, "occupationUri", occ)
            ok = self._check_uri(name, line, "skillUri", skill) and ok
            if relation not in RELATIONS:
                shown = _short(_cell(row, index, "relationType"))
                self._problem(
                    name, line, "relationType", f"{shown!r}: must be essential or optional"
                )
                ok = False
            if not ok:
                continue
            if occ in self._excluded or skill in self._excluded:
                self.counts.skipped_relations += 1
                continue
            occ_no = self._occupations.get(occ)
            skill_no = self._skills.get(skill)
            if occ_no is None and self._occupations_readable:
                self._problem(name, line, "occupationUri", f"{occ} is not in {occupations_name}")
            if skill_no is None and self._skills_readable:
                self._problem(name, line, "skillUri", f"{skill} is not in {skills_name}")
            if occ_no is None or skill_no is None:
                continue
            key = occ_no * width + skill_no
            mark = line * 2 + (relation == "essential")
            before = seen.get(key)
            if before is not None:
                if (before & 1) != (mark & 1):
                    self._problem(
                        name,
                        line,
                        "relationType",
                        f"{relation}, but line {before >> 1} makes the same occupation and "
                        "skill the other kind",
                    )
                else:
                    self.counts.duplicates += 1
                continue
            seen[key] = mark
            self.counts.relations += 1
            yield RelationRecord(occ, skill, relation)


def _cell(row: list[str], index: dict[str, int], column: str) -> str:
    i = index.get(column)
    return row[i].strip() if i is not None and i < len(row) else ""


def _description(row: list[str], index: dict[str, int]) -> str | None:
    return _cell(row, index, "description") or _cell(row, index, "definition") or None


def _short(value: str, most: int = 80) -> str:
    return value if len(value) <= most else value[: most - 1] + "…"
