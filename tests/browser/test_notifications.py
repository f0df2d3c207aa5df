"""Notifications in a real browser, on a 360px phone, with and without JavaScript: the
header counts the unread ones, the list links to the case, and marking one and then all as
read empties the count. Each page passes axe at WCAG 2.2 AA (where scripts may run)."""

import pytest
from playwright.sync_api import Browser, expect

from casework.cases.service import change_owner
from casework.extensions import db
from tests.browser.checks import accessibility_violations, sideways_scroll
from tests.browser.test_journey import shot
from tests.conftest import PASSWORD, make_demand, make_person

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def checked(page, name: str, javascript: bool) -> None:
    if javascript:
        assert accessibility_violations(page) == [], name
        assert sideways_scroll(page) == [], name
    shot(page, f"{name}-{'js' if javascript else 'nojs'}")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_worker_reads_what_they_were_told_and_marks_it_read(
    browser: Browser, live_server, practitioner, manager, javascript
):
    cases = []
    for family in ("Ashdown", "Bell"):
        case = make_demand(make_person(manager, family_name=family), manager)[0].case
        change_owner(db.session, case, manager, new_owner=practitioner, reason="Nearby")
        cases.append(case)
    db.session.commit()

    context = browser.new_context(java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#email", practitioner.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    link = page.get_by_role("link", name="Notifications (2 unread)")
    expect(link).to_be_attached()
    page.goto(live_server + "/notifications")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    items = page.locator(".cw-notifications > li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(f"Case #{cases[1].id} was given to you by Morgan Manager.")
    expect(items.first.get_by_role("link", name=f"Open case #{cases[1].id}")).to_be_visible()
    checked(page, "notifications", javascript)

    items.first.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("Notification marked as read.")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications (1 unread)")).to_be_attached()
    expect(page.locator(".cw-notifications .nhsuk-tag", has_text="Unread")).to_have_count(1)
    checked(page, "notifications-one-read", javascript)

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("1 notification marked as read.")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_attached()
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)

    page.get_by_role("link", name="Show unread only").click()
    expect(page.get_by_text("You have no unread notifications.")).to_be_visible()
    checked(page, "notifications-none-unread", javascript)

    page.goto(live_server + "/notifications")
    page.get_by_role("link", name=f"Open case #{cases[0].id}").click()
    expect(page).to_have_url(f"{live_server}/cases/{cases[0].id}")
    context.close()
