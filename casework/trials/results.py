"""A trial's results: each arm's outcomes and the differences with Newcombe's interval.

Counted over the people randomised at least `follow_up_days` before today (each person
once, in the arm of their first randomised demand, so only people with the whole follow-up
count). The outcomes of a person:
- repeat demand: another demand to either team within `follow_up_days` after the one
  randomised (received that day or later);
- returned within 90 days: the case of the randomised demand closed at least 90 days ago
  and the person came back to the team within 90 days of the closure (the measure facts);
- end-to-end days (closed cases: first demand to closure), handoffs (changes of owner) and
  practitioner minutes recorded, all of that case.
The differences are pilot minus usual. Demands routed by the rule (`not_randomised`) are
counted apart: comparing them would bring back the bias the draw removes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from .. import clock
from ..exceptions import InvalidValue
from ..measures.facts import RETURN_WINDOW_DAYS, for_reporting
from ..measures.figures import percentiles, rate
from ..measures.sql import any_row, days_between
from ..models import CaseFact, Demand
from ..rules import FOLLOW_UP_DAYS
from .models import CaseCostFact, Trial, TrialAllocation
from .statistics import Interval, difference

ARMS = ("pilot", "usual")
MIN_PEOPLE = 30  # fewer people in an arm than this, and the interval is too wide to mean much
WIDE = 0.3  # an interval wider than 30 points says little either way
PROPORTIONS = {  # the outcomes compared, with the words for them
    "repeat_demand_rate": ("repeat_demand", "repeated", "to make another demand"),
    "returned_within_90_days": (
        "returned_within_90_days",
        "returned",
        "to come back within 90 days",
    ),
}


@dataclass
class Person:
    arm: str
    repeated: bool
    closed_on: dt.date | None
    returned: bool | None
    days: int | None
    handoffs: int
    minutes: int


def check_follow_up(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    written = str(value).strip() == str(days)
    if isinstance(value, bool) or not 0 <= days <= FOLLOW_UP_DAYS or not written:
        raise InvalidValue(
            "Check the follow-up",
            {"follow_up_days": f"Enter the follow-up as whole days from 0 to {FOLLOW_UP_DAYS}"},
        )
    return days


def _people(session: Session, trial: Trial, follow_up: int, today: dt.date) -> list[Person]:
    cutoff = today - dt.timedelta(days=follow_up)
    randomised = (
        select(Demand.person_id, func.min(Demand.id).label("demand_id"))
        .join(TrialAllocation, TrialAllocation.demand_id == Demand.id)
        .where(
            TrialAllocation.trial_id == trial.id,
            TrialAllocation.allocation.in_(ARMS),
            Demand.entered_in_error_at.is_(None),
        )
        .group_by(Demand.person_id)
        .subquery("first_randomised")
    )
    first, other = aliased(Demand), aliased(Demand)
    repeated = any_row(
        other.person_id == first.person_id,
        other.team_id.in_(trial.team_ids),
        other.id != first.id,
        other.entered_in_error_at.is_(None),
        other.received_on >= first.received_on,
        days_between(other.received_on, first.received_on) <= follow_up,
    )
    rows = session.execute(
        select(
            TrialAllocation.allocation,
            repeated,
            CaseFact.closed_on,
            CaseFact.returned,
            CaseFact.days,
            CaseFact.handoffs,
            CaseCostFact.minutes,
        )
        .select_from(randomised)
        .join(first, first.id == randomised.c.demand_id)
        .join(TrialAllocation, TrialAllocation.demand_id == first.id)
        .outerjoin(CaseFact, CaseFact.case_id == first.case_id)
        .outerjoin(CaseCostFact, CaseCostFact.case_id == first.case_id)
        .where(and_(first.received_on <= cutoff, first.received_on >= trial.start_on))
    )
    return [
        Person(arm, bool(rep), closed, ret, days, handoffs or 0, minutes or 0)
        for arm, rep, closed, ret, days, handoffs, minutes in rows
    ]


def _arm(people: list[Person], randomised: int, today: dt.date) -> dict:
    n = len(people)
    repeated = sum(p.repeated for p in people)
    window = today - dt.timedelta(days=RETURN_WINDOW_DAYS)
    eligible = [p for p in people if p.closed_on is not None and p.closed_on <= window]
    returned = sum(bool(p.returned) for p in eligible)
    days = Counter(p.days for p in people if p.days is not None)
    return {
        "randomised": randomised,
        "people": n,
        "repeat_demand": {"people": n, "repeated": repeated, "rate": rate(repeated, n)},
        "returned_within_90_days": {
            "people": len(eligible),
            "returned": returned,
            "rate": rate(returned, len(eligible)),
        },
        "end_to_end_days": percentiles(days, (0.5,))[0],
        "minutes_per_person": rate(sum(p.minutes for p in people), n),
        "handoffs": rate(sum(p.handoffs for p in people), n),
    }


def _interval(pilot: dict, usual: dict, key: str) -> Interval | None:
    if not pilot["people"] or not usual["people"]:
        return None
    return difference(pilot[key], pilot["people"], usual[key], usual["people"])


def results(session: Session, trial: Trial, follow_up_days=180, today: dt.date | None = None):
    """The JSON of GET /api/v1/trials/NAME/results (api.md), with warnings and plain words."""
    follow_up = check_follow_up(follow_up_days)
    today = today or clock.today()
    for_reporting(session)
    people = _people(session, trial, follow_up, today)
    counts = _randomised_counts(session, trial, today - dt.timedelta(days=follow_up))
    arms = {
        arm: _arm([p for p in people if p.arm == arm], counts.get(arm, 0), today) for arm in ARMS
    }
    differences, words = {}, []
    for name, (outcome, key, phrase) in PROPORTIONS.items():
        pilot, usual = arms["pilot"][outcome], arms["usual"][outcome]
        interval = _interval(pilot, usual, key)
        differences[name] = (
            None
            if interval is None
            else {
                "estimate": round(interval.estimate, 6),
                "ci95": [round(interval.low, 6), round(interval.high, 6)],
            }
        )
        if interval is not None:
            words.append(plain_words(pilot["rate"], usual["rate"], interval, phrase))
    return {
        "trial": trial.name,
        "status": trial.status,
        "follow_up_days": follow_up,
        "not_randomised": counts.get("not_randomised", 0),
        "arms": arms,
        "difference": differences,
        "in_words": words,
        "warnings": warnings(arms, differences),
    }


def _randomised_counts(session: Session, trial: Trial, cutoff: dt.date) -> dict[str, int]:
    """Demands drawn into each arm up to the cutoff; and every demand routed by the rule."""
    followed = Demand.received_on <= cutoff
    query = (
        select(TrialAllocation.allocation, func.count())
        .join(Demand, Demand.id == TrialAllocation.demand_id)
        .where(
            TrialAllocation.trial_id == trial.id,
            or_(followed, TrialAllocation.allocation == "not_randomised"),
        )
        .group_by(TrialAllocation.allocation)
    )
    return dict(session.execute(query).all())


def plain_words(pilot: float, usual: float, interval: Interval, phrase: str) -> str:
    """ "People in the pilot arm were less likely to make another demand: 12% against 48%, a
    difference of 36 points, 95% interval 21 to 49 points" (when the interval crosses zero,
    it is given with its signs, and says so)."""
    low, high = interval.low * 100, interval.high * 100
    if round(interval.estimate * 100) == 0:
        direction = "as likely as those in the usual arm"
    else:
        direction = "less likely" if interval.estimate < 0 else "more likely"
    if low < 0 < high:
        span = f"{low:+.0f} to {high:+.0f} points, so the difference could be either way"
    elif interval.estimate < 0:
        span = f"{-high:.0f} to {-low:.0f} points"
    else:
        span = f"{low:.0f} to {high:.0f} points"
    return (
        f"People in the pilot arm were {direction} {phrase}: {pilot:.0%} against {usual:.0%}, "
        f"a difference of {abs(round(interval.estimate * 100))} points, 95% interval {span}"
    )


def warnings(arms: dict, differences: dict) -> list[str]:
    found = []
    for arm in ARMS:
        n = arms[arm]["people"]
        if n < MIN_PEOPLE:
            found.append(
                f"The {arm} arm has {n} {'person' if n == 1 else 'people'} with the full "
                f"follow-up: fewer than {MIN_PEOPLE}, so the interval is too wide to mean much."
            )
    for name, value in differences.items():
        if value is not None and value["ci95"][1] - value["ci95"][0] > WIDE:
            words = name.replace("_", " ")
            found.append(
                f"The interval for {words} spans more than {WIDE * 100:.0f} points: "
                "the trial cannot yet tell a small difference from none."
            )
    return found
