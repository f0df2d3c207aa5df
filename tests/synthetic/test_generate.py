"""`casework generate`: synthetic history that keeps the domain's rules, checked at a small size.

The size and the speed (200,000 people in minutes) are for `make bench`; here a few
hundred people show the history is one the app itself could have written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.demands.routing import route_kind
from casework.extensions import db
from casework.measures.figures import compute
from casework.models import Case, Conversation, Demand, Person, Team, User
from casework.synthetic import history
from casework.synthetic.history import COLUMNS, generate
from tests.measures.test_reference import reference
from tests.synthetic.conftest import PEOPLE, all_of


def test_it_writes_people_demands_and_cases_in_teams_of_both_cohorts(generated):
    assert db.session.scalar(select(func.count(Person.id))) == PEOPLE
    teams = all_of(Team)
    assert {t.cohort for t in teams} == {"pilot", "usual"}
    for team in teams:
        roles = Counter(u.role for u in team.members)
        assert roles["manager"] == 1 and roles["practitioner"] >= 3
    assert f"Generated {PEOPLE:,} people" in generated


def test_demands_per_person_are_skewed_most_once_a_long_tail_many_times(generated):
    per_person = Counter(db.session.scalars(select(Demand.person_id)))
    counts = sorted(per_person.values())
    once = sum(1 for n in counts if n == 1) / PEOPLE
    assert 0.4 < once < 0.6
    assert counts[-1] >= 20
    assert 3 < sum(counts) / PEOPLE < 7


def test_one_open_case_per_person_per_team_and_demands_inside_their_case(generated):
    open_cases = Counter((c.person_id, c.team_id) for c in all_of(Case) if c.closed_on is None)
    assert open_cases and max(open_cases.values()) == 1
    for demand in all_of(Demand):
        case = demand.case
        assert (case.person_id, case.team_id, case.cohort) == (
            demand.person_id,
            demand.team_id,
            demand.cohort,
        )
        assert case.opened_on <= demand.received_on
        assert case.closed_on is None or demand.received_on < case.closed_on


def test_demands_are_routed_by_the_rule(generated):
    """The first demand of each case opened it; every later one joined it. A case opened
    after an earlier one closed goes to that case's owner while they are still in the team.
    (A case opened by accepting a transfer has no demand of its own: test_endings.py.)"""
    by_case = defaultdict(list)
    for demand in all_of(Demand):
        by_case[demand.case_id].append(demand)
    history = defaultdict(list)
    for case in all_of(Case):
        history[(case.person_id, case.team_id)].append(case)
    routes = Counter()
    for cases in history.values():
        cases.sort(key=lambda c: (c.opened_on, c.id))
        for previous, case in zip([None, *cases], cases, strict=False):
            demands = sorted(by_case[case.id], key=lambda d: (d.received_on, d.id))
            if case.transferred_from_case_id is not None:
                continue
            assert {d.routed_by for d in demands[1:]} <= {"open_case", "passed_to_owner"}
            for d in demands[1:]:
                routes[d.routed_by] += d.routed_by == "passed_to_owner"
                # passed by a worker of another team, to the case's own
                assert (d.routed_by == "passed_to_owner") == (d.recorded_by.team_id != case.team_id)
            route = demands[0].routed_by
            routes[route] += 1
            first_owner = case.ownership_changes[0].to_id if case.ownership_changes else None
            if previous is None:
                assert route == "new_case"
                continue
            assert previous.closed_on <= case.opened_on
            if route == "same_worker":
                assert first_owner == previous.owner_id
            else:
                assert route == "new_case"
                assert previous.owner is None or not previous.owner.active
    assert routes["same_worker"] > 0 and routes["new_case"] > 0
    assert 0 < routes["passed_to_owner"] < 0.05 * sum(routes.values())  # a small share


def test_owners_change_by_recorded_handovers_and_cases_close_by_the_close_rule(generated):
    for case in all_of(Case):
        changes = case.ownership_changes
        if case.owner_id is None:  # still awaiting allocation
            assert case.closed_on is None and not changes
            continue
        assert changes[0].from_id is None
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_id == before.to_id and after.reason and after.at > before.at
        assert changes[-1].to_id == case.owner_id
        if case.closed_on is None:
            assert case.owner.active, "an open case is never left with a worker who has left"
        else:
            # agreed: with how it was agreed; died, moved away, declined: a note of what
            # happened; transferred: by whoever accepted it (test_endings.py)
            assert case.closure_agreed == (case.closure_outcome == "agreed")
            assert case.closure_agreement_note or case.closure_outcome == "transferred"
            assert case.closed_by_id
            assert case.closure_summary or case.closure_outcome not in ("agreed", "transferred")
            assert case.opened_on <= case.closed_on
    conversations = all_of(Conversation)
    assert conversations
    for conversation in conversations:
        case = conversation.case
        assert conversation.held_on <= (case.closed_on or clock.today())
        # what matters carried over by a transfer keeps the day it was said
        assert case.opened_on <= conversation.held_on or case.transferred_from_case_id


def test_the_measures_on_generated_history_equal_the_reference(generated):
    end = clock.today()
    start = end - dt.timedelta(days=364)
    got = compute(db.session, start=start, end=end)
    expected = reference(start, end, "all", None)
    for figure, values in expected.items():
        if "by_outcome" in values:  # counts: equal exactly
            assert got[figure]["by_outcome"] == values.pop("by_outcome"), figure
        assert {k: got[figure][k] for k in values} == pytest.approx(values, abs=0.051), figure
    assert 0.3 < got["repeat_demand"]["rate"] < 0.95
    assert got["same_worker"]["rate"] > 0.7
    assert 0.85 < got["closed_by_agreement"]["rate"] < 1  # a few died, moved or declined


def test_every_generated_user_logs_in_with_the_printed_password(generated, client):
    password = re.search(r"password \(shown once\): (\S+)", generated).group(1)
    worker = db.session.scalar(select(User).where(User.role == "practitioner", User.active))
    response = client.post("/login", data={"email": worker.email, "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    # the service lead, of no team, compares every team's measures
    lead = db.session.scalar(select(User).where(User.role == "lead"))
    assert lead.email == "lead@generated.example" and lead.team_id is None
    assert "lead@generated.example" in generated
    response = client.post("/login", data={"email": lead.email, "password": password})
    assert response.status_code == 302
    assert client.get("/measures").status_code == 200


def test_it_refuses_a_database_that_is_not_empty(generated, runner):
    result = runner.invoke(args=["generate", "--people", "5"])
    assert result.exit_code == 1
    assert "Refusing" in result.output
    assert db.session.scalar(select(func.count(Person.id))) == PEOPLE


def test_the_same_seed_gives_the_same_history_and_another_seed_another():
    today = dt.date(2026, 6, 1)
    first = generate(200, 5, "hash", today).rows
    assert generate(200, 5, "hash", today).rows == first
    assert generate(200, 6, "hash", today).rows["demands"] != first["demands"]


def test_the_simulation_asks_the_domains_routing_rule_for_every_demand(monkeypatch):
    """Not a copy of the rule: each demand's route is what demands/routing.route_kind (the
    function record_demand's routing asks) answered for it."""
    answers = []

    def asked(**facts):
        answers.append(route_kind(**facts))
        return answers[-1]

    monkeypatch.setattr(history, "route_kind", asked)
    rows = generate(300, 3, "hash", dt.date(2026, 6, 1)).rows["demands"]
    routed_by = COLUMNS["demands"].index("routed_by")
    assert len(answers) == len(rows)
    assert Counter(row[routed_by] for row in rows) == Counter(answers)
    assert set(answers) == {"open_case", "same_worker", "new_case", "passed_to_owner"}


def test_a_trial_with_a_real_interval_example_costs_and_counterfactuals(generated):
    from casework.trials.models import CostItem, Counterfactual, Trial
    from casework.trials.results import results

    trial = db.session.scalar(select(Trial))
    found = results(db.session, trial, 90)
    for arm in ("pilot", "usual"):
        assert found["arms"][arm]["people"] >= 5
    interval = found["difference"]["repeat_demand_rate"]
    assert interval["ci95"][0] < interval["estimate"] < interval["ci95"][1]
    assert found["not_randomised"] > 0
    items = all_of(CostItem)
    assert items and all(item.example and "Example" in item.source for item in items)
    assert db.session.scalar(select(func.count(Counterfactual.id))) > 0
    cost = compute(
        db.session,
        start=clock.today() - dt.timedelta(days=365),
        end=clock.today(),
        cohort="pilot",
        team_id=None,
    )["cost_of_journey"]
    assert cost["cases"] > cost["counterfactual_recorded"] > 0
    assert cost["actual_mean"] > 0 and cost["counterfactual_mean"] > 0
