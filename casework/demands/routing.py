"""How a new demand is routed: the one rule every entry point uses (measures.md).

0. The person has an open case in another team, and the recorder chose to pass the demand
   to the worker who already knows them: it joins that case (`passed_to_owner`); the
   recorder's team gains no access to it and the case's owner is told.
1. The person has an open case in the team: the demand joins it.
2. Otherwise, when the person's most recent case in the team is closed and its
   owner is still an active member of the team: a new case, same worker.
3. Otherwise: a new case owned by the worker chosen at intake, or by the
   practitioner recording it, or awaiting allocation. When the team had never had a case
   with a person other teams know, that starts a relationship: audited as
   `relationship_started`, and the owners of their open cases elsewhere are told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from .. import audit, clock, policy
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
    NOT_OPEN_ELSEWHERE,
    STATED_NEED,
    too_long,
)


@dataclass(frozen=True)
class Route:
    """Where a demand goes: `kind` is open_case, same_worker, new_case or passed_to_owner
    (then `open_case` is the other team's case)."""

    kind: str
    owner: User | None
    open_case: Case | None = None
    previous_case: Case | None = None

    def describe(self, person: Person, recorder: User) -> str:
        """The routing decision in plain words, shown before the demand is saved."""
        if self.kind == "passed_to_owner":
            return f"This was passed to {worker_in_team(self.open_case)}, who is already " + (
                f"working with {person.given_name}."
            )
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


def worker_in_team(case: Case) -> str:
    """ "Eleisha Ward in Riverside": who to pass a demand to (a case awaiting allocation: the
    team)."""
    if case.owner is None:
        return f"{case.team.name} (the case awaits allocation)"
    return f"{case.owner.name} in {case.team.name}"


def is_active_member(user: User | None, team: Team) -> bool:
    return user is not None and user.active and user.team_id == team.id


CHECK_DEMAND = "Check the demand's details"
# The reason recorded with a new case's first owner, by how the demand was routed.
FIRST_OWNER_REASON = {
    "same_worker": "Re-contact: back to the worker who knows the person",
    "new_case": "First owner, set at intake",
}


def route_kind(
    *, has_open_case: bool, previous_owner_stays: bool, passed_elsewhere: bool = False
) -> str:
    """The rule, from the facts about the person's most recent case in the team: it is
    still open (the demand joins it); or it is closed and its owner is still an active
    member of the team (a new case, same worker); else a new case. Before all of them: the
    recorder passed it to the person's open case in another team (`passed_elsewhere`). The
    app asks it of the database (route_demand); the synthetic history of its simulation
    (synthetic/history.py)."""
    if passed_elsewhere:
        return "passed_to_owner"
    if has_open_case:
        return "open_case"
    if previous_owner_stays:
        return "same_worker"
    return "new_case"


def case_to_pass_to(session: Session, person: Person, team: Team, case_id) -> Case:
    """The open case of the person in another team that a demand may be passed to, or
    InvalidValue (`pass_to_case_id`): any other id, case or team is refused alike, so the
    answer says nothing about cases the recorder may not see."""
    case = policy.fetch(Case, case_id)
    if case is None or case.person_id != person.id or not case.is_open or case.team_id == team.id:
        raise InvalidValue(
            "The demand can only be passed to an open case of this person in another team",
            {"pass_to_case_id": NOT_OPEN_ELSEWHERE},
        )
    return case


def route_demand(
    session: Session,
    person: Person,
    team: Team,
    recorder: User,
    chosen_owner: User | None = None,
    pass_to: Case | None = None,
) -> Route:
    """Decide where a new demand for the person goes, without changing anything. `pass_to`:
    the person's open case in another team (case_to_pass_to) the recorder passes it to."""
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
        passed_elsewhere=pass_to is not None,
    )
    if kind == "passed_to_owner":
        return Route(kind, pass_to.owner, open_case=pass_to)
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
        raise InvalidValue(CHECK_DEMAND, errors)
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
    pass_to_case_id: int | None = None,
) -> tuple[Demand, Route]:
    """Record a demand and route it by the rule: pass it to the person's open case in
    another team (`pass_to_case_id`), join the team's open case, or open one."""
    require_not_merged(person)
    fields, pass_to = _checked(
        session,
        person,
        team,
        pass_to_case_id,
        received_on=received_on,
        source=source,
        channel=channel,
        stated_need=stated_need,
        kind=kind,
        owner=owner,
    )
    route = route_demand(session, person, team, recorder, owner, pass_to)
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
        else:
            if route.previous_case is None:
                _relationship_started(session, person, case, recorder)
    demand = Demand(
        person=person,
        team=case.team,  # a passed demand is the other team's work, in its case
        case=case,
        cohort=case.cohort,
        routed_by=route.kind,
        recorded_by=recorder,
        **fields,
    )
    session.add(demand)
    session.flush()
    passed = {"passed_from_team_id": team.id} if route.kind == "passed_to_owner" else {}
    audit.record_in_case(
        "create", "demand", demand.id, case, user=recorder, routed_by=route.kind, **passed
    )
    if passed:
        events.demand_passed(case, team, recorder)
    events.demand_routed(demand, route.kind, route.owner, recorder)
    return demand, route


def _checked(session: Session, person: Person, team: Team, pass_to_case_id, **details):
    """The demand's clean fields and the case it is passed to (or None); InvalidValue naming
    every field to fix at once."""
    errors: dict[str, str] = {}
    fields, pass_to = {}, None
    try:
        fields = validate_demand(team=team, **details)
    except InvalidValue as error:
        errors |= error.fields
    if pass_to_case_id is not None:
        try:
            pass_to = case_to_pass_to(session, person, team, pass_to_case_id)
        except InvalidValue as error:
            errors |= error.fields
    if errors:
        raise InvalidValue(CHECK_DEMAND, errors)
    return fields, pass_to


def _relationship_started(session: Session, person: Person, case: Case, recorder: User) -> None:
    """A team's first case with someone other teams already know starts a relationship:
    allowed (it is how intake works), but visible. Audited with the teams that knew the
    person; the owners of their open cases are told, in words with no health or care
    detail."""
    known = list(
        session.scalars(
            select(Case)
            .options(joinedload(Case.team))
            .where(Case.person_id == person.id, Case.team_id != case.team_id)
            .order_by(Case.id)
        )
    )
    if not known:
        return
    audit.record(
        "relationship_started",
        "person",
        person.id,
        person_id=person.id,
        user=recorder,
        case_id=case.id,
        team=case.team.name,
        known_to=sorted({c.team.name for c in known}),
    )
    events.relationship_started(case, known, recorder)


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
