"""The curated skills taxonomy: the file is consistent, and lookups by URI, code, label,
alternative label and words work; unknown items are reported."""

from __future__ import annotations

import json

import pytest

from microcred.advisor import skills as sk
from microcred.advisor.skills import (
    ChainedSkills,
    CuratedSkills,
    Occupation,
    Skill,
    SkillMatch,
    load_curated,
)

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"
CRITICAL = "https://www.onetonline.org/find/descriptor/result/2.A.2.a"
INFOSEC = "https://www.onetonline.org/link/summary/15-1212.00"


@pytest.fixture(scope="module")
def raw() -> dict:
    return json.loads(sk.CURATED_PATH.read_text("utf-8"))


@pytest.fixture(scope="module")
def curated() -> CuratedSkills:
    return load_curated()


def test_the_file_has_the_documented_shape(raw):
    assert set(raw) == {"as_of", "note", "sources", "skills", "occupations"}
    assert raw["as_of"] == "2026-11-29"
    assert "verified" in raw["note"]
    assert raw["sources"] and all(
        s["title"] and s["url"].startswith("https://") for s in raw["sources"]
    )
    for s in raw["skills"]:
        assert set(s) == {"uri", "label", "taxonomy", "alt_labels"}, s
    for o in raw["occupations"]:
        assert set(o) == {
            "uri",
            "label",
            "taxonomy",
            "code",
            "alt_labels",
            "essential_skills",
            "optional_skills",
        }, o


def test_sizes(curated):
    assert 12 <= len(curated.occupations) <= 20
    assert 100 <= len(curated.skills) <= 150
    for o in curated.occupations:
        assert 6 <= len(o.essential_skills) <= 12, o.label
        assert 1 <= len(o.optional_skills) <= 5, o.label


def test_no_duplicate_uris(curated):
    skill_uris = [s.uri for s in curated.skills]
    occ_uris = [o.uri for o in curated.occupations]
    assert len(skill_uris) == len(set(skill_uris))
    assert len(occ_uris) == len(set(occ_uris))
    codes = [o.code for o in curated.occupations if o.code]
    assert len(codes) == len(set(codes))


def test_every_occupation_skill_is_in_the_skills(curated):
    known = {s.uri for s in curated.skills}
    for o in curated.occupations:
        missing = [u for u in o.skills if u not in known]
        assert missing == [], o.label
        assert not set(o.essential_skills) & set(o.optional_skills), o.label


def test_every_uri_has_a_documented_form(curated):
    for s in curated.skills:
        assert s.taxonomy in sk.TAXONOMIES
        pattern = sk.ESCO_SKILL if s.taxonomy == "esco" else sk.ONET_ELEMENT
        assert pattern.match(s.uri), s.uri
    for o in curated.occupations:
        assert o.taxonomy in sk.TAXONOMIES
        if o.taxonomy == "esco":
            assert sk.ESCO_OCCUPATION.match(o.uri), o.uri
        else:
            assert sk.ONET_OCCUPATION.match(o.uri), o.uri
            assert o.code and sk.ONET_SOC.match(o.code), o.code
            assert o.uri.endswith("/" + o.code)


def test_labels_are_unique_enough_to_look_up(curated):
    labels = [sk.words(s.label) for s in curated.skills]
    assert len(labels) == len(set(labels))
    occ_labels = [sk.words(o.label) for o in curated.occupations]
    assert len(occ_labels) == len(set(occ_labels))


def test_occupation_by_uri_code_label_and_alt_label(curated):
    by_uri = curated.occupation(INFOSEC)
    assert by_uri is not None and by_uri.code == "15-1212.00"
    assert curated.occupation("15-1212.00") == by_uri
    assert curated.occupation(" 15-1212 ") == by_uri
    assert curated.occupation("information security analysts") == by_uri
    assert curated.occupation("Cybersecurity Analyst") == by_uri  # alternative label
    assert curated.occupation("cybersecurity analysts") == by_uri  # plural folded


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("project manager", "13-1082.00"),
        ("registered nurse", "29-1141.00"),
        ("health care assistant", "31-1131.00"),
        ("IT support", "15-1232.00"),
        ("cloud administrator", "15-1244.00"),
        ("Salesforce administrator", "15-1211.00"),
        ("accountant", "13-2011.00"),
        ("bookkeeper", "43-3031.00"),
        ("data analyst", "15-2051.00"),
        ("team leader", "11-1021.00"),
        ("payroll administrator", "43-3051.00"),
        ("digital marketing specialist", "13-1161.00"),
        ("mental health support worker", "21-1093.00"),
        ("python developer", "15-1252.00"),
        ("construction supervisor", "47-1011.00"),
        ("construction manager", "11-9021.00"),
        ("I want to become a cloud administrator in Toronto", "15-1244.00"),
    ],
)
def test_the_catalog_occupations_are_found_by_their_usual_names(curated, query, code):
    found = curated.occupation(query)
    assert found is not None and found.code == code, (query, found)


def test_unknown_occupation(curated):
    assert curated.occupation("astronaut") is None
    assert curated.occupation("") is None
    assert curated.occupation("99-9999.00") is None
    assert curated.search_occupations("astronaut") == []


def test_search_occupations_ranks_and_limits(curated):
    found = curated.search_occupations("security analyst", limit=3)
    assert found[0].code == "15-1212.00"
    assert len(found) <= 3
    assert len(curated.search_occupations("analyst", limit=2)) == 2
    assert curated.search_occupations("15-1252.00")[0].code == "15-1252.00"
    assert curated.search_occupations("analyst", limit=0) == []


def test_skill_by_uri(curated):
    python = curated.skill(PYTHON)
    assert python == Skill(PYTHON, "Python (computer programming)", "esco", python.alt_labels)
    assert curated.skill(CRITICAL).label == "Critical Thinking"
    assert curated.skill("http://data.europa.eu/esco/skill/nope") is None


def test_match_skills_by_uri_label_alt_label_and_words(curated):
    m = curated.match_skills(
        f"{SQL}, Python, work in teams; teamwork | critical thinking\nspreadsheet, basket weaving, ,"
    )
    assert isinstance(m, SkillMatch)
    uris = [s.uri for s in m.skills]
    assert uris[:4] == [SQL, PYTHON, TEAMS, CRITICAL]  # teamwork = work in teams, once
    assert (
        curated.skill("http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be")
        in m.skills
    )
    assert m.unknown == ["basket weaving"]


def test_match_skills_reports_every_unknown_item_as_written(curated):
    m = curated.match_skills("Klingon, underwater welding")
    assert m.skills == [] and m.unknown == ["Klingon", "underwater welding"]
    assert curated.match_skills("") == SkillMatch()


def test_a_bad_file_is_a_clear_error():
    with pytest.raises(ValueError, match="broken.json"):
        CuratedSkills.from_json(
            {"skills": [{"label": "x"}], "occupations": []}, where="broken.json"
        )


def test_chained_sources_ask_in_order():
    own = CuratedSkills(
        [Skill("urn:x:weaving", "basket weaving", "esco")],
        [Occupation("urn:x:weaver", "basket weaver", "esco", "7317")],
    )
    chain = ChainedSkills(own, load_curated())
    m = chain.match_skills("basket weaving, Python, Klingon")
    assert [s.uri for s in m.skills] == ["urn:x:weaving", PYTHON]
    assert m.unknown == ["Klingon"]
    assert chain.skill(PYTHON) is not None and chain.skill("urn:x:weaving") is not None
    assert chain.occupation("basket weaver").code == "7317"
    assert chain.occupation("15-1212").code == "15-1212.00"
    assert chain.occupation("astronaut") is None
    found = chain.search_occupations("weaver analyst", limit=3)
    assert found[0].uri == "urn:x:weaver" and len(found) == 3


def test_one_shared_word_of_two_is_not_a_skill_match():
    from microcred.advisor.skills import load_curated

    match = load_curated().match_skills("manage payrolls, use databases")
    assert [s.label for s in match.skills] == ["use databases"]
    assert match.unknown == ["manage payrolls"]  # not "manage frustration"
