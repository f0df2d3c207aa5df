"""Recording a conversation on a phone on a doorstep: few taps from the caseload, and nothing
typed is lost when the signal drops (casework/static/conversation-draft.js, docs/adr/0019)."""

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from casework.extensions import db
from casework.models import Conversation
from tests.browser.test_journey import shot
from tests.conftest import PASSWORD, make_demand, make_person

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
NOTES = "Met Anne and her son at home. The stairs are the worry."
WHAT_MATTERS = "Getting upstairs to my own bed."


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def case(practitioner):
    person = make_person(practitioner, given_name="Anne", family_name="Okoro")
    demand, _ = make_demand(person, practitioner)
    return demand.case


def log_in(page: Page, base: str, user) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()


def conversations() -> list[Conversation]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Conversation)))


def test_record_a_conversation_is_at_most_three_taps_from_the_caseload(
    phone, live_server, practitioner, case
):
    page = phone.new_page()
    log_in(page, live_server, practitioner)
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.tap()
        taps += 1

    tap(page.get_by_role("link", name="Anne Okoro"))
    tap(page.get_by_role("link", name="Record a conversation"))
    tap(page.get_by_label("Notes"))
    expect(page.get_by_label("Notes")).to_be_focused()
    page.keyboard.insert_text(NOTES)
    assert taps <= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    assert [v.notes for v in conversations()] == [NOTES]


def open_conversation_form(context: BrowserContext, base: str, user, case) -> Page:
    page = context.new_page()
    log_in(page, base, user)
    page.goto(f"{base}/cases/{case.id}/conversations/new")
    page.fill("#notes", NOTES)
    page.fill("#what_matters", WHAT_MATTERS)
    return page


def expect_not_saved(page: Page) -> None:
    warning = page.locator("#draft-status")
    expect(warning).to_contain_text("Your conversation has not been saved")
    expect(warning).to_contain_text("Try again when you have signal")
    expect(warning).to_be_focused()
    expect(page.locator("#notes")).to_have_value(NOTES)
    expect(page.locator("#what_matters")).to_have_value(WHAT_MATTERS)
    assert conversations() == []


def drafts(page: Page, storage: str) -> list[str]:
    return page.evaluate(f"Object.keys({storage}).filter(k => k.startsWith('casework-draft:'))")


def test_offline_the_conversation_is_kept_and_saved_when_the_signal_returns(
    phone, live_server, practitioner, case
):
    page = open_conversation_form(phone, live_server, practitioner, case)
    phone.set_offline(True)
    page.get_by_role("button", name="Save conversation").tap()
    expect_not_saved(page)
    shot(page, "conversation-not-saved-phone")
    assert page.url.endswith(f"/cases/{case.id}/conversations/new")

    phone.set_offline(False)
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    expect(page.locator(".cw-what-matters")).to_contain_text(WHAT_MATTERS)
    assert page.url == f"{live_server}/cases/{case.id}"
    assert [v.notes for v in conversations()] == [NOTES]
    assert drafts(page, "sessionStorage") == []  # forgotten once saved

    page.get_by_role("link", name="Record a conversation").first.tap()
    expect(page.locator("#notes")).to_have_value("")
    expect(page.locator("#draft-status")).to_have_count(0)


def test_a_dropped_post_keeps_the_draft_through_a_reload(phone, live_server, practitioner, case):
    page = open_conversation_form(phone, live_server, practitioner, case)
    key = f"casework-draft:conversation-{case.id}-{practitioner.id}"
    assert drafts(page, "sessionStorage") == [key]
    assert drafts(page, "localStorage") == []  # never kept beyond this tab (ADR 0019)

    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/conversations/new", drop_posts)
    page.get_by_role("button", name="Save conversation").tap()
    expect_not_saved(page)

    page.reload()
    expect(page.locator("#draft-status")).to_contain_text("We have put back what you typed earlier")
    expect(page.locator("#notes")).to_have_value(NOTES)
    expect(page.locator("#what_matters")).to_have_value(WHAT_MATTERS)
    expect(page.locator("#kind")).to_be_checked()  # radios come back too
    shot(page, "conversation-draft-restored-phone")

    # Casework itself failing is no different: not saved, and said so.
    page.unroute("**/conversations/new")
    page.route("**/conversations/new", lambda route: route.fulfill(status=503, body="Unavailable"))
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.locator("#draft-status")).to_contain_text("Casework had a problem saving it")
    page.unroute("**/conversations/new")

    # A mistake comes back as the server's page, with what was typed, and the draft is kept.
    page.fill("#minutes", "about an hour")
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.locator("#notes")).to_have_value(NOTES)
    assert len(drafts(page, "sessionStorage")) == 1
    page.fill("#minutes", "60")
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    assert [(v.notes, v.minutes) for v in conversations()] == [(NOTES, 60)]
    assert drafts(page, "sessionStorage") == []

    # Another tab on the same phone never sees this tab's draft: sessionStorage is per tab.
    page.goto(f"{live_server}/cases/{case.id}/conversations/new")
    page.fill("#notes", "Not saved yet")
    other = phone.new_page()
    other.goto(f"{live_server}/cases/{case.id}/conversations/new")
    expect(other.locator("#notes")).to_have_value("")
    expect(other.locator("#draft-status")).to_have_count(0)


def test_a_session_that_ended_meanwhile_loses_nothing(phone, live_server, practitioner, case):
    page = open_conversation_form(phone, live_server, practitioner, case)
    phone.clear_cookies()  # logged out elsewhere, or the session timed out, while typing
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_role("heading", name="Log in to Casework")).to_be_visible()
    assert conversations() == []
    page.fill("#email", practitioner.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    expect(page.locator("#draft-status")).to_contain_text("We have put back what you typed earlier")
    expect(page.locator("#notes")).to_have_value(NOTES)
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text("Conversation saved.")).to_be_visible()
    assert [v.notes for v in conversations()] == [NOTES]


def test_a_draft_keeps_every_box_ticked_for_who_was_there(phone, live_server, practitioner, case):
    from casework.safety import service

    for name in ("Kayden", "Tasha Brooks", "Dr Shah"):
        relationship = "professional" if name.startswith("Dr") else "neighbour"
        service.add_member(
            db.session, practitioner, case.person, {"name": name, "relationship": relationship}
        )
    db.session.commit()
    page = open_conversation_form(phone, live_server, practitioner, case)
    page.get_by_label("Kayden (neighbour)").check()
    page.get_by_label("Dr Shah (professional)").check()
    page.reload()  # the draft, not the server, puts the ticks back
    expect(page.locator("#draft-status")).to_contain_text("We have put back what you typed earlier")
    expect(page.get_by_label("Kayden (neighbour)")).to_be_checked()
    expect(page.get_by_label("Dr Shah (professional)")).to_be_checked()
    expect(page.get_by_label("Tasha Brooks (neighbour)")).not_to_be_checked()
    page.get_by_role("button", name="Save conversation").tap()
    expect(page.get_by_text("With: Dr Shah (professional), Kayden (neighbour)")).to_be_visible()
