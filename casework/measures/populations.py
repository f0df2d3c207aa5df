"""The records each figure counts, as SQL: one row per demand, case or action, with the
category that decides which part of a figure it falls in.

The figures (figures.py), the drill-down lists (drilldown.py) and the series for
charts (series.py) all start from these same subqueries, so a figure, the list
behind it and its chart can never disagree. Demands and cases are read from the
facts kept at write time (facts.py, where the rules are written, and ADR 0020);
every judgement call is documented in docs/adr/0010-measures-judgement-calls.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, distinct, func, literal, or_, select

from ..models import Action, CaseFact, DemandFact, User
from .facts import RETURN_WINDOW_DAYS
from .sql import any_row

COHORT_CHOICES = ("pilot", "usual", "all")


def _keyed(record_id, person_id, on) -> tuple:
    """The columns every population starts with, by which the lists and charts read it: the
    record's id, its person, and the day that places it in the period."""
    return record_id.label("id"), person_id.label("person_id"), on.label("on")


@dataclass(frozen=True)
class Filters:
    """What the manager chose: an inclusive period, a cohort and perhaps one team."""

    start: dt.date
    end: dt.date
    cohort: str = "all"
    team_id: int | None = None

    @property
    def return_cutoff(self) -> dt.date:
        """The last closing date that leaves a whole return window inside the period."""
        return self.end - dt.timedelta(days=RETURN_WINDOW_DAYS)


def _chosen(query: Select, record, f: Filters) -> Select:
    """The cohort and team chosen (facts never hold a merged-away person's records)."""
    if f.cohort != "all":
        query = query.where(record.cohort == f.cohort)
    if f.team_id is not None:
        query = query.where(record.team_id == f.team_id)
    return query


def _between(column, f: Filters):
    return and_(column >= f.start, column <= f.end)


def demands(f: Filters):
    """Demands received in the period: id, person, kind, received_on and repeat split."""
    query = select(
        *_keyed(DemandFact.demand_id, DemandFact.person_id, DemandFact.received_on),
        DemandFact.kind.label("kind"),
        DemandFact.repeat.label("repeat"),
    ).where(_between(DemandFact.received_on, f))
    return _chosen(query, DemandFact, f).subquery("demands_in_period")


def people_with_demand(f: Filters):
    """SQL: how many different people had a demand in the period (the people of `demands`).

    Of all teams, each person is counted by their first demand of the period: the one whose
    previous demand (of the cohort chosen) was before the period or never, kept with the
    facts; one pass over the facts' index, no sort of the period's people. A team's
    demands are few: its people are counted as they are."""
    if f.team_id is not None:
        return select(func.count(distinct(demands(f).c.person_id)))
    previous = DemandFact.previous_on if f.cohort == "all" else DemandFact.previous_in_cohort_on
    first = or_(previous.is_(None), previous < f.start)
    query = select(func.count()).where(_between(DemandFact.received_on, f), first)
    return _chosen(query, DemandFact, f)


def opened_cases(f: Filters):
    """Cases opened in the period, with the referral judgement and the re-contact: first (no
    earlier closed case), same_worker, owner_left (the previous owner has left the team, or
    there was none) or other_worker. Who has left is read now, not kept as a fact, and only
    for the few cases that reach that question (a join would look up every case's)."""
    still_in_team = any_row(
        User.id == CaseFact.previous_owner_id,
        User.active.is_(True),
        User.team_id == CaseFact.team_id,
    )
    recontact = case(
        (CaseFact.previous_case_id.is_(None), literal("first")),
        (CaseFact.first_owner_id == CaseFact.previous_owner_id, literal("same_worker")),
        (still_in_team, literal("other_worker")),
        else_=literal("owner_left"),
    )
    query = select(
        *_keyed(CaseFact.case_id, CaseFact.person_id, CaseFact.opened_on),
        CaseFact.referral_match.label("referral_match"),
        CaseFact.previous_case_id.label("previous_case_id"),
        CaseFact.previous_owner_id.label("previous_owner_id"),
        recontact.label("recontact"),
    ).where(_between(CaseFact.opened_on, f))
    return _chosen(query, CaseFact, f).subquery("opened_in_period")


# How each closure outcome counts (ADR 0033): a death, a move away or a transfer is no
# test of whether the work held, so it is not eligible to "return within 90 days"; a
# transferred case's days go on in the receiving team's case, so they count there, once.
NOT_A_RETURN = ("died", "moved_away", "transferred")
NOT_AN_END = ("transferred",)


def closed_cases(f: Filters):
    """Cases closed in the period: handoffs, agreement, outcome, end-to-end days and return
    (returned, stayed_away, or not_eligible when closed within 90 days of the period's end
    or by an outcome that is no test of a return)."""
    returned = case(
        (CaseFact.closed_on > f.return_cutoff, literal("not_eligible")),
        (CaseFact.outcome.in_(NOT_A_RETURN), literal("not_eligible")),
        (CaseFact.returned.is_(True), literal("returned")),
        else_=literal("stayed_away"),
    )
    query = select(
        *_keyed(CaseFact.case_id, CaseFact.person_id, CaseFact.closed_on),
        CaseFact.handoffs.label("handoffs"),
        case((CaseFact.agreed.is_(True), 1), else_=0).label("agreed"),
        case((CaseFact.outcome.in_(NOT_AN_END), None), else_=CaseFact.days).label("days"),
        returned.label("returned"),
        func.coalesce(CaseFact.outcome, literal("agreed")).label("outcome"),
    ).where(_between(CaseFact.closed_on, f))
    return _chosen(query, CaseFact, f).subquery("closed_in_period")


# Actions of cases active in the period ------------------------------------------------


def case_active_in(f: Filters):
    """A case is active in the period when it opened on or before its last day and was still
    open on (or after) its first day."""
    return and_(
        CaseFact.opened_on <= f.end,
        or_(CaseFact.closed_on.is_(None), CaseFact.closed_on >= f.start),
    )


def active_cases(f: Filters):
    """The facts of the cases active in the period (their action counts make the figure)."""
    return _chosen(select(CaseFact).where(case_active_in(f)), CaseFact, f).subquery("active")


def actions_of_cases_opened(f: Filters):
    """The cases opened in the period with their agreed actions by who does them, from the
    facts: the actions chart's points, by the week or month the case opened (the rows of
    `actions` whose case opened in the period, counted)."""
    query = select(
        *_keyed(CaseFact.case_id, CaseFact.person_id, CaseFact.opened_on),
        CaseFact.actions_person.label("by_person"),
        (CaseFact.actions_person + CaseFact.actions_team).label("agreed"),
    ).where(_between(CaseFact.opened_on, f))
    return _chosen(query, CaseFact, f).subquery("cases_opened_with_actions")


def actions(f: Filters):
    """Agreed actions of cases active in the period, with who does them and their status now:
    the rows behind the counts of `active_cases`."""
    query = (
        select(
            *_keyed(Action.id, CaseFact.person_id, CaseFact.opened_on),
            Action.by.label("by"),
            Action.status.label("status"),
        )
        .join(CaseFact, CaseFact.case_id == Action.case_id)
        .where(case_active_in(f), Action.entered_in_error_at.is_(None))
    )
    return _chosen(query, CaseFact, f).subquery("actions_of_active_cases")
