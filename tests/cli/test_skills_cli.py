"""microcred skills import / show: counts, every problem on stderr with exit 1, JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from tests import esco_files as ef

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    return {"MICROCRED_DATA_DIR": str(tmp_path / "data"), "MICROCRED_DATABASE_URL": ""}


def run(env, *args):
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_import_then_show(env, tmp_path):
    result = run(env, "skills", "import", ef.write_zip(tmp_path / "esco.zip"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "imported 4 skill(s) (4 new, 0 updated), 2 occupation(s) (2 new, 0 updated), "
        "6 occupation-skill relation(s)",
        "left out: 2 concept(s) not released and 2 relation(s) of them (--include-obsolete "
        "keeps them); 0 repeated row(s)",
    ]
    again = run(env, "skills", "import", ef.write_dir(tmp_path / "esco"))
    assert again.exit_code == 0 and "(0 new, 4 updated)" in again.stdout

    shown = run(env, "skills", "show", "software developer")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        "software developer (2512.4)",
        f"  {ef.DEVELOPER}",
        "essential skills (2):",
        f"  create data models  <{ef.DATA_MODELS}>",
        f"  Python (computer programming)  <{ef.PYTHON}>",
        "optional skills: 1 (--json lists them)",
    ]
    as_json = json.loads(run(env, "skills", "show", "--json", ef.ANALYST).stdout)
    assert as_json["label"] == "data analyst" and as_json["code"] == "2511.3"
    assert as_json["essential_skills"] == [
        {"uri": ef.DATA_MODELS, "label": "create data models"},
        {"uri": ef.SQL, "label": "SQL"},
    ]
    assert as_json["optional_skills"] == [{"uri": ef.TEAMWORK, "label": "work in teams"}]


def test_include_obsolete(env, tmp_path):
    result = run(env, "skills", "import", "--include-obsolete", ef.write_dir(tmp_path / "esco"))
    assert result.exit_code == 0, result.output
    assert "5 skill(s)" in result.stdout and "8 occupation-skill relation(s)" in result.stdout
    assert run(env, "skills", "show", "welder").exit_code == 0


def test_a_bad_download_prints_every_problem_and_stores_nothing(env, tmp_path):
    relations = ef.relation_rows()
    relations[4][1] = "sometimes"
    bad = ef.write_dir(tmp_path / "esco", relations=ef.csv_text(ef.RELATION_COLUMNS, relations))
    result = run(env, "skills", "import", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "occupationSkillRelations_en.csv, line 6, column relationType: 'sometimes': must be "
        "essential or optional",
        "microcred: 1 problem(s); nothing imported",
    ]
    missing = run(env, "skills", "show", "data analyst")
    assert missing.exit_code == 1
    assert "no occupation matches 'data analyst'" in missing.stderr


def test_unreadable_input_is_one_line(env, tmp_path):
    result = run(env, "skills", "import", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert result.stderr == f"microcred: {tmp_path / 'nowhere'}: no such file or directory\n"
    (tmp_path / "empty").mkdir()
    result = run(env, "skills", "import", tmp_path / "empty")
    assert result.exit_code == 1 and "no skills_en.csv" in result.stderr
