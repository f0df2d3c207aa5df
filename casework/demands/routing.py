"""How a new demand is routed: the one rule every entry point uses (measures.md).

1. The person has an open case in the team: the demand joins it.
2. Otherwise, when the person's most recent case in the team is closed and its
   owner is still an active member of the team: a new case, same worker.
3. Otherwise: a new case owned by the worker chosen at intake, or by the
   practitioner recording it, or awaiting allocation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit, clock
from ..exceptions import InvalidValue
from ..formatting import uk_date
from ..models import Case, Demand, OwnershipChange, Person, Team, User
from ..notifications import events
from ..people.service import require_not_merged
from ..rules import (
    CHANNELS,
    DEMAND_KINDS,
    EARLIEST_DEMAND,
    NAME,
    NO_CHANNEL,
    NO_RECEIVED_ON,
    NO_SOURCE,
    NO_STATED_NEED,
    STATED_NEED,
    too_long,
)


@dataclass(frozen=True)
class Route:
    """Where a demand goes: `kind` is open_case, same_worker or new_case."""

    kind: str
    owner: User | None
    open_case: Case | None = None
    previous_case: Case | None = None

    def describe(self, person: Person, recorder: User) -> str:
        """The routing decision in plain words, shown before the demand is saved."""
        if self.kind == "open_case":
            owner = self.owner.name if self.owner else "nobody yet (awaiting allocation)"
            return f"This joins {person.given_name}'s open case, owned by {owner}."
        if self.kind == "same_worker":
            return (
                f"This goes back to {self.owner.name}, who closed {person.given_name}'s case "
                f"on {uk_date(self.previous_case.closed_on)}."
            )
        if self.owner is None:
            return "This opens a new case, awaiting allocation by a manager."
        if self.owner.id == recorder.id:
            return "This opens a new case owned by you."
        return f"This opens a new case owned by {self.owner.name}."


def is_active_member(user: User | None, team: Team) -> bool:
    return user is not None and user.active and user.team_id == team.id


# The reason recorded with a new case's first owner, by how the demand was routed.
FIRST_OWNER_REASON = {
    "same_worker": "Re-contact: back to the worker who knows the person",
    "new_case": "First owner, set at intake",
}


def route_kind(*, has_open_case: bool, previous_owner_stays: bool) -> str:
    """The rule, from two facts about the person's most recent case in the team: it is
    still open (the demand joins it); or it is closed and its owner is still an active
    member of the team (a new case, same worker); else a new case. The app asks it of the
    database (route_demand); the synthetic history of its simulation (synthetic/history.py)."""
    if has_open_case:
        return "open_case"
    if previous_owner_stays:
        return "same_worker"
    return "new_case"


def route_demand(
    session: Session, person: Person, team: Team, recorder: User, chosen_owner: User | None = None
) -> Route:
    """Decide where a new demand for the person goes, without changing anything."""
    latest = session.scalar(
        select(Case)
        .where(Case.person_id == person.id, Case.team_id == team.id)
        .order_by(Case.closed_on.is_(None).desc(), Case.opened_on.desc(), Case.id.desc())
        .limit(1)
    )
    has_open_case = latest is not None and latest.is_open
    kind = route_kind(
        has_open_case=has_open_case,
        previous_owner_stays=(
            not has_open_case and latest is not None and is_active_member(latest.owner, team)
        ),
    )
    if kind == "open_case":
        return Route("open_case", latest.owner, open_case=latest)
    if kind == "same_worker":
        return Route("same_worker", latest.owner, previous_case=latest)
    if chosen_owner is not None:
        owner = chosen_owner
    elif recorder.role == "practitioner" and recorder.team_id == team.id:
        owner = recorder
    else:
        owner = None
    return Route("new_case", owner, previous_case=latest)


# Older referrals than this are not history anyone can act on; an older date is a typo.
def validate_demand(
    *, team: Team, received_on, source, channel, stated_need, kind, owner: User | None
) -> dict:
    """Clean a demand's fields or raise InvalidValue naming each one to fix."""
    errors: dict[str, str] = {}
    if not isinstance(received_on, dt.date):
        errors["received_on"] = NO_RECEIVED_ON
    elif received_on > clock.today():
        errors["received_on"] = "The date received must be today or in the past"
    elif received_on < EARLIEST_DEMAND:
        errors["received_on"] = "The date received must be after 1 January 1990: check the year"
    source = (source or "").strip()
    if not source:
        errors["source"] = NO_SOURCE
    elif len(source) > NAME:
        errors["source"] = too_long(NAME, "Source must be")
    if channel not in CHANNELS:
        errors["channel"] = NO_CHANNEL
    stated_need = (stated_need or "").strip()
    if not stated_need:
        errors["stated_need"] = NO_STATED_NEED
    elif len(stated_need) > STATED_NEED:
        errors["stated_need"] = too_long(STATED_NEED, "Stated need must be")
    if kind in ("", None):
        kind = None
    elif kind not in DEMAND_KINDS:
        errors["kind"] = "Choose value demand, failure demand or not sure yet"
    if owner is not None and not is_active_member(owner, team):
        errors["owner_id"] = "Choose an active member of the team as the owner"
    if errors:
        raise InvalidValue("Check the demand's details", errors)
    return dict(
        received_on=received_on,
        source=source,
        channel=channel,
        stated_need=stated_need,
        kind=kind,
    )


def record_demand(
    session: Session,
    *,
    person: Person,
    team: Team,
    recorder: User,
    received_on: dt.date,
    source: str,
    channel: str,
    stated_need: str,
    kind: str | None = None,
    owner: User | None = None,
) -> tuple[Demand, Route]:
    """Record a demand and route it by the rule: join the open case, or open one."""
    require_not_merged(person)
    fields = validate_demand(
        team=team,
        received_on=received_on,
        source=source,
        channel=channel,
        stated_need=stated_need,
        kind=kind,
        owner=owner,
    )
    route = route_demand(session, person, team, recorder, owner)
    case = route.open_case
    if case is None:
        try:
            with session.begin_nested():
                case = _open_case(session, person, team, recorder, route, fields["received_on"])
        except IntegrityError:
            # Someone opened a case for this person a moment ago: join it instead.
            route = route_demand(session, person, team, recorder, owner)
            case = route.open_case
            if case is None:
                raise
    demand = Demand(
        person=person,
        team=team,
        case=case,
        cohort=case.cohort,
        routed_by=route.kind,
        recorded_by=recorder,
        **fields,
    )
    session.add(demand)
    session.flush()
    audit.record_in_case("create", "demand", demand.id, case, user=recorder, routed_by=route.kind)
    events.demand_routed(demand, route.kind, route.owner, recorder)
    return demand, route


def _open_case(
    session: Session, person: Person, team: Team, recorder: User, route: Route, opened_on: dt.date
) -> Case:
    case = Case(
        person=person,
        team=team,
        cohort=team.cohort,
        opened_on=opened_on,
        owner=route.owner,
        created_by_id=recorder.id,
    )
    session.add(case)
    session.flush()
    if route.owner is not None:
        reason = FIRST_OWNER_REASON[route.kind]
        session.add(
            OwnershipChange(
                case=case, from_id=None, to_id=route.owner.id, reason=reason, by_id=recorder.id
            )
        )
    audit.record(
        "create",
        "case",
        case.id,
        person_id=person.id,
        user=recorder,
        owner_id=route.owner.id if route.owner else None,
    )
    return case
