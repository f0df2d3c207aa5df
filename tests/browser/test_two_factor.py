"""Two-factor sign-in in a real browser, on a phone and without JavaScript: a manager sets
up an authenticator app by typing the key (as a screen-reader user would), keeps the
recovery codes, and signs in again with a code. Each page passes axe at WCAG 2.2 AA."""

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from casework.auth import two_factor
from tests.browser.checks import accessibility_violations, sideways_scroll
from tests.browser.test_journey import shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def app_config():
    return {"MFA_REQUIRED_ROLES": frozenset({"admin", "manager", "lead"})}


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": 1_800_000_000.0}
    monkeypatch.setattr(two_factor, "now", lambda: moment["now"])
    return moment


def checked(page: Page, name: str, javascript: bool) -> None:
    """axe and the sideways-scroll check run in the page, so only where scripts may run."""
    if javascript:
        assert accessibility_violations(page) == [], name
        assert sideways_scroll(page) == [], name
    shot(page, f"{name}-{'js' if javascript else 'nojs'}")


def password_step(page: Page, base: str, user) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_manager_sets_up_two_factor_and_signs_in_with_a_code(
    browser: Browser, live_server, manager, clock, javascript
):
    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    password_step(page, live_server, manager)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    checked(page, "two-factor-setup", javascript)
    # No camera: the key is typed instead.
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.fill("#code", "000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The code is not right")
    page.fill("#code", totp.at(clock["now"]))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator("#recovery-codes li").count() == 10
    checked(page, "two-factor-recovery-codes", javascript)
    page.get_by_role("link", name="I have kept my recovery codes: continue").click()
    # a manager with no cases of their own starts from the team at a glance
    expect(page.get_by_role("heading", name="North team today")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    clock["now"] += 60
    password_step(page, live_server, manager)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    checked(page, "two-factor-code", javascript)
    page.fill("#code", totp.at(clock["now"]))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="North team today")).to_be_visible()
    context.close()
