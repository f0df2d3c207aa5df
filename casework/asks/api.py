"""Asks of the manager in the API (api.md style): list, read, ask for a case, answer.
The same policy loaders and service functions as the pages; nothing here decides a rule."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from .. import audit, policy
from ..api.openapi import (
    INTEGER,
    MOMENT,
    N_DATE,
    N_INTEGER,
    N_MOMENT,
    N_STRING,
    STRING,
    _enum,
    _list,
    _object,
)
from ..api.operations import operation
from ..api.schemas import day, moment
from ..api.validation import Body, Field, Id
from ..extensions import db
from ..models import ASK_KINDS, ASK_STATUSES, Ask
from ..pagination import LAST_PAGE
from . import service


def ask_json(ask: Ask) -> dict:
    """An ask as the API shows it; `age_days` while it waits, `days_to_decide` once answered."""
    return {
        "id": ask.id,
        "case_id": ask.case_id,
        "person_id": ask.case.person_id,
        "team": ask.team.name,
        "kind": ask.kind,
        "what": ask.what,
        "why": ask.why,
        "cost_pence": ask.cost_pence,
        "needed_by": day(ask.needed_by),
        "status": ask.status,
        "asked_by_id": ask.asked_by_id,
        "asked_at": moment(ask.asked_at),
        "age_days": service.age_days(ask) if ask.is_open else None,
        "decided_by_id": ask.decided_by_id,
        "decided_at": moment(ask.decided_at),
        "reason": ask.reason,
        "days_to_decide": service.days_to_decide(ask),
        "withdrawn_at": moment(ask.withdrawn_at),
        "version": ask.version,
    }


SCHEMAS = {
    "Ask": _object(
        {
            "id": INTEGER,
            "case_id": INTEGER,
            "person_id": INTEGER,
            "team": STRING,
            "kind": _enum(ASK_KINDS),
            "what": STRING,
            "why": STRING,
            "cost_pence": {**N_INTEGER, "description": "A rough cost, in whole pence"},
            "needed_by": N_DATE,
            "status": _enum(ASK_STATUSES),
            "asked_by_id": N_INTEGER,
            "asked_at": MOMENT,
            "age_days": {**N_INTEGER, "description": "Days waiting for an answer (open asks)"},
            "decided_by_id": N_INTEGER,
            "decided_at": N_MOMENT,
            "reason": {**N_STRING, "description": "The manager's reason for yes or no"},
            "days_to_decide": {
                **N_INTEGER,
                "description": "Calendar days from the ask to the answer (0: the same day)",
            },
            "withdrawn_at": N_MOMENT,
            "version": INTEGER,
        },
        "An ask of the team's manager for a case: a resource or a permission",
    ),
    "AskList": _object(
        {
            "results": _list("Ask"),
            "page": INTEGER,
            "has_next": {"type": "boolean"},
            "total": INTEGER,
        }
    ),
}


@operation(
    "GET",
    "/asks",
    summary="List asks of the manager: waiting (oldest first) or recently answered",
    description="Managers see every ask of their team; practitioners the asks they made. "
    "`status=open` (the default) lists those waiting for an answer, the one waiting longest "
    f"first; `status=decided` those answered in the last {service.RECENT_DAYS} days, the "
    "latest answer first. 50 a page: `page=2` (in the query) for the next; `has_next` "
    "says whether there is one.",
    tag="Asks",
    query={
        "status": Field("enum", choices=("open", "decided"), nullable=False, example="open"),
        "page": Field(
            "integer",
            nullable=False,
            minimum=1,
            maximum=LAST_PAGE,
            description="Which page of 50, from 1 (the default)",
        ),
    },
    response=(200, "AskList"),
    errors=(403, 422),
)
def list_asks(query: dict):
    if not policy.can_list_asks(current_user):
        abort(403, "Asks are made in a team: your account belongs to no team.")
    mine = None if policy.sees_team_asks(current_user) else current_user.id
    decided = query.get("status") == "decided"
    listing = service.recent_decisions if decided else service.open_asks
    page = listing(db.session, current_user.team_id, query.get("page", 1), asked_by_id=mine)
    # Each ask as its single read shows it (why, the answer): a read of each person's record.
    people = [ask.case.person_id for ask in page.items]
    audit.record_list("view", "ask_list", people, path=request.path)
    audit.commit_read()
    return jsonify(
        {
            "results": [ask_json(a) for a in page.items],
            "page": page.number,
            "has_next": page.has_next,
            "total": page.total,
        }
    )


@operation(
    "GET",
    "/asks/<id:ask_id>",
    summary="Read an ask and its answer",
    tag="Asks",
    response=(200, "Ask"),
    errors=(403, 404),
)
def read_ask(ask_id: int):
    return jsonify(ask_json(policy.get_ask_for(current_user, ask_id)))


ASK_IN = Body(
    {
        "kind": Field("enum", choices=ASK_KINDS, required=True, nullable=False),
        "what": Field(
            "string",
            max_length=service.WHAT_LIMIT,
            required=True,
            description="What is asked for",
            example="A fortnight of evening visits",
        ),
        "why": Field(
            "string",
            max_length=service.WHY_LIMIT,
            required=True,
            description="Why the person needs it",
        ),
        "cost_pence": Field(
            "integer",
            minimum=0,
            maximum=service.MAX_PENCE,
            description="A rough cost in whole pence (£12.50 is 1250)",
        ),
        "needed_by": Field("date", description="Today or later"),
    }
)


@operation(
    "POST",
    "/cases/<id:case_id>/asks",
    summary="Ask the team's manager for a resource or a permission for a case",
    description="Any member of the case's team may ask, while the case is open (closed: 409).",
    tag="Asks",
    body=ASK_IN,
    response=(201, "Ask"),
    errors=(400, 403, 404, 409, 422),
)
def create_ask(case_id: int, body: dict):
    case = policy.get_case_for(current_user, case_id, write=True)
    ask = service.ask_manager(db.session, case, current_user, **body)
    db.session.commit()
    return jsonify(ask_json(ask)), 201


DECISION_IN = Body(
    {
        "decision": Field("enum", choices=service.DECISIONS, required=True, nullable=False),
        "reason": Field(
            "string",
            max_length=service.REASON_LIMIT,
            description="Why yes or no: without one, 422",
        ),
        "version": Id("The ask's `version` as last read; when sent, a stale one is 409"),
    }
)


@operation(
    "POST",
    "/asks/<id:ask_id>/decision",
    summary="Answer an ask yes or no, with a reason",
    description="Only a manager of the ask's team, and never the asker. An answered (or "
    "withdrawn) ask is not answered again: 409 `already_decided`, with who answered it.",
    tag="Asks",
    body=DECISION_IN,
    response=(200, "Ask"),
    errors=(400, 403, 404, 409, 422),
)
def decide_ask(ask_id: int, body: dict):
    ask = policy.get_ask_for(current_user, ask_id)
    if not policy.can_decide_ask(current_user, ask):
        abort(403, "Only a manager of the team answers its asks, and nobody answers their own.")
    service.decide(
        db.session,
        ask,
        current_user,
        decision=body["decision"],
        reason=body.get("reason"),
        version=body.get("version"),
    )
    db.session.commit()
    return jsonify(ask_json(ask))
