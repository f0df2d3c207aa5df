"""Changing an action and marking a record entered in error in a real browser, on a 360px
phone, with and without JavaScript: the conflict message keeps what was typed, the mark
leaves the record struck through in the history. axe-core checks each page where scripts
run (it runs in the page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from casework.cases.service import add_action, log_conversation
from casework.extensions import db
from casework.models import Case
from tests.browser.checks import accessibility_violations, sideways_scroll
from tests.browser.test_journey import shot
from tests.conftest import PASSWORD, make_demand, make_person, make_user

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}


def checked(page: Page, name: str, javascript: bool) -> None:
    if javascript:
        assert accessibility_violations(page) == [], name
        assert sideways_scroll(page) == [], name
    shot(page, f"{name}-{'js' if javascript else 'nojs'}")


def logged_in(browser: Browser, base: str, user, javascript: bool) -> Page:
    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()
    return page


@pytest.fixture
def case(practitioner) -> Case:
    person = make_person(practitioner, given_name="Maureen", family_name="OBrien")
    demand, _ = make_demand(person, practitioner)
    return db.session.get(Case, demand.case_id)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_action_is_reworded_after_a_conflict_and_handed_to_a_colleague(
    browser: Browser, live_server, team, practitioner, case, javascript
):
    make_user(team, name="Sam Okafor")
    action = add_action(
        db.session, case, practitioner, description="Ring the stair-lift company", by="team"
    )
    db.session.commit()
    page = logged_in(browser, live_server, practitioner, javascript)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Change the action: Ring the stair-lift company").click()
    expect(page.get_by_role("heading", name="Change an action")).to_be_visible()
    checked(page, "action-edit", javascript)

    # Meanwhile a colleague rewords it.
    from casework.actions.service import change_action

    change_action(db.session, action, practitioner, description="Ring the council instead")
    db.session.commit()

    page.fill("#description", "Ring the stair-lift company about a survey")
    page.fill("#due_on-day", "1")
    page.fill("#due_on-month", "1")
    page.fill("#due_on-year", "1800")
    page.select_option("#assignee_id", label="Sam Okafor")
    page.get_by_role("button", name="Save the change").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Someone else changed this action")
    expect(page.get_by_text("Ring the council instead")).to_be_visible()  # theirs, shown
    expect(page.locator("#description")).to_have_value("Ring the stair-lift company about a survey")
    expect(page.locator("#due_on-year")).to_have_value("1800")
    checked(page, "action-edit-conflict", javascript)

    page.get_by_role("button", name="Save the change").click()  # over theirs, knowingly
    expect(summary).to_contain_text("Enter a due date between")
    expect(page.locator("#description")).to_have_value("Ring the stair-lift company about a survey")
    checked(page, "action-edit-errors", javascript)

    due = clock.today()
    page.fill("#due_on-day", str(due.day))
    page.fill("#due_on-month", str(due.month))
    page.fill("#due_on-year", str(due.year))
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Action changed.")).to_be_visible()
    actions = page.locator("section[aria-labelledby=actions]")
    expect(actions).to_contain_text("Ring the stair-lift company about a survey")
    expect(actions).to_contain_text("Sam Okafor")
    checked(page, "action-changed", javascript)
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visit_logged_twice_is_marked_entered_in_error(
    browser: Browser, live_server, practitioner, case, javascript
):
    for notes in ("Visited at home", "Visited at home (typed twice)"):
        log_conversation(
            db.session, case, practitioner, held_on=clock.today(), kind="visit", notes=notes
        )
    db.session.commit()
    page = logged_in(browser, live_server, practitioner, javascript)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Entered in error (the visit on").first.click()
    expect(
        page.get_by_role("heading", name="Mark the conversation entered in error")
    ).to_be_visible()
    checked(page, "conversation-in-error", javascript)
    page.get_by_role("button", name="Mark entered in error").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why it was entered in error")
    checked(page, "conversation-in-error-errors", javascript)
    page.fill("#reason", "Logged twice")
    page.get_by_role("button", name="Mark entered in error").click()
    expect(page.get_by_text("The conversation is marked entered in error")).to_be_visible()
    wrong = page.locator("section[aria-labelledby=in-error]")
    expect(wrong).to_contain_text("Visited at home (typed twice)")
    expect(wrong.locator("del")).to_have_count(1)
    expect(wrong).to_contain_text("Logged twice")
    expect(page.locator("section[aria-labelledby=conversations] li")).to_have_count(1)
    checked(page, "case-with-a-record-in-error", javascript)
    page.goto(f"{live_server}/people/{case.person_id}")
    expect(page.locator(".cw-in-error")).to_contain_text("Entered in error")
    checked(page, "timeline-with-a-record-in-error", javascript)
    page.context.close()
