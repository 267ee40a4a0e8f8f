"""Reading ESCO's CSV download: records, every problem with file/line/column, the caps."""

from __future__ import annotations

import zipfile

import pytest

from microcred.catalog.esco import EscoInputError, EscoReader, open_esco, split_labels
from tests import esco_files as ef


def read_all(path, **kwargs):
    max_bytes = kwargs.pop("max_bytes", 10**8)
    with open_esco(path, max_bytes=max_bytes) as files:
        reader = EscoReader(files, **kwargs)
        skills = list(reader.skills())
        occupations = list(reader.occupations())
        relations = list(reader.relations())
    return skills, occupations, relations, reader


def problems(reader):
    return [str(p) for p in reader.problems]


def test_reads_a_directory_with_bom_and_multiline_alt_labels(tmp_path):
    skills, occupations, relations, reader = read_all(ef.write_dir(tmp_path / "esco"))
    assert reader.problem_count == 0
    assert [s.uri for s in skills] == [ef.PYTHON, ef.SQL, ef.DATA_MODELS, ef.TEAMWORK]
    python = skills[0]
    assert python.label == "Python (computer programming)"
    assert python.alt_labels == ("Python", "Python 3", "Python scripting")
    assert python.skill_type == "knowledge"
    assert python.description is not None and python.description.startswith("The techniques")
    dev = occupations[0]
    assert (dev.code, dev.isco_group, dev.label) == ("2512.4", "2512", "software developer")
    assert [o.uri for o in occupations] == [ef.DEVELOPER, ef.ANALYST]  # the welder is obsolete
    assert len(relations) == 6
    assert {(r.occupation_uri, r.skill_uri, r.relation) for r in relations} >= {
        (ef.DEVELOPER, ef.PYTHON, "essential"),
        (ef.ANALYST, ef.TEAMWORK, "optional"),
    }
    assert reader.counts.skipped_not_released == 2
    assert reader.counts.skipped_relations == 2


def test_include_obsolete_keeps_every_status(tmp_path):
    skills, occupations, relations, reader = read_all(
        ef.write_dir(tmp_path / "esco"), include_obsolete=True
    )
    assert reader.problem_count == 0
    assert len(skills) == 5 and len(occupations) == 3 and len(relations) == 8


def test_columns_are_found_by_name_in_any_order_with_extra_columns(tmp_path):
    order = list(reversed(ef.OCCUPATION_COLUMNS)) + ["naceCode"]
    rows = [
        [
            dict(zip(ef.OCCUPATION_COLUMNS, r, strict=True))[c] if c != "naceCode" else "J62"
            for c in order
        ]
        for r in ef.occupation_rows()
    ]
    directory = ef.write_dir(tmp_path / "esco", occupations=ef.csv_text(order, rows))
    _, occupations, _, reader = read_all(directory)
    assert reader.problem_count == 0
    assert occupations[0].code == "2512.4" and occupations[0].label == "software developer"


def test_reads_the_zip_of_the_download_with_its_folder(tmp_path):
    skills, occupations, relations, reader = read_all(ef.write_zip(tmp_path / "esco.zip"))
    assert reader.problem_count == 0
    assert (len(skills), len(occupations), len(relations)) == (4, 2, 6)


def test_every_problem_has_file_line_and_column(tmp_path):
    skills = ef.skill_rows()
    skills[1][1] = "https://example.org/skill/sql"  # the SQL row: lines 5-6 (Python's has 3)
    relations = ef.relation_rows()
    relations[0][1] = "required"
    relations[2][3] = ef.E + "skill/not-in-the-file"
    occupations = [r[:2] + r[3:] for r in ef.occupation_rows()]  # no iscoGroup: fine
    occupation_columns = [c for c in ef.OCCUPATION_COLUMNS if c != "iscoGroup"]
    occupations[1][2] = ""  # preferredLabel of the analyst
    directory = ef.write_dir(
        tmp_path / "esco",
        skills=ef.csv_text(ef.SKILL_COLUMNS, skills),
        occupations=ef.csv_text(occupation_columns, occupations),
        relations=ef.csv_text(ef.RELATION_COLUMNS, relations),
    )
    _, _, _, reader = read_all(directory)
    found = problems(reader)
    assert found[0] == (
        "skills_en.csv, line 5, column conceptUri: 'https://example.org/skill/sql' is not an "
        "ESCO URI (http://data.europa.eu/esco/...)"
    )
    assert "occupations_en.csv, line 5, column preferredLabel: empty" in found
    assert (
        "occupationSkillRelations_en.csv, line 2, column relationType: 'required': must be "
        "essential or optional" in found
    )
    assert (
        f"occupationSkillRelations_en.csv, line 4, column skillUri: {ef.E}skill/not-in-the-file "
        "is not in skills_en.csv" in found
    )
    # the rejected SQL skill and analyst make their relations unknown too
    assert (
        f"occupationSkillRelations_en.csv, line 5, column occupationUri: {ef.ANALYST} is not in occupations_en.csv"
        in found
    )
    assert reader.problem_count == len(found)


def test_a_missing_column_is_named_on_line_1(tmp_path):
    columns = [c for c in ef.RELATION_COLUMNS if c != "skillUri"]
    rows = [r[:3] for r in ef.relation_rows()]
    directory = ef.write_dir(tmp_path / "esco", relations=ef.csv_text(columns, rows))
    _, _, relations, reader = read_all(directory)
    assert relations == []
    assert problems(reader) == [
        "occupationSkillRelations_en.csv, line 1, column skillUri: this column is missing "
        "from the header"
    ]


def test_missing_skills_columns_do_not_flood_the_relations(tmp_path):
    columns = [c for c in ef.SKILL_COLUMNS if c != "preferredLabel"]
    rows = [r[:4] + r[5:] for r in ef.skill_rows()]
    directory = ef.write_dir(tmp_path / "esco", skills=ef.csv_text(columns, rows))
    _, _, _, reader = read_all(directory)
    assert problems(reader) == [
        "skills_en.csv, line 1, column preferredLabel: this column is missing from the header"
    ]


def test_repeated_rows_are_skipped_and_contradictions_reported(tmp_path):
    skills = ef.skill_rows()
    relations = ef.relation_rows()
    relations.append(list(relations[0]))  # the same again: fine
    relations.append([ef.DEVELOPER, "optional", "knowledge", ef.PYTHON])  # contradicts line 2
    directory = ef.write_dir(
        tmp_path / "esco",
        skills=ef.csv_text(ef.SKILL_COLUMNS, skills + [skills[0]]),
        relations=ef.csv_text(ef.RELATION_COLUMNS, relations),
    )
    s, _, _, reader = read_all(directory)
    assert len(s) == 4 and reader.counts.duplicates == 2
    assert problems(reader) == [
        "occupationSkillRelations_en.csv, line 11, column relationType: optional, but line 2 "
        "makes the same occupation and skill the other kind"
    ]


def test_not_utf8_and_wrong_concept_type(tmp_path):
    directory = ef.write_dir(tmp_path / "esco")
    (directory / "occupations_en.csv").write_bytes(
        ef.files()["skills_en.csv"].encode("utf-8")  # the skills file under the wrong name
    )
    raw = (directory / "skills_en.csv").read_bytes()
    (directory / "skills_en.csv").write_bytes(raw.replace(b"Python 3", b"Python \xff3"))
    _, _, _, reader = read_all(directory)
    found = problems(reader)
    assert found[0] == "skills_en.csv, line 2, column altLabels: not UTF-8 text"
    assert (
        "occupations_en.csv, line 2, column conceptType: 'KnowledgeSkillCompetence': this "
        "file holds Occupation rows" in found
    )


def test_split_labels():
    assert split_labels(" a\r\nb  c\n\na\n") == ("a", "b c")


def test_the_files_must_be_there(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EscoInputError, match="no skills_en.csv, occupations_en.csv"):
        open_esco(tmp_path / "empty")
    with pytest.raises(EscoInputError, match="no such file"):
        open_esco(tmp_path / "nowhere")
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(EscoInputError, match="the directory of ESCO's CSV files or the zip"):
        open_esco(tmp_path / "x.csv")
    with pytest.raises(EscoInputError, match="not a language code"):
        open_esco(tmp_path, language="../en")


def test_size_cap_on_a_directory(tmp_path):
    directory = ef.write_dir(tmp_path / "esco")
    with pytest.raises(EscoInputError, match="hold 4292 bytes, more than the 1000 bytes limit"):
        open_esco(directory, max_bytes=1000)


def test_size_cap_on_a_zip_by_its_declared_sizes(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        # 2 MB of spaces compresses to a few kilobytes
        padded = ef.files(skills=ef.files()["skills_en.csv"] + " " * 2_000_000)
        for name, text in padded.items():
            zf.writestr(name, text)
    with pytest.raises(EscoInputError, match="hold 1.9 MB uncompressed, more than the 1 MB limit"):
        open_esco(path, max_bytes=1024 * 1024)


def test_reading_stops_at_the_cap_whatever_is_declared(tmp_path):
    path = ef.write_zip(tmp_path / "esco.zip")
    with open_esco(path) as files:
        files._budget.limit = 600  # as if the zip had understated its sizes
        reader = EscoReader(files)
        with pytest.raises(EscoInputError, match="larger than the 600 bytes limit"):
            list(reader.skills())
