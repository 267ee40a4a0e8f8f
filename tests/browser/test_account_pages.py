"""Learner accounts in headless Chromium against a live server: sign up, see the account
page (its DID, the unconfirmed-address banner), sign out, sign in again with the password;
add another address, confirm it from its mailed link, remove it (axe-core on the page).
Real cookies, the page's CSP and Referrer-Policy, and the Origin a browser sends with forms.

Skipped when Chromium is missing, except under CI=true, where that fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS, axe_violations

pytestmark = pytest.mark.browser


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


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(base URL, app) of a live server whose outbox the test can read."""
    import socket

    from microcred.config import Settings
    from microcred.web import create_app
    from tests.helpers import live_app as serve

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("emails"), public_base_url=url))
    with serve(app, sock):
        yield url, app


def test_add_and_confirm_another_address(browser: Any, live_app: Any) -> None:
    from playwright.sync_api import expect
    from sqlalchemy import select

    from microcred.store.db import session_scope
    from microcred.store.models import OutboxMail

    expect.set_options(timeout=TIMEOUT_MS)
    url, app = live_app
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/account/signup")
        page.fill("#email", "grace@example.org")
        page.fill("#password", "compilers all the way down")
        page.click("button:has-text('Create my account')")
        expect(page.locator("h1")).to_have_text("Your account")
        page.fill("#new_email", "Grace@Navy.example")
        page.click("#add-email button")
        expect(page.locator(".notice")).to_contain_text("We sent a confirmation link")
        row = page.locator('.email-row[data-email="grace@navy.example"]')
        expect(row).to_have_attribute("data-verified", "no")
        assert axe_violations(page) == []
        page.fill("#new_email", "grace@example.org")
        page.click("#add-email button")
        expect(page.locator("#account-error")).to_contain_text("one of your addresses already")
        with session_scope(app.state.engine) as s:
            mail = s.scalars(select(OutboxMail).where(OutboxMail.kind == "verify_address")).one()
        link = mail.body.split(url, 1)[1].split()[0]
        page.goto(f"{url}{link}")
        expect(page.locator("#confirm-what")).to_contain_text("grace@navy.example")
        expect(page.locator("#confirm-what")).to_contain_text("grace@example.org")
        page.click("button:has-text('Confirm grace@navy.example')")
        expect(page.locator("h1")).to_have_text("E-mail address confirmed")
        page.goto(f"{url}/account")
        expect(row).to_have_attribute("data-verified", "yes")
        row.locator("button:has-text('Remove')").click()
        expect(page.locator(".notice")).to_contain_text("The address is removed")
        expect(row).to_have_count(0)
    finally:
        context.close()


def test_the_account_address_is_confirmed_by_the_button_not_by_opening_the_link(
    browser: Any, live_app: Any
) -> None:
    """The link of the sign-up mail shows a page (a mail scanner opening it confirms
    nothing); the button confirms; the link is then used up (axe-core on the page)."""
    from playwright.sync_api import expect
    from sqlalchemy import select

    from microcred.store.db import session_scope
    from microcred.store.models import OutboxMail

    expect.set_options(timeout=TIMEOUT_MS)
    url, app = live_app
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/account/signup")
        page.fill("#email", "hedy@example.org")
        page.fill("#password", "frequency hopping spread")
        page.click("button:has-text('Create my account')")
        expect(page.locator("#unverified-banner")).to_be_visible()
        with session_scope(app.state.engine) as s:
            mail = s.scalars(
                select(OutboxMail).where(
                    OutboxMail.kind == "verify_email", OutboxMail.to == "hedy@example.org"
                )
            ).one()
        link = mail.body.split(url, 1)[1].split()[0]
        scanner = browser.new_context()  # another browser opens the link: nothing happens
        try:
            peek = scanner.new_page()
            peek.goto(f"{url}{link}")
            expect(peek.locator("h1")).to_have_text("Confirm your e-mail address")
        finally:
            scanner.close()
        page.goto(f"{url}/account")
        expect(page.locator("#unverified-banner")).to_be_visible()
        page.goto(f"{url}{link}")
        expect(page.locator("#confirm-what")).to_contain_text("hedy@example.org")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            assert axe_violations(page) == [], width
        page.click("button:has-text('Confirm hedy@example.org')")
        expect(page.locator("h1")).to_have_text("E-mail address confirmed")
        page.goto(f"{url}/account")
        expect(page.locator("#unverified-banner")).to_have_count(0)
        page.goto(f"{url}{link}")
        expect(page.locator("h1")).to_have_text("This link does not work")
    finally:
        context.close()
