"""Barriers: what got in the way of helping people, gathered from the cases where it was met,
and moved by the team's managers from raised, to a leader, to removed or kept (with a reason).

Plain values in, records out: the pages, the API and the demo all call these functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..locking import check_version, flush_checked
from ..models import (
    BARRIER_KINDS,
    BARRIER_STATUSES,
    Barrier,
    BarrierCase,
    BarrierMove,
    Case,
    Team,
    User,
)
from ..rules import (
    BARRIER_TEXT,
    BARRIER_TITLE,
    NO_BARRIER_MOVE,
    NO_BARRIER_TITLE,
    ORGANISATION,
    clean_text,
)

KIND_LABELS = {
    "rule": "A rule or policy",
    "eligibility": "An eligibility criterion",
    "form": "A form or assessment",
    "handoff": "A hand-off to another service",
    "it_system": "An IT system",
    "funding": "Funding",
    "other": "Something else",
}
STATUS_LABELS = {
    "raised": "Raised",
    "with_leader": "With a leader",
    "removed": "Removed",
    "kept": "Kept",
}
# raised → with a leader → removed | kept; a leader may hand it back, and a removed or kept
# barrier can be raised again when it comes back (both with a reason).
MOVES = {
    "raised": ("with_leader",),
    "with_leader": ("removed", "kept", "raised"),
    "removed": ("raised",),
    "kept": ("raised",),
}
NEEDS_REASON = {"removed", "kept"}
CHECK_COST = "Check what it cost the person"
ALREADY_MET = "This barrier is already recorded on this case"


class AlreadyRecorded(Conflict):
    code = "already_recorded"


class NotAllowedMove(Conflict):
    code = "not_allowed_move"


def _barrier_fields(title, description, kind, owner_org) -> dict:
    errors: dict[str, str] = {}
    clean = {
        "title": clean_text(title, "title", errors, required=NO_BARRIER_TITLE, limit=BARRIER_TITLE),
        "description": clean_text(description, "description", errors, limit=BARRIER_TEXT),
        "owner_org": clean_text(owner_org, "owner_org", errors, limit=ORGANISATION),
        "kind": kind,
    }
    if kind not in BARRIER_KINDS:
        errors["kind"] = "Choose what kind of barrier it is"
    if errors:
        raise InvalidValue("Check the barrier's details", errors)
    return clean


def _clean_cost(cost) -> str:
    errors: dict[str, str] = {}
    cost = clean_text(
        cost,
        "cost",
        errors,
        required="Say what it cost the person, in their words",
        limit=BARRIER_TEXT,
    )
    if errors:
        raise InvalidValue(CHECK_COST, errors)
    return cost


def create_barrier(
    session: Session,
    team: Team,
    user: User,
    *,
    title: str | None,
    kind: str | None,
    description: str | None = None,
    owner_org: str | None = None,
) -> Barrier:
    """Raise a new barrier for the team; its history starts with the move to 'raised'."""
    clean = _barrier_fields(title, description, kind, owner_org)
    barrier = Barrier(team=team, status="raised", created_by_id=user.id, **clean)
    session.add(barrier)
    session.add(BarrierMove(barrier=barrier, from_status=None, to_status="raised", by_id=user.id))
    session.flush()
    audit.record("create", "barrier", barrier.id, user=user, team_id=team.id, kind=kind)
    return barrier


def link_case(session: Session, barrier: Barrier, case: Case, user: User, *, cost) -> BarrierCase:
    """Record that the barrier was met in this case, and what it cost the person."""
    if barrier.team_id != case.team_id:
        raise InvalidValue(
            "A barrier gathers the cases of its own team",
            {"barrier_id": "Choose one of this team's barriers"},
        )
    cost = _clean_cost(cost)
    if any(link.case_id == case.id for link in barrier.links):
        raise AlreadyRecorded(ALREADY_MET, {"barrier_id": f"{ALREADY_MET}: choose another"})
    link = BarrierCase(barrier=barrier, case=case, cost=cost, recorded_by_id=user.id)
    session.add(link)
    try:
        session.flush()
    except IntegrityError as error:  # the same link saved at the same moment by someone else
        session.rollback()
        raise AlreadyRecorded(ALREADY_MET) from error
    audit.record_in_case(
        "create",
        "barrier_case",
        link.id,
        case,
        user=user,
        barrier_id=barrier.id,
    )
    return link


def record_met(
    session: Session,
    case: Case,
    user: User,
    *,
    barrier: Barrier | None,
    cost,
    title=None,
    kind=None,
    description=None,
    owner_org=None,
) -> BarrierCase:
    """From a case: a barrier the team already has (so it gathers the case), or a new one."""
    if barrier is None:
        cost_errors: dict[str, str] = {}
        try:
            _clean_cost(cost)
        except InvalidValue as error:
            cost_errors = error.fields
        try:
            _barrier_fields(title, description, kind, owner_org)
        except InvalidValue as error:  # every problem at once
            raise InvalidValue(error.message, {**error.fields, **cost_errors}) from None
        if cost_errors:
            raise InvalidValue(CHECK_COST, cost_errors)
        barrier = create_barrier(
            session,
            case.team,
            user,
            title=title,
            kind=kind,
            description=description,
            owner_org=owner_org,
        )
    return link_case(session, barrier, case, user, cost=cost)


def move_barrier(
    session: Session,
    barrier: Barrier,
    user: User,
    *,
    status: str | None,
    reason: str | None,
    version: int | None,
) -> BarrierMove:
    """Move the barrier on; removing or keeping it (or raising it again) needs a reason."""
    check_version(barrier, version, "this barrier")
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", errors, limit=BARRIER_TEXT)
    if errors:
        raise InvalidValue("Check the reason", errors)
    if status not in BARRIER_STATUSES:
        raise InvalidValue(NO_BARRIER_MOVE, {"status": "Choose a status"})
    if status not in MOVES[barrier.status]:
        allowed = " or ".join(STATUS_LABELS[s].lower() for s in MOVES[barrier.status])
        raise NotAllowedMove(
            f"A barrier that is {STATUS_LABELS[barrier.status].lower()} can move to {allowed}",
            {"status": f"Choose {allowed}"},
        )
    if not reason and (status in NEEDS_REASON or barrier.status in NEEDS_REASON):
        message = (
            f"Say why the barrier was {STATUS_LABELS[status].lower()}"
            if status in NEEDS_REASON
            else "Say why the barrier is raised again"
        )
        raise ReasonRequired(message, {"reason": message})
    move = BarrierMove(
        barrier=barrier, from_status=barrier.status, to_status=status, reason=reason, by_id=user.id
    )
    session.add(move)
    barrier.status = status
    barrier.status_reason = reason
    flush_checked(session, "this barrier")
    audit.record(
        "update",
        "barrier",
        barrier.id,
        user=user,
        status_from=move.from_status,
        status_to=status,
        reason=reason,
    )
    return move


def with_cases(session: Session, barrier: Barrier) -> Barrier:
    """The barrier with the cases behind it (their people, who recorded each) and its moves
    (who made each) loaded at once: a barrier met in a hundred cases is a few queries."""
    links = selectinload(Barrier.links)
    return session.scalars(
        select(Barrier)
        .where(Barrier.id == barrier.id)
        .options(
            links.joinedload(BarrierCase.case).joinedload(Case.person),
            links.joinedload(BarrierCase.recorded_by),
            selectinload(Barrier.moves).joinedload(BarrierMove.by),
        )
        .execution_options(populate_existing=True)
    ).one()


@dataclass(frozen=True)
class BoardRow:
    barrier: Barrier
    cases: int
    last_met: dt.datetime | None


def board(
    session: Session, team_id: int, *, status: str | None = None, kind: str | None = None
) -> list[BoardRow]:
    """The team's barriers, most-met first (the number of cases), then the latest met."""
    cases = func.count(BarrierCase.id)
    last = func.max(BarrierCase.recorded_at)
    query = (
        select(Barrier, cases, last)
        .outerjoin(BarrierCase, BarrierCase.barrier_id == Barrier.id)
        .where(Barrier.team_id == team_id)
        .group_by(Barrier.id)
        .order_by(cases.desc(), last.desc(), Barrier.id.desc())
    )
    if status:
        query = query.where(Barrier.status == status)
    if kind:
        query = query.where(Barrier.kind == kind)
    return [BoardRow(b, n, at) for b, n, at in session.execute(query)]


def team_barriers(session: Session, team_id: int) -> list[Barrier]:
    """The barriers a case of the team can be linked to: open ones first, by title."""
    return list(
        session.scalars(
            select(Barrier)
            .where(Barrier.team_id == team_id)
            .order_by(Barrier.status.in_(("removed", "kept")), Barrier.title, Barrier.id)
        )
    )


@dataclass(frozen=True)
class Month:
    start: dt.date
    met: int
    removed: int


def month_starts(end: dt.date, months: int) -> list[dt.date]:
    """The first days of the `months` months up to and including `end`'s month."""
    year, month = end.year, end.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _month(moment: dt.datetime) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def by_month(session: Session, team_id: int | None, end: dt.date, months: int = 12) -> list[Month]:
    """Barriers met (a barrier recorded on a case) and removed, month by month.

    Counted in Python from the moments: a team has tens of barriers, not millions, and this
    reads the same on SQLite and PostgreSQL."""
    starts = month_starts(end, months)
    since = dt.datetime.combine(starts[0], dt.time(0), tzinfo=dt.UTC)
    met_query = (
        select(BarrierCase.recorded_at).join(Barrier).where(BarrierCase.recorded_at >= since)
    )
    removed_query = (
        select(BarrierMove.at)
        .join(Barrier)
        .where(BarrierMove.to_status == "removed", BarrierMove.at >= since)
    )
    if team_id is not None:
        met_query = met_query.where(Barrier.team_id == team_id)
        removed_query = removed_query.where(Barrier.team_id == team_id)
    met: dict[dt.date, int] = {}
    removed: dict[dt.date, int] = {}
    for counts, query in ((met, met_query), (removed, removed_query)):
        for (moment,) in session.execute(query):
            counts[_month(moment)] = counts.get(_month(moment), 0) + 1
    return [Month(s, met.get(s, 0), removed.get(s, 0)) for s in starts]
