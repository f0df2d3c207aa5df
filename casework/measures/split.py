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

By rows of the facts kept at write time (facts.py): for each person, a search of the
person's cases by the facts' person index; never a join of every case with every other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..models import CaseFact
from . import populations as pop
from .populations import Filters
from .sql import any_row

FIGURE = "split_across_teams"
SPLIT = "with_open_cases_in_2_or_more_teams"


def _open_through(fact, start, end):
    """The case was open on some day from start to end (see above)."""
    return and_(
        fact.opened_on <= end,
        or_(fact.closed_on.is_(None), and_(fact.closed_on > start, fact.closed_on > fact.opened_on)),
    )


def split_on(person_id, start, end):
    """SQL condition: the person had cases in two different teams open at the same time on
    at least one day from start to end (dates, or SQL date columns)."""
    one, other = aliased(CaseFact), aliased(CaseFact)
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


def people(f: Filters):
    """The different people with a demand in the period (of the cohort and team chosen)."""
    demands = pop.demands(f)
    return select(demands.c.person_id).distinct().subquery("people")


def counts(session: Session, f: Filters) -> tuple[int, int]:
    """(people, split) in one statement: figures.py makes the figure of them."""
    counted = people(f)
    flagged = case((split_on(counted.c.person_id, f.start, f.end), 1), else_=0)
    total, split = session.execute(
        select(func.count(), func.coalesce(func.sum(flagged), 0)).select_from(counted)
    ).one()
    return int(total), int(split)


def population(f: Filters):
    """The demands of the period, each with whether its person is split (1) or not (0): the
    rows the drill-down lists group by person (drilldown._people)."""
    demands = pop.demands(f)
    flagged = case((split_on(demands.c.person_id, f.start, f.end), 1), else_=0)
    return select(*demands.c, flagged.label("split")).subquery("split_in_period")


def points(session: Session, f: Filters, starts: list[dt.date], following: dt.date):
    """(numerator, denominator) for each point starting at `starts` (the next point starts
    at `following`): the figure over that point's days inside the period, in one
    statement. A person is counted once a point, however many demands they made in it."""
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
    demands = pop.demands(f)
    in_point = (
        select(buckets.c.i, buckets.c.first, buckets.c.last, demands.c.person_id)
        .join(demands, and_(demands.c.on >= buckets.c.first, demands.c.on <= buckets.c.last))
        .distinct()
        .subquery("people_by_point")
    )
    flagged = case((split_on(in_point.c.person_id, in_point.c.first, in_point.c.last), 1), else_=0)
    query = select(in_point.c.i, func.sum(flagged), func.count()).group_by(in_point.c.i)
    counts = [(0, 0)] * len(starts)
    for i, split, total in session.execute(query):
        counts[int(i)] = (int(split or 0), int(total))
    return counts
