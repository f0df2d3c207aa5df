"""The Content-Security-Policy in a real browser: pages load with zero violations, and the
NHS.UK JavaScript (header menu, error summary) and our own still work under it."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.test_security import case_with_a_conversation

pytestmark = pytest.mark.browser

# Recorded by the browser itself for every blocked script, style, font, frame or form.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__csp.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


@pytest.fixture
def watched(page: Page):
    """The page, and every CSP violation it reports (events and console messages)."""
    console = []

    def note(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", note)
    page.add_init_script(WATCH_VIOLATIONS)
    return page, console


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp") + console


def log_in(page: Page, base: str, user) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def case(practitioner):
    return case_with_a_conversation(practitioner)


def test_the_watch_sees_a_violation_when_there_is_one(watched, live_server):
    """The control: without it, zero violations could mean the watch is blind."""
    page, console = watched
    page.goto(live_server + "/login")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None  # the policy blocked it
    assert any("script-src" in v for v in violations(page, console))


def test_pages_load_with_no_csp_violation_and_the_scripts_run(watched, live_server, manager, case):
    page, console = watched
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, manager)
    pages = [
        "/",
        "/team",
        "/people",
        f"/people/{case.person_id}",
        f"/cases/{case.id}",
        f"/cases/{case.id}/conversations/new",
        f"/cases/{case.id}/about-me",
        "/measures",
        "/account",
        "/imports/demands",
    ]
    for path in pages:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        # Set by static/js-enabled.js (the NHS template's inline script, moved to a file).
        assert page.evaluate("document.body.className").split() == [
            "js-enabled",
            "nhsuk-frontend-supported",
        ], path
        assert violations(page, console) == [], path
    # Our own module ran: the About me page's print button is shown only by JavaScript.
    page.goto(live_server + f"/cases/{case.id}/about-me")
    expect(page.locator("[data-print]")).to_be_visible()


def test_the_nhs_header_menu_works_on_a_phone_under_the_policy(watched, live_server, manager, case):
    page, console = watched
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, manager)
    toggle = page.locator(".nhsuk-header__menu-toggle")
    expect(toggle).to_be_visible()  # the NHS script moved the links that do not fit
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.locator(".nhsuk-header__menu-list")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="Measures").click()
    expect(page).to_have_url(live_server + "/measures")
    assert violations(page, console) == []


def test_the_error_summary_takes_focus_under_the_policy(watched, live_server, practitioner):
    page, console = watched
    page.goto(live_server + "/login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()  # the NHS script's doing
    assert violations(page, console) == []
