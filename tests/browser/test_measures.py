"""The measures pages in a real browser: accessible (axe-core), and no sideways scroll on a
360px phone, on the busy demo locality."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from casework.demo import load_demo
from casework.extensions import db

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def demo_manager(app):
    logins = load_demo(db.session)
    db.session.commit()
    return next((email, password) for role, email, password in logins if role == "Team manager")


def axe_violations(page: Page) -> list:
    page.evaluate(AXE.read_text())  # not a <script> tag: the CSP refuses inline scripts
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize(
    "path",
    ["/measures", "/measures/list/repeat_demand/total", "/measures/repeat-demand"],
)
def test_measures_pages_are_accessible_and_fit_a_phone(page: Page, live_server, demo_manager, path):
    email, password = demo_manager
    page.goto(live_server + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Log in')")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + path)
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
