"""The organisation console in headless Chromium (Debian's /usr/bin/chromium) against a live
server: sign in with a token, define an achievement, award it, find it in the list, revoke
it with a reason and see its public page say so; a cohort upload's live progress; and a
screenshot of the dashboard (kept in $MICROCRED_SCREENSHOT_DIR when set).

Skipped when Chromium is missing, except under CI=true, where that fails.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import live_app

pytestmark = pytest.mark.browser

COHORT = "email,name\r\n" + "".join(f"p{i}@example.org,Person {i}\r\n" for i in range(40))


class Live:
    def __init__(self, url: str, app: Any, token: str) -> None:
        self.url, self.app, self.token = url, app, token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from microcred.config import Settings
    from microcred.issuing import orgs, tokens
    from microcred.store.db import session_scope
    from microcred.web import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var"), public_base_url=url))
    with session_scope(app.state.engine) as s:
        org = orgs.create_organisation(s, app.state.issuing, slug="acme", name="Acme College")
        token = tokens.create_token(s, org, name="Registrar", role="owner")
    with live_app(app, sock):
        yield Live(url, app, token)


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:  # a 4xx answer is logged as a failed load: expected
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert errors == [], f"errors in the page (CSP violations included): {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    return expect


def _shot(page: Any, name: str) -> None:
    """A full-page screenshot into $MICROCRED_SCREENSHOT_DIR, when it is set."""
    if out := os.environ.get("MICROCRED_SCREENSHOT_DIR"):
        Path(out).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(out) / f"console-{name}.png"), full_page=True)


def _sign_in(page: Any, live: Live) -> None:
    page.goto(f"{live.url}/console")
    assert "/console/login" in page.url
    page.fill("#token", live.token)
    page.click("button:has-text('Sign in')")
    _expect()(page.locator("h1")).to_have_text("Dashboard")


def test_define_award_find_and_revoke(page: Any, live: Live) -> None:
    expect = _expect()
    _sign_in(page, live)

    page.click(".console-nav >> text=Achievements")
    page.click("text=New achievement")
    page.fill("#f-name", "Basic Life Support")
    page.fill("#f-description", "Adult CPR and defibrillator use.")
    page.fill("#f-criteria", "Pass the practical assessment.")
    page.fill("#f-workload", "eight")  # a mistake first: the form says where
    page.select_option("#f-eqf", "3")
    page.fill("#f-outcomes", "perform CPR\nuse a defibrillator")
    page.fill("#f-validity", "P2Y")
    page.click("button:has-text('Save')")
    expect(page.locator("#form-error")).to_contain_text("$.workloadHours")
    expect(page.locator("#f-workload")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-name")).to_have_value("Basic Life Support")
    _shot(page, "achievement-form-error")
    page.fill("#f-workload", "8")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_have_text("Basic Life Support")
    expect(page.locator(".notice")).to_contain_text("Saved.")
    expect(page.locator(".json-view")).to_contain_text('"OpenBadgeCredential"')
    expect(page.locator(".facts")).to_contain_text("8 hours")
    _shot(page, "achievement-preview")

    page.click("text=Award it")
    page.fill("#a-recipient", "ada@example.org")
    page.fill("#a-name", "Ada Lovelace")
    page.click("button:has-text('Issue the credential')")
    expect(page.locator(".notice")).to_have_text("Issued.")
    expect(page.locator(".facts")).to_contain_text("ada@example.org")

    page.click(".console-nav >> text=Credentials")
    page.fill("#q", "lovelace")
    page.click("button:has-text('Search')")
    rows = page.locator(".credentials-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Basic Life Support")
    expect(rows.first.locator(".state-badge")).to_have_text("active")
    _shot(page, "credentials")
    rows.first.locator("text=Manage").click()

    page.fill("#revoke-reason", "issued to the wrong person")
    page.click("button:has-text('Revoke')")
    expect(page.locator(".notice")).to_contain_text("Revoked.")
    expect(page.locator(".audit-table")).to_contain_text("issued to the wrong person")
    expect(page.locator(".facts .state-badge")).to_have_text("revoked")
    _shot(page, "credential-revoked")

    page.click("text=Public page")
    expect(page.locator(".verdict-text")).to_have_text("Not valid")
    expect(page.locator(".verdict")).to_have_attribute("data-verdict", "failed")
    expect(page.locator(".check[data-status=failed]")).to_contain_text("revoked")


def test_a_cohort_upload_shows_live_progress(page: Any, live: Live) -> None:
    expect = _expect()
    _sign_in(page, live)
    page.click(".console-nav >> text=Upload a cohort")
    options = page.locator("#c-achievement option")
    if options.count() < 2:
        pytest.skip("needs the achievement of the test before")
    page.select_option("#c-achievement", index=1)
    upload = {"name": "spring.csv", "mimeType": "text/csv", "buffer": COHORT.encode()}
    page.set_input_files("#c-file", files=[upload])
    page.click("button:has-text('Upload')")  # a dry run first (ticked by default)
    expect(page.locator("#report-heading")).to_have_text("No problems")
    _shot(page, "cohort-dry-run")
    page.set_input_files("#c-file", files=[upload])
    page.uncheck("input[name=dry_run]")
    page.click("button:has-text('Upload')")
    expect(page.locator("h1")).to_contain_text("Cohort:")
    # console.js updates the page in place: no reload needed
    expect(page.locator("#job-state")).to_have_text("done")
    expect(page.locator("#job-counts")).to_contain_text("40 of 40 rows: 40 issued")
    expect(page.locator("#job-bar")).to_have_attribute("value", "40")
    _shot(page, "job")


def test_dashboard_screenshot(page: Any, live: Live, tmp_path: Path) -> None:
    from microcred.issuing import orgs
    from microcred.store.db import session_scope
    from microcred.store.models import Event

    now = datetime.now(UTC)
    with session_scope(live.app.state.engine) as s:  # some history for the chart
        org = orgs.get_organisation(s, "acme")
        for week in range(12):
            at = now - timedelta(weeks=week, hours=1)
            for kind, n in (
                ("issued", 12 - week),
                ("claimed", (12 - week) // 2),
                ("viewed", 20 - week),
                ("verified", week % 4),
            ):
                s.add_all(Event(org_id=org.id, kind=kind, at=at) for _ in range(n))
    expect = _expect()
    _sign_in(page, live)
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator(".stat-card")).to_have_count(4)
    out = Path(os.environ.get("MICROCRED_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "console-dashboard.png"), full_page=True)
    assert (out / "console-dashboard.png").stat().st_size > 10_000
