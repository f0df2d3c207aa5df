"""The barriers in the API (api.md's style): list, read, raise, link to a case, move on.
Each operation translates JSON to the same domain functions and policy as the pages."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from .. import audit, policy
from ..api.operations import operation
from ..api.routes import _referenced, text
from ..api.schemas import moment
from ..api.validation import Body, Field, Id
from ..extensions import db
from ..models import BARRIER_KINDS, BARRIER_STATUSES, Barrier, BarrierCase, BarrierMove, Case
from . import service
from .service import ORGANISATION, TEXT, TITLE


def barrier_json(barrier: Barrier, cases: int | None = None) -> dict:
    return {
        "id": barrier.id,
        "team": barrier.team.name,
        "title": barrier.title,
        "description": barrier.description,
        "kind": barrier.kind,
        "owner_org": barrier.owner_org,
        "status": barrier.status,
        "status_reason": barrier.status_reason,
        "cases": len(barrier.links) if cases is None else cases,
        "version": barrier.version,
        "created_at": moment(barrier.created_at),
        "updated_at": moment(barrier.updated_at),
    }


def link_json(link: BarrierCase) -> dict:
    return {
        "id": link.id,
        "barrier_id": link.barrier_id,
        "case_id": link.case_id,
        "cost": link.cost,
        "recorded_by_id": link.recorded_by_id,
        "recorded_at": moment(link.recorded_at),
    }


def move_json(move: BarrierMove) -> dict:
    return {
        "from_status": move.from_status,
        "to_status": move.to_status,
        "reason": move.reason,
        "by_id": move.by_id,
        "at": moment(move.at),
    }


def barrier_detail_json(barrier: Barrier) -> dict:
    return {
        **barrier_json(barrier),
        "links": [link_json(link) for link in barrier.links],
        "history": [move_json(move) for move in barrier.moves],
    }


def _team_id() -> int:
    team_id = policy.team_id_of(current_user)
    if not policy.can_see_barriers(current_user, team_id):
        abort(403, "Barriers belong to a team: your account belongs to no team.")
    return team_id


def _audited_read(barrier: Barrier) -> None:
    """The cases behind a barrier, with what it cost each person: a read of their records."""
    people = [link.case.person_id for link in barrier.links]
    audit.record_list("view", "barrier", people, barrier.id, path=request.path)
    audit.commit_read()


@operation(
    "GET",
    "/barriers",
    summary="Your team's barriers, the most-met first",
    description="Ordered by the number of cases where each was met, then the latest met.",
    tag="Barriers",
    query={
        "status": Field("enum", choices=BARRIER_STATUSES, description="Only this status"),
        "kind": Field("enum", choices=BARRIER_KINDS, description="Only this kind"),
    },
    response=(200, "BarrierList"),
    errors=(403, 422),
)
def list_barriers(query: dict):
    rows = service.board(db.session, _team_id(), **query)
    return jsonify({"results": [barrier_json(row.barrier, row.cases) for row in rows]})


BARRIER_IN = Body(
    {
        "title": text(TITLE, "What got in the way, in a few words", required=True),
        "kind": Field("enum", choices=BARRIER_KINDS, required=True, nullable=False),
        "description": text(TEXT),
        "owner_org": text(ORGANISATION, "The organisation that owns it"),
    },
    example={
        "title": "Equipment under £50 needs an OT assessment first",
        "kind": "eligibility",
        "owner_org": "Community equipment service",
    },
)


@operation(
    "POST",
    "/barriers",
    summary="Raise a barrier for your team",
    tag="Barriers",
    body=BARRIER_IN,
    response=(201, "Barrier"),
    errors=(400, 403, 422),
)
def create_barrier(body: dict):
    _team_id()
    barrier = service.create_barrier(db.session, current_user.team, current_user, **body)
    db.session.commit()
    return jsonify(barrier_json(barrier)), 201


@operation(
    "GET",
    "/barriers/<id:barrier_id>",
    summary="Read a barrier: the cases where it was met (with the cost) and its history",
    tag="Barriers",
    response=(200, "BarrierDetail"),
    errors=(403, 404),
)
def read_barrier(barrier_id: int):
    barrier = service.with_cases(db.session, policy.get_barrier_for(current_user, barrier_id))
    _audited_read(barrier)
    return jsonify(barrier_detail_json(barrier))


LINK_IN = Body(
    {
        "case_id": Id("A case of the barrier's team", required=True, nullable=False),
        "cost": text(TEXT, "What it cost the person, in their words", required=True),
    },
    example={"case_id": 12, "cost": "I had to tell my story again to someone new."},
)


@operation(
    "POST",
    "/barriers/<id:barrier_id>/cases",
    summary="Record that the barrier was met in a case, and what it cost the person",
    description="A barrier is recorded once per case: again, 409.",
    tag="Barriers",
    body=LINK_IN,
    response=(201, "BarrierCase"),
    errors=(400, 403, 404, 409, 422),
)
def link_case(barrier_id: int, body: dict):
    barrier = policy.get_barrier_for(current_user, barrier_id)
    _referenced(Case, body["case_id"], "case_id", "case")
    case = policy.get_case_for(current_user, body["case_id"], write=True)
    link = service.link_case(db.session, barrier, case, current_user, cost=body.get("cost"))
    db.session.commit()
    return jsonify(link_json(link)), 201


MOVE_IN = Body(
    {
        "status": Field("enum", choices=BARRIER_STATUSES, required=True, nullable=False),
        "reason": text(TEXT, "Why: required to remove or keep it, or to raise it again"),
        "version": Id(
            "The barrier's `version` as last read: required, so a stale move is refused (409)",
            required=True,
            nullable=False,
        ),
    },
    example={"status": "removed", "reason": "Leaders agreed to drop the rule", "version": 2},
)


@operation(
    "POST",
    "/barriers/<id:barrier_id>/status",
    summary="Move a barrier on: raised, with a leader, removed or kept (managers)",
    description="raised → with_leader → removed | kept; a leader may hand it back to raised, "
    "and a removed or kept one may be raised again. A move not allowed from the current "
    "status: 409 (`not_allowed_move`). A stale `version`: 409 with `error.current`.",
    tag="Barriers",
    body=MOVE_IN,
    response=(200, "BarrierDetail"),
    errors=(400, 403, 404, 409, 422),
)
def move_barrier(barrier_id: int, body: dict):
    barrier = policy.get_barrier_for(current_user, barrier_id, write=True)
    service.move_barrier(
        db.session,
        barrier,
        current_user,
        status=body["status"],
        reason=body.get("reason"),
        version=body["version"],
    )
    db.session.commit()
    return jsonify(barrier_detail_json(service.with_cases(db.session, barrier)))
