"""What the new-user walk-through found, on a 360px phone (issue 17, item 8): a name of 100
letters with no space (a pasted id, a name in a script without spaces) wraps in the lists
that show it instead of pushing the page past the phone's width (the administrators' users
list and the manager's team page); a manager's home page is their team at a glance."""

import pytest
from playwright.sync_api import Browser

from tests.browser.checks import accessibility_violations, sideways_scroll
from tests.conftest import PASSWORD, make_demand, make_person, make_team, make_user

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
LONG = "Bartholomew" * 9 + "X"  # 100 letters, not one space


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def log_in(page, base: str, user) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize(("who", "path"), [("admin", "/admin/users"), ("manager", "/team")])
def test_a_100_character_name_wraps_at_360_pixels(phone, live_server, admin_user, who, path):
    """Long names everywhere they show: a team's, a worker's (the caseload by worker, their
    open cases, the owner column) and a person's (the cases waiting)."""
    team = make_team(LONG)
    manager = make_user(team, "manager", name=LONG[::-1])
    long_named = make_user(team, "practitioner", name=LONG)
    make_demand(make_person(long_named, given_name=LONG, family_name=LONG), long_named)
    make_demand(make_person(manager, given_name=LONG, family_name=LONG), manager)  # waiting
    page = phone.new_page()
    log_in(page, live_server, {"admin": admin_user, "manager": manager}[who])
    page.goto(live_server + path + (f"?worker={long_named.id}" if path == "/team" else ""))
    assert LONG in page.content()
    problems = sideways_scroll(page)
    assert problems == [], "\n".join(problems)


def test_a_managers_home_is_the_team_at_a_glance_on_a_phone(phone, live_server, admin_user):
    """The manager's home page (no cases of their own) at 360px: fits, passes axe, and its
    first link leads to the team's cases waiting."""
    team = make_team(LONG)
    manager = make_user(team, "manager", name=LONG[::-1])
    make_demand(make_person(manager, given_name="Anne"), manager)  # awaiting allocation
    page = phone.new_page()
    log_in(page, live_server, manager)
    assert page.get_by_role("heading", level=1).inner_text() == f"{LONG} team today"
    problems = sideways_scroll(page)
    assert problems == [], "\n".join(problems)
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Awaiting allocation").tap()
    page.wait_for_url("**/team#awaiting")
    assert "Anne" in page.content()
