"""Measures: every figure of measures.md for a period, cohort and team."""

from __future__ import annotations

from typing import Annotated

from flask import abort
from flask_login import current_user
from pydantic import ConfigDict, create_model
from pydantic import Field as Described

from .. import policy, rules
from ..admin.service import find_team
from ..exceptions import InvalidValue
from ..extensions import db
from ..measures.figures import compute
from ..measures.populations import COHORT_CHOICES
from .base import answers, bp, spec
from .fields import Choice, Count, Date, Day, Query, Shape, Text

Rate = float | None  # a fraction (0..1) or a mean; null when its denominator is 0
RATES = {"rate", "ratio", "mean", "median", "p90"}
MEASURE_PARTS = {
    "repeat_demand": ("repeat", "total", "rate", "while_open", "after_closure", "no_case"),
    "demands_per_person": ("demands", "people", "ratio"),
    "referral_mismatch": ("no", "partly", "yes", "recorded", "rate"),
    "failure_demand": ("failure", "value", "unclassified", "rate"),
    "handoffs": ("closed", "zero_handoffs", "rate", "mean"),
    "same_worker": ("recontacts", "same_worker", "rate", "owner_left"),
    "closed_by_agreement": ("closed", "agreed", "rate", "by_outcome"),
    "end_to_end_days": ("closed", "median", "p90"),
    "returned_within_90_days": ("eligible", "returned", "rate"),
    "actions": ("person", "team", "done", "dropped", "open"),
    "split_across_teams": ("people", "with_open_cases_in_2_or_more_teams", "rate"),
}


ByOutcome = create_model(
    "ByOutcome",
    __base__=Shape,
    __doc__="Cases closed in the period by how they ended (ADR 0033)",
    **{outcome: (Count, ...) for outcome in rules.CLOSURE_OUTCOMES},
)
NESTED = {"by_outcome": ByOutcome}


def _figure(name: str, parts: tuple[str, ...]):
    fields = {
        part: (
            NESTED.get(part) or (Annotated[Rate, Described(ge=0)] if part in RATES else Count),
            ...,
        )
        for part in parts
    }
    title = "".join(word.title() for word in name.split("_"))
    return create_model(title, __base__=Shape, **fields)


class Measures(Shape):
    """Every figure of measures.md; a rate is a fraction (0..1), null when its denominator
    is 0"""

    model_config = ConfigDict(populate_by_name=True)
    from_: Date = Described(alias="from")
    to: Date
    cohort: Choice(rules.COHORTS + ("all",))
    team: str | None


class CostOfJourney(Shape):
    """Closed cases of the teams with a practitioner-hour cost, in pounds: actual = the
    minutes recorded x that cost + the costs of the asks granted; against what the usual
    system would have done, over the cases where it was recorded. Null without a catalogue"""

    cases: Count
    actual_mean: Annotated[float | None, Described(ge=0)]
    counterfactual_mean: Annotated[float | None, Described(ge=0)]
    difference_mean: float | None  # actual minus counterfactual: negative when cheaper
    counterfactual_recorded: Count


Measures = create_model(
    "Measures",
    __base__=Measures,
    **{name: (_figure(name, parts), ...) for name, parts in MEASURE_PARTS.items()},
    cost_of_journey=(CostOfJourney | None, ...),
)


class Period(Query):
    from_: Day("First day") = Described(alias="from")
    to: Day("Last day")
    cohort: Choice(COHORT_CHOICES, example="all") = "all"
    team: Text(rules.NAME, "A team's name") | None = None


@bp.get("/measures")
@spec.validate(resp=answers(200, Measures, 403, 422), tags=["Measures"])
def read_measures(query: Period):
    """Every figure of measures.md for a period, cohort and team

    The same figures as the measures page and `casework measures`. Managers, leads and
    administrators read any team's figures, or every team's together. Without `team`, a
    manager's own team is taken, unless they ask for the other cohort (every team of that
    cohort); leads and administrators get every team.
    """
    if not policy.can_see_measures(current_user):
        abort(403, policy.ONLY_MEASURES_READERS)
    team_id = policy.default_measures_team(current_user, query.cohort)
    if query.team:
        team = find_team(db.session, query.team)
        if team is None:
            raise InvalidValue("Check the team", {"team": rules.NO_TEAM_NAMED})
        team_id = team.id
    if not policy.can_see_team_measures(current_user, team_id):
        abort(403, policy.ONLY_OWN_TEAMS_MEASURES)
    return compute(
        db.session, start=query.from_, end=query.to, cohort=query.cohort, team_id=team_id
    )
