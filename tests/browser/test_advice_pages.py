"""The cost, compare and advisor pages in headless Chromium against a live server
(tests.helpers.live_app): fill the cost form, compare two programs, ask the advisor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import live_app
from tests.web.advice_programs import import_advice_catalog

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    from microcred.config import Settings
    from microcred.web import create_app

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var")))
    ids = import_advice_catalog(app.state.engine)
    with live_app(app) as url:
        yield url, ids


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request: Any, browser: Any, live_server: tuple[str, dict[str, str]]) -> Iterator[Any]:
    """A page, with JavaScript and without (the pages are plain GET forms)."""
    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:  # a page answered 400 on purpose is not an error
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert errors == [], f"errors in the page (a CSP violation shows here): {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def test_fill_the_cost_form(page: Any, live_server: tuple[str, dict[str, str]]) -> None:
    expect = _expect()
    url, _ = live_server
    page.goto(f"{url}/cost")
    page.fill("#monthly", "49")
    page.fill("#hours", "180")
    page.select_option("#jurisdiction", "US")
    page.fill("#hours_per_week", "5")
    page.click("#cost-form button[type=submit]")
    expect(page.locator("#gross dd")).to_have_text("441.00 USD")
    expect(page.locator("#net dd")).to_have_text("441.00 USD")
    rows = page.locator(".funding-table tbody tr.funding-line")
    expect(rows).to_have_count(3)  # section 127, Lifetime Learning Credit, Workforce Pell
    expect(page.locator(".funding-table")).to_contain_text("Lifetime Learning Credit")
    expect(page.locator("#warnings")).to_have_count(0)  # no caveat for a typed-in program
    expect(page.locator("#cost-chart polyline")).to_have_count(2)
    expect(page.locator("#cash-table tbody tr").last).to_contain_text("441.00 USD")

    # twice the pace: five months instead of nine
    page.fill("#hours_per_week", "10")
    page.click("#cost-form button[type=submit]")
    expect(page.locator("#gross dd")).to_have_text("245.00 USD")


def test_catalog_program_cost_for_an_ontario_learner(
    page: Any, live_server: tuple[str, dict[str, str]]
) -> None:
    expect = _expect()
    url, ids = live_server
    page.goto(f"{url}/cost?program={ids['ON']}&start=2026-12-01")
    page.select_option("#jurisdiction", "CA-ON")
    page.fill("#age", "30")
    page.fill("#income", "50000")
    if not page.locator("#ctc_years").is_visible():
        page.click(".learner-fields details summary")
    page.fill("#ctc_years", "5")
    page.fill("#tax_year", "2026")
    page.click("#cost-form button[type=submit]")
    expect(page.locator("#net dd")).to_have_text("322.50 CAD")
    ctc = page.locator("tr.funding-line", has_text="Canada Training Credit")
    expect(ctc.locator("td").nth(0)).to_have_text("375.00 CAD")
    expect(ctc.locator("td").nth(1)).to_have_text("back with your tax return")
    osap = page.locator("tr.funding-line", has_text="OSAP")
    expect(osap.locator("td").nth(1)).to_have_text("loan: to repay")
    expect(page.locator("#warnings")).to_contain_text("Sample data as of 2026-10-01")


def test_compare_two_programs(page: Any, live_server: tuple[str, dict[str, str]]) -> None:
    expect = _expect()
    url, ids = live_server
    page.goto(f"{url}/catalog/compare?ids={ids['ON']}&ids={ids['SUB']}")
    expect(page.locator("#funding-notice")).to_be_visible()
    expect(page.locator("#compare-chart polyline")).to_have_count(2)
    expect(page.locator("#compare-chart .legend-item")).to_have_count(2)
    expect(page.locator("#compare-table thead th.compare-program")).to_have_text(
        ["SQL and Python for Analysts", "Spreadsheets and SQL at Work"]
    )
    expect(page.locator("#chart-table tbody tr").first).to_contain_text("750.00 CAD")

    # tell it where the learner lives: funding now counts
    page.select_option("#jurisdiction", "CA-ON")
    page.fill("#age", "30")
    page.fill("#income", "50000")
    page.fill("#hours_per_week", "10")
    page.click("#compare-learner-form button[type=submit]")
    expect(page.locator("#funding-notice")).to_have_count(0)
    gross = page.locator("#compare-table tr.row-gross td")
    expect(gross.nth(1)).to_contain_text("245.00 CAD")
    expect(page.locator("#compare-table tr.row-funding td").nth(0)).to_contain_text(
        "Federal tuition tax credit: 105.00 CAD (back with your tax return)"  # 14% of 750
    )
    expect(page.locator("#compare-chart polyline")).to_have_count(2)


def test_compare_one_program_then_add_another(
    page: Any, live_server: tuple[str, dict[str, str]]
) -> None:
    expect = _expect()
    url, ids = live_server
    page.goto(f"{url}/catalog/compare?ids={ids['ON']}")
    expect(page.locator("#form-problems")).to_contain_text("pick 2 to 4 programs")
    page.select_option("#add-ids", ids["SUB"])
    page.click(".add-program button[type=submit]")
    expect(page.locator("#compare-chart polyline")).to_have_count(2)


def test_ask_the_advisor(page: Any, live_server: tuple[str, dict[str, str]]) -> None:
    expect = _expect()
    url, ids = live_server
    page.goto(f"{url}/advisor")
    page.fill("#goal", "data scientist")
    page.fill("#have", "python")
    page.select_option("#jurisdiction", "CA-ON")
    page.fill("#age", "30")
    page.fill("#income", "50000")
    page.click("#advisor-form button[type=submit]")
    expect(page.locator("#advice-title")).to_have_text("For Data Scientists")
    expect(page.locator(".gap-skills li", has_text="SQL")).to_have_count(1)
    recs = page.locator(".recommendation")
    expect(recs.first.locator(".rec-name")).to_have_text("SQL and Python for Analysts")
    expect(recs.first.locator(".reasons li").first).to_contain_text("Covers ")
    expect(recs.first.locator(".rec-score")).to_contain_text("score 0.")
    expect(page.locator(".recommendation", has_text="Welding")).to_have_count(0)
    recs.first.locator("a", has_text="My cost in detail").click()
    expect(page.locator("h1")).to_have_text("What SQL and Python for Analysts really costs you")
    expect(page.locator("#jurisdiction")).to_have_value("CA-ON")  # carried over
    expect(page.locator("#net dd")).to_be_visible()
    page.go_back()
    page.locator("#compare-top").click()
    expect(page.locator("#compare-chart")).to_be_visible()
    expect(page.locator("#compare-table thead th.compare-program").first).to_have_text(
        "SQL and Python for Analysts"
    )
