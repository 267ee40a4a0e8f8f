"""Catalog import on SQLite and PostgreSQL: all or nothing, upsert, reading back, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from microcred.catalog.csv_io import read_csv
from microcred.catalog.ctdl import write_ctdl
from microcred.catalog.model import CostItem, Program, Provider
from microcred.catalog.store import (
    CatalogImportError,
    get_program,
    import_programs,
    list_programs,
)
from microcred.store.db import session_scope
from microcred.store.models import CatalogProgram, CatalogProvider
from tests.integration.test_issuing import CTX


def prog(external_id: str, name: str = "Data Analytics", **kw) -> Program:
    base = dict(
        external_id=external_id,
        name=name,
        provider=Provider(name="Acme College", provider_type="university_college"),
        credential_type="micro_credential",
        hours=180,
        cost=[CostItem("monthly", 49, "USD")],
        funding=["skillsfuture_eligible"],
        format="online",
    )
    base.update(kw)
    return Program(**base)


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_stores_columns_and_the_whole_program(engine):
    with session_scope(engine) as s:
        result = import_programs(s, [prog("A"), prog("B", "Badge", credential_type="badge")])
    assert (result.created, result.updated) == (2, 0)
    with session_scope(engine) as s:
        rows = s.scalars(select(CatalogProgram).order_by(CatalogProgram.external_id)).all()
        assert [r.external_id for r in rows] == ["A", "B"]
        a = rows[0]
        assert a.price_hint == 441.0 and a.currency == "USD" and a.has_funding is True
        assert a.hours == 180 and a.format == "online"
        stored = get_program(s, a.id)
        assert stored is not None and stored.program == prog("A")
        badges = list_programs(s, credential_type="badge")
        assert [b.program.name for b in badges] == ["Badge"]
        assert len(list_programs(s, provider="Acme College")) == 2
    assert count(engine, CatalogProvider) == 1


def test_one_bad_record_stores_nothing(engine):
    bad = prog("C", format="telepathy")
    with pytest.raises(CatalogImportError) as info:
        with session_scope(engine) as s:
            import_programs(s, [("line 2", prog("A")), ("line 3", bad)])
    assert [str(p) for p in info.value.problems] == [
        "line 3, format: 'telepathy': use one of online, hybrid, in_person"
    ]
    assert count(engine, CatalogProgram) == 0
    assert count(engine, CatalogProvider) == 0


def test_duplicates_in_one_import_are_rejected(engine):
    with pytest.raises(CatalogImportError):
        with session_scope(engine) as s:
            import_programs(s, [prog("A"), prog("A", "Again")])
    assert count(engine, CatalogProgram) == 0


def test_failure_later_in_the_transaction_rolls_back_the_import(engine):
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            import_programs(s, [prog("A")])
            raise RuntimeError("the caller fails after importing")
    assert count(engine, CatalogProgram) == 0


def test_upsert_by_provider_and_external_id(engine):
    with session_scope(engine) as s:
        import_programs(s, [prog("A"), prog("B")])
    with session_scope(engine) as s:
        result = import_programs(
            s,
            [
                prog("A", "Renamed", cost=[CostItem("one_time", 900, "CAD")]),
                prog("A", provider=Provider(name="Other Org", provider_type="online_platform")),
            ],
        )
    assert (result.created, result.updated) == (1, 1)
    assert count(engine, CatalogProgram) == 3
    assert count(engine, CatalogProvider) == 2
    with session_scope(engine) as s:
        row = s.scalar(
            select(CatalogProgram)
            .join(CatalogProvider)
            .where(CatalogProvider.name == "Acme College", CatalogProgram.external_id == "A")
        )
        assert row.name == "Renamed" and row.price_hint == 900.0 and row.currency == "CAD"
        assert row.data["name"] == "Renamed"


def _cli(engine, tmp_path, *args):
    env = {
        **os.environ,
        "MICROCRED_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "MICROCRED_SECRET_KEY": CTX.secret.decode(),
        "MICROCRED_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "microcred.cli.main", "catalog", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_import_csv_then_ctdl_and_a_rejected_file(engine, tmp_path):
    good = tmp_path / "catalog.csv"
    good.write_text(
        "external_id,name,provider,provider_type,credential_type,cost,hours\n"
        "A,Analytics,Acme College,university_college,micro_credential,monthly:49:USD,180\n"
        "B,Badge,Acme College,university_college,badge,,\n",
        "utf-8",
    )
    r = _cli(engine, tmp_path, "import", str(good))
    assert r.returncode == 0, r.stderr
    assert "imported 2 program(s): 2 new, 0 updated" in r.stdout

    programs, _ = read_csv(good.read_text("utf-8"))
    ctdl = tmp_path / "catalog.data"  # sniffed as JSON
    ctdl.write_text(json.dumps(write_ctdl([p for _, p in programs])), "utf-8")
    r = _cli(engine, tmp_path, "import", str(ctdl))
    assert r.returncode == 0, r.stderr
    assert "imported 2 program(s): 0 new, 2 updated" in r.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_id,name,provider,provider_type,credential_type,hours\n"
        "C,New,Acme College,university_college,micro_credential,10\n"
        "D,Bad,Acme College,university_college,diploma,x\n",
        "utf-8",
    )
    r = _cli(engine, tmp_path, "import", str(bad))
    assert r.returncode == 1
    assert f"{bad}: line 3, column hours: 'x' is not a number" in r.stderr
    assert "nothing imported" in r.stderr
    assert count(engine, CatalogProgram) == 2

    r = _cli(engine, tmp_path, "export", "--format", "csv")
    assert r.returncode == 0, r.stderr
    again, problems = read_csv(r.stdout)
    assert problems == [] and sorted(p.external_id for _, p in again) == ["A", "B"]
