"""Learner accounts in headless Chromium against a live server: sign up, see the account
page (its DID, the unconfirmed-address banner), sign out, sign in again with the password.
Real cookies, the page's CSP and Referrer-Policy, and the Origin a browser sends with forms.

Skipped when Chromium is missing, except under CI=true, where that fails.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.helpers import live_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from microcred.config import Settings
    from microcred.web import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("var"), public_base_url=url))
    with live_app(app, sock):
        yield url


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context()
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


def test_sign_up_sign_out_sign_in(page: Any, live_url: str) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(f"{live_url}/account")  # not signed in: sent to the sign-in page
    assert "/account/signin?next=%2Faccount" in page.url
    page.click("text=Create an account")
    page.fill("#email", "ada@example.org")
    page.fill("#display_name", "Ada Lovelace")
    page.fill("#password", "short")  # the browser's own check (minlength) stops this
    page.click("button:has-text('Create my account')")
    assert "/account/signup" in page.url
    page.fill("#password", "analytical engine notes")
    page.click("button:has-text('Create my account')")
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator("#unverified-banner")).to_contain_text("confirm your e-mail address")
    expect(page.locator("#learner-did")).to_contain_text("did:key:z6Mk")
    did = page.locator("#learner-did").inner_text()
    expect(page.locator("nav >> text=Wallet")).to_be_visible()

    page.fill("#display_name", "Ada King")
    page.click("button:has-text('Save my name')")
    expect(page.locator(".notice")).to_contain_text("Your name is saved.")

    page.click("#signout")
    assert page.url.endswith("/account/signin")
    expect(page.locator("nav >> text=Sign in")).to_be_visible()
    page.goto(f"{live_url}/account")
    assert "/account/signin" in page.url

    page.fill("#email", "ada@example.org")
    page.fill("#password", "not the password")
    page.click("#password-form button")
    expect(page.locator("#signin-error")).to_contain_text("wrong")
    page.fill("#password", "analytical engine notes")
    page.click("#password-form button")
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator("#learner-did")).to_have_text(did)
    expect(page.locator(".facts")).to_contain_text("Ada King")
