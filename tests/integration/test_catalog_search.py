"""Catalog full-text search on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import pytest

from microcred.catalog.model import CostItem, Program, Provider
from microcred.catalog.search import search
from microcred.catalog.store import import_programs
from microcred.store.db import session_scope

ESCO = "http://data.europa.eu/esco/skill/"
ACME = Provider(name="Acme College", provider_type="university_college")
NIMBUS = Provider(name="Nimbus Cloud Academy", provider_type="employer_vendor")
LEARNLY = Provider(name="Learnly", provider_type="online_platform")


def prog(external_id: str, name: str, provider: Provider = ACME, **kw) -> Program:
    base: dict = dict(
        external_id=external_id,
        name=name,
        provider=provider,
        credential_type="micro_credential",
        format="online",
        proof="ob3_vc",
        cost=[CostItem("one_time", 100, "USD")],
        weeks_min=4,
        weeks_max=6,
    )
    base.update(kw)
    return Program(**base)


CATALOG = [
    prog(
        "P1",
        "Data Analytics Foundations",
        learning_outcomes=["Cleans tabular data with spreadsheets"],
        skills=[ESCO + "analyse-data"],
        topics=["data analysis"],
        funding=["skillsfuture_eligible"],
    ),
    prog(
        "P2",
        "Cloud Practitioner",
        NIMBUS,
        credential_type="certification",
        format="hybrid",
        proof="pdf",
        cost=[CostItem("exam", 300, "USD")],
        weeks_min=10,
        weeks_max=12,
        learning_outcomes=["Deploys containers to a managed cluster"],
        topics=["cloud computing"],
    ),
    prog(
        "P3",
        "Welding Basics",
        learning_outcomes=["Performs safe arc welding"],
        skills=[ESCO + "metal-joining"],
        topics=["trades"],
        format="in_person",
        proof=None,
        credential_type="badge",
    ),
    prog(
        "P4",
        "Data Visualisation",
        LEARNLY,
        proof="ob2",
        cost=[CostItem("monthly", 20, "USD")],
        hours=20,
        learning_outcomes=["Builds dashboards"],
        topics=["data analysis", "design"],
    ),
]


@pytest.fixture
def catalog(engine):
    with session_scope(engine) as s:
        import_programs(s, CATALOG)
    return engine


def names(result) -> list[str]:
    return [h.program.name for h in result.items]


def run(engine, **kw):
    with session_scope(engine) as s:
        return search(s, **kw)


def test_matches_name_outcome_skill_and_provider(catalog):
    assert names(run(catalog, q="welding")) == ["Welding Basics"]
    assert names(run(catalog, q="containers")) == ["Cloud Practitioner"]  # outcome
    assert names(run(catalog, q="metal joining")) == ["Welding Basics"]  # skill URI words
    assert names(run(catalog, q="nimbus")) == ["Cloud Practitioner"]  # provider
    assert names(run(catalog, q="design")) == ["Data Visualisation"]  # topic
    assert names(run(catalog, q="DATA")) == ["Data Analytics Foundations", "Data Visualisation"]
    assert names(run(catalog, q="data dashboards")) == ["Data Visualisation"]  # every word


def test_relevance_then_name(catalog):
    # "data" appears more often in P1 (name, outcome, skill, topic) than in P4
    result = run(catalog, q="data")
    assert result.items[0].score >= result.items[1].score
    assert names(run(catalog)) == sorted(p.name for p in CATALOG)  # no query: by name


def test_filters(catalog):
    assert names(run(catalog, provider_type="employer_vendor")) == ["Cloud Practitioner"]
    assert names(run(catalog, format="in_person")) == ["Welding Basics"]
    assert names(run(catalog, proof="ob2")) == ["Data Visualisation"]
    assert names(run(catalog, max_cost=150)) == [
        "Data Analytics Foundations",
        "Data Visualisation",
        "Welding Basics",
    ]
    assert names(run(catalog, max_weeks=8)) == [
        "Data Analytics Foundations",
        "Data Visualisation",
        "Welding Basics",
    ]
    assert names(run(catalog, topic="Data Analysis")) == [
        "Data Analytics Foundations",
        "Data Visualisation",
    ]
    assert names(run(catalog, skill=ESCO + "metal-joining")) == ["Welding Basics"]
    assert names(run(catalog, skill=ESCO + "metal")) == []  # exact URI only
    assert names(run(catalog, funding=True)) == ["Data Analytics Foundations"]
    assert names(run(catalog, funding="skillsfuture_eligible")) == ["Data Analytics Foundations"]
    assert names(run(catalog, q="data", format="online", proof="ob3_vc")) == [
        "Data Analytics Foundations"
    ]


def test_facet_counts_over_the_filtered_set(catalog):
    r = run(catalog)
    assert r.total == 4
    assert r.facets["provider_type"] == {
        "university_college": 2,
        "employer_vendor": 1,
        "online_platform": 1,
        "nonprofit_industry": 0,
    }
    assert r.facets["format"] == {"online": 2, "hybrid": 1, "in_person": 1}
    assert r.facets["proof"] == {"ob3_vc": 1, "ob2": 1, "pdf": 1, "none": 0, "unknown": 1}
    ctypes = {k: v for k, v in r.facets["credential_type"].items() if v}
    assert ctypes == {"micro_credential": 2, "certification": 1, "badge": 1}

    r = run(catalog, q="data", limit=1)
    assert r.total == 2 and len(r.items) == 1
    assert r.facets["provider_type"]["university_college"] == 1
    assert r.facets["provider_type"]["online_platform"] == 1
    assert r.facets["provider_type"]["employer_vendor"] == 0
    assert r.facets["proof"] == {"ob3_vc": 1, "ob2": 1, "pdf": 0, "none": 0}
    assert names(run(catalog, q="data", limit=1, offset=1)) == ["Data Visualisation"]


def test_no_match_is_empty_with_zero_facets(catalog):
    r = run(catalog, q="astrophysics")
    assert r.items == [] and r.total == 0
    assert all(n == 0 for counts in r.facets.values() for n in counts.values())
    assert set(r.facets) == {"provider_type", "format", "credential_type", "proof"}


@pytest.mark.parametrize(
    "q",
    [
        '"',
        'data"',
        "data*",
        "*",
        "NEAR(data cloud)",
        "data NEAR cloud",
        "-data",
        "data -cloud",
        "name:data",
        ":",
        "data OR",
        "AND NOT",
        "^data",
        "(",
        "'; DROP TABLE program; --",
        "",
        "   ",
    ],
)
def test_fts_syntax_never_errors(catalog, q):
    r = run(catalog, q=q)
    assert r.total >= len(r.items)
    if q in ('data"', "data*", "-data", "^data"):  # the syntax is matched as plain words
        assert "Data Analytics Foundations" in names(r)
    if q.strip() in ("", '"', "*", ":", "("):  # no words: no text filter
        assert r.total == len(CATALOG)


def test_reimport_updates_the_index(catalog):
    renamed = prog("P3", "Underwater Basket Weaving", topics=["crafts"])
    with session_scope(catalog) as s:
        import_programs(s, [renamed])
    assert names(run(catalog, q="welding")) == []
    assert names(run(catalog, q="basket")) == ["Underwater Basket Weaving"]
    assert run(catalog).total == 4


def test_cli_search(catalog, tmp_path):
    import json

    from tests.integration.test_catalog import _cli

    out = _cli(catalog, tmp_path, "search", "data", "--json", "--proof", "ob3_vc")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["total"] == 1 and doc["items"][0]["name"] == "Data Analytics Foundations"
    assert doc["facets"]["proof"]["ob3_vc"] == 1
    out = _cli(catalog, tmp_path, "search", 'NEAR("x" -y:*', "--limit", "5")
    assert out.returncode == 0, out.stderr
    assert "0 program(s) found" in out.stdout


def test_cli_search_topic_skill_and_funding_filters(catalog, tmp_path):
    import json

    from tests.integration.test_catalog import _cli

    def names_of(*args):
        out = _cli(catalog, tmp_path, "search", "data", "--json", *args)
        assert out.returncode == 0, out.stderr
        return sorted(i["name"] for i in json.loads(out.stdout)["items"])

    assert names_of() == ["Data Analytics Foundations", "Data Visualisation"]
    assert names_of("--topic", "design") == ["Data Visualisation"]
    assert names_of("--skill", ESCO + "analyse-data") == ["Data Analytics Foundations"]
    assert names_of("--funding") == ["Data Analytics Foundations"]
    assert names_of("--funding-token", "skillsfuture_eligible") == ["Data Analytics Foundations"]
    assert names_of("--funding-token", "lle_designated") == []
