"""The trials' pages: created by an administrator, results for managers, the cost catalogue
and the owner's counterfactual form."""

from sqlalchemy import func, select

from casework import clock
from casework.extensions import db
from casework.models import Case
from casework.trials import service
from casework.trials.models import CostItem, Counterfactual, Trial
from tests.conftest import login, make_demand, make_person, make_team, make_user


def test_an_administrator_creates_a_trial_and_a_bad_share_saves_nothing(client, admin_user):
    pilot, usual = make_team("Pilot", "pilot"), make_team("Usual", "usual")
    login(client, admin_user)
    form = {
        "name": "Home first",
        "pilot_team": pilot.id,
        "usual_team": usual.id,
        "share": "1.5",
        "start_on[day]": clock.today().day,
        "start_on[month]": clock.today().month,
        "start_on[year]": clock.today().year,
    }
    refused = client.post("/trials", data=form)
    assert refused.status_code == 422
    assert b"between 0 and 1" in refused.data
    assert db.session.scalar(select(func.count(Trial.id))) == 0
    made = client.post("/trials", data={**form, "share": "0.5"})
    assert made.status_code == 302
    trial = db.session.scalar(select(Trial))
    page = client.get(f"/trials/{trial.id}")
    assert page.status_code == 200 and b"fewer than 30" in page.data
    assert client.post(f"/trials/{trial.id}/status", data={"to": "paused"}).status_code == 302
    db.session.refresh(trial)
    assert trial.status == "paused"
    assert client.get(f"/trials/{trial.id}/report").status_code == 200
    assert client.get(f"/trials/{trial.id}?follow_up_days=x").status_code == 422


def test_results_are_for_the_trials_managers_not_practitioners_or_other_managers(client, app):
    pilot, usual = make_team("Pilot", "pilot"), make_team("Usual", "usual")
    trial = service.create(
        db.session,
        name="T",
        pilot_team=pilot,
        usual_team=usual,
        share=0.5,
        start_on=clock.today(),
        by=None,
    )
    db.session.commit()
    for user, status in (
        (make_user(usual, "manager"), 200),
        (make_user(pilot, "practitioner"), 403),
        (make_user(make_team("Other"), "manager"), 403),
    ):
        login(client, user)
        assert client.get(f"/trials/{trial.id}").status_code == status
        client.post("/logout")


def test_a_manager_keeps_the_catalogue_and_the_owner_records_the_counterfactual(
    client, team, manager, practitioner
):
    login(client, manager)
    bad = client.post("/costs", data={"service": "OT assessment", "cost": "-5", "per": "item"})
    assert bad.status_code == 422 and b"cannot be negative" in bad.data
    assert db.session.scalar(select(func.count(CostItem.id))) == 0
    ok = client.post(
        "/costs", data={"service": "OT assessment", "cost": "120", "per": "item", "source": "PSSRU"}
    )
    assert ok.status_code == 302
    client.post("/logout")
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner)
    case = db.session.get(Case, demand.case_id)
    login(client, practitioner)
    item = db.session.scalar(select(CostItem))
    assert client.get(f"/cases/{case.id}/counterfactual").status_code == 200
    saved = client.post(
        f"/cases/{case.id}/counterfactual", data={f"count-{item.id}": "2", "note": "Twice"}
    )
    assert saved.status_code == 302
    record = db.session.scalar(select(Counterfactual))
    assert [(i.cost_item.service, i.count) for i in record.items] == [("OT assessment", 2)]
