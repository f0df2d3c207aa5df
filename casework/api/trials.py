"""Test and learn (api.md, "Test and learn, measured like a trial"): a trial's results, and
what the usual system would have done for a case. A demand is recorded into a trial by
POST /api/v1/demands with `trial` (casework/api/demands.py)."""

from __future__ import annotations

from typing import Annotated

from flask import abort
from flask_login import current_user
from pydantic import Field as Described

from .. import policy, rules
from ..extensions import db
from ..trials import access, costs
from ..trials import service as trials
from ..trials.results import results
from .base import answers, bp, spec
from .fields import Body, Choice, Count, Moment, Query, Shape, Text, Whole, moment

Rate = Annotated[float | None, Described(ge=0)]  # a fraction or a mean; null without people
Signed = Annotated[float, Described(ge=-1, le=1)]


class Repeated(Shape):
    people: Count
    repeated: Count
    rate: Rate


class Returned(Shape):
    people: Count
    returned: Count
    rate: Rate


class Arm(Shape):
    randomised: Count
    people: Count
    repeat_demand: Repeated
    returned_within_90_days: Returned
    end_to_end_days: Rate
    minutes_per_person: Rate
    handoffs: Rate


class Arms(Shape):
    pilot: Arm
    usual: Arm


class Difference(Shape):
    """Pilot minus usual, with its 95% interval by Newcombe's hybrid score method"""

    estimate: Signed
    ci95: Annotated[list[Signed], Described(min_length=2, max_length=2)]


class Differences(Shape):
    repeat_demand_rate: Difference | None
    returned_within_90_days: Difference | None


class TrialResults(Shape):
    """Each arm's randomised demands and outcomes over the people with the full follow-up,
    and the differences; `not_randomised` counts the demands routed by the rule"""

    trial: str
    status: Choice(rules.TRIAL_STATUSES)
    follow_up_days: Count
    not_randomised: Count
    arms: Arms
    difference: Differences
    in_words: list[str]
    warnings: list[str]


class FollowUp(Query):
    follow_up_days: Whole(
        0, rules.FOLLOW_UP_DAYS, "Days after the randomised demand in which to look", 180
    ) = 180


# `path`: a trial's name may hold a slash ("Home first / winter"), which arrives decoded.
@bp.get("/trials/<path:name>/results")
@spec.validate(query=FollowUp, resp=answers(200, TrialResults, 400, 403, 404, 422), tags=["Trials"])
def read_trial_results(name: str, query: FollowUp):
    """A trial's results: each arm and the difference with its 95% interval

    For administrators and the managers of either team in the trial. Counted over the
    randomised demands received at least `follow_up_days` before today.
    """
    trial = trials.find(db.session, name)
    if trial is None:
        abort(404, "There is no trial with this name.")
    if not access.can_see_results(current_user, trial):
        abort(403, "A trial's results are for administrators and its teams' managers.")
    return results(db.session, trial, query.follow_up_days)


class Item(Body):
    service: Text(rules.COST_SERVICE, "A service of the team's cost catalogue", required=True)
    count: Whole(1, rules.COUNTERFACTUAL_COUNT, "How many (hours, for a service per hour)")


class CounterfactualIn(Body):
    items: Annotated[list[Item], Described(min_length=1)]
    note: Text(rules.COUNTERFACTUAL_NOTE, "Anything the figures do not say") | None = None


class PricedItem(Shape):
    service: str
    count: int
    unit_cost: float
    per: Choice(rules.COST_UNITS)
    cost: float


class Counterfactual(Shape):
    """What the usual system would have done for this person, priced from the catalogue
    (pounds); `actual` is the case's cost so far, null without a practitioner-hour cost"""

    case_id: int
    items: list[PricedItem]
    note: str | None
    counterfactual: float
    actual: float | None
    recorded_by_id: int | None
    recorded_at: Moment


@bp.post("/cases/<id:case_id>/counterfactual")
@spec.validate(resp=answers(200, Counterfactual, 403, 404, body=True), tags=["Trials"])
def record_counterfactual(case_id: int, json: CounterfactualIn):
    """Record what the usual system would have done for the person of this case

    The case's owner or a manager of its team. Services come from the team's cost
    catalogue (`casework costs set`); what was recorded before is replaced.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    if not access.can_record_counterfactual(current_user, case):
        abort(403, "Only the case's owner or a manager of the team can record this.")
    items = [item.model_dump() for item in json.items]
    record = costs.record_counterfactual(db.session, case, items, json.note, by=current_user)
    db.session.commit()
    return Counterfactual(
        case_id=case.id,
        items=[
            PricedItem(
                service=item.cost_item.service,
                count=item.count,
                unit_cost=costs.pounds(item.cost_item.unit_pence),
                per=item.cost_item.per,
                cost=costs.pounds(item.count * item.cost_item.unit_pence),
            )
            for item in record.items
        ],
        note=record.note,
        counterfactual=costs.pounds(costs.counterfactual_pence(record)),
        actual=costs.case_costs(db.session, case)["actual"],
        recorded_by_id=record.recorded_by_id,
        recorded_at=moment(record.recorded_at),
    )
