"""Each figure over time, for its XmR chart: per week or per month, by aggregate SQL.

A point is one calendar week (Monday to Sunday), calendar month or calendar
quarter (January to March, and so on: the NHS financial year's quarters too) that
overlaps the period, counting only the records inside the period (so the first
and last points may cover part of a week or month). Each point has its
numerator, denominator and value (None, "no data", when the denominator is 0).
Records fall in the week or month of the date the figure is about: demands by
the day received, opened cases by the day opened, closed cases by the day
closed. Agreed actions are charted by the week their case opened, for cases
opened in the period (the figure itself counts every case active in it).
End-to-end time is charted per case, in closing order (the latest
`CASE_POINTS` cases when there are more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Date, Integer, case, cast, extract, func, literal, select
from sqlalchemy.orm import Session

from ..formatting import uk_date
from . import populations as pop
from . import split
from .facts import for_reporting
from .figures import RECONTACTS, REPEATS
from .names import JUDGEMENT_RECORDED, TITLES
from .populations import Filters
from .sql import days_between

# How the charts may group their points, in the words of the form's choices: a quarter for
# when months rest on too few records to read a change (spc.rests_on_few).
GRAINS = {"month": "Months", "week": "Weeks", "quarter": "Quarters"}
CASE_POINTS = 250


@dataclass(frozen=True)
class Spec:
    """How one figure is charted."""

    population: Callable
    numerator: Callable  # subquery -> SQL condition, or a count expression (see `counts`)
    denominator: Callable
    better: str | None
    unit: str
    title: str
    description: str
    counted: str  # what the denominator counts, in words: "demands", "cases closed"
    counts: bool = False  # numerator and denominator are aggregate expressions themselves
    points: Callable | None = None  # counts each point itself (split.points), not by grouping


def _in(column: str, *values):
    return lambda s: s.c[column].in_(values)


def _every(s):
    return literal(True)


SPECS: dict[str, Spec] = {
    "repeat_demand": Spec(
        pop.demands,
        _in("repeat", *REPEATS),
        _every,
        "lower",
        "rate",
        TITLES["repeat_demand"],
        "Share of demands whose person had an earlier demand to the team in the look-back.",
        "demands",
    ),
    "demands_per_person": Spec(
        pop.demands,
        lambda s: func.count(s.c.id),
        lambda s: func.count(func.distinct(s.c.person_id)),
        "lower",
        "count",
        TITLES["demands_per_person"],
        "Demands received divided by the number of different people they were about.",
        "people",
        counts=True,
    ),
    "referral_mismatch": Spec(
        pop.opened_cases,
        _in("referral_match", "no", "partly"),
        _in("referral_match", "no", "partly", "yes"),
        None,
        "rate",
        TITLES["referral_mismatch"],
        "Share of cases opened, with the judgement recorded, whose referral matched only "
        "partly or not at all.",
        JUDGEMENT_RECORDED,
    ),
    "failure_demand": Spec(
        pop.demands,
        _in("kind", "failure"),
        _in("kind", "failure", "value"),
        "lower",
        "rate",
        TITLES["failure_demand"],
        "Share of classified demands that were failure demand.",
        "classified demands",
    ),
    "handoffs": Spec(
        pop.closed_cases,
        lambda s: s.c.handoffs == 0,
        _every,
        "higher",
        "rate",
        "Closed with no handoff",
        "Share of cases closed that never changed owner after the first owner was set.",
        "cases closed",
    ),
    "same_worker": Spec(
        pop.opened_cases,
        _in("recontact", "same_worker"),
        _in("recontact", *RECONTACTS),
        "higher",
        "rate",
        TITLES["same_worker"],
        "Share of new cases after an earlier closed case that went to the previous owner.",
        "new cases after an earlier one",
    ),
    "closed_by_agreement": Spec(
        pop.closed_cases,
        lambda s: s.c.agreed == 1,
        _every,
        "higher",
        "rate",
        TITLES["closed_by_agreement"],
        "Share of cases closed whose closure records the person's agreement.",
        "cases closed",
    ),
    "returned_within_90_days": Spec(
        pop.closed_cases,
        _in("returned", "returned"),
        _in("returned", "returned", "stayed_away"),
        "lower",
        "rate",
        TITLES["returned_within_90_days"],
        "Share of cases closed (at least 90 days before the period's end) whose person made "
        "another demand to the team within 90 days.",
        "cases closed",
    ),
    "actions": Spec(
        pop.actions_of_cases_opened,
        lambda s: func.sum(s.c.by_person),
        lambda s: func.sum(s.c.agreed),
        None,
        "rate",
        "Actions by the person",
        "Share of agreed actions done by the person and their network, by the week or month "
        "their case opened.",
        "agreed actions",
        counts=True,
    ),
    split.FIGURE: Spec(
        split.population,
        _every,
        _every,
        "lower",
        "rate",
        TITLES["split_across_teams"],
        "Share of the people with a demand who had cases open at the same time in two or more "
        "teams, within each point's days.",
        "people",
        points=split.points,
    ),
}


@dataclass(frozen=True)
class Series:
    """A figure's points over time, ready for charts.xmr_chart."""

    figure: str
    labels: tuple[str, ...]
    starts: tuple[dt.date, ...]
    numerators: tuple[int, ...]
    denominators: tuple[int, ...]
    values: tuple[float | None, ...]
    spec: Spec | None = None
    grain: str = "month"

    @property
    def axis_labels(self) -> tuple[str, ...]:
        """The points' shorter names, for under a chart's x axis."""
        if self.grain == "quarter":
            return self.labels  # "Dec to Feb 2026" is short already
        return tuple(axis_label(start, self.grain) for start in self.starts)


def bucket_starts(f: Filters, grain: str) -> list[dt.date]:
    """The first day of every week (Monday), month or quarter that overlaps the period."""
    if grain == "week":
        first = f.start - dt.timedelta(days=f.start.weekday())
        count = (f.end - first).days // 7 + 1
        return [first + dt.timedelta(weeks=i) for i in range(count)]
    months = 3 if grain == "quarter" else 1
    first = f.start.replace(month=(f.start.month - 1) // months * months + 1, day=1)
    starts, n = [], 0
    while (start := _add_months(first, n)) <= f.end:
        starts.append(start)
        n += months
    return starts


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _index(start: dt.date, grain: str) -> int:
    """The number _bucket gives the point starting on `start` (weeks count from the first)."""
    if grain == "quarter":
        return start.year * 4 + (start.month - 1) // 3
    return start.year * 12 + start.month


def _bucket(column, f: Filters, grain: str):
    """SQL: the week, month or quarter index of a date, matching bucket_starts and _index."""
    if grain == "week":
        monday = f.start - dt.timedelta(days=f.start.weekday())
        return days_between(column, literal(monday, Date)) // 7
    if grain == "quarter":  # whole numbers (PostgreSQL's EXTRACT is numeric) for //
        year, month = (cast(extract(part, column), Integer) for part in ("year", "month"))
        return year * 4 + (month - 1) // 3
    return extract("year", column) * 12 + extract("month", column)


def axis_label(day: dt.date, grain: str | None = None) -> str:
    """A point's name under a chart's x axis, short so that more of them fit: "22 Dec 2025"
    for a week or a day, the month and year for a month ("Dec 2025")."""
    return f"{day:%b %Y}" if grain == "month" else f"{day.day} {day:%b %Y}"


def _label(start: dt.date, grain: str) -> str:
    if grain == "week":
        return f"Week of {uk_date(start)}"
    if grain == "quarter":
        return f"{start:%b} to {_add_months(start, 2):%b %Y}"
    return f"{start:%B %Y}"


def every_series(session: Session, f: Filters, grain: str) -> dict[str, Series]:
    """Every figure's series, by figure: one statement for all the figures counted from one
    population (the demands, cases opened, cases closed), and the people with a demand in
    each point counted once, for demands per person and for split across teams."""
    for_reporting(session)  # once, not for each population
    grouped: dict = {}
    for figure, spec in SPECS.items():
        if spec.points is None:
            grouped.setdefault(spec.population, []).append(figure)
    done: dict[str, Series] = {}
    for figures in grouped.values():
        done |= _counted(session, f, grain, figures)
    for figure, spec in SPECS.items():
        if spec.points is not None:
            people = done["demands_per_person"].denominators
            done[figure] = series(session, f, figure, grain, people=people)
    return {figure: done[figure] for figure in SPECS}


def series(session: Session, f: Filters, figure: str, grain: str, *, people=None) -> Series:
    """The figure per week, month or quarter over the period. `people`: the people with a
    demand in each point (demands per person's denominators), when already counted."""
    spec = SPECS[figure]
    for_reporting(session)
    if spec.points is None:
        return _counted(session, f, grain, [figure])[figure]
    starts = bucket_starts(f, grain)
    if people is None:  # of the people with a demand in each point
        people = series(session, f, "demands_per_person", grain).denominators
    counted = spec.points(session, f, starts, _following(starts[-1], grain))
    return _series(figure, spec, grain, starts, counted, people)


def _counted(session: Session, f: Filters, grain: str, figures: list[str]) -> dict:
    """The series of figures counted from one population, in one statement grouped by point:
    each figure's numerator and denominator side by side (the facts made current first)."""
    starts = bucket_starts(f, grain)
    subquery = SPECS[figures[0]].population(f)
    bucket = _bucket(subquery.c.on, f, grain).label("bucket")
    sums = []
    for figure in figures:
        spec = SPECS[figure]
        if spec.counts:
            sums += [spec.numerator(subquery), spec.denominator(subquery)]
        else:
            sums += [
                func.sum(case((spec.numerator(subquery), 1), else_=0)),
                func.sum(case((spec.denominator(subquery), 1), else_=0)),
            ]
    counts = [[0] * (2 * len(figures)) for _ in starts]
    offset = 0 if grain == "week" else _index(starts[0], grain)
    for index, *values in session.execute(select(bucket, *sums).group_by(bucket)):
        i = int(index) - offset
        if 0 <= i < len(starts):
            counts[i] = [int(value or 0) for value in values]
    return {
        figure: _series(
            figure,
            SPECS[figure],
            grain,
            starts,
            [point[2 * n] for point in counts],
            [point[2 * n + 1] for point in counts],
        )
        for n, figure in enumerate(figures)
    }


def _following(start: dt.date, grain: str) -> dt.date:
    """The first day of the point after the one starting on `start`."""
    if grain == "week":
        return start + dt.timedelta(weeks=1)
    return _add_months(start, 3 if grain == "quarter" else 1)


def _series(figure, spec, grain, starts, numerators, denominators) -> Series:
    values = tuple(
        num / den if den else None for num, den in zip(numerators, denominators, strict=True)
    )
    return Series(
        figure,
        tuple(_label(s, grain) for s in starts),
        tuple(starts),
        tuple(numerators),
        tuple(denominators),
        values,
        spec,
        grain,
    )


def end_to_end_points(session: Session, f: Filters, limit: int = CASE_POINTS):
    """Days from first demand to closure for each case closed in the period, in closing
    order: (case id, closed on, days), the latest `limit` of them."""
    closed = pop.closed_cases(f)
    latest = (
        select(closed.c.id, closed.c.on, closed.c.days)
        .where(closed.c.days.is_not(None))  # transferred: counted in the new case
        .order_by(closed.c.on.desc(), closed.c.id.desc())
        .limit(limit)
    )
    return list(reversed(session.execute(latest).all()))


def rebase_index(starts, when: dt.date | None) -> tuple[int, ...]:
    """Where the limits are recalculated: the first point on or after `when` (none when that
    is the first point or past the last)."""
    if when is None:
        return ()
    for i, start in enumerate(starts):
        if start >= when:
            return (i,) if i > 0 else ()
    return ()
