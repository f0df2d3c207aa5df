"""One person split across teams: the people with a demand in the period whose cases in two
or more different teams were open at the same time (api.md, `split_across_teams`).

The one place the rule is written; the figure (figures.py), the list behind it
(drilldown.py) and its chart (series.py) all use `split_on` below.

- **The people counted** (the denominator): the different people with a demand in the
  period, of the cohort and team chosen (the same people as *demands per person*).
- **Split** (the numerator): of those, the people who had cases in two or more different
  teams open at the same time on at least one day of the period. The cases may be of any
  team and either cohort in the locality, whatever team or cohort is chosen: the figure is
  about the person's whole story, seen from the chosen team's people.
- **Open on a day**: a case is open from the day it opened up to the day before it
  closed (still open: to the end of the period). So when one team's case closes on the
  day another team's opens (a transfer, a hand-on), the person is not counted: one case
  followed the other, they did not run side by side. A case opened and closed on the
  same day is not counted as open.

How it is counted, fast at the size of a whole care system: first the few people with
cases in two or more teams open at some time in the period (from the case facts of the
people with cases in two teams at any time, kept with the facts and read by their own
index: in_two_teams); only of them are
the exact rule and "a demand in the period" asked, each by a search of an index. The
people counted are the people of *demands per person*, counted there once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased

from ..models import Case, CaseFact, DemandFact
from . import populations as pop
from .populations import Filters
from .sql import any_row

FIGURE = "split_across_teams"
SPLIT = "with_open_cases_in_2_or_more_teams"


def _open_through(case_, start, end):
    """The case was open on some day from start to end (see above)."""
    return and_(
        case_.opened_on <= end,
        or_(
            case_.closed_on.is_(None),
            and_(case_.closed_on > start, case_.closed_on > case_.opened_on),
        ),
    )


def split_on(person_id, start, end):
    """SQL condition: the person had cases in two different teams open at the same time on
    at least one day from start to end (dates, or SQL date columns).

    Read from the cases themselves: their (person, team, opened, closed) index answers it
    without reading a row. The people asked about are the facts' people, never a
    merged-away record, so their cases are the ones the facts count."""
    one, other = aliased(Case), aliased(Case)
    return any_row(
        one.person_id == person_id,
        other.person_id == one.person_id,
        other.team_id != one.team_id,
        _open_through(one, start, end),
        _open_through(other, start, end),
        # each opened before the other closed: open together on a day before both closed
        or_(one.closed_on.is_(None), other.opened_on < one.closed_on),
        or_(other.closed_on.is_(None), one.opened_on < other.closed_on),
    )


def in_two_teams(f: Filters):
    """The people with cases in two or more teams open at some time in the period (not
    necessarily together): the only people who can be split in it or in any part of it.
    Read from the case facts of the people with cases in two teams at any time (a few in a
    hundred), by their own index, not from every case."""
    return (
        select(CaseFact.person_id)
        .where(CaseFact.in_two_teams == true(), _open_through(CaseFact, f.start, f.end))
        .group_by(CaseFact.person_id)
        .having(func.min(CaseFact.team_id) != func.max(CaseFact.team_id))
        .subquery("in_two_teams")
    )


def _had_demand(person_id, f: Filters, first, last):
    """SQL condition: the person had a demand from first to last, of the cohort and team
    chosen (the demands population's own filters)."""
    demand = aliased(DemandFact)
    query = select(literal(1)).where(
        demand.person_id == person_id, demand.received_on >= first, demand.received_on <= last
    )
    return pop._chosen(query, demand, f).exists()  # the same filters as the demands


def count(session: Session, f: Filters) -> int:
    """How many people with a demand in the period are split in it."""
    candidates = in_two_teams(f)
    person = candidates.c.person_id
    return session.scalar(
        select(func.count())
        .select_from(candidates)
        .where(split_on(person, f.start, f.end), _had_demand(person, f, f.start, f.end))
    )


def population(f: Filters):
    """The demands of the period, each with whether its person is split (1) or not (0): the
    rows the drill-down lists group by person (drilldown._people)."""
    demands, candidates = pop.demands(f), in_two_teams(f)
    split = and_(candidates.c.person_id.is_not(None), split_on(demands.c.person_id, f.start, f.end))
    return (
        select(*demands.c, case((split, 1), else_=0).label("split"))
        .select_from(demands.outerjoin(candidates, candidates.c.person_id == demands.c.person_id))
        .subquery("split_in_period")
    )


def points(session: Session, f: Filters, starts: list[dt.date], following: dt.date) -> list:
    """How many people are split in each point starting at `starts` (the next point starts
    at `following`), over that point's days inside the period, of those with a demand in
    it; in one statement. (The people with a demand in each point are the denominators of
    *demands per person*'s chart.)"""
    if not starts:
        return []
    ends = [*starts[1:], following]
    spans = [
        (i, max(begin, f.start), min(after - dt.timedelta(days=1), f.end))
        for i, (begin, after) in enumerate(zip(starts, ends, strict=True))
    ]
    buckets = union_all(
        *(
            select(
                literal(i, Integer).label("i"),
                literal(first, Date).label("first"),
                literal(last, Date).label("last"),
            )
            for i, first, last in spans
        )
    ).subquery("points")
    candidates = in_two_teams(f)
    person = candidates.c.person_id
    query = (
        select(buckets.c.i, func.count())
        .select_from(buckets.join(candidates, true()))  # each point, each candidate
        .where(
            # the cases' index first: it holds all it needs, the demands' index does not
            split_on(person, buckets.c.first, buckets.c.last),
            _had_demand(person, f, buckets.c.first, buckets.c.last),
        )
        .group_by(buckets.c.i)
    )
    counts = [0] * len(starts)
    for i, split in session.execute(query):
        counts[int(i)] = int(split)
    return counts
