"""Nothing saved twice, in a real browser (casework/once.py, ADR 0036): the conversation
reached Casework and was saved, but the answer was lost on the way back to the phone. Sent
again (at once, or after a reload that puts the draft back), it is recognised as the same
send: one conversation, and the page says it was already saved. With and without JavaScript.
CSRF is on, as in production, so the pages carry their one-time tokens."""

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.extensions import db
from casework.models import Conversation
from casework.rules import ALREADY_SAVED
from tests.browser.test_phone_conversations import NOTES, PHONE, log_in
from tests.conftest import make_demand, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def case(practitioner):
    person = make_person(practitioner, given_name="Anne", family_name="Okoro")
    demand, _ = make_demand(person, practitioner)
    return demand.case


def conversations() -> list[str]:
    db.session.expire_all()
    return [c.notes for c in db.session.scalars(db.select(Conversation))]


def lose_the_first_answer(page: Page) -> list:
    """The first POST reaches the server (and is saved); its answer never reaches the phone.
    The list it gives is filled once that has happened."""
    lost: list = []

    def deliver_then_drop(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server does its work
            lost.append(True)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/conversations/new", deliver_then_drop)
    return lost


def wait_for(lost: list, page: Page) -> None:
    for _ in range(100):
        if lost:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the first send never reached the server")


def open_form(page: Page, base: str, practitioner, case) -> None:
    log_in(page, base, practitioner)
    page.goto(f"{base}/cases/{case.id}/conversations/new")
    page.fill("#notes", NOTES)


def test_saved_but_the_answer_lost_then_sent_again(
    browser: Browser, live_server, practitioner, case
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    open_form(page, live_server, practitioner, case)
    lose_the_first_answer(page)
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.locator("#draft-status")).to_contain_text("Your conversation has not been saved")
    assert conversations() == [NOTES]  # it was, in fact

    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text(ALREADY_SAVED)).to_be_visible()
    assert page.url == f"{live_server}/cases/{case.id}"
    assert conversations() == [NOTES]
    context.close()


def test_after_a_reload_the_draft_is_the_same_send(
    browser: Browser, live_server, practitioner, case
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    open_form(page, live_server, practitioner, case)
    lose_the_first_answer(page)
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.locator("#draft-status")).to_contain_text("Your conversation has not been saved")

    page.reload()  # a fresh page, a fresh token: the draft puts the first one back
    expect(page.locator("#draft-status")).to_contain_text("We have put back what you typed earlier")
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text(ALREADY_SAVED)).to_be_visible()
    assert conversations() == [NOTES]
    context.close()


def test_without_javascript_a_form_sent_twice_saves_once(
    browser: Browser, live_server, practitioner, case
):
    """No JavaScript to stop a second press: on a slow signal the first send hangs, the
    worker presses Save again, and both sends reach Casework, the second first."""
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    open_form(page, live_server, practitioner, case)
    held: list = []
    bodies: list = []

    def slow_first(route):
        if route.request.method != "POST":
            route.continue_()
            return
        bodies.append(route.request.post_data)
        if not held:
            held.append(route)  # the first send, still on its way
        else:
            route.continue_()

    page.route("**/conversations/new", slow_first)
    page.get_by_role("button", name="Save conversation").click(no_wait_after=True)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")  # the button still has focus: pressed again
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same form, token and all

    late = held[0].fetch(max_redirects=0)  # the first send arrives at last
    assert late.status == 303 and late.headers["location"] == f"/cases/{case.id}"
    held[0].fulfill(response=late)
    assert conversations() == [NOTES]
    context.close()
