"""`microcred cost`: the stable command-line contract."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from microcred.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["cost", *args])


def test_subscription_gross_and_us_lines():
    r = run(
        "--json",
        "--monthly",
        "49",
        "--hours",
        "180",
        "--hours-per-week",
        "5",
        "--jurisdiction",
        "US",
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["gross"]["total"] == 441.0
    assert out["gross"]["months"] == 9
    assert out["gross"]["currency"] == "USD"
    assert len(out["gross"]["schedule"]) == 9 + 36
    for ln in out["funding"]:
        assert set(ln) >= {"program", "amount", "timing", "applies", "reason", "source"}
    assert {ln["rule"] for ln in out["funding"]} == {
        "US/section_127",
        "US/lifetime_learning_credit",
        "US/workforce_pell",
    }
    assert out["net"]["net"] == 441.0


def test_ten_hours_a_week():
    r = run(
        "--json",
        "--monthly",
        "49",
        "--hours",
        "180",
        "--hours-per-week",
        "10",
        "--jurisdiction",
        "US",
    )
    assert json.loads(r.stdout)["gross"]["total"] == 245.0


def test_ontario_with_credits_and_osap():
    r = run(
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
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    amounts = {ln["rule"]: (ln["amount"], ln["timing"], ln["applies"]) for ln in out["funding"]}
    assert amounts == {
        "CA/ctc": (500.0, "later", True),
        "CA/tuition_credit": (70.0, "later", True),
        "CA-ON/osap_micro": (800.0, "loan", True),
    }
    assert out["net"]["net"] == 430.0
    assert out["gross"]["currency"] == "CAD"


def test_llc_with_income_and_joint_filing():
    r = run(
        "--json",
        "--price",
        "10000",
        "--federal-aid-eligible",
        "--jurisdiction",
        "US",
        "--income",
        "170000",
        "--filing-status",
        "joint",
        "--tax-year",
        "2026",
    )
    out = json.loads(r.stdout)
    llc = next(ln for ln in out["funding"] if ln["rule"] == "US/lifetime_learning_credit")
    assert llc["amount"] == 1000.0 and llc["applies"] is True


def test_outdated_year_is_reported():
    r = run("--json", "--price", "1000", "--jurisdiction", "CA-ON", "--tax-year", "2030")
    out = json.loads(r.stdout)
    assert all(not ln["applies"] for ln in out["funding"])
    assert out["funding"][0]["reason"] == (
        "rates for 2030 not published in this rule file (has 2026)"
    )


def test_human_output():
    r = run("--price", "500", "--jurisdiction", "SG", "--age", "30", "--approved")
    assert r.exit_code == 0
    assert "gross: 500.00 SGD" in r.stdout
    assert "net: 0.00 SGD" in r.stdout


def test_program_takes_its_costs_from_the_catalog():
    r = run("--program", "abc", "--price", "10", "--weeks", "3", "--jurisdiction", "US")
    assert r.exit_code == 1
    assert "--program takes its costs from the catalog: drop --price, --weeks" in r.stderr


def test_input_errors_exit_1():
    r = run("--monthly", "49", "--jurisdiction", "US")
    assert r.exit_code == 1 and "monthly" in r.stderr
    r = run("--price", "1", "--jurisdiction", "CA", "--ctc-balance", "1", "--ctc-years", "1")
    assert r.exit_code == 1
    r = run("--price", "1", "--jurisdiction", "US", "--start-date", "July")
    assert r.exit_code == 1
