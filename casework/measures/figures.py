"""Every figure of measures.md for a period, cohort and team, by aggregate SQL.

`compute(session, start=, end=, cohort=, team_id=)` returns exactly the JSON of
`GET /api/v1/measures` (api.md). Each figure is a handful of GROUP BY queries
over the populations in populations.py; no query loads every row into Python.
`PARTS` names, for every figure, the records behind each of its numbers (the
drill-down lists count the same rows with the same conditions).

Rates are fractions rounded to 6 places, or None when the denominator is 0.
Percentiles of end-to-end days use linear interpolation between closest ranks
(PostgreSQL's percentile_cont, Excel's PERCENTILE.INC, numpy's default): with
the days sorted as x[0..n-1], the p-th percentile is at position h = (n-1)·p,
x[floor(h)] + (h − floor(h))·(x[ceil(h)] − x[floor(h)]). So the median of an
even number of cases is the mean of the middle two. The days are whole numbers,
so the database returns how many cases took each number of days (a few hundred
rows at most), and the ranks are read from those counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..exceptions import InvalidValue
from ..formatting import uk_date
from ..models import Team
from ..rules import CLOSURE_OUTCOMES, EARLIEST_DEMAND, NO_COHORT, NO_SUCH_TEAM
from ..trials.costs import cost_of_journey
from . import populations as pop
from . import split
from .facts import ACTION_COUNTS, for_reporting
from .names import CLOSED_IN_PERIOD, DEMANDS_IN_PERIOD, PEOPLE_IN_PERIOD, TITLES
from .populations import COHORT_CHOICES, Filters

MAX_PERIOD_DAYS = 20 * 366


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction rounded to 6 places, or None (shown as "no data") when nothing was counted."""
    return round(numerator / denominator, 6) if denominator else None


@dataclass(frozen=True)
class Part:
    """One number of a figure: which population it counts, and which of its rows."""

    population: str  # demands | people | opened | closed | actions
    label: str
    where: object = None  # function(subquery) -> SQL condition, or None for every row


def _is(column: str, *values: str):
    return lambda s: s.c[column].in_(values)


REPEATS = ("while_open", "after_closure", "no_case")
RECONTACTS = ("same_worker", "owner_left", "other_worker")

PARTS: dict[str, dict[str, Part]] = {
    "repeat_demand": {
        "total": Part("demands", DEMANDS_IN_PERIOD),
        "repeat": Part("demands", "Repeat demands", _is("repeat", *REPEATS)),
        "while_open": Part("demands", "Repeats while a case was open", _is("repeat", "while_open")),
        "after_closure": Part(
            "demands", "Repeats after a case had closed", _is("repeat", "after_closure")
        ),
        "no_case": Part("demands", "Repeats with no case", _is("repeat", "no_case")),
    },
    "demands_per_person": {
        "demands": Part("demands", DEMANDS_IN_PERIOD),
        "people": Part("people", PEOPLE_IN_PERIOD),
    },
    "referral_mismatch": {
        "recorded": Part(
            "opened",
            "Cases with the judgement recorded",
            _is("referral_match", "yes", "partly", "no"),
        ),
        "mismatch": Part(
            "opened", "Referral did not (fully) match", _is("referral_match", "partly", "no")
        ),
        "no": Part("opened", "Referral did not match", _is("referral_match", "no")),
        "partly": Part("opened", "Referral partly matched", _is("referral_match", "partly")),
        "yes": Part("opened", "Referral matched", _is("referral_match", "yes")),
    },
    "failure_demand": {
        "classified": Part("demands", "Demands classified", _is("kind", "value", "failure")),
        "failure": Part("demands", "Failure demands", _is("kind", "failure")),
        "value": Part("demands", "Value demands", _is("kind", "value")),
        "unclassified": Part("demands", "Unclassified demands", _is("kind", "unclassified")),
    },
    "handoffs": {
        "closed": Part("closed", CLOSED_IN_PERIOD),
        "zero_handoffs": Part(
            "closed", "Closed with no change of owner", lambda s: s.c.handoffs == 0
        ),
        "with_handoffs": Part(
            "closed", "Closed after changes of owner", lambda s: s.c.handoffs > 0
        ),
    },
    "same_worker": {
        "recontacts": Part(
            "opened", "New cases after an earlier closed case", _is("recontact", *RECONTACTS)
        ),
        "same_worker": Part("opened", "Back to the same worker", _is("recontact", "same_worker")),
        "owner_left": Part(
            "opened", "Previous owner had left the team", _is("recontact", "owner_left")
        ),
        "other_worker": Part(
            "opened",
            "Another worker, though the previous owner was still in the team",
            _is("recontact", "other_worker"),
        ),
    },
    "closed_by_agreement": {
        "closed": Part("closed", CLOSED_IN_PERIOD),
        "agreed": Part("closed", TITLES["closed_by_agreement"], lambda s: s.c.agreed == 1),
        "not_agreed": Part(
            "closed", "Closed without a recorded agreement", lambda s: s.c.agreed == 0
        ),
        **{
            outcome: Part("closed", words, _is("outcome", outcome))
            for outcome, words in CLOSURE_OUTCOMES.items()
            if outcome != "agreed"
        },
    },
    "end_to_end_days": {
        "closed": Part(
            "closed",
            "Cases closed in the period (transferred ones count in the new case)",
            lambda s: s.c.days.is_not(None),
        ),
    },
    "returned_within_90_days": {
        "eligible": Part(
            "closed",
            "Closed at least 90 days before the period's end",
            _is("returned", "returned", "stayed_away"),
        ),
        "returned": Part("closed", "Came back within 90 days", _is("returned", "returned")),
    },
    "actions": {
        "all": Part("actions", "Agreed actions of cases active in the period"),
        "person": Part("actions", "Done by the person and their network", _is("by", "person")),
        "team": Part("actions", "Done by the team", _is("by", "team")),
        "done": Part("actions", "Done", _is("status", "done")),
        "dropped": Part("actions", "Dropped", _is("status", "dropped")),
        "open": Part("actions", "Still open", _is("status", "agreed")),
    },
    split.FIGURE: {
        "people": Part("people", PEOPLE_IN_PERIOD),
        split.SPLIT: Part(
            "split",
            "People with cases open at the same time in two or more teams",
            lambda s: s.c.split == 1,
        ),
    },
}

POPULATIONS = {
    "demands": pop.demands,
    "people": pop.demands,  # people are the distinct persons of the demands
    "opened": pop.opened_cases,
    "closed": pop.closed_cases,
    "actions": pop.actions,
    "split": split.population,  # the demands, each marked when its person is split
}
PEOPLE_POPULATIONS = ("people", "split")  # listed a person a row (drilldown._people)


def part(figure: str, name: str) -> Part | None:
    return PARTS.get(figure, {}).get(name)


LATEST_END = dt.date(2100, 1, 1)  # no figure is asked of a later day; keeps date arithmetic safe


def check_filters(
    session: Session, *, start, end, cohort: str = "all", team_id: int | None = None
) -> Filters:
    """The filters, or InvalidValue naming each one to fix (in plain English)."""
    errors: dict[str, str] = {}
    if not isinstance(start, dt.date):
        errors["from"] = "Enter the first day of the period as a real date"
    if not isinstance(end, dt.date):
        errors["to"] = "Enter the last day of the period as a real date"
    if not errors and start < EARLIEST_DEMAND:
        errors["from"] = f"The period must start after {uk_date(EARLIEST_DEMAND)}"
    elif not errors and end > LATEST_END:
        errors["to"] = f"The period must end before {uk_date(LATEST_END)}"
    elif not errors and end < start:
        errors["to"] = "The last day of the period must be on or after the first day"
    elif not errors and (end - start).days > MAX_PERIOD_DAYS:
        errors["from"] = "The period can be at most 20 years long"
    if cohort not in COHORT_CHOICES:
        errors["cohort"] = NO_COHORT
    if team_id is not None and session.get(Team, team_id) is None:
        errors["team"] = NO_SUCH_TEAM
    if errors:
        raise InvalidValue("Check the period, cohort and team", errors)
    return Filters(start, end, cohort, team_id)


def compute(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    cohort: str = "all",
    team_id: int | None = None,
) -> dict:
    """Every figure for the period, cohort and team: the JSON of GET /api/v1/measures."""
    f = check_filters(session, start=start, end=end, cohort=cohort, team_id=team_id)
    team = session.get(Team, team_id) if team_id is not None else None
    for_reporting(session)
    demands = demand_figures(session, f)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "cohort": cohort,
        "team": team.name if team else None,
        **demands,
        **opened_case_figures(session, f),
        **closed_case_figures(session, f),
        "actions": action_figures(session, f),
        "cost_of_journey": cost_of_journey(session, f),
        split.FIGURE: split_figure(session, f, demands["demands_per_person"]["people"]),
    }


def split_figure(session: Session, f: Filters, people: int) -> dict:
    """Of the people with a demand in the period (counted for demands per person), those
    split across teams (split.py)."""
    split_people = split.count(session, f)
    return {"people": people, split.SPLIT: split_people, "rate": rate(split_people, people)}


def _grouped(session: Session, population, *columns: str, by_day=False) -> dict[tuple, int]:
    """Row counts of a population grouped by some of its columns.

    `by_day`: grouped first by day, then added up here. Where the facts' index is in that
    order, SQLite counts as it reads the index instead of sorting every row of the period;
    worth it when a day holds many rows of each group."""
    cols = [population.c[name] for name in columns]
    groups = [population.c.on, *cols] if by_day else cols
    counts: Counter = Counter()
    # the day groups but is not read: thousands of dates not turned into Python's
    for *key, n in session.execute(select(*cols, func.count()).group_by(*groups)):
        counts[tuple(key)] += n
    return dict(counts)


def _sum(counts: dict[tuple, int], index: int, *values) -> int:
    return sum(n for key, n in counts.items() if key[index] in values)


def demand_figures(session: Session, f: Filters) -> dict:
    # Two statements over the facts' index: the counts by repeat split and kind, and the
    # number of different people (populations.people_with_demand).
    demands = pop.demands(f)
    counts = _grouped(session, demands, "repeat", "kind", by_day=True)
    people_count = session.scalar(pop.people_with_demand(f))
    total = sum(counts.values())
    repeat = _sum(counts, 0, *REPEATS)
    failure, value = _sum(counts, 1, "failure"), _sum(counts, 1, "value")
    return {
        "repeat_demand": {
            "repeat": repeat,
            "total": total,
            "rate": rate(repeat, total),
            **{split: _sum(counts, 0, split) for split in REPEATS},
        },
        "demands_per_person": {
            "demands": total,
            "people": people_count,
            "ratio": rate(total, people_count),
        },
        "failure_demand": {
            "failure": failure,
            "value": value,
            "unclassified": _sum(counts, 1, "unclassified"),
            "rate": rate(failure, failure + value),
        },
    }


def opened_case_figures(session: Session, f: Filters) -> dict:
    counts = _grouped(session, pop.opened_cases(f), "referral_match", "recontact", by_day=True)
    no, partly, yes = (_sum(counts, 0, judgement) for judgement in ("no", "partly", "yes"))
    recorded = no + partly + yes
    recontacts = _sum(counts, 1, *RECONTACTS)
    same = _sum(counts, 1, "same_worker")
    return {
        "referral_mismatch": {
            "no": no,
            "partly": partly,
            "yes": yes,
            "recorded": recorded,
            "rate": rate(no + partly, recorded),
        },
        "same_worker": {
            "recontacts": recontacts,
            "same_worker": same,
            "rate": rate(same, recontacts),
            "owner_left": _sum(counts, 1, "owner_left"),
        },
    }


def closed_case_figures(session: Session, f: Filters) -> dict:
    # One pass over the population: counts by end-to-end days, handoffs, agreement and return.
    # Days are whole numbers in a short range, so the percentiles come from the same counts.
    counts = _grouped(
        session, pop.closed_cases(f), "days", "handoffs", "agreed", "returned", "outcome"
    )
    n = sum(counts.values())
    days: Counter = Counter()
    for (day, *_), count in counts.items():
        if day is not None:  # a transferred case's days count in the receiving team's case
            days[day] += count
    median, p90 = percentiles(days)
    handoffs = sum(key[1] * count for key, count in counts.items())
    zero, agreed = _sum(counts, 1, 0), _sum(counts, 2, 1)
    returned = _sum(counts, 3, "returned")
    eligible = _sum(counts, 3, "returned", "stayed_away")
    return {
        "handoffs": {
            "closed": n,
            "zero_handoffs": zero,
            "rate": rate(zero, n),
            "mean": rate(handoffs, n),
        },
        "closed_by_agreement": {
            "closed": n,
            "agreed": agreed,
            "rate": rate(agreed, n),
            "by_outcome": {outcome: _sum(counts, 4, outcome) for outcome in CLOSURE_OUTCOMES},
        },
        "end_to_end_days": {
            "closed": sum(days.values()),
            "median": median,
            "p90": p90,
        },
        "returned_within_90_days": {
            "eligible": eligible,
            "returned": returned,
            "rate": rate(returned, eligible),
        },
    }


def percentiles(histogram: Counter, ps=(0.5, 0.9)) -> list[float | int | None]:
    """The ps-th percentiles of numbers given as {value: how many times} by linear
    interpolation (see above): only the values at the ranks needed are looked up."""
    n = sum(histogram.values())
    if n == 0:
        return [None for _ in ps]
    ranked = sorted(histogram.items())

    def at_rank(rank: int):  # 0-based rank in the sorted numbers
        seen = 0
        for value, count in ranked:
            seen += count
            if rank < seen:
                return value
        return ranked[-1][0]

    results = []
    for p in ps:
        h = (n - 1) * Fraction(str(p))
        low = math.floor(h)
        below = at_rank(low)
        above = at_rank(low + 1) if low + 1 < n else below
        result = below + (h - low) * (above - below)
        results.append(int(result) if result.denominator == 1 else round(float(result), 1))
    return results


def action_figures(session: Session, f: Filters) -> dict:
    """The action counts of the cases active in the period, added up (the list behind each
    number is those cases' actions: populations.actions)."""
    active = pop.active_cases(f)
    sums = [func.coalesce(func.sum(active.c[f"actions_{name}"]), 0) for name in ACTION_COUNTS]
    return dict(zip(ACTION_COUNTS, session.execute(select(*sums)).one(), strict=True))
