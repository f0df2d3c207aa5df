"""The records each figure counts, as SQL: one row per demand, case or action, with the
category that decides which part of a figure it falls in.

The figures (figures.py), the drill-down lists (drilldown.py) and the series for
charts (series.py) all start from these same subqueries, so a figure, the list
behind it and its chart can never disagree. Every judgement call is documented
in docs/adr/0010-measures-judgement-calls.md; the short version is beside each
expression below.

Everything here is aggregate-friendly SQL that reads the same on SQLite and
PostgreSQL: correlated EXISTS / scalar subqueries that use the indexes on
(person_id, team_id, received_on), cases.person_id and ownership_changes.case_id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import aliased

from ..models import Action, Case, Demand, OwnershipChange, Person, User
from .repeat import had_earlier_demand
from .sql import any_row, days_between

RETURN_WINDOW_DAYS = 90
COHORT_CHOICES = ("pilot", "usual", "all")


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


def _common(query: Select, record, f: Filters) -> Select:
    """Cohort, team and 'never a merged-away person' for a demand or case entity.

    The merged-away people are few: a NOT IN of their ids is one small lookup per row
    where a join to people would be a search of the people table for every row."""
    merged_away = select(Person.id).where(Person.merged_into_id.is_not(None))
    query = query.where(record.person_id.not_in(merged_away))
    if f.cohort != "all":
        query = query.where(record.cohort == f.cohort)
    if f.team_id is not None:
        query = query.where(record.team_id == f.team_id)
    return query


def _between(column, f: Filters):
    return and_(column >= f.start, column <= f.end)


# Demands ------------------------------------------------------------------------------


def repeat_split():
    """Each demand's part of the repeat-demand figure: first, while_open, after_closure, no_case.

    - first: no earlier demand to the team within the look-back (not a repeat);
    - while_open: a repeat that joined an open case (routed_by 'open_case');
    - after_closure: any other repeat, not imported, whose person had an earlier
      case in the team closed on or before the day the demand was received, or
      closed before the demand opened its own case (a letter dated before the
      closure but recorded after it is routed as a re-contact, and counts as one);
    - no_case: every other repeat (imported, or the earlier demands were only
      imported history).
    """
    earlier_closed = aliased(Case)
    had_closed_case = any_row(
        earlier_closed.person_id == Demand.person_id,
        earlier_closed.team_id == Demand.team_id,
        earlier_closed.closed_on.is_not(None),
        or_(earlier_closed.closed_on <= Demand.received_on, earlier_closed.id < Demand.case_id),
        or_(Demand.case_id.is_(None), earlier_closed.id != Demand.case_id),
    )
    return case(
        (not_(had_earlier_demand(Demand)), literal("first")),
        (Demand.routed_by == "open_case", literal("while_open")),
        (and_(Demand.imported.is_(False), had_closed_case), literal("after_closure")),
        else_=literal("no_case"),
    )


def demands(f: Filters):
    """Demands received in the period: id, person, kind, received_on and repeat split."""
    query = select(
        Demand.id.label("id"),
        Demand.person_id.label("person_id"),
        Demand.received_on.label("on"),
        func.coalesce(Demand.kind, literal("unclassified")).label("kind"),
        repeat_split().label("repeat"),
    ).where(_between(Demand.received_on, f))
    return _common(query, Demand, f).subquery("demands_in_period")


# Cases opened in the period -----------------------------------------------------------


def first_owner():
    """The first owner set: the worker the case's earliest ownership change gave it to.

    A case that never had a recorded change (possible only for records made
    elsewhere) falls back on its current owner.
    """
    first = (
        select(OwnershipChange.to_id)
        .where(OwnershipChange.case_id == Case.id)
        .order_by(OwnershipChange.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(first, Case.owner_id)


def previous_closed_case_id():
    """The person's previous case in the team: the latest (by opening date, then id) of the
    closed cases that had closed on or before the day this one opened, or were made before
    it (a smaller id: a backdated demand opens a case dated before the last closure)."""
    previous = aliased(Case)
    return (
        select(previous.id)
        .where(
            previous.person_id == Case.person_id,
            previous.team_id == Case.team_id,
            previous.id != Case.id,
            previous.closed_on.is_not(None),
            or_(previous.closed_on <= Case.opened_on, previous.id < Case.id),
        )
        .order_by(previous.opened_on.desc(), previous.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def opened_cases(f: Filters):
    """Cases opened in the period, with the referral judgement and the re-contact facts."""
    inner = _common(
        select(
            Case.id.label("id"),
            Case.person_id.label("person_id"),
            Case.team_id.label("team_id"),
            Case.opened_on.label("on"),
            Case.referral_match.label("referral_match"),
            first_owner().label("first_owner_id"),
            previous_closed_case_id().label("previous_case_id"),
        ).where(_between(Case.opened_on, f)),
        Case,
        f,
    )
    # Computed once (SQLite would otherwise search for the previous case for every mention
    # of it below: the join, the CASE and the output).
    inner = inner.cte("opened_inner").prefix_with("MATERIALIZED", dialect="sqlite")
    previous = aliased(Case)
    previous_owner = aliased(User)
    recontact = case(
        (inner.c.previous_case_id.is_(None), literal("first")),
        (inner.c.first_owner_id == previous.owner_id, literal("same_worker")),
        (
            or_(
                previous.owner_id.is_(None),
                previous_owner.active.is_not(True),
                previous_owner.team_id.is_(None),
                previous_owner.team_id != inner.c.team_id,
            ),
            literal("owner_left"),
        ),
        else_=literal("other_worker"),
    )
    return (
        select(
            inner.c.id,
            inner.c.person_id,
            inner.c.on,
            inner.c.referral_match,
            inner.c.previous_case_id,
            previous.owner_id.label("previous_owner_id"),
            recontact.label("recontact"),
        )
        .outerjoin(previous, previous.id == inner.c.previous_case_id)
        .outerjoin(previous_owner, previous_owner.id == previous.owner_id)
        .subquery("opened_in_period")
    )


# Cases closed in the period -----------------------------------------------------------


def first_demand_on():
    """The day the case's first demand was received (its opening date if it has none)."""
    earliest = (
        select(func.min(Demand.received_on)).where(Demand.case_id == Case.id).scalar_subquery()
    )
    return func.coalesce(earliest, Case.opened_on)


def handoff_count():
    """Changes of owner after the first owner was set: every change from a named owner."""
    return (
        select(func.count(OwnershipChange.id))
        .where(OwnershipChange.case_id == Case.id, OwnershipChange.from_id.is_not(None))
        .scalar_subquery()
    )


def returned_split(f: Filters):
    """not_eligible (closed within 90 days of the period's end), returned or stayed_away."""
    later = aliased(Demand)
    came_back = any_row(
        later.person_id == Case.person_id,
        later.team_id == Case.team_id,
        or_(later.case_id.is_(None), later.case_id != Case.id),
        # received after the closure, or dated before it but opening a later case
        or_(later.received_on >= Case.closed_on, later.case_id > Case.id),
        days_between(later.received_on, Case.closed_on) <= RETURN_WINDOW_DAYS,
    )
    return case(
        (Case.closed_on > f.return_cutoff, literal("not_eligible")),
        (came_back, literal("returned")),
        else_=literal("stayed_away"),
    )


def closed_cases(f: Filters):
    """Cases closed in the period: handoffs, agreement, end-to-end days and return."""
    query = select(
        Case.id.label("id"),
        Case.person_id.label("person_id"),
        Case.closed_on.label("on"),
        handoff_count().label("handoffs"),
        case((Case.closure_agreed.is_(True), 1), else_=0).label("agreed"),
        days_between(Case.closed_on, first_demand_on()).label("days"),
        returned_split(f).label("returned"),
    ).where(_between(Case.closed_on, f))
    return _common(query, Case, f).subquery("closed_in_period")


# Actions of cases active in the period ------------------------------------------------


def case_active_in(f: Filters):
    """A case is active in the period when it opened on or before its last day and was still
    open on (or after) its first day."""
    return and_(Case.opened_on <= f.end, or_(Case.closed_on.is_(None), Case.closed_on >= f.start))


def actions(f: Filters):
    """Agreed actions of cases active in the period, with who does them and their status now."""
    query = (
        select(
            Action.id.label("id"),
            Case.person_id.label("person_id"),
            Case.opened_on.label("on"),
            Action.by.label("by"),
            Action.status.label("status"),
        )
        .join(Case, Case.id == Action.case_id)
        .where(case_active_in(f))
    )
    return _common(query, Case, f).subquery("actions_of_active_cases")
