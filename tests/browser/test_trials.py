"""Trials in a real browser at 360px (and 1280px): an administrator starts one (a bad share
refused first), a practitioner records a demand into it from the intake form and reads where
the draw sent it only once saved, a manager reads the results with their interval chart and
the printable report, keeps the cost catalogue, and the owner records what the usual system
would have done. Each page passes axe-core (JavaScript on, as axe needs it); the intake and
results journey also works with JavaScript off."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from casework import clock
from casework.cases.service import log_conversation
from casework.extensions import db
from casework.trials import allocation, service
from casework.trials.allocation import record_trial_demand
from tests.browser.checks import PHONE, accessibility_violations, sideways_scroll
from tests.conftest import PASSWORD, make_person, make_team, make_user

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, user) -> None:
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()


def check(page: Page) -> None:
    assert accessibility_violations(page) == [], page.url
    assert sideways_scroll(page) == [], page.url


@pytest.fixture
def world(app):
    pilot, usual = make_team("Riverside", "pilot"), make_team("Northgate", "usual")
    people = {
        "admin": make_user(None, "admin", email="ada@example.org"),
        "intake": make_user(pilot, "practitioner", email="ivy@example.org"),
        "manager": make_user(pilot, "manager", email="mo@example.org"),
        "usual": make_user(usual, "practitioner", email="una@example.org"),
    }
    db.session.commit()
    return pilot, usual, people


def followed_up_trial(pilot, usual, people, monkeypatch):
    """A trial with 40 people drawn into each arm 200 days ago, fewer coming back in the
    pilot arm: enough for a real interval."""
    trial = service.create(
        db.session,
        name="Home first",
        pilot_team=pilot,
        usual_team=usual,
        share=0.5,
        start_on=clock.today() - dt.timedelta(days=300),
        by=people["admin"],
    )
    need = dict(source="GP", channel="phone", stated_need="Struggling at home", kind="value")
    for arm, every in (("pilot", 5), ("usual", 2)):
        monkeypatch.setattr(allocation, "draw", lambda share, arm=arm: (arm, 0.5))
        for i in range(40):
            person = make_person(people["intake"])
            for ago in (200, 180) if i % every == 0 else (200,):
                demand, _, _ = record_trial_demand(
                    db.session,
                    trial,
                    person=person,
                    recorder=people["intake"],
                    received_on=clock.today() - dt.timedelta(days=ago),
                    **need,
                )
    db.session.commit()
    monkeypatch.undo()
    return trial


def test_trials_at_360px_with_axe(page: Page, live_server, world, monkeypatch):
    pilot, usual, people = world
    page.set_viewport_size(PHONE)
    log_in(page, live_server, people["admin"])
    page.goto(live_server + "/trials")
    check(page)
    page.fill("#name", "Home first")
    page.get_by_label("Pilot team").select_option(label="Riverside")
    page.get_by_label("Usual-practice team").select_option(label="Riverside")
    page.fill("#share", "1.5")
    page.get_by_role("button", name="Start the trial").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("between 0 and 1")
    expect(summary).to_contain_text("different team")
    check(page)
    page.get_by_label("Usual-practice team").select_option(label="Northgate")
    page.fill("#share", "0.5")
    page.get_by_role("button", name="Start the trial").click()
    expect(page.get_by_role("heading", name="Home first")).to_be_visible()
    check(page)

    log_in(page, live_server, people["intake"])
    person = make_person(people["intake"], given_name="Rosa", family_name="Draw")
    db.session.commit()
    page.goto(f"{live_server}/people/{person.id}/demands/new")
    expect(page.get_by_label("Record into a trial")).to_be_visible()
    expect(page.get_by_text("pilot team, Riverside")).to_have_count(0)  # no result before saving
    check(page)
    fill_demand(page)
    page.get_by_label("Record into a trial").select_option(label="Home first")
    page.get_by_role("button", name="Save demand").click()
    expect(page.get_by_text("In the trial Home first, the draw sent it to")).to_be_visible()
    check(page)


def fill_demand(page: Page) -> None:
    today = clock.today()
    page.fill("#received_on-day", str(today.day))
    page.fill("#received_on-month", str(today.month))
    page.fill("#received_on-year", str(today.year))
    page.fill("#source", "GP")
    page.get_by_label("Phone", exact=True).check()
    page.fill("#stated_need", "Struggling with the stairs")


def test_results_report_costs_and_counterfactual_with_axe(
    page: Page, live_server, world, monkeypatch
):
    pilot, usual, people = world
    trial = followed_up_trial(pilot, usual, people, monkeypatch)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, people["manager"])
    page.goto(f"{live_server}/trials/{trial.id}")
    expect(page.get_by_text("People in the pilot arm were less likely")).to_have_count(1)
    expect(page.locator("figure.cw-chart svg")).to_be_visible()
    check(page)
    page.get_by_role("link", name="The evaluation report, to print").click()
    check(page)
    page.goto(live_server + "/costs")
    check(page)
    page.fill("#service", "OT assessment")
    page.fill("#cost", "-4")
    page.get_by_role("button", name="Save the cost").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("cannot be negative")
    check(page)
    page.fill("#cost", "120.00")
    page.fill("#source", "PSSRU Unit Costs of Health and Social Care 2024")
    page.get_by_role("button", name="Save the cost").click()
    expect(page.get_by_role("cell", name="PSSRU Unit Costs of Health and Social")).to_be_visible()
    check(page)

    case = trial_case(trial)
    log_conversation(
        db.session, case, people["intake"], held_on=clock.today(), kind="visit", notes="Seen"
    )
    db.session.commit()
    page.goto(f"{live_server}/cases/{case.id}/counterfactual")
    check(page)
    page.get_by_label("OT assessment (£120.00 per item)").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved what the usual system would have done.")).to_be_visible()
    check(page)
    page.goto(f"{live_server}/cases/{case.id}/counterfactual")
    expect(page.get_by_label("OT assessment (£120.00 per item)")).to_have_value("2")


def trial_case(trial):
    from sqlalchemy import select

    from casework.models import Case, Demand
    from casework.trials.models import TrialAllocation

    return db.session.scalar(
        select(Case)
        .join(Demand, Demand.case_id == Case.id)
        .join(TrialAllocation, TrialAllocation.demand_id == Demand.id)
        .where(TrialAllocation.allocation == "pilot")
        .limit(1)
    )


def test_the_journey_works_with_javascript_off(browser: Browser, live_server, world, monkeypatch):
    pilot, usual, people = world
    trial = followed_up_trial(pilot, usual, people, monkeypatch)
    person = make_person(people["intake"], given_name="Nora", family_name="Script")
    db.session.commit()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, live_server, people["intake"])
        page.goto(f"{live_server}/people/{person.id}/demands/new")
        fill_demand(page)
        page.get_by_label("Record into a trial").select_option(label="Home first")
        page.get_by_role("button", name="Save demand").click()
        expect(page.get_by_text("In the trial Home first, the draw sent it to")).to_be_visible()
        log_in(page, live_server, people["manager"])
        page.goto(f"{live_server}/trials/{trial.id}")
        page.fill("#follow_up_days", "150")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_text("People in the pilot arm were less likely")).to_have_count(1)
        assert "follow_up_days=150" in page.url
    finally:
        context.close()
