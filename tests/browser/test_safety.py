"""Cautions in a real browser at a phone's width: a practitioner adds one on the person's
page, and it is the first thing on the conversation form, before a single field (axe-core checks
each page with JavaScript on); the same journey works with JavaScript off."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from casework.extensions import db
from tests.browser.checks import accessibility_violations
from tests.browser.test_asks import log_in
from tests.conftest import make_demand, make_person

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
DOG = "A large dog: ask for it to be shut in the kitchen before you go in"


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def add_caution_and_open_the_visit_form(page: Page, live_server: str, case) -> None:
    page.goto(f"{live_server}/people/{case.person_id}")
    page.get_by_role("link", name="Add a caution").click()
    page.get_by_label("Animal").check()
    page.fill("#text", DOG)
    page.get_by_role("button", name="Add the caution").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the date")
    expect(page.locator("#text")).to_have_value(DOG)  # kept as typed
    review = clock.today() + dt.timedelta(days=90)
    page.fill("#review_on-day", str(review.day))
    page.fill("#review_on-month", str(review.month))
    page.fill("#review_on-year", str(review.year))
    page.get_by_role("button", name="Add the caution").click()
    expect(page.locator("#caution")).to_contain_text(DOG)
    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.locator("#caution")).to_contain_text(DOG)
    page.get_by_role("link", name="Record a conversation").click()
    caution = page.locator("#caution")
    expect(caution).to_contain_text("Caution before you visit Irene")
    expect(caution).to_contain_text(DOG)
    # Before the form: its top edge is above the first field's.
    above = page.evaluate(
        "document.querySelector('#caution').getBoundingClientRect().bottom <= "
        "document.querySelector('#conversation-form').getBoundingClientRect().top"
    )
    assert above
    fits(page)


@pytest.fixture
def case(practitioner):
    person = make_person(practitioner, given_name="Irene", family_name="Walsh")
    demand, _ = make_demand(person, practitioner)
    db.session.commit()
    return demand.case


def test_a_caution_shows_before_the_visit_form_on_a_phone(
    browser: Browser, live_server, practitioner, case
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, practitioner)
    add_caution_and_open_the_visit_form(page, live_server, case)
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/people/{case.person_id}")
    assert accessibility_violations(page) == []
    page.goto(live_server + "/")
    expect(page.get_by_text("Caution: Animal")).to_be_visible()
    assert accessibility_violations(page) == []
    fits(page)
    context.close()


def test_the_caution_journey_works_without_javascript(
    browser: Browser, live_server, practitioner, case
):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, practitioner)
    add_caution_and_open_the_visit_form(page, live_server, case)
    context.close()
