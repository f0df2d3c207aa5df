"""Trials: created with plain-English refusals, demands routed by the rule or drawn, each draw
recorded once, and the results compared with an independent calculation."""

import datetime as dt
import random
import secrets

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework import clock
from casework.asks.service import ask_manager, decide
from casework.cases.service import close_case, log_conversation
from casework.exceptions import DomainError, InvalidValue
from casework.extensions import db
from casework.models import AuditEvent, Case, Demand
from casework.trials import allocation, service
from casework.trials.allocation import record_trial_demand
from casework.trials.models import Trial, TrialAllocation
from casework.trials.results import results
from casework.trials.statistics import difference
from tests.conftest import make_person, make_team, make_user


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


@pytest.fixture
def teams(app):
    return make_team("Pilot", "pilot"), make_team("Usual", "usual")


@pytest.fixture
def trial(teams, admin_user):
    made = service.create(
        db.session,
        name="Home first",
        pilot_team="Pilot",
        usual_team="Usual",
        share=0.5,
        start_on=days_ago(400),
        by=admin_user,
    )
    db.session.commit()
    return made


@pytest.fixture
def intake(teams):
    return make_user(teams[0], "practitioner", name="Ivy Intake")


def into(trial, person, recorder, received_on=None, **extra):
    fields = dict(
        received_on=received_on or clock.today(),
        source="GP",
        channel="phone",
        stated_need="Struggling at home",
        kind="value",
    )
    fields.update(extra)
    result = record_trial_demand(db.session, trial, person=person, recorder=recorder, **fields)
    db.session.commit()
    return result


@pytest.mark.parametrize(
    ("share", "pilot", "usual", "field"),
    [
        (0, "Pilot", "Usual", "share"),
        (1, "Pilot", "Usual", "share"),
        (1.5, "Pilot", "Usual", "share"),
        ("half", "Pilot", "Usual", "share"),
        (0.5, "Pilot", "Pilot", "usual_team"),
        (0.5, "Pilot", "Nowhere", "usual_team"),
    ],
)
def test_bad_trials_are_refused_in_plain_english_and_nothing_is_saved(
    teams, admin_user, share, pilot, usual, field
):
    with pytest.raises(InvalidValue) as refused:
        service.create(
            db.session,
            name="T",
            pilot_team=pilot,
            usual_team=usual,
            share=share,
            start_on=None,
            by=admin_user,
        )
    db.session.rollback()
    assert field in refused.value.fields
    assert db.session.scalar(select(func.count(Trial.id))) == 0


def test_a_trial_is_created_paused_resumed_and_ended_with_each_step_audited(trial, admin_user):
    for to in ("paused", "running", "ended"):
        service.move(db.session, trial, to, by=admin_user)
        db.session.commit()
    assert trial.status == "ended" and trial.ended_on == clock.today()
    with pytest.raises(DomainError):
        service.move(db.session, trial, "running", by=admin_user)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "trial")).all()
    assert [e.action for e in events] == ["create", "update", "update", "update"]
    assert events[-1].detail["status"] == ["running", "ended"]


def test_an_open_case_in_either_team_wins_and_is_not_randomised(trial, teams, intake):
    usual_worker = make_user(teams[1], "practitioner")
    person = make_person(intake)
    first, _, placed = into(trial, person, usual_worker, received_on=days_ago(5))
    assert placed.allocation in ("pilot", "usual") and placed.draw is not None
    demand, route, again = into(trial, person, intake)
    assert again.allocation == "not_randomised" and again.draw is None
    assert route.kind == "open_case" and demand.case_id == first.case_id


def test_the_same_worker_wins_when_still_in_the_team(trial, teams, intake, monkeypatch):
    monkeypatch.setattr(allocation, "RANDOM", random.Random(1))
    worker = make_user(teams[1], "practitioner")
    person = make_person(intake)
    first, _, placed = into(trial, person, worker, received_on=days_ago(50))
    case = db.session.get(Case, first.case_id)
    owner = case.owner or make_user(case.team, "practitioner")
    case.owner = owner
    db.session.commit()
    close_case(
        db.session,
        case,
        owner,
        agreed_with_person=True,
        agreement_note="Agreed at the last visit",
        summary="Settled",
        closed_on=days_ago(10),
    )
    db.session.commit()
    _, route, again = into(trial, person, intake)
    assert (again.allocation, route.kind, route.owner.id) == (
        "not_randomised",
        "same_worker",
        owner.id,
    )
    owner.active = False
    db.session.commit()
    later = make_person(intake)
    _, _, drawn = into(trial, later, intake)
    assert drawn.allocation in ("pilot", "usual")


def test_the_draw_gives_the_share_over_many_demands(monkeypatch):
    monkeypatch.setattr(allocation, "RANDOM", random.Random(20261206))
    draws = [allocation.draw(0.3) for _ in range(20_000)]
    pilot = sum(arm == "pilot" for arm, _ in draws)
    # Binomial(20000, 0.3): sd 65; the seeded source makes this exact, the tolerance honest.
    assert abs(pilot - 6000) < 4 * 65
    assert all((arm == "pilot") == (number < 0.3) for arm, number in draws)


def test_the_real_source_is_the_operating_systems_randomness():
    assert isinstance(allocation.RANDOM, secrets.SystemRandom)


def test_a_demand_is_drawn_once_never_again(trial, intake):
    person = make_person(intake)
    demand, _, placed = into(trial, person, intake)
    db.session.add(TrialAllocation(trial=trial, demand=demand, allocation="usual", draw=0.9))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(TrialAllocation.id))) == 1
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "trial_allocation"))
    assert audit.detail["allocation"] == placed.allocation and audit.detail["draw"] == placed.draw


def test_a_team_not_in_the_trial_a_paused_trial_and_a_chosen_owner_are_refused(
    trial, intake, admin_user
):
    outsider = make_user(make_team("Elsewhere", "usual"), "practitioner")
    person = make_person(intake)
    with pytest.raises(InvalidValue) as refused:
        into(trial, person, outsider)
    assert "not in the trial" in refused.value.fields["trial"]
    db.session.rollback()
    with pytest.raises(InvalidValue) as refused:
        into(trial, person, intake, owner=intake)
    assert "owner_id" in refused.value.fields
    db.session.rollback()
    service.move(db.session, trial, "paused", by=admin_user)
    db.session.commit()
    with pytest.raises(InvalidValue) as refused:
        into(trial, person, intake)
    assert "paused" in refused.value.fields["trial"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Demand.id))) == 0


def _arm(trial, recorder, arm, *, n, repeated, minutes, monkeypatch):
    """n people drawn into the arm 200 days ago; `repeated` of them come back 30 days later."""
    monkeypatch.setattr(allocation, "draw", lambda share: (arm, 0.1 if arm == "pilot" else 0.9))
    for i in range(n):
        person = make_person(recorder)
        demand, _, _ = into(trial, person, recorder, received_on=days_ago(200))
        case = db.session.get(Case, demand.case_id)
        log_conversation(
            db.session,
            case,
            recorder,
            held_on=days_ago(199),
            kind="visit",
            minutes=minutes,
            notes="Talked",
        )
        if i < repeated:
            into(trial, person, recorder, received_on=days_ago(170))
    db.session.commit()


def test_the_results_count_each_arm_and_match_an_independent_interval(
    trial, teams, intake, monkeypatch
):
    usual_worker = make_user(teams[1], "practitioner")
    _arm(trial, intake, "pilot", n=8, repeated=1, minutes=60, monkeypatch=monkeypatch)
    _arm(trial, usual_worker, "usual", n=6, repeated=4, minutes=30, monkeypatch=monkeypatch)
    recent = make_person(intake)
    into(trial, recent, intake, received_on=days_ago(20))  # not yet followed up for 180 days
    found = results(db.session, trial, 180)
    pilot, usual = found["arms"]["pilot"], found["arms"]["usual"]
    assert (pilot["randomised"], pilot["people"]) == (8, 8)
    assert (usual["randomised"], usual["people"]) == (6, 6)
    assert pilot["repeat_demand"] == {"people": 8, "repeated": 1, "rate": 0.125}
    assert usual["repeat_demand"]["repeated"] == 4
    assert (pilot["minutes_per_person"], usual["minutes_per_person"]) == (60, 30)
    expected = difference(1, 8, 4, 6)
    got = found["difference"]["repeat_demand_rate"]
    assert got["estimate"] == pytest.approx(1 / 8 - 4 / 6, abs=1e-6)
    assert got["ci95"] == pytest.approx([expected.low, expected.high], abs=1e-6)
    assert found["not_randomised"] == 5  # the five repeats joined their open cases
    assert found["in_words"][0].startswith("People in the pilot arm were less likely")
    assert "12% against 67%, a difference of 54 points" in found["in_words"][0]
    assert any("fewer than 30" in w for w in found["warnings"])
    # A shorter follow-up counts the recent person too.
    shorter = results(db.session, trial, 10)["arms"]
    assert shorter["pilot"]["people"] + shorter["usual"]["people"] == 15


@pytest.mark.parametrize("bad", ["-1", "abc", "5000", "1.5"])
def test_a_bad_follow_up_is_refused(trial, bad):
    with pytest.raises(InvalidValue) as refused:
        results(db.session, trial, bad)
    assert "follow_up_days" in refused.value.fields


def test_granted_asks_count_in_the_cost_facts(trial, intake, teams):
    from casework.trials.models import CaseCostFact

    person = make_person(intake)
    demand, _, _ = into(trial, person, intake, received_on=days_ago(3))
    case = db.session.get(Case, demand.case_id)
    worker = case.owner or intake
    ask = ask_manager(
        db.session, case, worker, kind="resource", what="A grab rail", why="Safer", cost_pence=4500
    )
    db.session.commit()
    manager = make_user(case.team, "manager")
    decide(db.session, ask, manager, decision="yes", reason="Cheaper than a fall")
    db.session.commit()
    assert db.session.get(CaseCostFact, case.id).asks_pence == 4500
