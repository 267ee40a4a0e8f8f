"""Learner accounts in headless Chromium against a live server: sign up, see the account
page (its DID, the unconfirmed-address banner), sign out, sign in again with the password.
Real cookies, the page's CSP and Referrer-Policy, and the Origin a browser sends with forms.

Skipped when Chromium is missing, except under CI=true, where that fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import TIMEOUT_MS

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
