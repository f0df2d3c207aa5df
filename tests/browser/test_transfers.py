"""A transfer between teams in a real browser, at 360px, with JavaScript on and off: the
owner asks from the case, the receiving manager sees only who and why on the team page,
refuses a blank answer, accepts with an owner, and the new case says where it came from.
Each page is checked with axe-core (WCAG 2.2 AA) and must not scroll sideways."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from casework.cases.service import add_action, log_conversation
from casework.extensions import db
from tests.browser.checks import accessibility_violations
from tests.conftest import PASSWORD, make_demand, make_person, make_team, make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def open_page(browser: Browser):
    """A phone-sized page, JavaScript on or off; with it off, `page.checker` is a page with
    JavaScript on, where each page's markup is checked (axe-core needs JavaScript)."""
    contexts = []

    def opener(javascript: bool) -> Page:
        context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        page.checker = None
        if not javascript:
            checking = browser.new_context(viewport=PHONE)
            contexts.append(checking)
            page.checker = checking.new_page()
        return page

    yield opener
    for context in contexts:
        context.close()


def log_in(page: Page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).not_to_have_text("Log in to Casework")


def check(page: Page) -> None:
    """Accessible (axe-core, WCAG 2.2 AA) and no sideways scroll at 360px: the page itself, or
    (JavaScript off) the same markup, as served, in a page that can run the checks. First
    the page's document whole: read straight after a click, it may still be arriving (CI
    once read an empty document)."""
    page.wait_for_load_state()
    expect(page.locator("h1")).to_be_visible()
    where = page.url
    if page.checker is not None:
        origin = "/".join(where.split("/")[:3])
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)  # as without JS
        page.checker.set_content(html.replace("<head>", f'<head><base href="{origin}/">'))
        page = page.checker
    assert accessibility_violations(page) == [], where
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), where


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_case_moves_to_another_team(open_page, live_server, team, javascript):
    owner = make_user(team, "practitioner", name="Eleisha Ward", email="eleisha@example.org")
    south = make_team("South", "usual")
    manager = make_user(south, "manager", name="Sam South", email="sam@example.org")
    worker = make_user(south, "practitioner", name="Sol Worker", email="sol@example.org")
    person = make_person(owner, given_name="Gwen", family_name="Roberts")
    demand, _ = make_demand(person, owner, clock.today() - dt.timedelta(days=30))
    case = demand.case
    log_conversation(
        db.session,
        case,
        owner,
        held_on=clock.today() - dt.timedelta(days=20),
        kind="visit",
        what_matters="Being near my daughter",
        notes="Her knee is worse since the fall",
    )
    add_action(db.session, case, owner, description="Ask the falls clinic", by="team")
    db.session.commit()
    page = open_page(javascript)

    log_in(page, live_server, owner)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Transfer to another team").click()
    check(page)
    page.get_by_role("button", name="Ask the team to take the case").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the team to transfer the case to")
    expect(summary).to_contain_text("Say why the case should move")
    check(page)
    page.select_option("#to_team_id", label="South (usual practice)")
    page.fill("#reason", "Gwen has moved in with her daughter in Southby")
    page.get_by_role("button", name="Ask the team to take the case").click()
    expect(page.get_by_text("Transfer asked of South.")).to_be_visible()
    expect(page.get_by_text("waiting for their answer")).to_be_visible()
    check(page)

    log_in(page, live_server, manager)
    page.goto(live_server + "/team")
    transfers = page.locator("#transfers + .cw-table-wrap")
    expect(transfers).to_contain_text("Waiting for an answer")
    check(page)
    page.get_by_role("link", name="Gwen Roberts").click()
    expect(page.get_by_text("Gwen has moved in with her daughter in Southby")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Her knee")
    expect(page.locator("main")).not_to_contain_text("Being near my daughter")
    check(page)
    page.get_by_role("button", name="Decline").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Say why your team cannot take the case"
    )
    check(page)
    page.get_by_role("button", name="Accept and open the case").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose who in South will own the case"
    )
    page.select_option("#accept-owner_id", label="Sol Worker")
    page.get_by_role("button", name="Accept and open the case").click()
    expect(
        page.get_by_text("Transfer accepted: Gwen Roberts's case is now Sol Worker's")
    ).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Transferred from North on")
    expect(main).to_contain_text("Being near my daughter")
    expect(main).to_contain_text("Ask the falls clinic")
    expect(main).not_to_contain_text("Her knee")
    check(page)
    assert worker.id
