"""Caseloads: a worker's open cases, and a team's work by worker for its manager, a page
at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..models import Action, Case, Conversation, User
from ..pagination import Page, paginate


@dataclass
class CaseRow:
    case: Case
    what_matters: str | None
    last_contact: dt.date | None
    next_due: dt.date | None
    open_actions: int


def case_rows(session: Session, condition, page: int = 1, *, owners: bool = True) -> Page:
    """One page of the open cases matching `condition`, each with its summary line, in two
    queries (the page and its count) however many cases and records there are.

    Each summary is looked up for the case in hand (through the indexes on case_id), never
    by grouping a whole table: the page costs the same with a hundred cases or a million.
    `owners=False` where every case has one owner already loaded (a worker's own list)."""
    # The current statement: the latest said (by date of the conversation, then entry order).
    current_statement = (
        select(Conversation.what_matters)
        .where(
            Conversation.case_id == Case.id,
            Conversation.what_matters.is_not(None),
            Conversation.entered_in_error_at.is_(None),
        )
        .order_by(Conversation.held_on.desc(), Conversation.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    last_contact = (
        select(func.max(Conversation.held_on))
        .where(Conversation.case_id == Case.id, Conversation.entered_in_error_at.is_(None))
        .correlate(Case)
        .scalar_subquery()
        .label("last_contact")
    )
    open_actions = and_(
        Action.case_id == Case.id, Action.status == "agreed", Action.entered_in_error_at.is_(None)
    )
    next_due = (
        select(func.min(Action.due_on))
        .where(open_actions)
        .correlate(Case)
        .scalar_subquery()
        .label("next_due")
    )
    open_count = select(func.count(Action.id)).where(open_actions).correlate(Case)
    loaded = [joinedload(Case.person)] + ([joinedload(Case.owner)] if owners else [])
    query = (
        select(Case, current_statement, last_contact, next_due, open_count.scalar_subquery())
        .options(*loaded)
        .where(Case.closed_on.is_(None), condition)
        # NULLS LAST/FIRST by the columns' names: "next_due IS NULL" would compute it again
        .order_by(
            next_due.asc().nulls_last(),
            last_contact.asc().nulls_first(),
            Case.opened_on,
            Case.id,
        )
    )
    count = select(func.count(Case.id)).where(Case.closed_on.is_(None), condition)
    return paginate(session, query, page, count=count, item=lambda row: CaseRow(*row))


def my_cases(session: Session, user: User, page: int = 1) -> Page:
    """The worker's open cases: soonest action due first, then longest without contact."""
    return case_rows(session, Case.owner_id == user.id, page, owners=False)  # the user


def my_actions(session: Session, user: User, page: int = 1) -> Page:
    """Open team actions the worker has agreed to do, in any case, soonest due first."""
    query = (
        select(Action)
        .join(Case)
        .options(joinedload(Action.case).joinedload(Case.person))
        .where(
            Action.assignee_id == user.id,
            Action.status == "agreed",
            Action.entered_in_error_at.is_(None),
            Case.closed_on.is_(None),
        )
        .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    )
    return paginate(session, query, page, item=lambda row: row[0])


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


def awaiting_allocation(session: Session, team_id: int, page: int = 1) -> Page:
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id.is_(None)), page)


def needs_new_owner(session: Session, team_id: int, page: int = 1) -> Page:
    """Open cases whose owner has been deactivated or has left the team."""
    owner = User.__table__.alias("case_owner")
    left = select(owner.c.id).where(
        or_(owner.c.active.is_(False), owner.c.team_id.is_distinct_from(team_id))
    )
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id.in_(left)), page)


def owned_by(session: Session, team_id: int, owner_id: int, page: int = 1) -> Page:
    return case_rows(session, and_(Case.team_id == team_id, Case.owner_id == owner_id), page)


def chosen(session: Session, team_id: int, case_ids) -> Page:
    """The team's open cases among `case_ids`, as they are now."""
    return case_rows(session, and_(Case.team_id == team_id, Case.id.in_(list(case_ids))))
