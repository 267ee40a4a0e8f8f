"""Headless Chromium (Debian's /usr/bin/chromium) for the browser tests: skipped where it is
missing, except under CI=true, where that fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it stands, one line each ([] when none).

    axe-core comes from the npm registry, pinned in tests/browser/js (``npm ci`` there). It
    is evaluated in the page through the DevTools protocol, which the pages' strict CSP
    does not apply to. Missing: skip, except under CI=true, where that fails.
    """
    if not AXE.is_file():
        message = f"{AXE} is missing (run npm ci in tests/browser/js)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web app with default settings (its own data directory) on a free local port."""
    import socket

    from microcred.config import Settings
    from microcred.web import create_app
    from tests.helpers import live_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var"), public_base_url=url))
    with live_app(app, sock):
        yield url


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    """A fresh browser context's page; the test fails if the page logged an error (CSP
    violations included). A 4xx answer is logged as a failed load: that is expected."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert errors == [], f"errors in the page (CSP violations included): {errors}"
