"""The import, duplicates and merge pages in a real browser, checked with axe-core."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from casework.extensions import db
from casework.people.service import create_person
from tests.browser.checks import accessibility_violations
from tests.conftest import PASSWORD, make_user
from tests.imports.samples import UK_SAMPLE as SAMPLE  # dates as Excel saves them in the UK

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, user) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 360, "height": 740}],
    ids=["desktop", "phone"],
)
def test_a_manager_imports_and_an_administrator_merges(page: Page, live_server, team, viewport):
    page.set_viewport_size(viewport)
    manager = make_user(team, "manager", email="manager@example.org")
    log_in(page, live_server, manager)
    page.goto(live_server + "/imports/demands")  # on a phone the link is under "More"
    assert accessibility_violations(page) == []
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.get_by_role("button", name="Preview the import").click()
    expect(
        page.get_by_role("heading", name="Check the import before you confirm it")
    ).to_be_visible()
    assert accessibility_violations(page) == []
    expect(page.get_by_text("Born 27 August 1950").first).to_be_visible()  # 27/08/1950
    page.get_by_role("link", name=re.compile("^Next")).click()  # no re-upload to page on
    expect(page.get_by_text("Rows 51 to 100 of this list are shown.")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Import 161 referrals").click()
    expect(page.get_by_text("Imported 161 referrals")).to_be_visible()

    # One of the imported people registered again by hand, without the NHS number.
    create_person(
        db.session,
        manager,
        {"given_name": "GEORGE", "family_name": "smith", "date_of_birth": dt.date(1950, 8, 27)},
    )
    db.session.commit()
    page.get_by_role("button", name="Log out").click()
    admin = make_user(None, "admin", email="admin@example.org")
    log_in(page, live_server, admin)
    page.goto(live_server + "/people/duplicates")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Compare records").first.click()
    assert accessibility_violations(page) == []
    page.get_by_label("Keep record", exact=False).first.check()
    page.get_by_role("button", name="Merge these records").click()
    expect(page.get_by_text("has been merged into record")).to_be_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Undo this merge").click()
    expect(page.get_by_text("This merge was undone")).to_be_visible()
