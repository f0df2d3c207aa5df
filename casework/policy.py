"""Who may see and change what: one place for every page, API call and command.

Practitioners and managers work on the records of their own team: people who
have (or had) a demand or case there, or whom the team registered, and any
case in which they have been pulled in to do an action. Administrators manage
users and teams; they see records only when they also belong to a team.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import exists, or_, select

from .extensions import db
from .models import Action, Case, Demand, Person, User


def team_id_of(user: User) -> int | None:
    """The team whose records the user works on, if any."""
    return user.team_id if user.active else None


def case_visible_clause(user: User):
    """SQL condition: the case is one the user may see."""
    pulled_in = exists().where(Action.case_id == Case.id, Action.assignee_id == user.id)
    return or_(Case.team_id == team_id_of(user), pulled_in)


def person_visible_clause(user: User):
    """SQL condition: the person is one whose record the user may see."""
    team_id = team_id_of(user)
    return or_(
        Person.registered_by_team_id == team_id,
        exists().where(Demand.person_id == Person.id, Demand.team_id == team_id),
        exists().where(Case.person_id == Person.id, case_visible_clause(user)),
    )


def can_see_person(user: User, person: Person) -> bool:
    return bool(
        db.session.scalar(
            select(Person.id).where(Person.id == person.id, person_visible_clause(user))
        )
    )


def can_see_case(user: User, case: Case) -> bool:
    return bool(
        db.session.scalar(select(Case.id).where(Case.id == case.id, case_visible_clause(user)))
    )


def can_record_demands(user: User) -> bool:
    return team_id_of(user) is not None and user.role in ("practitioner", "manager", "admin")


def manages_team(user: User, team_id: int | None) -> bool:
    """Managers (and administrators who belong to the team) allocate its work."""
    return team_id is not None and team_id_of(user) == team_id and user.role in ("manager", "admin")


def can_change_owner(user: User, case: Case) -> bool:
    """Owners hand over, managers reallocate, anyone in the team may take unowned work."""
    if manages_team(user, case.team_id):
        return True
    if case.owner_id is None:
        return team_id_of(user) == case.team_id
    return case.owner_id == user.id


def can_close(user: User, case: Case) -> bool:
    return case.owner_id == user.id or manages_team(user, case.team_id)


def can_administer(user: User) -> bool:
    return user.active and user.role == "admin"


def get_person_for(user: User, person_id: int) -> Person:
    """The person, or 404 when there is none and 403 when the user may not see them."""
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    if not can_see_person(user, person):
        abort(403)
    return person


def get_case_for(user: User, case_id: int) -> Case:
    """The case, or 404 when there is none and 403 when the user may not see it."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_see_case(user, case):
        abort(403)
    return case


def get_action_for(user: User, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    if not can_see_case(user, action.case):
        abort(403)
    return action
