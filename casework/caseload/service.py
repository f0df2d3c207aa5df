"""Caseloads: a worker's open cases, and a team's work by worker for its manager."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..models import Action, Case, Conversation, User


@dataclass
class CaseRow:
    case: Case
    what_matters: str | None
    last_contact: dt.date | None
    next_due: dt.date | None
    open_actions: int


def case_rows(session: Session, condition, limit: int | None = None) -> list[CaseRow]:
    """Open cases matching `condition`, each with its summary line, in three queries at most."""
    # The current statement: the latest said (by date of the conversation, then entry order).
    current_statement = (
        select(Conversation.what_matters)
        .where(Conversation.case_id == Case.id, Conversation.what_matters.is_not(None))
        .order_by(Conversation.held_on.desc(), Conversation.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    last_contact = (
        select(Conversation.case_id, func.max(Conversation.held_on).label("held_on"))
        .group_by(Conversation.case_id)
        .subquery()
    )
    due = (
        select(
            Action.case_id,
            func.min(Action.due_on).label("next_due"),
            func.count(Action.id).label("open_actions"),
        )
        .where(Action.status == "agreed")
        .group_by(Action.case_id)
        .subquery()
    )
    query = (
        select(
            Case,
            current_statement,
            last_contact.c.held_on,
            due.c.next_due,
            func.coalesce(due.c.open_actions, 0),
        )
        .options(joinedload(Case.person), joinedload(Case.owner))
        .outerjoin(last_contact, last_contact.c.case_id == Case.id)
        .outerjoin(due, due.c.case_id == Case.id)
        .where(Case.closed_on.is_(None), condition)
        .order_by(
            due.c.next_due.is_(None),
            due.c.next_due,
            last_contact.c.held_on.is_not(None),
            last_contact.c.held_on,
            Case.opened_on,
            Case.id,
        )
    )
    if limit:
        query = query.limit(limit)
    return [CaseRow(*row) for row in session.execute(query)]


def my_cases(session: Session, user: User) -> list[CaseRow]:
    """The worker's open cases: soonest action due first, then longest without contact."""
    return case_rows(session, Case.owner_id == user.id)


def my_actions(session: Session, user: User) -> list[Action]:
    """Open team actions the worker has agreed to do, in any case, soonest due first."""
    return list(
        session.scalars(
            select(Action)
            .join(Case)
            .options(joinedload(Action.case).joinedload(Case.person))
            .where(
                Action.assignee_id == user.id, Action.status == "agreed", Case.closed_on.is_(None)
            )
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )


def team_members(session: Session, team_id: int, *, active_only: bool = True) -> list[User]:
    query = select(User).where(User.team_id == team_id).order_by(User.name)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def team_workload(session: Session, team_id: int) -> list[tuple[User, int]]:
    """Each active member of the team with the number of open cases they own."""
    counts = (
        select(Case.owner_id, func.count(Case.id).label("n"))
        .where(Case.team_id == team_id, Case.closed_on.is_(None))
        .group_by(Case.owner_id)
        .subquery()
    )
    rows = session.execute(
        select(User, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.owner_id == User.id)
        .where(User.team_id == team_id, User.active.is_(True))
        .order_by(User.name)
    )
    return [(user, n) for user, n in rows]


def awaiting_allocation(session: Session, team_id: int) -> list[CaseRow]:
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id.is_(None)))


def needs_new_owner(session: Session, team_id: int) -> list[CaseRow]:
    """Open cases whose owner has been deactivated or has left the team."""
    owner = User.__table__.alias("case_owner")
    left = select(owner.c.id).where(
        or_(owner.c.active.is_(False), owner.c.team_id.is_distinct_from(team_id))
    )
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id.in_(left)))


def owned_by(session: Session, team_id: int, owner_id: int) -> list[CaseRow]:
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id == owner_id))


def chosen(session: Session, team_id: int, case_ids) -> list[CaseRow]:
    """The team's open cases among `case_ids`, as they are now."""
    return case_rows(session, and_(Case.team_id == team_id, Case.id.in_(list(case_ids))))
