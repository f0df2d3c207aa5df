"""Demands: record one, routed by the rule (the open case, the same worker, or a new case),
or into a trial: the rule first, otherwise a recorded random draw (casework/trials)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy, rules
from ..demands.routing import record_demand
from ..exceptions import InvalidValue
from ..extensions import db
from ..measures import is_repeat
from ..models import Demand as DemandRecord
from ..models import Person, User
from ..people.involvement import open_elsewhere
from ..trials import service as trials
from ..trials.allocation import record_trial_demand
from ..trials.models import TrialAllocation
from .base import answers, bp, referenced, require_team, spec
from .fields import Body, Choice, Date, Day, Id, Moment, Shape, Text, moment


class DemandIn(Body):
    person_id: Id("The person the demand is about")
    received_on: Day(example="2026-11-20")
    source: Text(rules.NAME, "Who it came from, e.g. GP", required=True)
    channel: Choice(rules.CHANNELS)
    stated_need: Text(rules.STATED_NEED, "The need as the referrer stated it", required=True)
    kind: Choice(rules.DEMAND_KINDS, "Value or failure demand") | None = None
    owner_id: Id("The owner, when this opens a new case (not a re-contact)") | None = None
    trial: Text(rules.TRIAL_NAME, "A running trial: routed by the rule, else drawn") | None = None
    pass_to_case_id: (
        Id("An open case of this person in another team: the demand joins it instead") | None
    ) = None


class Demand(Shape):
    id: int
    person_id: int
    team: str
    case_id: int | None
    received_on: Date
    source: str
    channel: Choice(rules.CHANNELS)
    stated_need: str
    kind: Choice(rules.DEMAND_KINDS) | None
    routed_by: Choice(rules.ROUTES) | None
    imported: bool
    is_repeat: bool
    case_owner_id: int | None
    recorded_at: Moment
    allocation: Choice(rules.ALLOCATIONS, "In a trial: drawn to an arm, or routed by rule") | None


class OpenElsewhere(Shape):
    """An open case of the person in a team other than the recorder's"""

    team: str
    case_id: int
    owner_id: int | None


class DemandRecorded(Demand):
    """The demand, and the person's open cases in other teams (empty when none)"""

    also_open_in: list[OpenElsewhere]


def demand_json(session: Session, demand: DemandRecord) -> Demand:
    return Demand(
        id=demand.id,
        person_id=demand.person_id,
        team=demand.team.name,
        case_id=demand.case_id,
        received_on=demand.received_on,
        source=demand.source,
        channel=demand.channel,
        stated_need=demand.stated_need,
        kind=demand.kind,
        routed_by=demand.routed_by,
        imported=bool(demand.imported),
        is_repeat=is_repeat(session, demand),
        case_owner_id=demand.case.owner_id if demand.case else None,
        recorded_at=moment(demand.recorded_at),
        allocation=session.scalar(
            select(TrialAllocation.allocation).where(TrialAllocation.demand_id == demand.id)
        ),
    )


@bp.post("/demands")
@spec.validate(resp=answers(201, DemandRecorded, 403, 404, 409, body=True), tags=["Demands"])
def create_demand(json: DemandIn):
    """Record a demand, routed by the rule (open case, same worker, or a new case)

    With `trial`, into a running trial of the recorder's team: the rule first
    (`allocation` "not_randomised"), otherwise a recorded random draw sends it to a new
    case in the pilot team (with the trial's share) or the usual team ("pilot", "usual").
    The owner is not chosen in a trial: leave `owner_id` out.

    `also_open_in` lists the person's open cases in other teams. With `pass_to_case_id`
    (one of them) the demand joins that case instead (`routed_by` "passed_to_owner"): the
    recorder gains no access to it and its owner is told; any other id → 422. A team's
    first case with someone other teams know starts a relationship: audited as
    `relationship_started`, and the owners of their open cases elsewhere are told.
    """
    require_team()
    referenced(Person, json.person_id, "person_id", "person")
    person = policy.get_person_for_demand(current_user, json.person_id)
    owner = referenced(User, json.owner_id, "owner_id", "user")
    details = {
        "received_on": json.received_on,
        "source": json.source,
        "channel": json.channel,
        "stated_need": json.stated_need,
        "kind": json.kind,
        "pass_to_case_id": json.pass_to_case_id,
    }
    if json.trial is None:
        demand, _ = record_demand(
            db.session,
            person=person,
            team=current_user.team,
            recorder=current_user,
            owner=owner,
            **details,
        )
    else:
        trial = trials.find(db.session, json.trial.strip())
        if trial is None:
            raise InvalidValue("Check the trial", {"trial": "There is no trial with this name"})
        demand, _, _ = record_trial_demand(
            db.session, trial, person=person, recorder=current_user, owner=owner, **details
        )
    db.session.commit()
    elsewhere = open_elsewhere(db.session, person, current_user.team_id)
    return DemandRecorded(
        **demand_json(db.session, demand).model_dump(),
        also_open_in=[
            OpenElsewhere(team=c.team.name, case_id=c.id, owner_id=c.owner_id) for c in elsewhere
        ],
    ), 201
