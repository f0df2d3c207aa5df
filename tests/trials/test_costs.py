"""The cost catalogue, what the usual system would have done, and the cost of the journey."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.asks.service import ask_manager, decide
from casework.cases.service import close_case, log_conversation
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.measures.figures import compute
from casework.models import Case
from casework.trials import costs
from casework.trials.models import CostItem, Counterfactual
from tests.conftest import make_demand, make_person


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def closed_case(practitioner, manager, *, minutes: int, granted_pence: int | None = None):
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner, received_on=days_ago(30))
    case = db.session.get(Case, demand.case_id)
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=days_ago(29),
        kind="visit",
        minutes=minutes,
        notes="Visit",
    )
    if granted_pence is not None:
        ask = ask_manager(
            db.session,
            case,
            practitioner,
            kind="resource",
            what="Rail",
            why="Safer",
            cost_pence=granted_pence,
        )
        db.session.commit()
        decide(db.session, ask, manager, decision="yes", reason="Yes")
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed",
        summary="Done",
        closed_on=days_ago(2),
    )
    db.session.commit()
    return case


@pytest.mark.parametrize(
    ("cost", "per", "field"),
    [
        ("-1", "item", "cost"),
        ("abc", "item", "cost"),
        ("1.234", "item", "cost"),
        ("10", "day", "per"),
    ],
)
def test_bad_costs_are_refused_and_nothing_saved(team, manager, cost, per, field):
    with pytest.raises(InvalidValue) as refused:
        costs.set_cost(db.session, team, "OT assessment", cost, per=per, by=manager)
    db.session.rollback()
    assert field in refused.value.fields
    assert db.session.scalar(select(func.count(CostItem.id))) == 0


def test_a_counterfactual_needs_services_from_the_teams_catalogue(team, practitioner, manager):
    case = closed_case(practitioner, manager, minutes=10)
    with pytest.raises(InvalidValue) as refused:
        costs.record_counterfactual(
            db.session, case, [{"service": "OT assessment", "count": 1}], by=practitioner
        )
    assert "catalogue is empty" in refused.value.fields["items[0].service"]
    db.session.rollback()
    costs.set_cost(db.session, team, "OT assessment", "120.00", source="PSSRU 2024", by=manager)
    db.session.commit()
    for items in (
        [{"service": "Scan", "count": 1}],
        [{"service": "OT assessment", "count": 0}],
        [],
    ):
        with pytest.raises(InvalidValue):
            costs.record_counterfactual(db.session, case, items, by=practitioner)
        db.session.rollback()
    assert db.session.scalar(select(func.count(Counterfactual.id))) == 0


def test_the_cost_of_the_journey(team, practitioner, manager):
    f = dict(start=days_ago(10), end=clock.today())
    one = closed_case(practitioner, manager, minutes=90, granted_pence=4500)
    closed_case(practitioner, manager, minutes=30)
    assert compute(db.session, **f)["cost_of_journey"] is None  # no catalogue: no figure
    costs.set_cost(db.session, team, "practitioner-hour", "55.00", by=manager)
    costs.set_cost(db.session, team, "OT assessment", "120", by=manager)
    costs.set_cost(db.session, team, "Care home week", "800", by=manager)
    db.session.commit()
    figure = compute(db.session, **f)["cost_of_journey"]
    # Actual: 90 min at £55 + £45 = £127.50, and 30 min = £27.50: mean £77.50.
    assert figure == {
        "cases": 2,
        "actual_mean": 77.5,
        "counterfactual_mean": None,
        "difference_mean": None,
        "counterfactual_recorded": 0,
    }
    costs.record_counterfactual(
        db.session,
        one,
        [{"service": "OT assessment", "count": 2}, {"service": "Care home week", "count": 1}],
        note="Assessment twice, then a week of respite",
        by=practitioner,
    )
    db.session.commit()
    figure = compute(db.session, **f)["cost_of_journey"]
    assert figure["counterfactual_recorded"] == 1
    assert figure["counterfactual_mean"] == 1040.0
    assert figure["difference_mean"] == round(127.5 - 1040, 2)
    assert costs.case_costs(db.session, one) == {
        "actual": 127.5,
        "counterfactual": 1040.0,
        "minutes": 90,
    }


def test_the_measures_page_shows_the_cost_with_its_cases_and_chart(
    client, team, practitioner, manager
):
    from tests.conftest import login

    costs.set_cost(db.session, team, "practitioner-hour", "60.00", by=manager)
    costs.set_cost(db.session, team, "OT assessment", "120.00", by=manager)
    first = closed_case(practitioner, manager, minutes=90)  # £90
    closed_case(practitioner, manager, minutes=30)  # £30, nothing recorded
    costs.record_counterfactual(
        db.session, first, [{"service": "OT assessment", "count": 1}], by=manager
    )
    db.session.commit()
    login(client, manager)
    page = client.get("/measures").get_data(as_text=True)
    assert 'id="cost-of-journey"' in page
    assert "£60.00" in page  # the mean actual cost of the two cases
    assert "1 of 2 cases recorded" in page
    assert "Cost per closed case" in page and "£90.00" in page  # the chart's table
    listed = client.get("/measures/list/cost-of-journey?list_cohort=all")
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert "2 closed cases" in text and "£120.00" in text and "Not recorded" in text
    assert f"/cases/{first.id}" in text
    client.post("/logout")
    login(client, practitioner)
    assert client.get("/measures/list/cost-of-journey").status_code == 403
