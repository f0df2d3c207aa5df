"""Asks of the manager and the team's purpose in a real browser: a practitioner asks from a
case, the manager answers from the list of open asks, the manager writes the purpose and a
practitioner reads it. Each page is checked with axe-core, and fits a 360px phone."""

import pytest
from playwright.sync_api import Page, expect

from casework.extensions import db
from tests.browser.checks import accessibility_violations
from tests.conftest import PASSWORD, make_demand, make_person, make_user

pytestmark = pytest.mark.browser
VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 360, "height": 740}]


def log_in(page: Page, live_server: str, user) -> None:
    page.context.clear_cookies()
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def check(page: Page) -> None:
    """Accessible (WCAG 2.2 AA, by axe-core), and no sideways scroll at either width."""
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        assert accessibility_violations(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(VIEWPORTS[0])


def test_a_practitioner_asks_and_the_manager_answers(page: Page, live_server, team):
    worker = make_user(team, "practitioner", name="Sam Okafor", email="sam@example.org")
    manager = make_user(team, "manager", name="Morgan Reed", email="morgan@example.org")
    demand, _ = make_demand(make_person(worker, given_name="Maureen", family_name="OBrien"), worker)
    db.session.commit()

    log_in(page, live_server, worker)
    page.goto(f"{live_server}/cases/{demand.case_id}")
    expect(page.get_by_text("Nothing asked yet")).to_be_visible()
    page.get_by_role("link", name="Ask the manager for a resource or a permission").click()
    check(page)
    page.get_by_label("A permission: to do something the usual rules do not allow").check()
    page.fill("#what", "To visit with the physiotherapist together")
    page.fill("#cost", "about forty pounds")
    page.get_by_role("button", name="Send the ask").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say why the person needs it")
    expect(summary).to_contain_text("Enter the cost in pounds")
    expect(page.locator("#what")).to_have_value("To visit with the physiotherapist together")
    check(page)
    page.fill("#why", "She is frightened of the stairs since her fall")
    page.fill("#cost", "£40")
    page.get_by_role("button", name="Send the ask").click()
    expect(page.get_by_text("Your ask has gone to the team's manager.")).to_be_visible()
    expect(page.get_by_text("Waiting for an answer")).to_be_visible()
    check(page)

    log_in(page, live_server, manager)
    page.goto(live_server + "/team")
    page.get_by_role("link", name="Asks of the manager").click()
    expect(page.get_by_role("heading", name="Waiting for your answer (1)")).to_be_visible()
    expect(page.get_by_text("waiting today")).to_be_visible()
    check(page)
    page.get_by_role("link", name="To visit with the physiotherapist together").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Give the reason for your answer")
    check(page)
    page.fill("#reason", "Yes: cheaper than another fall")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_text("You answered yes")).to_be_visible()
    expect(page.get_by_role("heading", name="Answered in the last 90 days (1)")).to_be_visible()

    log_in(page, live_server, worker)
    page.goto(f"{live_server}/cases/{demand.case_id}")
    asks = page.locator("section[aria-labelledby=asks]")
    expect(asks).to_contain_text("Morgan Reed answered yes")
    expect(asks).to_contain_text("Yes: cheaper than another fall")
    expect(asks).to_contain_text("about £40")


def test_the_manager_writes_the_purpose_and_a_new_member_reads_it(page: Page, live_server, team):
    manager = make_user(team, "manager", name="Morgan Reed", email="morgan@example.org")
    newcomer = make_user(team, "practitioner", name="Jo Lewis", email="jo@example.org")

    log_in(page, live_server, manager)
    page.get_by_role("link", name="How we work").first.click()
    expect(page.get_by_text("Your team has not written down its purpose yet")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Write the team's purpose").click()
    page.fill("#principles", "Own the journey end to end\nLearn and improve")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Write the team's purpose")
    expect(page.locator("#principles")).to_have_value(
        "Own the journey end to end\nLearn and improve"
    )
    check(page)
    page.fill("#purpose", "Help each person end to end, in their own words.")
    page.fill("#rules", "Do not break the law\nDo not make the person's situation worse")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("are saved")).to_be_visible()

    log_in(page, live_server, newcomer)
    page.get_by_role("link", name="How we work").first.click()
    expect(page.get_by_text("Help each person end to end, in their own words.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Learn and improve")).to_be_visible()
    expect(page.get_by_text("Written by Morgan Reed")).to_be_visible()
    expect(page.get_by_role("link", name="Change the purpose")).to_have_count(0)
    check(page)
