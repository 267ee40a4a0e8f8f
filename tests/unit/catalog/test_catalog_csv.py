"""The catalog CSV template: reading good and bad rows, writing, round trip."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from microcred.catalog.csv_io import COLUMNS, read_csv, write_csv

HEADER = ",".join(COLUMNS)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "catalog-csv.md"


def row(**values: str) -> str:
    base = {
        "external_id": "DA-101",
        "name": "Data Analytics",
        "provider": "Acme College",
        "provider_type": "university_college",
        "credential_type": "micro_credential",
    }
    base.update(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([base.get(c, "") for c in COLUMNS])
    return out.getvalue()


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_every_column_is_documented():
    text = DOCS.read_text("utf-8")
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert missing == []


def test_good_file():
    text = csv_of(
        row(
            hours="180",
            skills="http://data.europa.eu/esco/skill/abc|https://www.onetonline.org/link/summary/15-2051.00",
            cost="monthly:49:USD;exam:150:USD;renewal:100:USD:3",
            funding="skillsfuture_eligible|recognised_institution",
            format="online",
            language="en",
            proof="ob3_vc",
            pacing="cohort",
            cohort_dates="2027-01-10|2027-04-10",
            recognition="endorsement|Acme Corp|2026-05-01|Endorsed by the hiring team",
            provider_recognised="yes",
            eqf_level="5",
            ects="6",
            as_of="2026-11-01",
        ),
        row(external_id="DA-102", name="Second", cost="per_course:300:CAD:4"),
    )
    programs, problems = read_csv(text)
    assert problems == []
    (w1, p1), (w2, p2) = programs
    assert (w1, w2) == ("line 2", "line 3")
    assert p1.hours == 180 and p1.eqf_level == 5 and p1.ects == 6
    assert len(p1.skills) == 2
    assert [(c.kind, c.amount, c.every_years) for c in p1.cost] == [
        ("monthly", 49, None),
        ("exam", 150, None),
        ("renewal", 100, 3),
    ]
    assert p1.cohort_dates == [date(2027, 1, 10), date(2027, 4, 10)]
    assert p1.recognition[0].source == "Acme Corp"
    assert p1.provider.recognised_institution is True
    assert p2.cost[0].courses == 4 and p2.cost[0].currency == "CAD"


def test_each_bad_record_reported_with_line_column_and_reason():
    text = csv_of(
        row(hours="lots"),
        row(external_id="B", credential_type="diploma"),
        row(external_id="C", cost="monthly"),
        row(external_id="D", cost="monthly:49:dollars"),
        row(external_id="E", format="telepathy"),
        row(external_id="F", skills="python"),
        row(external_id="G", as_of="yesterday"),
        row(external_id="H", name=""),
        row(external_id="I", recognition="endorsement|only two"),
        row(external_id="J", eqf_level="11"),
        row(external_id="K"),
        row(external_id="K", name="a repeat"),
    )
    programs, problems = read_csv(text)
    got = [str(p) for p in problems]
    expected = [
        "line 2, column hours: 'lots' is not a number",
        "line 3, column credential_type: 'diploma'",
        "line 4, column cost: 'monthly': write kind:amount",
        "line 5, column cost[0].currency: 'DOLLARS' is not an ISO 4217 code",
        "line 6, column format: 'telepathy'",
        "line 7, column skills[0]: 'python' is not a URI",
        "line 8, column as_of: 'yesterday' is not a date",
        "line 9, column name: a program needs a name",
        "line 10, column recognition:",
        "line 11, column eqf_level: the EQF has levels 1 to 8",
        "line 13: repeats program 'K' of 'Acme College' (line 12)",
    ]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g.startswith(e), (g, e)


def test_header_problems():
    _, problems = read_csv("external_id,name,colour\nx,y,z\n")
    text = " ".join(str(p) for p in problems)
    assert "missing column(s): provider, provider_type, credential_type" in text
    assert "unknown column(s): colour" in text


def test_round_trip():
    text = csv_of(
        row(
            hours="12.5",
            cost="one_time:1200:CAD;exam:150.5:CAD",
            topics="data|SQL",
            recognition="survey|Survey Co|2026-03-01|80% of employers, asked",
            description='Says "hi", twice',
        )
    )
    programs, problems = read_csv(text)
    assert problems == []
    again, problems2 = read_csv(write_csv([p for _, p in programs]))
    assert problems2 == []
    assert [p for _, p in again] == [p for _, p in programs]
