"""The intake journey for someone another team already works with, in a real browser at a
phone's width: search says who else knows them (and their caution); the intake form says so
before saving and offers to pass the demand to that worker; saving without choosing asks
again, keeping what was typed; passing lands on a confirmation that shows nothing of the other
team's case. With JavaScript (axe-core on each page) and without."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from casework.extensions import db
from casework.safety import service as safety
from tests.browser.checks import accessibility_violations
from tests.browser.test_asks import log_in
from tests.conftest import make_demand, make_person, make_team, make_user

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
ALSO_KNOWN = "Also known to: Riverside (open, Eleisha Okoro, Occupational therapist, 01632 960123)"
PASS = "Pass this demand to Eleisha Okoro in Riverside, who is already working with Irene"


@pytest.fixture
def known_elsewhere(app):
    riverside = make_team("Riverside", "usual")
    eleisha = make_user(riverside, name="Eleisha Okoro")
    eleisha.profession, eleisha.phone = "Occupational therapist", "01632 960123"
    person = make_person(eleisha, given_name="Irene", family_name="Lovell")
    demand, _ = make_demand(person, eleisha, stated_need="Falls at night")
    safety.raise_flag(
        db.session, eleisha, person, category="animal", text="A nervous dog, Duke",
        review_on=clock.today() + dt.timedelta(days=30),
    )  # fmt: skip
    db.session.commit()
    return person, demand.case


def checked(page: Page, axe: bool) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    if axe:
        assert accessibility_violations(page) == [], page.url


def pass_a_demand(page: Page, live_server: str, axe: bool) -> None:
    page.goto(f"{live_server}/people?q=Irene+Lovell")
    expect(page.get_by_text(ALSO_KNOWN)).to_be_visible()
    expect(page.get_by_text("Caution: Animal: A nervous dog, Duke")).to_be_visible()
    checked(page, axe)
    page.get_by_role("link", name="Record a demand for Irene Lovell").click()
    expect(page.locator("#known-elsewhere")).to_contain_text("Irene already has an open case")
    expect(page.locator("#caution")).to_contain_text("A nervous dog, Duke")
    checked(page, axe)
    page.fill("#source", "Her GP")
    page.get_by_label("Phone", exact=True).check()
    page.fill("#stated_need", "Frightened of the stairs")
    page.get_by_role("button", name="Save demand").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose whether to pass")
    expect(page.locator("#source")).to_have_value("Her GP")  # kept as typed
    checked(page, axe)
    page.get_by_label(PASS).check()
    page.get_by_role("button", name="Save demand").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demand passed to Eleisha Okoro")
    expect(page.locator("main")).not_to_contain_text("Falls at night")
    checked(page, axe)


def test_passing_a_demand_on_a_phone(browser: Browser, live_server, practitioner, known_elsewhere):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, practitioner)
    pass_a_demand(page, live_server, axe=True)
    context.close()


def test_passing_a_demand_without_javascript(
    browser: Browser, live_server, practitioner, known_elsewhere
):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, practitioner)
    pass_a_demand(page, live_server, axe=False)
    context.close()
