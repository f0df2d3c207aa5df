"""Barriers (api.md's style): list, read, raise, link to a case, move on. Each operation
translates JSON to the same domain functions and policy as the pages."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from pydantic import ConfigDict
from pydantic import Field as Described

from .. import audit, policy, rules
from ..barriers import service
from ..extensions import db
from ..models import Barrier as BarrierRecord
from ..models import BarrierCase as LinkRecord
from ..models import BarrierMove as MoveRecord
from ..models import Case
from .base import answers, bp, referenced, spec
from .fields import Body, Choice, Id, Moment, Query, Shape, Text, moment


class Barrier(Shape):
    id: int
    team: str
    title: str
    description: str | None
    kind: Choice(rules.BARRIER_KINDS)
    owner_org: str | None
    status: Choice(rules.BARRIER_STATUSES)
    status_reason: str | None = Described(
        description="Why it was last moved, if a reason was given"
    )
    cases: int = Described(ge=0, description="Cases where it was met")
    version: int
    created_at: Moment
    updated_at: Moment


class BarrierList(Shape):
    """The most-met first"""

    results: list[Barrier]


class BarrierCase(Shape):
    id: int
    barrier_id: int
    case_id: int
    cost: str = Described(description=rules.BARRIER_COST_LABEL)
    recorded_by_id: int | None
    recorded_at: Moment


class BarrierMove(Shape):
    from_status: Choice(rules.BARRIER_STATUSES) | None
    to_status: Choice(rules.BARRIER_STATUSES)
    reason: str | None
    by_id: int | None
    at: Moment


class BarrierDetail(Barrier):
    """The barrier, the cases where it was met and every move of its status, oldest first"""

    links: list[BarrierCase]
    history: list[BarrierMove]


class BarrierFilter(Query):
    status: Choice(rules.BARRIER_STATUSES, "Only this status") | None = None
    kind: Choice(rules.BARRIER_KINDS, "Only this kind") | None = None


class BarrierIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Equipment under £50 needs an OT assessment first",
                    "kind": "eligibility",
                    "owner_org": "Community equipment service",
                }
            ]
        }
    )
    title: Text(rules.BARRIER_TITLE, rules.BARRIER_TITLE_LABEL, required=True)
    kind: Choice(rules.BARRIER_KINDS)
    description: Text(rules.BARRIER_TEXT) | None = None
    owner_org: Text(rules.ORGANISATION, "The organisation that owns it") | None = None


class LinkIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"case_id": 12, "cost": "I had to tell my story again to someone new."}]
        }
    )
    case_id: Id("A case of the barrier's team")
    cost: Text(rules.BARRIER_TEXT, rules.BARRIER_COST_LABEL, required=True)


class MoveIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "removed", "reason": "Leaders agreed to drop the rule", "version": 2}
            ]
        }
    )
    status: Choice(rules.BARRIER_STATUSES)
    reason: (
        Text(rules.BARRIER_TEXT, "Why: required to remove or keep it, or to raise it again") | None
    ) = None
    version: Id("The barrier's `version` as last read: required, so a stale move is refused (409)")


def _barrier_fields(barrier: BarrierRecord, cases: int | None = None) -> dict:
    return dict(
        id=barrier.id,
        team=barrier.team.name,
        title=barrier.title,
        description=barrier.description,
        kind=barrier.kind,
        owner_org=barrier.owner_org,
        status=barrier.status,
        status_reason=barrier.status_reason,
        cases=len(barrier.links) if cases is None else cases,
        version=barrier.version,
        created_at=moment(barrier.created_at),
        updated_at=moment(barrier.updated_at),
    )


def link_json(link: LinkRecord) -> BarrierCase:
    return BarrierCase(
        id=link.id,
        barrier_id=link.barrier_id,
        case_id=link.case_id,
        cost=link.cost,
        recorded_by_id=link.recorded_by_id,
        recorded_at=moment(link.recorded_at),
    )


def move_json(move: MoveRecord) -> BarrierMove:
    return BarrierMove(
        from_status=move.from_status,
        to_status=move.to_status,
        reason=move.reason,
        by_id=move.by_id,
        at=moment(move.at),
    )


def barrier_detail_json(barrier: BarrierRecord) -> BarrierDetail:
    return BarrierDetail(
        **_barrier_fields(barrier),
        links=[link_json(link) for link in barrier.links],
        history=[move_json(move) for move in barrier.moves],
    )


def _team_id() -> int:
    team_id = policy.team_id_of(current_user)
    if not policy.can_see_barriers(current_user, team_id):
        abort(403, "Barriers belong to a team: your account belongs to no team.")
    return team_id


def _audited_read(barrier: BarrierRecord) -> None:
    """The cases behind a barrier, with what it cost each person: a read of their records."""
    people = [link.case.person_id for link in barrier.links]
    audit.record_list("view", "barrier", people, barrier.id, path=request.path)
    audit.commit_read()


@bp.get("/barriers")
@spec.validate(resp=answers(200, BarrierList, 403, 422), tags=["Barriers"])
def list_barriers(query: BarrierFilter):
    """Your team's barriers, the most-met first

    Ordered by the number of cases where each was met, then the latest met.
    """
    rows = service.board(db.session, _team_id(), status=query.status, kind=query.kind)
    return BarrierList(results=[Barrier(**_barrier_fields(r.barrier, r.cases)) for r in rows])


@bp.post("/barriers")
@spec.validate(resp=answers(201, Barrier, 403, body=True), tags=["Barriers"])
def create_barrier(json: BarrierIn):
    """Raise a barrier for your team"""
    _team_id()
    barrier = service.create_barrier(db.session, current_user.team, current_user, **json.sent())
    db.session.commit()
    return Barrier(**_barrier_fields(barrier)), 201


@bp.get("/barriers/<id:barrier_id>")
@spec.validate(resp=answers(200, BarrierDetail, 403, 404), tags=["Barriers"])
def read_barrier(barrier_id: int):
    """Read a barrier: the cases where it was met (with the cost) and its history"""
    barrier = service.with_cases(db.session, policy.get_barrier_for(current_user, barrier_id))
    _audited_read(barrier)
    return barrier_detail_json(barrier)


@bp.post("/barriers/<id:barrier_id>/cases")
@spec.validate(resp=answers(201, BarrierCase, 403, 404, 409, body=True), tags=["Barriers"])
def link_case(barrier_id: int, json: LinkIn):
    """Record that the barrier was met in a case, and what it cost the person

    A barrier is recorded once per case: again, 409.
    """
    barrier = policy.get_barrier_for(current_user, barrier_id)
    referenced(Case, json.case_id, "case_id", "case")
    case = policy.get_case_for(current_user, json.case_id, write=True)
    link = service.link_case(db.session, barrier, case, current_user, cost=json.cost)
    db.session.commit()
    return link_json(link), 201


@bp.post("/barriers/<id:barrier_id>/status")
@spec.validate(resp=answers(200, BarrierDetail, 403, 404, 409, body=True), tags=["Barriers"])
def move_barrier(barrier_id: int, json: MoveIn):
    """Move a barrier on: raised, with a leader, removed or kept (managers)

    raised → with_leader → removed | kept; a leader may hand it back to raised, and a
    removed or kept one may be raised again. A move not allowed from the current status:
    409 (`not_allowed_move`). A stale `version`: 409 with `error.current`.
    """
    barrier = policy.get_barrier_for(current_user, barrier_id, write=True)
    service.move_barrier(
        db.session,
        barrier,
        current_user,
        status=json.status,
        reason=json.reason,
        version=json.version,
    )
    db.session.commit()
    return barrier_detail_json(service.with_cases(db.session, barrier))
