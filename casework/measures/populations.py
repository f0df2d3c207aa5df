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

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..models import Action, Case, Demand, OwnershipChange, Person, User
from .repeat import had_earlier_demand_among, lookback_days
from .sql import any_row, day_then_id, days_between, id_of

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


def _common(query: Select, record, f: Filters, cohort: bool = True) -> Select:
    """Cohort, team and 'never a merged-away person' for a demand or case entity.

    The merged-away people are few: a NOT IN of their ids is one small lookup per row
    where a join to people would be a search of the people table for every row."""
    merged_away = select(Person.id).where(Person.merged_into_id.is_not(None))
    query = query.where(record.person_id.not_in(merged_away))
    if cohort and f.cohort != "all":
        query = query.where(record.cohort == f.cohort)
    if f.team_id is not None:
        query = query.where(record.team_id == f.team_id)
    return query


def _between(column, f: Filters):
    return and_(column >= f.start, column <= f.end)


# Demands ------------------------------------------------------------------------------


def repeat_split(d):
    """Each demand's part of the repeat-demand figure: first, while_open, after_closure, no_case.

    `d` is the columns of `_demands_with_previous`.
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
        earlier_closed.person_id == d.person_id,
        earlier_closed.team_id == d.team_id,
        earlier_closed.closed_on.is_not(None),
        or_(earlier_closed.closed_on <= d.received_on, earlier_closed.id < d.case_id),
        or_(d.case_id.is_(None), earlier_closed.id != d.case_id),
    )
    split = case(
        (d.routed_by == "open_case", literal("while_open")),
        (and_(d.imported.is_(False), had_closed_case), literal("after_closure")),
        else_=literal("no_case"),
    )
    # `repeat` named once: SQLite would search for it again for every mention. NULL: first.
    return case((d.repeat, split), else_=literal("first"))


def _demands_with_previous(f: Filters):
    """Demands received in the period or the look-back before it, each with whether it is a
    repeat (on PostgreSQL one window over them all). Any cohort: an earlier
    demand counts whatever its cohort; the team and merged-away people can be left out
    first, as the window never looks outside a person and team."""
    query = select(
        Demand.id,
        Demand.person_id,
        Demand.team_id,
        Demand.case_id,
        Demand.cohort,
        Demand.received_on,
        Demand.kind,
        Demand.routed_by,
        Demand.imported,
        had_earlier_demand_among(lookback_days()).label("repeat"),
    ).where(
        Demand.received_on >= f.start - dt.timedelta(days=lookback_days()),
        Demand.received_on <= f.end,
    )
    return _common(query, Demand, f, cohort=False).subquery("demands_with_previous")


def demands(f: Filters):
    """Demands received in the period: id, person, kind, received_on and repeat split."""
    d = _demands_with_previous(f).c
    query = select(
        d.id.label("id"),
        d.person_id.label("person_id"),
        d.received_on.label("on"),
        func.coalesce(d.kind, literal("unclassified")).label("kind"),
        repeat_split(d).label("repeat"),
    ).where(d.received_on >= f.start)
    if f.cohort != "all":
        query = query.where(d.cohort == f.cohort)
    return query.subquery("demands_in_period")


# Cases opened in the period -----------------------------------------------------------
#
# Each population is its cases, computed once (a MATERIALIZED common table expression),
# joined to what it needs from the other tables by grouped joins: PostgreSQL answers those
# by hashing, SQLite by a search of an index per case, as it would a correlated subquery.


def _cases(name: str, f: Filters, day, *columns):
    """The cases whose `day` falls in the period (after the cohort, team and merges)."""
    query = select(Case.id, Case.person_id, Case.team_id, *columns).where(_between(day, f))
    return _common(query, Case, f).cte(name).prefix_with("MATERIALIZED")


def _same_place(case, other):
    """`other` (a case or demand) is of the same person and team as `case`."""
    return and_(other.person_id == case.c.person_id, other.team_id == case.c.team_id)


def first_changes():
    """Every case's earliest ownership change (no earlier one of the case): the one that set
    the first owner. A case that never had a recorded change (possible only for records
    made elsewhere) has none, and falls back on its current owner."""
    earlier = aliased(OwnershipChange)
    return (
        select(OwnershipChange.case_id, OwnershipChange.to_id)
        .where(
            ~any_row(earlier.case_id == OwnershipChange.case_id, earlier.id < OwnershipChange.id)
        )
        .subquery("first_changes")
    )


def previous_closed_cases(cases):
    """Each case's previous case of the person in the team: the latest (by opening date, then
    id) of the closed cases that had closed on or before the day this one opened, or were
    made before it (a smaller id: a backdated demand opens a case dated before the last
    closure). Its id comes out of the greatest `day_then_id` key."""
    previous = aliased(Case)
    return (
        select(
            cases.c.id,
            id_of(func.max(day_then_id(previous.opened_on, previous.id))).label("previous_id"),
        )
        .join(
            previous,
            and_(
                _same_place(cases, previous),
                previous.id != cases.c.id,
                previous.closed_on.is_not(None),
                or_(previous.closed_on <= cases.c.opened_on, previous.id < cases.c.id),
            ),
        )
        .group_by(cases.c.id)
        .subquery("previous_closed_cases")
    )


def opened_cases(f: Filters):
    """Cases opened in the period, with the referral judgement and the re-contact facts."""
    opened = _cases(
        "opened_cases", f, Case.opened_on, Case.opened_on, Case.referral_match, Case.owner_id
    )
    firsts, earlier = first_changes(), previous_closed_cases(opened)
    previous, previous_owner = aliased(Case), aliased(User)
    first_owner_id = func.coalesce(firsts.c.to_id, opened.c.owner_id)
    recontact = case(
        (earlier.c.previous_id.is_(None), literal("first")),
        (first_owner_id == previous.owner_id, literal("same_worker")),
        (
            or_(
                previous.owner_id.is_(None),
                previous_owner.active.is_not(True),
                previous_owner.team_id.is_(None),
                previous_owner.team_id != opened.c.team_id,
            ),
            literal("owner_left"),
        ),
        else_=literal("other_worker"),
    )
    return (
        select(
            opened.c.id,
            opened.c.person_id,
            opened.c.opened_on.label("on"),
            opened.c.referral_match,
            earlier.c.previous_id.label("previous_case_id"),
            previous.owner_id.label("previous_owner_id"),
            recontact.label("recontact"),
        )
        .select_from(opened)
        .outerjoin(firsts, firsts.c.case_id == opened.c.id)
        .outerjoin(earlier, earlier.c.id == opened.c.id)
        .outerjoin(previous, previous.id == earlier.c.previous_id)
        .outerjoin(previous_owner, previous_owner.id == previous.owner_id)
        .subquery("opened_in_period")
    )


# Cases closed in the period -----------------------------------------------------------


def first_demands(cases):
    """The day each case's first demand was received (a case with none: its opening date)."""
    return (
        select(Demand.case_id, func.min(Demand.received_on).label("received_on"))
        .join(cases, cases.c.id == Demand.case_id)
        .group_by(Demand.case_id)
        .subquery("first_demands")
    )


def handoffs(cases):
    """Changes of owner after the first owner was set: every change from a named owner."""
    return (
        select(OwnershipChange.case_id, func.count().label("handoffs"))
        .join(cases, cases.c.id == OwnershipChange.case_id)
        .where(OwnershipChange.from_id.is_not(None))
        .group_by(OwnershipChange.case_id)
        .subquery("handoffs")
    )


def came_back(cases, f: Filters):
    """The cases, closed at least 90 days before the period's end, whose person made another
    demand to the team within 90 days of the closure: received after the closure, or dated
    before it but opening a later case."""
    later = aliased(Demand)
    return (
        select(cases.c.id)
        .join(
            later,
            and_(
                _same_place(cases, later),
                or_(later.case_id.is_(None), later.case_id != cases.c.id),
                or_(later.received_on >= cases.c.closed_on, later.case_id > cases.c.id),
                days_between(later.received_on, cases.c.closed_on) <= RETURN_WINDOW_DAYS,
            ),
        )
        .where(cases.c.closed_on <= f.return_cutoff)
        .distinct()
        .subquery("came_back")
    )


def closed_cases(f: Filters):
    """Cases closed in the period: handoffs, agreement, end-to-end days and return (returned,
    stayed_away, or not_eligible when closed within 90 days of the period's end)."""
    closed = _cases(
        "closed_cases", f, Case.closed_on, Case.opened_on, Case.closed_on, Case.closure_agreed
    )
    first, changes, back = first_demands(closed), handoffs(closed), came_back(closed, f)
    returned = case(
        (closed.c.closed_on > f.return_cutoff, literal("not_eligible")),
        (back.c.id.is_not(None), literal("returned")),
        else_=literal("stayed_away"),
    )
    first_on = func.coalesce(first.c.received_on, closed.c.opened_on)
    return (
        select(
            closed.c.id,
            closed.c.person_id,
            closed.c.closed_on.label("on"),
            func.coalesce(changes.c.handoffs, 0).label("handoffs"),
            case((closed.c.closure_agreed.is_(True), 1), else_=0).label("agreed"),
            days_between(closed.c.closed_on, first_on).label("days"),
            returned.label("returned"),
        )
        .select_from(closed)
        .outerjoin(first, first.c.case_id == closed.c.id)
        .outerjoin(changes, changes.c.case_id == closed.c.id)
        .outerjoin(back, back.c.id == closed.c.id)
        .subquery("closed_in_period")
    )


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
