"""Cohort CSV: every problem named by line and column, before anything is signed; streaming."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import pytest

from microcred.issuing.cohort_csv import (
    KNOWN_COLUMNS,
    CohortRow,
    DryRunReport,
    RowProblem,
    check_header,
    dry_run,
    iter_rows,
)


def _scan(
    text: str, *, require_grade: bool = False, now: datetime | None = None
) -> list[CohortRow | RowProblem]:
    data = io.BytesIO(text.encode("utf-8"))
    return list(iter_rows(data, require_grade=require_grade, now=now))


def _problems(text: str, *, require_grade: bool = False, now: datetime | None = None) -> list[str]:
    items = _scan(text, require_grade=require_grade, now=now)
    return [str(p) for p in items if isinstance(p, RowProblem)]


def _rows(text: str) -> list[CohortRow]:
    items = _scan(text)
    assert not [str(p) for p in items if isinstance(p, RowProblem)]
    return [r for r in items if isinstance(r, CohortRow)]


# --- good files -------------------------------------------------------------------------


def test_a_full_row() -> None:
    text = (
        "email,did,name,grade,score,evidence_url,evidence_narrative,narrative,valid_from,valid_until\n"
        "Ana.Lopez@Example.ORG,, Ana López ,Distinction,87.5,https://portfolio.example/ana,"
        '"Built a bridge,\nthen a boat",Passed all modules,2026-09-01,2027-08-31\n'
        ",did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK,Bo,Pass,,,,,"
        "2026-09-01T09:00:00+02:00,\n"
    )
    ana, bo = _rows(text)
    assert ana == CohortRow(
        line=2,
        email="Ana.Lopez@Example.ORG",
        did=None,
        name="Ana López",
        grade="Distinction",
        score=87.5,
        evidence_url="https://portfolio.example/ana",
        evidence_narrative="Built a bridge,\nthen a boat",
        narrative="Passed all modules",
        valid_from=datetime(2026, 9, 1, tzinfo=UTC),
        valid_until=datetime(2027, 8, 31, 23, 59, 59, tzinfo=UTC),  # a date: its last second
    )
    assert ana.recipient_key == "ana.lopez@example.org"
    assert bo.line == 4  # the quoted line break in line 2-3 counts
    assert bo.email is None
    assert bo.recipient_key == "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert bo.valid_from == datetime(2026, 9, 1, 9, tzinfo=timezone(timedelta(hours=2)))
    assert (bo.grade, bo.score, bo.evidence_url, bo.valid_until) == ("Pass", None, None, None)


def test_json_round_trip() -> None:
    text = (
        "email,name,score,valid_from,valid_until\n"
        "a@example.org,A,3,2026-01-01T00:00:00.123456Z,2027-01-01\n"
        "b@example.org,B,,,\n"
    )
    for row in _rows(text):
        stored = json.loads(json.dumps(row.to_json()))
        assert CohortRow.from_json(stored) == row


def test_headers_are_case_insensitive_and_trimmed() -> None:
    [row] = _rows(" EMAIL , Name ,Valid_Until\nbob@example.org,Bob,2030-01-01\n")
    assert (row.email, row.name) == ("bob@example.org", "Bob")


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfemail,name\nbob@example.org,Bob\n",  # binary with BOM
        b'\xef\xbb\xbf"email","name"\nbob@example.org,Bob\n',  # BOM before a quoted header
    ],
)
def test_bom_in_a_binary_stream(data: bytes) -> None:
    [row] = list(iter_rows(io.BytesIO(data)))
    assert isinstance(row, CohortRow) and row.email == "bob@example.org"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"])
def test_bom_in_a_text_file(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(b"\xef\xbb\xbfemail,name\r\nbob@example.org,Bob\r\n")
    with path.open(encoding=encoding, newline="") as fh:
        [row] = list(iter_rows(fh))
    assert isinstance(row, CohortRow) and (row.line, row.email) == (2, "bob@example.org")


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_endings(eol: str) -> None:
    lines = ["email,name,narrative", "a@example.org,A,", 'b@example.org,B,"one', 'two"', "bad,C,"]
    items = _scan(eol.join(lines) + eol)
    assert [(i.line, type(i).__name__) for i in items] == [
        (2, "CohortRow"),
        (3, "CohortRow"),
        (5, "RowProblem"),
    ]
    assert isinstance(items[1], CohortRow) and items[1].narrative == f"one{eol}two"


def test_quoted_newlines_count_as_lines() -> None:
    text = (
        "email,name,narrative\n"  # 1
        'a@example.org,A,"one\n'  # 2
        "two\n"  # 3
        'three"\n'  # 4
        "\n"  # 5: blank, skipped
        "bob@,B,\n"  # 6
        'c@example.org,"C\n'  # 7
        'D",x\n'  # 8
        "d@example.org,,\n"  # 9
    )
    assert _problems(text) == [
        'line 6, column email: "bob@" is not an e-mail address',
        'line 7, column name: "C\\nD" contains a line break or control character',
        "line 9, column name: the recipient's name is required",
    ]
    [row] = [i for i in _scan(text) if isinstance(i, CohortRow)]
    assert (row.line, row.narrative) == (2, "one\ntwo\nthree")


def test_blank_and_empty_rows_are_skipped_short_rows_padded() -> None:
    text = "\n\nemail,name,grade\n\n,,\n  , ,,,\na@example.org,A\nb@example.org,B,\n"
    rows = _rows(text)
    assert [(r.line, r.grade) for r in rows] == [(7, None), (8, None)]
    report = dry_run(io.StringIO(text))
    assert (report.rows, report.valid, report.ok) == (2, 2, True)


# --- each problem, with its line and column --------------------------------------------

HEADER = "email,did,name,grade,score,evidence_url,valid_from,valid_until\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("bob@,,Bob,,,,,", 'line 2, column email: "bob@" is not an e-mail address'),
        ("bob@example,,Bob,,,,,", 'line 2, column email: "bob@example" is not an e-mail address'),
        (
            "bob smith@example.org,,Bob,,,,,",
            'column email: "bob smith@example.org" is not an e-mail address (one address per row, no spaces)',
        ),
        ("a@example.org;b@example.org,,Bob,,,,,", "(one address per row, no spaces)"),
        ("a..b@example.org,,Bob,,,,,", "is not an e-mail address"),
        ("x" * 65 + "@example.org,,Bob,,,,,", "is not an e-mail address"),
        ("a@" + "b" * 250 + ".org,,Bob,,,,,", "(longer than 254 characters)"),
        (
            ",did:example,Bob,,,,,",
            'line 2, column did: "did:example" is not a DID (did:<method>:<id>)',
        ),
        (",did:web:example.org:,Bob,,,,,", "is not a DID"),
        (",DID:key:z6Mk,Bob,,,,,", "is not a DID"),
        (
            ",,Bob,,,,,",
            'line 2, column email: an e-mail address is required (or a DID in column "did")',
        ),
        (
            "a@example.org,did:key:z6Mk,Bob,,,,,",
            "line 2: give an e-mail address or a DID, not both",
        ),
        ("a@example.org,,,,,,,", "line 2, column name: the recipient's name is required"),
        ("a@example.org,,  ,,,,,", "line 2, column name: the recipient's name is required"),
        (
            "a@example.org,,Bo\x07b,,,,,",
            'line 2, column name: "Bo\\u0007b" contains a line break or control character',
        ),
        ("a@example.org,,Bob\u202e,,,,,", "column name: "),
        (
            "a@example.org,,{},,,,,".format("n" * 257),
            "line 2, column name: the value is longer than 256 characters",
        ),
        ("a@example.org,,Bob,,x1,,,", 'line 2, column score: "x1" is not a number'),
        ("a@example.org,,Bob,,87,5,,,", "line 2: 9 fields, the header has 8"),
        (
            'a@example.org,,Bob,,"87,5",,,',
            'line 2, column score: "87,5" is not a number (use a point for decimals)',
        ),
        ("a@example.org,,Bob,,nan,,,", 'column score: "nan" is not a number'),
        ("a@example.org,,Bob,,1e999,,,", 'column score: "1e999" is not a number'),
        (
            "a@example.org,,Bob,,,http://example.org/e,,",
            'line 2, column evidence_url: "http://example.org/e" is not an https URL',
        ),
        ("a@example.org,,Bob,,,javascript:alert(1),,", "is not an https URL"),
        ("a@example.org,,Bob,,,https://,,", "is not an https URL"),
        ("a@example.org,,Bob,,,https://a b.example/,,", "column evidence_url:"),
        (
            "a@example.org,,Bob,,,,2026-02-30,",
            'line 2, column valid_from: "2026-02-30" is not a date (2026-09-01) or a date-time (2026-09-01T09:00:00Z)',
        ),
        ("a@example.org,,Bob,,,,01/09/2026,", 'column valid_from: "01/09/2026" is not a date'),
        (
            "a@example.org,,Bob,,,,2026-09-01T09:00:00,",
            'line 2, column valid_from: "2026-09-01T09:00:00" has no time zone: add Z (UTC) or an offset such as +02:00',
        ),
        ("a@example.org,,Bob,,,,2026-09-01T09:00:00+15:00,", "is not a date"),
        (
            "a@example.org,,Bob,,,,2026-09-01,2026-08-31",
            'line 2, column valid_until: "2026-08-31" is not after valid_from (2026-09-01)',
        ),
    ],
)
def test_row_problem(row: str, expected: str) -> None:
    problems = _problems(HEADER + row + "\n")
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_several_problems_in_one_row_each_reported() -> None:
    problems = _scan(HEADER + "bob@,,,,abc,ftp://x,tomorrow,\n")
    assert [(p.line, p.column) for p in problems if isinstance(p, RowProblem)] == [
        (2, "email"),
        (2, "name"),
        (2, "score"),
        (2, "evidence_url"),
        (2, "valid_from"),
    ]
    assert not [p for p in problems if isinstance(p, CohortRow)]


def test_require_grade() -> None:
    text = "email,name,grade\na@example.org,A,Merit\nb@example.org,B,\n"
    assert _problems(text) == []
    assert _problems(text, require_grade=True) == [
        "line 3, column grade: a grade is required for this achievement"
    ]
    assert _problems("email,name\na@example.org,A\n", require_grade=True) == [
        'line 1, column grade: the achievement has a grade, so the column "grade" is required'
    ]


def test_valid_until_in_the_past_when_now_is_given() -> None:
    text = "email,name,valid_until\na@example.org,A,2026-01-01\n"
    assert _problems(text) == []
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert _problems(text, now=now) == ['line 2, column valid_until: "2026-01-01" is past']


def test_more_fields_than_the_header() -> None:
    text = (
        "email,name,grade,score,narrative\n"
        + "a@example.org,A,,,\n" * 7
        + "b@example.org,Smith, John,B,1,x,y\n"  # line 9: an unquoted comma
        + "c@example.org,C,,,,\n"  # even an empty extra field: it may be a shifted column
    )
    assert _problems(text) == [
        "line 9: 7 fields, the header has 5",
        "line 10: 6 fields, the header has 5",
    ]


# --- the header ------------------------------------------------------------------------


def test_check_header() -> None:
    assert check_header(["Email", " name ", "GRADE"]) == []
    assert check_header(["did", "name"]) == []
    problems = check_header(["emial", "name", "name", "foo", ""])
    assert [str(p) for p in problems] == [
        'line 1, column emial: unknown column (did you mean "email"?); the known columns: '
        + ", ".join(KNOWN_COLUMNS),
        "line 1, column foo: unknown column; the known columns: " + ", ".join(KNOWN_COLUMNS),
        "line 1: column 5 has no name (the known columns: " + ", ".join(KNOWN_COLUMNS) + ")",
        "line 1, column name: the column appears twice (columns 2 and 3)",
        'line 1, column email: a column "email" or "did" is required (the recipient)',
    ]
    assert [str(p) for p in check_header(["email"])] == [
        'line 1, column name: the column "name" is required'
    ]


def test_unknown_column_still_checks_rows_fatal_header_stops() -> None:
    assert _problems("email,name,colour\nbob@,B,red\n") == [
        "line 1, column colour: unknown column; the known columns: " + ", ".join(KNOWN_COLUMNS),
        'line 2, column email: "bob@" is not an e-mail address',
    ]
    # A missing required column: the rows are not checked (every one would fail).
    assert _problems("email,grade\nbob@,A\n") == [
        'line 1, column name: the column "name" is required'
    ]


def test_did_only_header() -> None:
    assert _problems("did,name\n,Bob\n") == ["line 2, column did: a DID is required"]
    assert _problems("email,name\n,Bob\n") == [
        "line 2, column email: an e-mail address is required"
    ]


# --- files that cannot be read -----------------------------------------------------------


def test_empty_and_header_only() -> None:
    assert _problems("") == ["line 1: the file is empty"]
    assert _problems("\n  \n") == ["line 1: the file is empty"]
    assert _problems("email,name\n") == ["line 1: the file has a header but no rows"]
    report = dry_run(io.StringIO("email,name\r\n"))
    assert (report.rows, report.valid, report.ok) == (0, 0, False)
    assert [str(p) for p in report.problems] == ["line 1: the file has a header but no rows"]


def test_not_utf8_binary_names_the_exact_line() -> None:
    data = (
        b'email,name,narrative\na@example.org,A,\nb@example.org,B,"Multi\nline"\nc@example.org,Ren'
    )
    data += b"\xe9\nd@example.org,D\n"  # Latin-1 é on line 5
    items = list(iter_rows(io.BytesIO(data)))
    assert [str(i) for i in items if isinstance(i, RowProblem)] == [
        "line 5: the file is not UTF-8 text (byte 0xE9 at position 18 of the line); "
        'save it as "CSV UTF-8"'
    ]
    # The rows before it were read; nothing after it.
    assert [i.line for i in items if isinstance(i, CohortRow)] == [2, 3]


def test_not_utf8_text_stream_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\na@example.org,René\n".encode("latin-1"))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        items = list(iter_rows(fh))
    [problem] = items
    assert isinstance(problem, RowProblem)
    assert problem.column is None and problem.line in (1, 2)
    assert "not UTF-8" in problem.message and "CSV UTF-8" in problem.message


def test_utf16() -> None:
    data = "email,name\na@example.org,A\n".encode("utf-16")
    assert [str(i) for i in iter_rows(io.BytesIO(data))] == [
        'line 1: the file is UTF-16 text; save it as "CSV UTF-8" instead'
    ]


def test_unclosed_quote_stops_with_its_line() -> None:
    text = 'email,name\na@example.org,A\nb@example.org,"B\nc@example.org,C\n'
    assert _problems(text) == [
        "line 3: a quoted field that starts here is never closed (a quotation mark is missing)"
    ]


def test_malformed_quoting_stops() -> None:
    text = 'email,name\na@example.org,"A"x\nb@example.org,B\n'
    [problem] = _problems(text)
    assert problem.startswith("line 2: the CSV is malformed: ")
    assert 'written as ""' in problem


def test_a_very_long_line() -> None:
    text = "email,name\na@example.org," + "x" * 200_000 + "\n"
    assert _problems(text) == ["line 2: the line is longer than 131072 characters"]
    # The same from a text stream.
    items = list(iter_rows(io.StringIO(text)))
    assert [str(i) for i in items] == ["line 2: the line is longer than 131072 characters"]


def test_an_iterable_of_lines() -> None:
    lines = iter(["email,name\n", "a@example.org,A\n", "bob@,B\n"])
    items = list(iter_rows(lines))
    assert [type(i).__name__ for i in items] == ["CohortRow", "RowProblem"]


# --- dry run ---------------------------------------------------------------------------


def test_dry_run_reports_problems_and_duplicates() -> None:
    text = (
        "email,did,name\n"
        "a@example.org,,A\n"  # 2
        "bob@,,B\n"  # 3
        "A@Example.org,,A again\n"  # 4: same recipient as line 2
        ",did:key:z6Mkabc,D\n"  # 5
        ",did:key:z6Mkabc,D again\n"  # 6
        "a@example.org,,A thrice\n"  # 7
    )
    report = dry_run(io.StringIO(text))
    assert (report.rows, report.valid, report.problem_count) == (6, 5, 1)
    assert [str(p) for p in report.problems] == [
        'line 3, column email: "bob@" is not an e-mail address'
    ]
    assert report.duplicates_in_file == [(2, 4), (5, 6), (2, 7)]
    assert report.duplicate_count == 3
    assert not report.ok


def test_dry_run_caps_what_it_keeps() -> None:
    text = "email,name\n" + "bob@,B\n" * 50 + "a@example.org,A\n" * 50
    report = dry_run(io.StringIO(text), max_problems=10)
    assert (report.rows, report.valid) == (100, 50)
    assert len(report.problems) == 10 and report.problem_count == 50
    assert len(report.duplicates_in_file) == 10 and report.duplicate_count == 49
    assert report.problems[0].line == 2 and report.problems[-1].line == 11


# --- 100,000 rows in flat memory -----------------------------------------------------------

ROWS = 100_000
T = TypeVar("T")


def _generated_lines() -> Iterator[str]:
    yield "email,name,grade,score,evidence_url,narrative,valid_from,valid_until\r\n"
    for i in range(ROWS):
        yield (
            f'learner{i}@example.org,"Learner {i}",Pass,{i % 100}.5,'
            f'https://evidence.example/{i},"Module {i}, done\nwith a line break",'
            "2026-09-01,2027-08-31T12:00:00Z\r\n"
        )


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohort") / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.writelines(_generated_lines())
    return path


def _peak(fn: Callable[[], T]) -> tuple[T, int]:
    """``fn()`` and the peak of memory allocated while it ran (tracemalloc)."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_100k_rows_stream_in_flat_memory(big_csv: Path) -> None:
    def consume() -> tuple[int, int, int]:
        count = problems = last = 0
        with big_csv.open("rb") as fh:
            for item in iter_rows(fh):
                if isinstance(item, RowProblem):
                    problems += 1
                else:
                    count += 1
                    last = item.line
        return count, problems, last

    (count, problems, last), peak = _peak(consume)
    assert (count, problems) == (ROWS, 0)
    assert last == 2 * ROWS  # each row takes two physical lines
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB"


def test_100k_rows_from_a_text_stream(big_csv: Path) -> None:
    # The same file through the text path (readline), without tracemalloc's slowness: the
    # memory bound is shown by the binary test above and the generator case below.
    with big_csv.open(encoding="utf-8-sig", newline="") as fh:
        lines = [i.line for i in iter_rows(fh) if isinstance(i, CohortRow)]
    assert len(lines) == ROWS and lines[-1] == 2 * ROWS


def test_100k_rows_dry_run_bounded_memory() -> None:
    # Two columns (the per-row checks are measured above): what grows here is the per-
    # recipient record that finds repeats, 16 bytes a row.
    def lines() -> Iterator[str]:
        yield "email,name\n"
        for i in range(ROWS):
            yield f"learner{i}@example.org,Learner {i}\n"
        yield "LEARNER7@example.org,Again\n"

    report, peak = _peak(lambda: dry_run(lines()))
    assert isinstance(report, DryRunReport)
    assert (report.rows, report.valid, report.problem_count) == (ROWS + 1, ROWS + 1, 0)
    assert report.duplicates_in_file == [(9, ROWS + 2)]
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB"
