"""Reading and checking a cohort CSV before anything is signed.

One row per recipient. The header row names the columns (case-insensitive, surrounding
spaces ignored): ``email`` or ``did`` (each row gives exactly one of the two), ``name``
(required), and optionally ``grade``, ``score``, ``evidence_url`` (https),
``evidence_narrative``, ``narrative``, ``valid_from``, ``valid_until``.

Everything streams: :func:`iter_rows` reads one physical line at a time, so a file of
100,000 rows (or ten times that) is checked in flat memory. Problems name the physical
line (the header is line 1; a quoted field holding line breaks counts each of them) and the
column: ``line 7, column email: "bob@" is not an e-mail address``.

Choices worth knowing:

- Input is UTF-8 (a byte-order mark is dropped). Give a binary stream where you can (an
  upload, ``open(path, "rb")``): a byte that is not UTF-8 is then reported at its exact
  line. A text stream should be opened with ``encoding="utf-8-sig", newline=""``.
- Quoting is checked strictly (``"ab"c`` or a quote never closed is a problem); after such
  a problem the rest of the file cannot be read reliably, so reading stops there.
- Blank lines, and rows whose every field is empty (spreadsheets write them), are skipped.
  A row with fewer fields than the header reads the missing ones as empty; a row with more
  fields than the header is a problem (usually an unquoted comma), even when the extra
  fields are empty: ``Smith, John,`` must not pass as a name and a narrative.
- Unknown or unnamed columns are problems, but rows are still checked; a missing required
  column or a column named twice stops the check at the header.
- Dates: ``2026-09-01`` or ``2026-09-01T09:00:00Z`` (a date-time needs a time zone). A
  date alone means the start of that day (UTC) for ``valid_from`` and its last second
  (23:59:59 UTC) for ``valid_until``.
- A file with any problem is not to be issued: run :func:`dry_run` first.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import json
import math
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import IO, Any, cast
from urllib.parse import urlsplit

__all__ = [
    "KNOWN_COLUMNS",
    "CohortRow",
    "DryRunReport",
    "RowProblem",
    "check_header",
    "dry_run",
    "iter_rows",
]

KNOWN_COLUMNS: tuple[str, ...] = (
    "email",
    "did",
    "name",
    "grade",
    "score",
    "evidence_url",
    "evidence_narrative",
    "narrative",
    "valid_from",
    "valid_until",
)

MAX_LINE_CHARS = 131_072  # one physical line; also the csv module's field limit
MAX_NAME = 256
MAX_GRADE = 100
MAX_URL = 2048
MAX_NARRATIVE = 10_000
_READ_SIZE = 65_536

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]"
    r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
)
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID_RE = re.compile(rf"did:[a-z0-9]+:(?:{_IDCHAR}*:)*{_IDCHAR}+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(
    r"(?P<base>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?P<frac>\.\d+)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})?"
)
# Control characters (and bidirectional overrides, which can make a name read as another).
_ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_EOL = re.compile(rb"\r\n|\r|\n")
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in the file: its physical line (header = 1), column and what."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CohortRow:
    """One checked recipient row. Exactly one of ``email`` and ``did`` is set."""

    line: int
    email: str | None
    did: str | None
    name: str
    grade: str | None
    score: float | None
    evidence_url: str | None
    evidence_narrative: str | None
    narrative: str | None
    valid_from: datetime | None
    valid_until: datetime | None

    @property
    def recipient_key(self) -> str:
        """The e-mail address lower-cased, or the DID: what identifies the recipient."""
        if self.email is not None:
            return self.email.lower()
        if self.did is None:
            raise ValueError("a cohort row has neither an e-mail address nor a DID")
        return self.did

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (date-times as ISO 8601 strings); :meth:`from_json` reads it."""
        return {
            "line": self.line,
            "email": self.email,
            "did": self.did,
            "name": self.name,
            "grade": self.grade,
            "score": self.score,
            "evidence_url": self.evidence_url,
            "evidence_narrative": self.evidence_narrative,
            "narrative": self.narrative,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CohortRow:
        """The row :meth:`to_json` wrote. Raises KeyError/ValueError on another shape."""

        def when(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        score = data.get("score")
        return cls(
            line=int(data["line"]),
            email=data.get("email"),
            did=data.get("did"),
            name=str(data["name"]),
            grade=data.get("grade"),
            score=float(score) if score is not None else None,
            evidence_url=data.get("evidence_url"),
            evidence_narrative=data.get("evidence_narrative"),
            narrative=data.get("narrative"),
            valid_from=when("valid_from"),
            valid_until=when("valid_until"),
        )


@dataclass(frozen=True)
class DryRunReport:
    """What a dry run found. ``problems`` and ``duplicates_in_file`` keep at most
    ``max_problems`` entries each; ``problem_count`` and ``duplicate_count`` count them all."""

    rows: int
    valid: int
    problems: list[RowProblem] = field(default_factory=list)
    duplicates_in_file: list[tuple[int, int]] = field(default_factory=list)
    problem_count: int = 0
    duplicate_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the file can be issued as it is: rows, no problem, no recipient twice."""
        return self.rows > 0 and self.problem_count == 0 and self.duplicate_count == 0


# --- the header ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    width: int
    columns: dict[str, int]  # known column -> index
    problems: list[RowProblem]
    fatal: bool


def _read_header(fields: Sequence[str], line: int, require_grade: bool) -> _Header:
    names = [f.strip().lower() for f in fields]
    problems: list[RowProblem] = []
    columns: dict[str, int] = {}
    seen: dict[str, list[int]] = {}
    fatal = False
    known = ", ".join(KNOWN_COLUMNS)
    for i, name in enumerate(names):
        if not name:
            problems.append(
                RowProblem(line, None, f"column {i + 1} has no name (the known columns: {known})")
            )
        elif name not in KNOWN_COLUMNS:
            close = difflib.get_close_matches(name, KNOWN_COLUMNS, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(
                RowProblem(line, name, f"unknown column{hint}; the known columns: {known}")
            )
        else:
            seen.setdefault(name, []).append(i + 1)
            columns.setdefault(name, i)
    for name, positions in seen.items():
        if len(positions) > 1:
            fatal = True
            listed = " and ".join(str(p) for p in positions)
            problems.append(RowProblem(line, name, f"the column appears twice (columns {listed})"))
    if "email" not in columns and "did" not in columns:
        fatal = True
        problems.append(
            RowProblem(line, "email", 'a column "email" or "did" is required (the recipient)')
        )
    if "name" not in columns:
        fatal = True
        problems.append(RowProblem(line, "name", 'the column "name" is required'))
    if require_grade and "grade" not in columns:
        fatal = True
        problems.append(
            RowProblem(
                line, "grade", 'the achievement has a grade, so the column "grade" is required'
            )
        )
    return _Header(len(names), columns, problems, fatal)


def check_header(header: Sequence[str], *, require_grade: bool = False) -> list[RowProblem]:
    """The problems of a header row (line 1): unknown or unnamed columns, missing required
    ones, a column named twice. Empty when the header is fine."""
    return _read_header(header, 1, require_grade).problems


# --- reading physical lines --------------------------------------------------------------


class _Stop(Exception):
    """Reading cannot go on; carries the problem to report."""

    def __init__(self, problem: RowProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _too_long(line: int) -> _Stop:
    return _Stop(RowProblem(line, None, f"the line is longer than {MAX_LINE_CHARS} characters"))


def _byte_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """Physical lines of a binary stream (``\\r\\n``, ``\\r`` or ``\\n``), ends kept."""
    buf = b""
    number = 0
    while True:
        data = stream.read(_READ_SIZE)
        buf += data
        start = 0
        for m in _EOL.finditer(buf):
            if data and m.end() == len(buf) and m.group() == b"\r":
                break  # a "\n" may follow in the next read
            number += 1
            yield buf[start : m.end()]
            start = m.end()
        buf = buf[start:]
        if len(buf) > 4 * MAX_LINE_CHARS:  # UTF-8: at most 4 bytes a character
            raise _too_long(number + 1)
        if not data:
            if buf:
                yield buf
            return


def _decoded(stream: IO[bytes]) -> Iterator[str]:
    number = 0
    for raw in _byte_lines(stream):
        number += 1
        if number == 1 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise _Stop(
                RowProblem(1, None, 'the file is UTF-16 text; save it as "CSV UTF-8" instead')
            )
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise _Stop(
                RowProblem(
                    number,
                    None,
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02X} at position "
                    f'{exc.start + 1} of the line); save it as "CSV UTF-8"',
                )
            ) from None
        if len(text) > MAX_LINE_CHARS:
            raise _too_long(number)
        yield text


def _text_lines(stream: IO[str] | Iterable[str]) -> Iterator[str]:
    number = 0
    readline = getattr(stream, "readline", None)
    source = None if readline is not None else iter(stream)
    while True:
        try:
            if readline is not None:
                chunk = readline(MAX_LINE_CHARS + 2)
            else:
                assert source is not None
                chunk = next(source, "")
        except UnicodeDecodeError:
            raise _Stop(
                RowProblem(
                    number + 1,
                    None,
                    f"the file is not UTF-8 text (bytes at or after line {number + 1} cannot "
                    'be decoded); save it as "CSV UTF-8"',
                )
            ) from None
        if not chunk:
            return
        if not isinstance(chunk, str):
            raise TypeError("iter_rows: give a binary stream, a text stream or lines of text")
        if number == 0:
            chunk = chunk.removeprefix("\ufeff")
        for piece in _LONE_CR.split(chunk) if "\r" in chunk else (chunk,):
            if not piece:
                continue
            number += 1
            if len(piece.rstrip("\r\n")) > MAX_LINE_CHARS:
                raise _too_long(number)
            yield piece


def _lines(stream: IO[str] | IO[bytes] | Iterable[str]) -> Iterator[str]:
    """The stream's physical lines as text; raises _Stop with the problem that ends it."""
    read = getattr(stream, "read", None)
    if read is not None and isinstance(read(0), bytes):
        return _decoded(cast("IO[bytes]", stream))
    return _text_lines(cast("IO[str] | Iterable[str]", stream))


# --- checking one row --------------------------------------------------------------------


def _show(value: str, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[:limit] + "…"
    return json.dumps(shown, ensure_ascii=False)


def _check_email(value: str) -> str | None:
    if len(value) > 254:
        return f"{_show(value)} is not an e-mail address (longer than 254 characters)"
    if any(sep in value for sep in ",; "):
        return f"{_show(value)} is not an e-mail address (one address per row, no spaces)"
    m = _EMAIL_RE.fullmatch(value)
    if m is None or len(m.group("local")) > 64:
        return f"{_show(value)} is not an e-mail address"
    return None


def _parse_when(value: str, *, end_of_day: bool) -> datetime | str:
    """A timezone-aware datetime, or the problem's message."""
    parsed: datetime | None = None
    if _DATE_RE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0), UTC)
    elif m := _DATETIME_RE.fullmatch(value):
        if m.group("zone") is None:
            return f"{_show(value)} has no time zone: add Z (UTC) or an offset such as +02:00"
        zone = "+00:00" if m.group("zone") in ("Z", "z") else m.group("zone")
        frac = (m.group("frac") or "")[:7]
        try:
            parsed = datetime.fromisoformat(m.group("base") + frac + zone)
        except ValueError:
            parsed = None
        offset = parsed.utcoffset() if parsed else None
        if parsed and offset is not None and abs(offset.total_seconds()) <= 14 * 3600:
            return parsed
    return f"{_show(value)} is not a date (2026-09-01) or a date-time (2026-09-01T09:00:00Z)"


def _text(
    line: int, column: str, value: str, limit: int, one_line: bool, out: list[RowProblem]
) -> str | None:
    if not value:
        return None
    if len(value) > limit:
        out.append(RowProblem(line, column, f"the value is longer than {limit} characters"))
    elif (_ONE_LINE_BAD if one_line else _TEXT_BAD).search(value):
        what = "a line break or control character" if one_line else "a control character"
        out.append(RowProblem(line, column, f"{_show(value)} contains {what}"))
    return value


def _check_row(
    line: int,
    values: Mapping[str, str],
    header: _Header,
    require_grade: bool,
    now: datetime | None,
) -> CohortRow | list[RowProblem]:
    out: list[RowProblem] = []
    get = {k: v.strip() for k, v in values.items()}

    email = get.get("email") or None
    did = get.get("did") or None
    if email and did:
        out.append(RowProblem(line, None, "give an e-mail address or a DID, not both"))
    elif not email and not did:
        if "email" in header.columns:
            other = ' (or a DID in column "did")' if "did" in header.columns else ""
            out.append(RowProblem(line, "email", f"an e-mail address is required{other}"))
        else:
            out.append(RowProblem(line, "did", "a DID is required"))
    if email and (message := _check_email(email)):
        out.append(RowProblem(line, "email", message))
    if did and (len(did) > MAX_URL or not _DID_RE.fullmatch(did)):
        out.append(RowProblem(line, "did", f"{_show(did)} is not a DID (did:<method>:<id>)"))

    name = _text(line, "name", get.get("name", ""), MAX_NAME, True, out)
    if name is None:
        out.append(RowProblem(line, "name", "the recipient's name is required"))

    grade = _text(line, "grade", get.get("grade", ""), MAX_GRADE, True, out)
    if grade is None and require_grade:
        out.append(RowProblem(line, "grade", "a grade is required for this achievement"))

    score: float | None = None
    if raw_score := get.get("score"):
        if _NUMBER_RE.fullmatch(raw_score) and math.isfinite(float(raw_score)):
            score = float(raw_score)
        else:
            hint = " (use a point for decimals)" if re.fullmatch(r"\d+,\d+", raw_score) else ""
            out.append(RowProblem(line, "score", f"{_show(raw_score)} is not a number{hint}"))

    evidence_url = get.get("evidence_url") or None
    if evidence_url is not None:
        try:
            parts = urlsplit(evidence_url)
            ok = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
        except ValueError:
            ok = False
        if not ok or len(evidence_url) > MAX_URL or _ONE_LINE_BAD.search(evidence_url):
            out.append(
                RowProblem(line, "evidence_url", f"{_show(evidence_url)} is not an https URL")
            )
        elif " " in evidence_url:
            out.append(RowProblem(line, "evidence_url", "a URL cannot contain spaces"))

    raw_ev = get.get("evidence_narrative", "")
    evidence_narrative = _text(line, "evidence_narrative", raw_ev, MAX_NARRATIVE, False, out)
    narrative = _text(line, "narrative", get.get("narrative", ""), MAX_NARRATIVE, False, out)

    valid: dict[str, datetime | None] = {"valid_from": None, "valid_until": None}
    for column in valid:
        if raw := get.get(column):
            parsed = _parse_when(raw, end_of_day=column == "valid_until")
            if isinstance(parsed, str):
                out.append(RowProblem(line, column, parsed))
            else:
                valid[column] = parsed
    valid_from, valid_until = valid["valid_from"], valid["valid_until"]
    if valid_from and valid_until and valid_until <= valid_from:
        shown = _show(get["valid_until"])
        out.append(
            RowProblem(
                line, "valid_until", f"{shown} is not after valid_from ({get['valid_from']})"
            )
        )
    elif valid_until and now is not None and valid_until <= now:
        out.append(RowProblem(line, "valid_until", f"{_show(get['valid_until'])} is past"))

    if out or name is None:
        return out
    return CohortRow(
        line=line,
        email=email,
        did=did,
        name=name,
        grade=grade,
        score=score,
        evidence_url=evidence_url,
        evidence_narrative=evidence_narrative,
        narrative=narrative,
        valid_from=valid_from,
        valid_until=valid_until,
    )


# --- the scan ----------------------------------------------------------------------------


class _Scan:
    """One pass over a file, counting data rows as it goes."""

    def __init__(self, require_grade: bool, now: datetime | None) -> None:
        self.require_grade = require_grade
        self.now = now
        self.rows = 0

    def run(self, stream: IO[str] | IO[bytes] | Iterable[str]) -> Iterator[CohortRow | RowProblem]:
        reader = csv.reader(_lines(stream), strict=True)
        header: _Header | None = None
        last = 0  # the last physical line read
        while True:
            start = last + 1
            try:
                fields = next(reader, None)
            except _Stop as stop:
                yield stop.problem
                return
            except csv.Error as exc:
                yield self._malformed(start, reader.line_num, exc)
                return
            last = reader.line_num
            if fields is None:
                break
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = _read_header(fields, start, self.require_grade)
                yield from header.problems
                if header.fatal:
                    return
                continue
            self.rows += 1
            if len(fields) > header.width:
                yield RowProblem(
                    start, None, f"{len(fields)} fields, the header has {header.width}"
                )
                continue
            values = {c: fields[i] for c, i in header.columns.items() if i < len(fields)}
            result = _check_row(start, values, header, self.require_grade, self.now)
            if isinstance(result, CohortRow):
                yield result
            else:
                yield from result
        if header is None:
            yield RowProblem(1, None, "the file is empty")
        elif self.rows == 0:
            yield RowProblem(last or 1, None, "the file has a header but no rows")

    @staticmethod
    def _malformed(start: int, at: int, exc: csv.Error) -> RowProblem:
        text = str(exc)
        if "field larger than field limit" in text or "unexpected end of data" in text:
            return RowProblem(
                start,
                None,
                "a quoted field that starts here is never closed (a quotation mark is missing)",
            )
        where = f" (at line {at})" if at > start else ""
        return RowProblem(
            start,
            None,
            f"the CSV is malformed{where}: {text}. A field holding a comma, a quotation mark "
            'or a line break must be in quotation marks, with each " inside written as ""',
        )


def iter_rows(
    stream: IO[str] | IO[bytes] | Iterable[str],
    *,
    require_grade: bool = False,
    now: datetime | None = None,
) -> Iterator[CohortRow | RowProblem]:
    """Each row of a cohort CSV, checked, in file order, one line at a time.

    Yields a :class:`CohortRow` for a good row and one :class:`RowProblem` for each thing
    wrong (a row with problems is not yielded as a row); header problems come first (line
    1). ``stream`` is a binary stream (preferred), a text stream opened with
    ``newline=""``, or an iterable of lines with their line endings. ``require_grade``: the
    achievement defines a grade, so every row needs one. ``now``: when given, a
    ``valid_until`` not after it is a problem. Raises nothing for bad content; reading
    stops at a problem that makes the rest unreadable (not UTF-8, broken quoting).
    """
    return _Scan(require_grade, now).run(stream)


def dry_run(
    stream: IO[str] | IO[bytes] | Iterable[str],
    *,
    require_grade: bool = False,
    max_problems: int = 1000,
    now: datetime | None = None,
) -> DryRunReport:
    """Check a whole cohort CSV without keeping it: every problem, and each recipient given
    twice (``(first line, repeated line)``, in file order).

    Memory stays bounded: per good row, a 64-bit hash of its recipient key and its line
    number (16 bytes; a sort at the end finds the repeats). Raises nothing for bad content.
    """
    scan = _Scan(require_grade, now)
    problems: list[RowProblem] = []
    problem_count = 0
    hashes, lines = array("q"), array("q")
    for item in scan.run(stream):
        if isinstance(item, RowProblem):
            problem_count += 1
            if len(problems) < max_problems:
                problems.append(item)
        else:
            hashes.append(hash(item.recipient_key))
            lines.append(item.line)

    ordered = sorted(hashes)
    repeated = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}
    del ordered
    duplicates: list[tuple[int, int]] = []
    duplicate_count = 0
    first_seen: dict[int, int] = {}
    for key, line in zip(hashes, lines, strict=True):
        if key in repeated:
            first = first_seen.setdefault(key, line)
            if first != line:
                duplicate_count += 1
                if len(duplicates) < max_problems:
                    duplicates.append((first, line))
    return DryRunReport(
        rows=scan.rows,
        valid=len(hashes),
        problems=problems,
        duplicates_in_file=duplicates,
        problem_count=problem_count,
        duplicate_count=duplicate_count,
    )
