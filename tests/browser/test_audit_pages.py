"""The audit pages in a real browser on the demo locality: accessible (axe-core), no
sideways scroll on a 360px phone, and no inline style (a Content-Security-Policy forbids it)."""

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from casework.demo import load_demo
from casework.extensions import db
from casework.models import Case, User
from tests.browser.test_measures import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    logins = load_demo(db.session)
    db.session.commit()
    return {role: (email, password) for role, email, password in logins}


def log_in(page: Page, live_server: str, email: str, password: str) -> None:
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Log in')")


def check(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    assert page.locator("[style]").count() == 0
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_audit_viewer(page: Page, live_server, demo):
    log_in(page, live_server, *demo["Administrator"])
    check(page, live_server + "/admin/audit")
    assert page.locator("tbody tr").count() > 5


def test_who_has_looked_at_a_record(page: Page, live_server, demo):
    email, password = demo["Team manager"]
    manager = db.session.scalar(select(User).where(User.email == email))
    person_id = db.session.scalar(
        select(Case.person_id).where(Case.team_id == manager.team_id).limit(1)
    )
    log_in(page, live_server, email, password)
    check(page, f"{live_server}/people/{person_id}")
    assert page.locator("#who-has-looked").count() == 1
    check(page, f"{live_server}/people/{person_id}/audit")
