"""The working day in a real browser at a phone's width, with JavaScript on and off: a
practitioner plans a visit from a case (a mistake first, kept as typed), finds it in My diary,
records it from there (the plan already chosen), and it leaves the diary; then plans another
and cancels it. axe-core checks each page, and nothing scrolls sideways at 360px."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from tests.browser.checks import accessibility_violations
from tests.browser.test_asks import log_in
from tests.conftest import make_demand, make_person

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
NOTE = "See how the new stair rail is working"


def fits_and_passes_axe(page: Page, javascript: bool) -> None:
    page.wait_for_load_state()  # the page's document, whole, not one still arriving
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    if javascript:  # axe-core runs as a script in the page
        assert accessibility_violations(page) == [], page.url


def fill_date(page: Page, name: str, day: dt.date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_plan_a_visit_find_it_in_the_diary_and_record_it(
    browser: Browser, live_server, practitioner, javascript
):
    demand, _ = make_demand(make_person(practitioner, given_name="Irene"), practitioner)
    case_id, today = demand.case_id, clock.today()
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server, practitioner)

    page.goto(f"{live_server}/cases/{case_id}")
    expect(page.locator("#plans")).to_have_text("Planned contacts")
    page.get_by_role("link", name="Plan a visit, call, check-in or review").click()
    # the plan page, not the case page it was clicked on (CI caught the check in between)
    expect(page.get_by_role("button", name="Plan the contact")).to_be_visible()
    fits_and_passes_axe(page, javascript)
    page.get_by_label("Visit", exact=True).check()
    fill_date(page, "due_on", today - dt.timedelta(days=1))
    page.fill("#note", NOTE)
    page.get_by_role("button", name="Plan the contact").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be today or later")
    expect(page.locator("#note")).to_have_value(NOTE)  # kept as typed
    fits_and_passes_axe(page, javascript)
    fill_date(page, "due_on", today)
    page.get_by_role("button", name="Plan the contact").click()
    expect(page.get_by_text("Visit planned for")).to_be_visible()
    expect(page.locator("section[aria-labelledby=plans]")).to_contain_text(NOTE)

    page.goto(f"{live_server}/diary")
    fits_and_passes_axe(page, javascript)
    today_part = page.locator("ul[aria-labelledby=today]")
    expect(today_part).to_contain_text(NOTE)
    today_part.get_by_role("link", name="Record it").click()
    expect(page.get_by_label("Yes: the visit planned for", exact=False)).to_be_checked()
    fits_and_passes_axe(page, javascript)
    page.fill("#notes", "Rail fitted; Irene managed the stairs twice")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    expect(page.locator("section[aria-labelledby=plans]")).to_contain_text("No contact planned.")

    page.goto(f"{live_server}/diary")
    expect(page.get_by_text("Nothing planned or due today.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_cancel_a_planned_call_from_the_diary(
    browser: Browser, live_server, practitioner, javascript
):
    demand, _ = make_demand(make_person(practitioner, given_name="Kamal"), practitioner)
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server, practitioner)
    page.goto(f"{live_server}/cases/{demand.case_id}/plans/new")
    page.get_by_label("Phone call").check()
    fill_date(page, "due_on", clock.today() + dt.timedelta(days=3))
    page.get_by_role("button", name="Plan the contact").click()
    expect(page.get_by_text("Phone call planned for")).to_be_visible()
    page.goto(f"{live_server}/diary")
    week = page.locator("ul[aria-labelledby=this-week]")
    expect(week).to_contain_text("Phone call")
    week.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("button", name="Cancel the contact")).to_be_visible()
    fits_and_passes_axe(page, javascript)
    page.fill("#reason", "Kamal is in hospital this week")
    page.get_by_role("button", name="Cancel the contact").click()
    expect(page.get_by_text("is cancelled")).to_be_visible()
    expect(page.get_by_text("Nothing planned or due in the rest of the week.")).to_be_visible()
    fits_and_passes_axe(page, javascript)
    context.close()
