"""The generated history shows what issue 16 added: people known to two teams, demands passed
to the worker who knows the person, transfers accepted, declined and waiting, and cases
that end because the person died, moved away or declined support; each made by the
domain's own rules, and counted by the measures as the rows say."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import func, select

from casework import clock, policy
from casework.cases.service import close_case, transferred_summary
from casework.extensions import db
from casework.measures import facts
from casework.measures.figures import compute
from casework.models import Case, Demand, Team, Transfer, User
from casework.rules import CLOSURE_OUTCOMES
from casework.synthetic import endings
from casework.synthetic.history import COLUMNS, generate
from casework.transfers.service import (
    accept_transfer,
    carries_over,
    decline_transfer,
    first_owner_reason,
    request_transfer,
)
from tests.measures.test_facts import kept_facts, worked_out_again
from tests.synthetic.conftest import all_of

OTHER_ENDINGS = ("died", "moved_away", "declined_support", "transferred")


def test_cases_end_each_way_in_plausible_shares(generated):
    closed = [case for case in all_of(Case) if case.closed_on is not None]
    ended = Counter(case.closure_outcome for case in closed)
    assert set(ended) == set(CLOSURE_OUTCOMES)
    for outcome in OTHER_ENDINGS:
        assert 0 < ended[outcome] < 0.06 * len(closed), outcome  # a few per cent each
    assert ended["agreed"] > 0.85 * len(closed)
    for case in closed:
        if case.closure_outcome in ("died", "moved_away", "declined_support"):
            # no agreement, which cannot be had, and a note of what happened
            assert case.closure_agreed is False and case.closure_agreement_note
            assert case.closed_by_id == case.owner_id
    assert "cases closed: " in generated and " died, " in generated


def test_a_death_or_a_move_away_is_the_last_of_the_persons_story(generated):
    cases, received = defaultdict(list), defaultdict(list)
    for case in all_of(Case):
        cases[case.person_id].append(case)
    for demand in all_of(Demand):
        received[demand.person_id].append(demand.received_on)
    gone = [c for c in all_of(Case) if c.closure_outcome in ("died", "moved_away")]
    assert gone
    for case in gone:
        theirs = cases[case.person_id]
        assert all(c.closed_on is not None and c.closed_on <= case.closed_on for c in theirs)
        assert max(received[case.person_id]) < case.closed_on


def test_transfers_accepted_declined_and_waiting_as_the_domain_makes_them(generated):
    transfers = all_of(Transfer)
    statuses = Counter(t.status for t in transfers)
    assert statuses["accepted"] > statuses["declined"] > 0
    assert len({t.case.person_id for t in transfers}) == len(transfers)  # one a person
    for t in transfers:
        case = t.case
        assert t.from_team_id == case.team_id != t.to_team_id and t.reason
        assert policy.can_request_transfer(t.requested_by, case)
        if t.status == "pending":
            assert case.closed_on is None and t.answered_at is None
            continue
        assert policy.can_answer_transfer(t.answered_by, t) and t.requested_at < t.answered_at
        if t.status == "declined":
            assert t.answer_reason and t.new_case_id is None
            assert case.closure_outcome != "transferred"
            continue
        _accepted_as_the_domain_accepts(t)


def _accepted_as_the_domain_accepts(t: Transfer) -> None:
    old, new, day = t.case, t.new_case, t.answered_at.date()
    assert (old.closed_on, old.closure_outcome) == (day, "transferred")
    assert old.closed_by_id == t.answered_by_id  # who accepted it
    assert old.closure_agreed is False
    assert old.closure_summary == transferred_summary(t.to_team.name)
    assert (new.team_id, new.person_id, new.opened_on) == (t.to_team_id, old.person_id, day)
    assert new.transferred_from_case_id == old.id
    first = new.ownership_changes[0]
    assert first.reason == first_owner_reason(old.team.name, t.reason)
    assert first.by_id == t.answered_by_id
    # nobody is moved into a team where they already have an open case
    there = db.session.scalars(
        select(Case).where(Case.person_id == old.person_id, Case.team_id == t.to_team_id)
    )
    for other in there:
        assert other.id == new.id or not (
            other.opened_on <= day and (other.closed_on is None or day < other.closed_on)
        )
    # what matters (the domain's current statement) and the open team actions carry over
    made_then = [c for c in new.conversations if c.recorded_at == t.answered_at]
    said = old.what_matters
    assert [c.what_matters for c in made_then] == ([said.what_matters] if said else [])
    if said:
        assert made_then[0].held_on == said.held_on
    copies = sorted(a.description for a in new.actions if a.created_at == t.answered_at)
    open_team = [a for a in old.current_actions if carries_over(a.by, a.status)]
    assert copies == sorted(a.description for a in open_team)


def test_the_measures_count_each_ending_people_split_across_teams_and_passed_demands(generated):
    end = clock.today()
    whole = compute(db.session, start=end - dt.timedelta(days=3 * 365), end=end)
    by_outcome = whole["closed_by_agreement"]["by_outcome"]
    assert all(by_outcome[outcome] > 0 for outcome in CLOSURE_OUTCOMES), by_outcome
    split = whole["split_across_teams"]
    assert 0 < split["with_open_cases_in_2_or_more_teams"] < split["people"]
    passed = select(func.count(Demand.id)).where(Demand.routed_by == "passed_to_owner")
    assert db.session.scalar(passed) > 0


def test_the_facts_kept_equal_the_facts_worked_out_again(generated):
    """The facts generate writes, the facts worked out person by person (as every save
    keeps them), and, after transfers and endings through the domain on top of the
    generated history, the facts kept at those saves: each equal to a full rebuild."""
    built = kept_facts()
    people = list(db.session.scalars(select(Case.person_id).distinct()))
    facts.refresh(db.session, people)
    db.session.commit()
    assert kept_facts() == built
    _transfers_and_endings_through_the_domain()
    kept = kept_facts()
    assert kept != built
    assert kept == worked_out_again()


def _transfers_and_endings_through_the_domain() -> None:
    """Accept one transfer and decline another of open generated cases; close two others,
    as a death and as support declined."""
    waiting = select(Transfer.case_id).where(Transfer.status == "pending")
    open_cases = db.session.scalars(
        select(Case)
        .where(Case.closed_on.is_(None), Case.owner_id.is_not(None), Case.id.not_in(waiting))
        .order_by(Case.id)
    ).all()
    open_teams = Counter((c.person_id, c.team_id) for c in open_cases)

    def manager_of(team_id):
        manager = select(User).where(User.team_id == team_id, User.role == "manager")
        return db.session.scalar(manager)

    accepted, declined, died, refused = open_cases[:4]
    for case, answer in ((accepted, "accept"), (declined, "decline")):
        team_ids = sorted({c.team_id for c in open_cases} - {case.team_id})
        to = next(t for t in team_ids if (case.person_id, t) not in open_teams)
        asked = request_transfer(
            db.session,
            case,
            manager_of(case.team_id),
            to_team=db.session.get(Team, to),
            reason="Moved into the other team's area.",
        )
        manager = manager_of(to)
        if answer == "accept":
            owner = db.session.scalar(
                select(User).where(User.team_id == to, User.role == "practitioner", User.active)
            )
            accept_transfer(db.session, asked, manager, owner=owner)
        else:
            decline_transfer(db.session, asked, manager, reason="Still lives in your area.")
    close_case(db.session, died, died.owner, outcome="died", note="Her son phoned us.")
    close_case(db.session, refused, refused.owner, outcome="declined_support", note="Said no.")
    db.session.commit()


def test_the_simulation_closes_every_case_by_the_domains_close_rule(monkeypatch):
    """Not a copy of the rule: each closed case's columns are what cases.service's
    closure_columns answered, from what its closure_problems cleaned (a transfer's: from its
    summary), and each accepted transfer's new owner has transfers.service's reason."""
    answers, checked, reasons = [], [], []

    def columns(**clean):
        answers.append(endings_closure_columns(**clean))
        return answers[-1]

    def problems(case, **closure):
        checked.append(closure["outcome"])
        return endings_closure_problems(case, **closure)

    def reason(*args):
        reasons.append(endings_first_owner_reason(*args))
        return reasons[-1]

    endings_closure_columns = endings.closure_columns
    endings_closure_problems = endings.closure_problems
    endings_first_owner_reason = endings.first_owner_reason
    monkeypatch.setattr(endings, "closure_columns", columns)
    monkeypatch.setattr(endings, "closure_problems", problems)
    monkeypatch.setattr(endings, "first_owner_reason", reason)
    rows = generate(300, 3, "hash", dt.date(2026, 6, 1)).rows
    names = COLUMNS["cases"]
    closed = [dict(zip(names, row, strict=True)) for row in rows["cases"] if row[8] is not None]

    def closure(values):
        return tuple(values[name] for name in endings.CLOSURE)

    assert Counter(map(closure, answers)) == Counter(map(closure, closed))
    assert Counter(checked) == Counter(
        r["closure_outcome"] for r in closed if r["closure_outcome"] != "transferred"
    )
    status = COLUMNS["transfers"].index("status")
    assert len(reasons) == sum(1 for t in rows["transfers"] if t[status] == "accepted") > 0
