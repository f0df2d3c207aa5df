"""Caseloads: a worker's open cases, and a team's work by worker for its manager, a page
at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from .. import clock
from ..diary.models import Plan
from ..models import Action, Case, Conversation, Team, User
from ..pagination import Page, paginate


@dataclass
class CaseRow:
    case: Case
    what_matters: str | None
    last_contact: dt.date | None
    next_due: dt.date | None
    open_actions: int
    next_plan: dt.date | None = None  # the next contact planned, by anyone

    def quiet_for(self, days: int, today: dt.date) -> int | None:
        """Days since the last contact (or since the case opened, when there has been none)
        when that is longer than `days`, the team's setting; else None."""
        since = self.last_contact or self.case.opened_on
        quiet = (today - since).days
        return quiet if quiet > days else None


def _summaries():
    """Each open case's summary, looked up for the case in hand (through the indexes on
    case_id): its current statement, last contact, next action due, open actions and next
    planned contact. Built afresh for each use: the order repeats some of them."""
    open_actions = and_(Action.case_id == Case.id, Action.status == "agreed")
    return {
        # The current statement: the latest said (by date of the conversation, then entry order).
        "what_matters": select(Conversation.what_matters)
        .where(Conversation.case_id == Case.id, Conversation.what_matters.is_not(None))
        .order_by(Conversation.held_on.desc(), Conversation.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery(),
        "last_contact": select(func.max(Conversation.held_on))
        .where(Conversation.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery(),
        "next_due": select(func.min(Action.due_on))
        .where(open_actions)
        .correlate(Case)
        .scalar_subquery(),
        "open_count": select(func.count(Action.id))
        .where(open_actions)
        .correlate(Case)
        .scalar_subquery(),
        "next_plan": select(func.min(Plan.due_on))
        .where(Plan.case_id == Case.id, Plan.status == "planned")
        .correlate(Case)
        .scalar_subquery(),
    }


def urgency_order(today: dt.date) -> list:
    """The caseload's order (ADR 0035): a case with something overdue (an action or a
    planned contact due before today) first; then new work nobody has contacted yet; then by
    the soonest day anything is due (action or planned contact), nothing due last; then the
    longest without contact, the oldest, and the case's id, so a page is stable."""
    o = _summaries()
    overdue = or_(o["next_due"] < today, o["next_plan"] < today)
    untouched = o["last_contact"].is_(None)
    due, plan = o["next_due"], o["next_plan"]
    soonest = case(
        (due.is_(None), plan), (plan.is_(None), due), (due <= plan, due), else_=plan
    )  # fmt: skip
    return [
        case((overdue, 0), (untouched, 1), else_=2),
        case((soonest.is_(None), 1), else_=0),
        soonest,
        case((o["last_contact"].is_(None), 0), else_=1),
        o["last_contact"],
        Case.opened_on,
        Case.id,
    ]


def case_rows(session: Session, condition, page: int = 1, *, owners: bool = True) -> Page:
    """One page of the open cases matching `condition`, each with its summary line, most
    urgent first (urgency_order), in two queries (the page and its count) however many
    cases and records there are.

    Each summary is looked up for the case in hand (through the indexes on case_id), never
    by grouping a whole table: the page costs the same with a hundred cases or a million.
    `owners=False` where every case has one owner already loaded (a worker's own list)."""
    s = _summaries()
    loaded = [joinedload(Case.person)] + ([joinedload(Case.owner)] if owners else [])
    query = (
        select(
            Case,
            s["what_matters"],
            s["last_contact"],
            s["next_due"],
            s["open_count"],
            s["next_plan"],
        )  # fmt: skip
        .options(*loaded)
        .where(Case.closed_on.is_(None), condition)
        .order_by(*urgency_order(clock.today()))
    )
    count = select(func.count(Case.id)).where(Case.closed_on.is_(None), condition)
    return paginate(session, query, page, count=count, item=lambda row: CaseRow(*row))


def my_cases(session: Session, user: User, page: int = 1) -> Page:
    """The worker's open cases, most urgent first (urgency_order)."""
    return case_rows(session, Case.owner_id == user.id, page, owners=False)  # the user


def my_actions(session: Session, user: User, page: int = 1) -> Page:
    """Open team actions the worker has agreed to do, in any case, soonest due first."""
    query = (
        select(Action)
        .join(Case)
        .options(joinedload(Action.case).joinedload(Case.person))
        .where(Action.assignee_id == user.id, Action.status == "agreed", Case.closed_on.is_(None))
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


def team_flags(session: Session, team: Team) -> dict[int | None, tuple[int, int]]:
    """For each owner of the team's open cases: how many have something overdue, and how
    many have had no contact for longer than the team's setting. One query."""
    today = clock.today()
    o = _summaries()
    overdue = or_(o["next_due"] < today, o["next_plan"] < today)
    since = func.coalesce(o["last_contact"], Case.opened_on)
    quiet = since < today - dt.timedelta(days=team.no_contact_days)
    rows = session.execute(
        select(
            Case.owner_id,
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((quiet, 1), else_=0)),
        )
        .where(Case.team_id == team.id, Case.closed_on.is_(None))
        .group_by(Case.owner_id)
    )
    return {owner: (int(late or 0), int(still or 0)) for owner, late, still in rows}


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
