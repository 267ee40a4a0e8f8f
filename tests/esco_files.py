"""A small ESCO CSV download, in the exact shape of ESCO 1.2's English files: header names
and order, a UTF-8 byte order mark, alternative labels one per line in a quoted cell,
descriptions with commas and quotes. The ids are made up; the shape is ESCO's."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

E = "http://data.europa.eu/esco/"
PYTHON = E + "skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = E + "skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
DATA_MODELS = E + "skill/7d6a2e34-1c7b-4d51-9e1f-2a1c9f1b0d31"
TEAMWORK = E + "skill/1f2a3b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
OBSOLETE_SKILL = E + "skill/00000000-aaaa-4bbb-8ccc-dddddddddddd"
DEVELOPER = E + "occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
ANALYST = E + "occupation/d3edb8f8-3a06-4f8f-9c2d-6f1b0f7c4a11"
WELDER = E + "occupation/9a4c1e55-6b1d-4a8e-8f3d-3e2b7c9d0a42"

SKILL_COLUMNS = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,"
    "status,modifiedDate,scopeNote,definition,inScheme,description"
).split(",")
OCCUPATION_COLUMNS = (
    "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code"
).split(",")
RELATION_COLUMNS = ["occupationUri", "relationType", "skillType", "skillUri"]

SCHEME = E + "concept-scheme/member-skills"


def skill_rows(*, python_label: str = "Python (computer programming)") -> list[list[str]]:
    def row(uri, stype, reuse, label, alts, desc, status="released"):
        return [
            "KnowledgeSkillCompetence",
            uri,
            stype,
            reuse,
            label,
            alts,
            "",
            status,
            "2023-12-01T10:02:23.1Z",
            "",
            "",
            SCHEME,
            desc,
        ]

    return [
        row(
            PYTHON,
            "knowledge",
            "sector-specific",
            python_label,
            "Python\nPython 3\nPython scripting",
            "The techniques and principles of software development, such as analysis, "
            "algorithms, coding, testing and compiling of programming paradigms in Python.",
        ),
        row(
            SQL,
            "knowledge",
            "cross-sector",
            "SQL",
            "structured query language\nSQL querying",
            'The computer language SQL is a query language for retrieval of "data" from a '
            "database.",
        ),
        row(
            DATA_MODELS,
            "skill/competence",
            "sector-specific",
            "create data models",
            "develop data models\ndesign data models",
            "Use specific techniques and methodologies to analyse the data requirements.",
        ),
        row(
            TEAMWORK,
            "skill/competence",
            "transversal",
            "work in teams",
            "collaborate in teams\nteamwork",
            "Work confidently within a group, each doing their part.",
        ),
        row(
            OBSOLETE_SKILL,
            "knowledge",
            "sector-specific",
            "punch card programming",
            "",
            "Programming with punched cards.",
            status="obsolete",
        ),
    ]


def occupation_rows(*, developer_label: str = "software developer") -> list[list[str]]:
    def row(uri, isco, label, alts, desc, code, status="released"):
        return [
            "Occupation",
            uri,
            isco,
            label,
            alts,
            "",
            status,
            "2024-01-25T09:15:00.4Z",
            "",
            "",
            "",
            E + "concept-scheme/occupations",
            desc,
            code,
        ]

    return [
        row(
            DEVELOPER,
            "2512",
            developer_label,
            "programmer\nsoftware engineer\napplication developer",
            "Software developers implement or program all kinds of software systems.",
            "2512.4",
        ),
        row(
            ANALYST,
            "2521",
            "data analyst",
            "data specialist\ndata analysis specialist",
            "Data analysts import, inspect, clean, transform, validate and model data.",
            "2511.3",
        ),
        row(WELDER, "7212", "welder", "", "Welders join metals.", "7212.1", status="obsolete"),
    ]


def relation_rows() -> list[list[str]]:
    return [
        [DEVELOPER, "essential", "knowledge", PYTHON],
        [DEVELOPER, "essential", "skill/competence", DATA_MODELS],
        [DEVELOPER, "optional", "knowledge", SQL],
        [ANALYST, "essential", "knowledge", SQL],
        [ANALYST, "essential", "skill/competence", DATA_MODELS],
        [ANALYST, "optional", "skill/competence", TEAMWORK],
        [ANALYST, "optional", "knowledge", OBSOLETE_SKILL],  # left out with the skill
        [WELDER, "essential", "skill/competence", TEAMWORK],  # left out with the occupation
    ]


def csv_text(columns: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def files(**overrides: str) -> dict[str, str]:
    """File name -> text; ``overrides`` replace a file's text (skills=..., ...)."""
    texts = {
        "skills_en.csv": csv_text(SKILL_COLUMNS, skill_rows()),
        "occupations_en.csv": csv_text(OCCUPATION_COLUMNS, occupation_rows()),
        "occupationSkillRelations_en.csv": csv_text(RELATION_COLUMNS, relation_rows()),
    }
    names = {
        "skills": "skills_en.csv",
        "occupations": "occupations_en.csv",
        "relations": "occupationSkillRelations_en.csv",
    }
    for key, text in overrides.items():
        texts[names[key]] = text
    return texts


def write_dir(directory: Path, **overrides: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files(**overrides).items():
        (directory / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return directory


def write_zip(
    path: Path, folder: str = "ESCO dataset - v1.2.0 - classification - en - csv/", **overrides: str
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files(**overrides).items():
            zf.writestr(folder + name, b"\xef\xbb\xbf" + text.encode("utf-8"))
        zf.writestr(folder + "ISCOGroups_en.csv", "conceptType,conceptUri,code\n")
    return path
