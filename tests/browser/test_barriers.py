"""Barriers and stories in a real browser, at desktop and phone widths, checked with axe-core:
a practitioner records a barrier from a case, a manager moves it on the board, and a closed
case is marked as a story and read without the person's name."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from casework import clock
from casework.cases.service import close_case, log_conversation
from casework.extensions import db
from tests.browser.checks import accessibility_violations
from tests.browser.test_imports import log_in
from tests.browser.test_journey import shot
from tests.conftest import make_demand, make_person, make_user

pytestmark = pytest.mark.browser
VIEWPORTS = pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 360, "height": 740}],
    ids=["desktop", "phone"],
)


def closed_case(practitioner):
    person = make_person(practitioner, given_name="Joan", family_name="Fletcher")
    demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=30))
    case = demand.case
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=28),
        kind="visit",
        what_matters="I don't want to be frightened in my own house at night.",
        notes="Joan Fletcher lies awake listening. Mrs Fletcher rang 999 twice.",
    )
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed with Joan at home",
        summary="Joan feels safe at night now.",
    )
    db.session.commit()
    return case


def checked(page: Page, name: str, viewport: dict) -> None:
    assert accessibility_violations(page) == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} scrolls sideways ({width}px)"
    shot(page, f"barriers-{name}-{viewport['width']}")


@VIEWPORTS
def test_record_a_barrier_move_it_and_share_the_story(page: Page, live_server, team, viewport):
    page.set_viewport_size(viewport)
    practitioner = make_user(team, email="eleisha@example.org", name="Eleisha Ward")
    manager = make_user(team, "manager", email="morgan@example.org", name="Morgan Reed")
    case = closed_case(practitioner)

    # A practitioner records a barrier from the case.
    log_in(page, live_server, practitioner)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Record a barrier met in this case").click()
    checked(page, "record", viewport)
    page.get_by_role("button", name="Record the barrier").click()
    expect(page.get_by_role("alert")).to_contain_text("Say in a few words what got in the way")
    checked(page, "record-error", viewport)
    page.get_by_label("What got in the way, in a few words").fill(
        "The alarm service sends its own assessor first"
    )
    page.get_by_label("A hand-off to another service").check()
    page.get_by_label("Which organisation owns it (optional)").fill("Council telecare")
    page.get_by_label("What it cost the person, in their words").fill(
        "Another stranger asking about my breathing"
    )
    page.get_by_role("button", name="Record the barrier").click()
    expect(page.get_by_text("Another stranger asking about my breathing")).to_be_visible()
    checked(page, "case", viewport)

    # and marks the closed case as a story: the story names nobody.
    page.get_by_role("button", name="Mark as a story to share").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("story")
    story = page.locator("main").inner_text()
    assert "Joan" not in story and "Fletcher" not in story
    assert "frightened in my own house at night" in story
    assert "The alarm service sends its own assessor first" in story
    checked(page, "story", viewport)
    page.goto(f"{live_server}/barriers")
    expect(page.get_by_text("Met in 1 case")).to_be_visible()
    expect(page.get_by_role("link", name="Move on")).to_have_count(0)
    page.goto(f"{live_server}/logout")  # GET: the form lives in the header
    page.context.clear_cookies()

    # The manager moves it on the board: to a leader, then removed with a reason.
    log_in(page, live_server, manager)
    page.goto(f"{live_server}/barriers")
    checked(page, "board", viewport)
    page.get_by_role("link", name="Move on").click()
    checked(page, "move", viewport)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("With a leader").first).to_be_visible()
    page.get_by_role("link", name="Move on").click()
    page.get_by_label("Removed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why the barrier was removed")
    checked(page, "move-error", viewport)
    page.get_by_label("Reason").fill("The director agreed: our nurses may order alarms directly")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("our nurses may order alarms directly")).to_be_visible()
    page.get_by_role(
        "link", name="The alarm service sends its own assessor first", exact=True
    ).click()
    expect(page.get_by_role("link", name="Joan Fletcher")).to_be_visible()
    checked(page, "detail", viewport)
    page.goto(f"{live_server}/stories")
    checked(page, "stories", viewport)
    page.goto(f"{live_server}/barriers/measures")
    expect(page.get_by_role("heading", name="Barriers removed")).to_be_visible()
    checked(page, "measures", viewport)
