"""The learner's JSON API: POST /api/v1/cost, /compare and /advise (issue 4).

Figures are worked by hand: a $49/month program of 180 hours is 9 months (441) at 5 hours a
week and 5 months (245) at 10; an Ontario public college program of 750 CAD, 8 weeks, for a
30-year-old earning 50,000 with 5 years of Canada Training Credit: the credit is half the
fees (375, within its 5 x 250 limit), the tuition credit 14% of the 375 left (52.50), both
back with the tax return; OSAP lends the 750 (approved, public, under 12 weeks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app as cli_app
from tests.web.advice_programs import ESCO_PY, ESCO_SQL, import_advice_catalog

ON = {"jurisdiction": "CA-ON", "age": 30, "income": 50000, "ctc_years": 5, "tax_year": 2026}
US = {"jurisdiction": "US", "tax_year": 2026}


@pytest.fixture
def ids(app: Any, client: Any) -> dict[str, str]:
    return import_advice_catalog(app.state.engine)


def _problem(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["type"].startswith("urn:microcred:problem:")
    return str(body["detail"])


# ---- cost ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("pace", "total", "months"), [(5, 441.0, 9), (10, 245.0, 5)])
def test_manual_subscription(client, pace, total, months):
    r = client.post(
        "/api/v1/cost",
        json={"costs": {"monthly": 49, "hours": 180}, "learner": US, "hours_per_week": pace},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert set(doc) == {"gross", "funding", "net"}
    assert (doc["gross"]["total"], doc["gross"]["months"]) == (total, months)
    assert doc["gross"]["currency"] == "USD"
    assert doc["net"]["net"] == total  # nothing applies without income, aid or approval


def test_manual_cost_answers_what_the_cli_prints(client):
    body = {
        "costs": {
            "price": 800,
            "exam_fee": 200,
            "institution_type": "public_college",
            "weeks": 10,
            "approved": True,
        },
        "learner": {
            "jurisdiction": "CA-ON",
            "age": 30,
            "income": 50000,
            "ctc_years": 4,
            "tax_year": 2026,
        },
    }
    api = client.post("/api/v1/cost", json=body).json()
    cli = CliRunner().invoke(
        cli_app,
        [
            "cost",
            "--json",
            "--price",
            "800",
            "--exam-fee",
            "200",
            "--institution-type",
            "public_college",
            "--weeks",
            "10",
            "--approved",
            "--jurisdiction",
            "CA-ON",
            "--age",
            "30",
            "--income",
            "50000",
            "--ctc-years",
            "4",
            "--tax-year",
            "2026",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert api == json.loads(cli.stdout)
    assert api["net"]["net"] == 430.0


def test_ontario_program(client, ids):
    r = client.post(
        "/api/v1/cost",
        json={"program": ids["ON"], "learner": ON, "start": "2026-12-01"},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert set(doc) == {"program", "gross", "funding", "net", "cash", "refund_month", "warnings"}
    assert doc["program"] == {
        "id": ids["ON"],
        "name": "SQL and Python for Analysts",
        "start": "2026-12-01",
    }
    lines = {ln["rule"]: (ln["amount"], ln["timing"], ln["applies"]) for ln in doc["funding"]}
    assert lines["CA/ctc"] == (375.0, "later", True)
    assert lines["CA/tuition_credit"] == (52.5, "later", True)
    assert lines["CA-ON/osap_micro"] == (750.0, "loan", True)
    for ln in doc["funding"]:
        assert {"program", "amount", "timing", "applies", "reason", "source", "status"} <= set(ln)
    assert doc["gross"]["total"] == 750.0
    assert doc["net"]["net"] == 322.5
    assert doc["net"]["loans"] == 750.0
    assert doc["refund_month"] == 6  # December 2026 + credits back in May 2027
    assert len(doc["cash"]) >= 6
    assert any(w["code"] == "as_of" for w in doc["warnings"])


def test_program_pace(client, ids):
    def total(pace: float) -> float:
        r = client.post(
            "/api/v1/cost",
            json={"program": ids["SUB"], "learner": ON, "hours_per_week": pace},
        )
        assert r.status_code == 200, r.text
        return float(r.json()["gross"]["total"])

    assert total(5) == 441.0
    assert total(10) == 245.0


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"learner": US}, "program (a catalog id) or costs"),
        ({"program": "x", "costs": {"price": 1}, "learner": US}, "exactly one"),
        ({"costs": {"price": -1}, "learner": US}, "body.costs.price"),
        ({"costs": {"price": 1}, "learner": {**US, "age": -3}}, "body.learner.age"),
        ({"costs": {"price": 1}, "learner": {**US, "age": "thirty"}}, "body.learner.age"),
        ({"costs": {"price": 1}, "learner": {"age": 30}}, "body.learner.jurisdiction"),
        ({"costs": {"price": 1}, "learner": {**US, "filing_status": "x"}}, "filing_status"),
        ({"costs": {"price": 1}, "learner": {**ON, "ctc_balance": 10}}, "body.learner"),
        ({"costs": {"price": 1, "colour": "red"}, "learner": US}, "body.costs.colour"),
        ({"costs": {"price": 1}, "learner": US, "hours_per_week": 0}, "body.hours_per_week"),
        ({"costs": {"price": 1}, "learner": US, "horizon_years": 500}, "body.horizon_years"),
        ({"costs": {"hours": 1e12}, "learner": US}, "body.costs.hours"),
        ({"costs": {"price": 1}, "learner": US, "start": "July"}, "body.start"),
        ({"costs": {"monthly": 49}, "learner": US}, "costs: a monthly price needs hours"),
        ({"costs": {"currency": "dollars"}, "learner": US}, "body.costs.currency"),
        ({"costs": {"price": 1}, "learner": {**US, "prior_use": {"US/x": -1}}}, "prior_use"),
    ],
)
def test_cost_bad_input_is_a_400_naming_the_field(client, body, named):
    assert named in _problem(client.post("/api/v1/cost", json=body), 400)


def test_cost_not_json_is_a_400(client):
    r = client.post(
        "/api/v1/cost", content=b"{not json", headers={"content-type": "application/json"}
    )
    _problem(r, 400)
    _problem(client.post("/api/v1/cost", json=[1, 2]), 400)


def test_unknown_program_is_a_404(client, ids):
    r = client.post("/api/v1/cost", json={"program": "nope", "learner": US})
    assert "no program with id 'nope'" in _problem(r, 404)


# ---- compare ------------------------------------------------------------------------------
def test_compare_two(client, ids):
    r = client.post(
        "/api/v1/compare",
        json={"programs": [ids["ON"], ids["SUB"]], "learner": ON, "hours_per_week": 5},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert [p["name"] for p in doc["programs"]] == [
        "SQL and Python for Analysts",
        "Spreadsheets and SQL at Work",
    ]
    assert doc["programs"][1]["gross"]["total"] == 441.0
    assert doc["months"] == 9 + 12  # the longest study plus a year
    for series in doc["chart"]:
        assert len(series["gross"]) == len(series["cash"]) == doc["months"]
    sub = doc["chart"][1]["gross"]
    assert sub[:3] == [49.0, 98.0, 147.0] and sub[-1] == 441.0  # a subscription climbs
    one_time = doc["chart"][0]["gross"]
    assert set(one_time) == {750.0}  # one step, in month 1
    assert doc["currencies"] == ["CAD"] and doc["notes"] == []


def test_compare_currencies_are_noted(client, ids):
    r = client.post("/api/v1/compare", json={"programs": [ids["ON"], ids["US"]], "learner": ON})
    assert r.status_code == 200, r.text
    assert r.json()["currencies"] == ["CAD", "USD"]
    assert "not converted" in r.json()["notes"][0]


@pytest.mark.parametrize(
    ("programs", "named", "status"),
    [
        (["a"], "body.programs", 400),
        (["a", "b", "c", "d", "e"], "body.programs", 400),
        ("ON,ON", "twice", 400),
        ("ON,nope", "no program with id 'nope'", 404),
    ],
)
def test_compare_errors(client, ids, programs, named, status):
    if isinstance(programs, str):
        programs = [ids.get(p, p) for p in programs.split(",")]
    r = client.post("/api/v1/compare", json={"programs": programs, "learner": ON})
    assert named in _problem(r, status)


# ---- advise -------------------------------------------------------------------------------
def test_advise_data_scientist(client, ids):
    r = client.post(
        "/api/v1/advise",
        json={"goal": "data scientist", "have": ["python"], "learner": ON, "hours_per_week": 5},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["goal"]["label"] == "Data Scientists"
    assert ESCO_PY not in {g["uri"] for g in doc["gap"]}
    assert ESCO_SQL in {g["uri"] for g in doc["gap"]}
    names = [rec["name"] for rec in doc["recommendations"]]
    assert "Welding" not in names
    assert names[0] == "SQL and Python for Analysts"
    for rec in doc["recommendations"]:
        assert rec["reasons"] and {"score", "net", "weeks", "warnings", "cost"} <= set(rec)
    top = doc["recommendations"][0]
    assert top["gross"] == 750.0 and top["net"] == 322.5  # funding counted for Ontario


def test_advise_have_items_may_be_comma_separated(client, ids):
    r = client.post(
        "/api/v1/advise",
        json={"goal": "data scientist", "have": ["python, SQL"], "learner": ON},
    )
    gap = {g["uri"] for g in r.json()["gap"]}
    assert ESCO_PY not in gap and ESCO_SQL not in gap


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"goal": "zzqx", "learner": ON}, "goal: no occupation or skill matches 'zzqx'"),
        ({"goal": "   ", "learner": ON}, "goal: name an occupation or skills"),
        ({"goal": "", "learner": ON}, "body.goal"),
        ({"learner": ON}, "body.goal"),
        ({"goal": "data", "learner": ON, "format": "zoom"}, "body.format"),
        ({"goal": "data", "learner": ON, "limit": 0}, "body.limit"),
        ({"goal": "data", "learner": ON, "budget": -5}, "body.budget"),
        ({"goal": "x" * 501, "learner": ON}, "body.goal"),
        ({"goal": "data", "have": ["x" * 501], "learner": ON}, "body.have.0"),
    ],
)
def test_advise_bad_input(client, ids, body, named):
    assert named in _problem(client.post("/api/v1/advise", json=body), 400)


def test_goal_with_a_near_miss_names_the_nearest_occupations(client, ids):
    r = client.post("/api/v1/advise", json={"goal": "scientist qqq rrr sss", "learner": ON})
    assert "; did you mean Data Scientists?" in _problem(r, 400)


def test_openapi_documents_the_requests_and_answers(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/cost", "/api/v1/compare", "/api/v1/advise"):
        post = spec["paths"][path]["post"]
        assert "requestBody" in post
        assert {"200", "400", "404"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    assert {
        "CostRequest",
        "LearnerIn",
        "CostsIn",
        "CostAnswer",
        "ComparisonOut",
        "AdviceOut",
    } <= set(schemas)
    assert "jurisdiction" in schemas["LearnerIn"]["required"]
