"""The ESCO import into the skills tables (SQLite and PostgreSQL): all or nothing, upsert,
relations replaced; and DatabaseSkills answering the advisor's questions from them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from microcred.advisor.skills import ChainedSkills, Occupation, Skill, load_curated
from microcred.catalog.esco import EscoInputError
from microcred.catalog.skills_store import DatabaseSkills, SkillsImportError, import_esco
from microcred.store.db import session_scope
from microcred.store.models import OccupationSkill, TaxonomyOccupation, TaxonomySkill
from tests import esco_files as ef


def counts(engine):
    with session_scope(engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (TaxonomySkill, TaxonomyOccupation, OccupationSkill)
        )


def do_import(engine, path, **kwargs):
    with session_scope(engine) as s:
        return import_esco(s, path, **kwargs)


def test_import_stores_skills_occupations_and_relations(engine, tmp_path):
    r = do_import(engine, ef.write_dir(tmp_path / "esco"))
    assert (r.skills_created, r.skills_updated) == (4, 0)
    assert (r.occupations_created, r.occupations_updated) == (2, 0)
    assert r.relations == 6 and r.skipped_not_released == 2 and r.skipped_relations == 2
    assert counts(engine) == (4, 2, 6)
    with session_scope(engine) as s:
        python = s.get(TaxonomySkill, ef.PYTHON)
        assert python.label == "Python (computer programming)"
        assert python.alt_labels == "Python\nPython 3\nPython scripting"
        assert python.taxonomy == "esco" and python.skill_type == "knowledge"
        assert python.terms == (
            "\npython (computer programming)\npython\npython 3\npython scripting\n"
        )
        dev = s.get(TaxonomyOccupation, ef.DEVELOPER)
        assert (dev.code, dev.isco_group, dev.label_key) == ("2512.4", "2512", "software developer")


def test_the_zip_imports_the_same(engine, tmp_path):
    r = do_import(engine, ef.write_zip(tmp_path / "esco.zip"))
    assert (r.skills, r.occupations, r.relations) == (4, 2, 6)


def test_include_obsolete(engine, tmp_path):
    r = do_import(engine, ef.write_dir(tmp_path / "esco"), include_obsolete=True)
    assert (r.skills, r.occupations, r.relations) == (5, 3, 8)


def test_reimport_updates_labels_and_replaces_relations(engine, tmp_path):
    do_import(engine, ef.write_dir(tmp_path / "v1"))
    # a newer version: a relabelled skill and occupation, the developer loses SQL, gains teamwork
    relations = [r for r in ef.relation_rows() if not (r[0] == ef.DEVELOPER and r[3] == ef.SQL)]
    relations.append([ef.DEVELOPER, "optional", "skill/competence", ef.TEAMWORK])
    v2 = ef.write_dir(
        tmp_path / "v2",
        skills=ef.csv_text(ef.SKILL_COLUMNS, ef.skill_rows(python_label="Python programming")),
        occupations=ef.csv_text(
            ef.OCCUPATION_COLUMNS, ef.occupation_rows(developer_label="software engineer")
        ),
        relations=ef.csv_text(ef.RELATION_COLUMNS, relations),
    )
    r = do_import(engine, v2)
    assert (r.skills_created, r.skills_updated, r.occupations_created) == (0, 4, 0)
    assert r.occupations_updated == 2 and r.relations == 6
    assert counts(engine) == (4, 2, 6)
    again = do_import(engine, v2)
    assert (again.skills_updated, again.occupations_updated, again.relations) == (4, 2, 6)
    assert counts(engine) == (4, 2, 6)
    with session_scope(engine) as s:
        assert s.get(TaxonomySkill, ef.PYTHON).label == "Python programming"
        assert s.get(TaxonomyOccupation, ef.DEVELOPER).label_key == "software engineer"
        dev = dict(
            s.execute(
                select(OccupationSkill.skill_uri, OccupationSkill.relation).where(
                    OccupationSkill.occupation_uri == ef.DEVELOPER
                )
            ).all()
        )
    assert dev == {ef.PYTHON: "essential", ef.DATA_MODELS: "essential", ef.TEAMWORK: "optional"}


def test_a_bad_download_stores_nothing_and_names_every_problem(engine, tmp_path):
    do_import(engine, ef.write_dir(tmp_path / "good"))
    skills = ef.skill_rows(python_label="Renamed")
    skills[3][1] = "http://data.europa.eu/other/teamwork"
    relations = ef.relation_rows() + [[ef.ANALYST, "essential", "knowledge", ef.E + "skill/x"]]
    relations[1][1] = "mandatory"
    bad = ef.write_dir(
        tmp_path / "bad",
        skills=ef.csv_text(ef.SKILL_COLUMNS, skills),
        relations=ef.csv_text(ef.RELATION_COLUMNS, relations),
    )
    with pytest.raises(SkillsImportError) as caught:
        do_import(engine, bad)
    found = [str(p) for p in caught.value.problems]
    assert found[0].startswith("skills_en.csv, line 9, column conceptUri: ")
    assert (
        "occupationSkillRelations_en.csv, line 3, column relationType: 'mandatory': must be "
        "essential or optional" in found
    )
    assert (
        f"occupationSkillRelations_en.csv, line 7, column skillUri: {ef.TEAMWORK} is not in "
        "skills_en.csv" in found
    )
    assert (
        f"occupationSkillRelations_en.csv, line 10, column skillUri: {ef.E}skill/x is not in "
        "skills_en.csv" in found
    )
    assert caught.value.total == len(found) == 4
    assert counts(engine) == (4, 2, 6)
    with session_scope(engine) as s:
        assert s.get(TaxonomySkill, ef.PYTHON).label == "Python (computer programming)"


def test_a_missing_column_stores_nothing(engine, tmp_path):
    columns = [c for c in ef.OCCUPATION_COLUMNS if c != "conceptUri"]
    rows = [r[:1] + r[2:] for r in ef.occupation_rows()]
    bad = ef.write_dir(tmp_path / "bad", occupations=ef.csv_text(columns, rows))
    with pytest.raises(SkillsImportError) as caught:
        do_import(engine, bad)
    assert [str(p) for p in caught.value.problems] == [
        "occupations_en.csv, line 1, column conceptUri: this column is missing from the header"
    ]
    assert counts(engine) == (0, 0, 0)


def test_too_large_is_refused_before_reading(engine, tmp_path):
    with pytest.raises(EscoInputError, match="more than the 1000 bytes limit"):
        do_import(engine, ef.write_dir(tmp_path / "esco"), max_bytes=1000)
    assert counts(engine) == (0, 0, 0)


def test_small_batches_give_the_same_result(engine, tmp_path):
    r = do_import(engine, ef.write_dir(tmp_path / "esco"), batch_size=1)
    assert (r.skills, r.occupations, r.relations) == (4, 2, 6)
    r = do_import(engine, ef.write_dir(tmp_path / "esco"), batch_size=2)
    assert (r.skills_updated, r.occupations_updated, r.relations) == (4, 2, 6)
    assert counts(engine) == (4, 2, 6)


# ---- DatabaseSkills ----------------------------------------------------------------------------
@pytest.fixture
def source(engine, tmp_path):
    do_import(engine, ef.write_dir(tmp_path / "esco"))
    return DatabaseSkills(engine)


def test_occupation_by_uri_code_label_alt_label_and_words(source):
    dev = source.occupation(ef.DEVELOPER)
    assert dev == Occupation(
        uri=ef.DEVELOPER,
        label="software developer",
        taxonomy="esco",
        code="2512.4",
        alt_labels=("programmer", "software engineer", "application developer"),
        essential_skills=(ef.DATA_MODELS, ef.PYTHON),  # by label
        optional_skills=(ef.SQL,),
    )
    assert source.occupation("2512.4") == dev
    assert source.occupation("  Software Developer ") == dev
    assert source.occupation("PROGRAMMER") == dev
    assert source.occupation("developer of software applications") == dev
    assert source.occupation("data analysts").uri == ef.ANALYST  # plural folded
    assert source.occupation("welder") is None  # obsolete, not imported
    assert source.occupation("astronaut") is None
    assert source.occupation("  ") is None
    assert source.occupation("100%_") is None  # LIKE wildcards are literal


def test_skill_and_match_skills(source):
    assert source.skill(ef.SQL) == Skill(
        ef.SQL, "SQL", "esco", ("structured query language", "SQL querying")
    )
    assert source.skill(ef.E + "skill/unknown") is None
    m = source.match_skills(f"python 3; Structured Query Language, {ef.TEAMWORK}\nknitting, sql")
    assert [s.uri for s in m.skills] == [ef.PYTHON, ef.SQL, ef.TEAMWORK]
    assert m.unknown == ["knitting"]
    assert [s.uri for s in source.match_skills("designing data models").skills] == [ef.DATA_MODELS]


def test_search_occupations(source):
    assert [o.uri for o in source.search_occupations("data", 10)] == [ef.ANALYST]
    both = source.search_occupations("software data", 10)
    assert {o.uri for o in both} == {ef.DEVELOPER, ef.ANALYST} and len(both) == 2
    assert source.search_occupations("software data", 10)[0].essential_skills  # with skills
    assert [o.uri for o in source.search_occupations("2511.3", 10)] == [ef.ANALYST]
    assert source.search_occupations("data", 0) == []
    assert len(source.search_occupations("developer analyst", 1)) == 1


def test_chained_with_the_curated_set(source):
    chained = ChainedSkills(source, load_curated())
    assert chained.occupation("software developer").uri == ef.DEVELOPER
    assert chained.skill(ef.SQL).label == "SQL"
    assert source.labels([ef.SQL, ef.PYTHON, "x"]) == {
        ef.SQL: "SQL",
        ef.PYTHON: "Python (computer programming)",
    }
    assert source.counts() == {"skills": 4, "occupations": 2, "relations": 6}
