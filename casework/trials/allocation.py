"""A demand recorded into a trial: the routing rule first, otherwise a random draw.

The rule (casework/demands/routing.py) is asked of both teams, pilot first: a person with
an open case, or a previous closed case whose owner is still an active member, in either
team goes there, recorded as `not_randomised`; so does a demand the recorder passes to the
person's open case in another team (the rule's first step). Anyone else is drawn: the operating
system's randomness (`secrets`), pilot with probability `share`, else usual. The number
drawn is recorded with the demand; a demand has one allocation (a unique key), so a draw
is never redone, and nobody chooses it: no owner may be named, and the form shows the
result only once saved (ADR 0032).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import audit
from ..demands.routing import (
    Route,
    case_to_pass_to,
    record_demand,
    route_demand,
    validate_demand,
)
from ..exceptions import InvalidValue
from ..formatting import uk_date
from ..models import Demand, Person, Team, User
from .access import can_record_into
from .models import Trial, TrialAllocation

RANDOM = secrets.SystemRandom()  # the source of every draw; tests may put a seeded one here


def draw(share: float) -> tuple[str, float]:
    """One draw: ("pilot" or "usual", the number drawn in [0, 1))."""
    number = RANDOM.random()
    return ("pilot" if number < share else "usual"), number


def routed_by_rule(session: Session, trial: Trial, person: Person, recorder: User):
    """The team the rule sends the person to (open case, then same worker), or None."""
    teams = (trial.pilot_team, trial.usual_team)
    routes = [(team, route_demand(session, person, team, recorder)) for team in teams]
    for kind in ("open_case", "same_worker"):
        for team, route in routes:
            if route.kind == kind:
                return team
    return None


def running_trials(session: Session, user: User) -> list[Trial]:
    """The trials the user may record demands into now."""
    if user.team_id is None:
        return []
    query = select(Trial).where(
        Trial.status == "running",
        or_(Trial.pilot_team_id == user.team_id, Trial.usual_team_id == user.team_id),
    )
    return list(session.scalars(query.order_by(Trial.name)))


def check_trial(trial: Trial | None, recorder: User, received_on, owner) -> dict[str, str]:
    errors: dict[str, str] = {}
    if trial is None:
        return {"trial": "Choose a trial that exists"}
    if not can_record_into(recorder, trial):
        errors["trial"] = (
            f"Your team is not in the trial {trial.name}: only its pilot and usual teams "
            "record its demands"
        )
    elif trial.status != "running":
        errors["trial"] = f"The trial {trial.name} is {trial.status}: record the demand without it"
    if isinstance(received_on, dt.date) and received_on < trial.start_on:
        errors["received_on"] = (
            f"The trial started on {uk_date(trial.start_on)}: a demand received earlier "
            "cannot be in it"
        )
    if owner is not None:
        errors["owner_id"] = "A trial's demand is allocated by the draw: leave the owner empty"
    return errors


def record_trial_demand(
    session: Session,
    trial: Trial | None,
    *,
    person: Person,
    recorder: User,
    owner: User | None = None,
    pass_to_case_id: int | None = None,
    **fields,
) -> tuple[Demand, Route, TrialAllocation]:
    """Record the demand into the trial, routed by the rule or drawn; InvalidValue (nothing
    saved) when the trial, the team or the demand's details are wrong. A demand passed to
    the worker in another team who already knows the person (`pass_to_case_id`) is the
    rule's, like an open case: not randomised."""
    errors = check_trial(trial, recorder, fields.get("received_on"), owner)
    team = recorder.team if recorder.team is not None else Team()
    try:
        validate_demand(team=team, owner=None, **fields)
    except InvalidValue as error:
        errors = error.fields | errors
    if pass_to_case_id is not None:
        try:
            case_to_pass_to(session, person, team, pass_to_case_id)
        except InvalidValue as error:
            errors = error.fields | errors
    if errors:
        raise InvalidValue("Check the demand and its trial", errors)
    arm_team = team if pass_to_case_id else routed_by_rule(session, trial, person, recorder)
    if arm_team is not None:
        allocation, number = "not_randomised", None
    else:
        allocation, number = draw(trial.share)
        arm_team = trial.pilot_team if allocation == "pilot" else trial.usual_team
    demand, route = record_demand(
        session,
        person=person,
        team=arm_team,
        recorder=recorder,
        pass_to_case_id=pass_to_case_id,
        **fields,
    )
    placed = TrialAllocation(
        trial=trial, demand=demand, allocation=allocation, draw=number, recorded_by_id=recorder.id
    )
    session.add(placed)
    session.flush()
    audit.record(
        "create",
        "trial_allocation",
        placed.id,
        person_id=person.id,
        user=recorder,
        trial=trial.name,
        demand_id=demand.id,
        allocation=allocation,
        draw=number,
    )
    return demand, route, placed
