"""The catalog pages in headless Chromium against a live server (tests.helpers.live_app):
search, narrow with a facet, pick programs to compare, open a program."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import live_app
from tests.web.catalog_programs import import_catalog

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    from microcred.config import Settings
    from microcred.web import create_app

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var")))
    ids = import_catalog(app.state.engine)
    with live_app(app) as url:
        yield url, ids


@pytest.fixture
def page(browser: Any, live_server: tuple[str, dict[str, str]]) -> Iterator[Any]:
    url, _ = live_server
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:  # the compare page does not exist yet: a 404 is expected
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", on_console)
    page.goto(f"{url}/catalog")
    yield page
    context.close()
    assert errors == [], f"errors in the page (a CSP violation shows here): {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def test_search_facet_and_program_page(page: Any) -> None:
    expect = _expect()
    expect(page.locator("#result-count")).to_have_text("5 programs.")
    page.fill("#q", "data")
    page.click("#catalog-form .catalog-q button[type=submit]")
    expect(page.locator("#result-count")).to_have_text("3 programs.")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["data"]

    facet = page.locator('.facet[data-facet="provider_type"] li', has_text="Online platform")
    expect(facet.locator(".facet-count")).to_have_text("2")
    facet.locator("a").click()
    expect(page.locator("#result-count")).to_have_text("2 programs.")
    expect(page.locator(".active-filters")).to_contain_text("Provider type: Online platform")
    names = page.locator(".program-name")
    expect(names).to_have_count(2)
    # markup in a program's name is text
    expect(page.locator(".program-name", has_text="Data Safety")).to_contain_text("<script>")

    # remove the filter again: back to three
    page.locator(".active-filters li", has_text="Provider type").locator("a").click()
    expect(page.locator("#result-count")).to_have_text("3 programs.")

    page.locator(".program-name a", has_text="Data Analytics Foundations").click()
    expect(page.locator("h1.program-title")).to_have_text("Data Analytics Foundations")
    lines = page.locator(".cost-lines li")
    expect(lines).to_have_text(
        [
            "Per course: CA$300 (CAD) × 3 courses",
            "Exam fee: CA$150 (CAD)",
            "Exam retake: CA$75 (CAD) each time",
            "Renewal: CA$50 (CAD) every 2 years",
        ]
    )
    expect(page.locator(".sample-banner")).to_contain_text("Sample data as of 1 October 2026")
    expect(page.locator("a", has_text="Work out my cost")).to_have_attribute(
        "href", "/cost?program=" + page.locator("article").get_attribute("data-program-id")
    )


def test_compare_selection(page: Any, live_server: tuple[str, dict[str, str]]) -> None:
    expect = _expect()
    _, ids = live_server
    button = page.locator("#compare-form button[type=submit]")
    expect(button).to_be_disabled()  # the script: 2 to 4
    page.check(f'input[name=ids][value="{ids["P1"]}"]')
    expect(button).to_be_disabled()
    expect(page.locator("#compare-hint")).to_have_text("1 ticked: tick at least 2.")
    page.check(f'input[name=ids][value="{ids["P2"]}"]')
    expect(button).to_be_enabled()
    button.click()
    page.wait_for_url("**/catalog/compare?**")
    query = parse_qs(urlsplit(page.url).query)
    assert sorted(query["ids"]) == sorted([ids["P1"], ids["P2"]])


def test_works_without_javascript(browser: Any, live_server: tuple[str, dict[str, str]]) -> None:
    expect = _expect()
    url, _ = live_server
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/catalog")
        page.click(".catalog-filters summary")  # the filters fold away until used
        page.select_option("#format", "hybrid")
        page.click(".catalog-filters button[type=submit]")
        expect(page.locator("#result-count")).to_have_text("1 program.")
        expect(page.locator(".program-name")).to_have_text("Cloud Practitioner")
        expect(page.locator("#compare-form button[type=submit]")).to_be_enabled()
    finally:
        context.close()
