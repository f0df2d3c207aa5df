"""Asks of the manager (api.md style): list, read, ask for a case, answer. The same
policy loaders and service functions as the pages; nothing here decides a rule."""

from __future__ import annotations

from typing import ClassVar

from flask import abort
from flask_login import current_user
from pydantic import Field as Described

from .. import audit, policy, rules
from ..asks import service
from ..extensions import db
from ..models import Ask as AskRecord
from .base import answers, bp, page_answer, spec
from .fields import (
    Body,
    Choice,
    Date,
    Day,
    Id,
    Moment,
    Page,
    Query,
    Shape,
    Text,
    Whole,
    moment,
)


class Ask(Shape):
    """An ask of the team's manager for a case: a resource or a permission"""

    id: int
    case_id: int
    person_id: int
    team: str
    kind: Choice(rules.ASK_KINDS)
    what: str
    why: str
    cost_pence: int | None = Described(description="A rough cost, in whole pence")
    needed_by: Date | None
    status: Choice(rules.ASK_STATUSES)
    asked_by_id: int | None
    asked_at: Moment
    age_days: int | None = Described(description="Days waiting for an answer (open asks)")
    decided_by_id: int | None
    decided_at: Moment | None
    reason: str | None = Described(description="The manager's reason for yes or no")
    days_to_decide: int | None = Described(
        description="Calendar days from the ask to the answer (0: the same day)"
    )
    withdrawn_at: Moment | None
    version: int


class AskList(Shape):
    results: list[Ask]
    page: int
    has_next: bool
    total: int


class AskListing(Query):
    status: Choice(("open", "decided"), example="open") = "open"
    page: Page = 1


class AskIn(Body):
    kind: Choice(rules.ASK_KINDS)
    what: Text(
        rules.ASK_WHAT, "What is asked for", required=True, example="A fortnight of evening visits"
    )
    why: Text(rules.ASK_WHY, "Why the person needs it", required=True)
    cost_pence: Whole(0, rules.MAX_PENCE, "A rough cost in whole pence (£12.50 is 1250)") | None = (
        None
    )
    needed_by: Day("Today or later") | None = None


class Decision(Body):
    domain_requires: ClassVar = ("reason",)
    decision: Choice(rules.ASK_DECISIONS)
    reason: Text(rules.ASK_REASON, "Why yes or no", required=True) | None = None
    version: Id("The ask's `version` as last read; when sent, a stale one is 409") | None = None


def ask_json(ask: AskRecord) -> Ask:
    """An ask as the API shows it; `age_days` while it waits, `days_to_decide` once answered."""
    return Ask(
        id=ask.id,
        case_id=ask.case_id,
        person_id=ask.case.person_id,
        team=ask.team.name,
        kind=ask.kind,
        what=ask.what,
        why=ask.why,
        cost_pence=ask.cost_pence,
        needed_by=ask.needed_by,
        status=ask.status,
        asked_by_id=ask.asked_by_id,
        asked_at=moment(ask.asked_at),
        age_days=service.age_days(ask) if ask.is_open else None,
        decided_by_id=ask.decided_by_id,
        decided_at=moment(ask.decided_at),
        reason=ask.reason,
        days_to_decide=service.days_to_decide(ask),
        withdrawn_at=moment(ask.withdrawn_at),
        version=ask.version,
    )


@bp.get("/asks")
@spec.validate(resp=answers(200, AskList, 403, 422), tags=["Asks"])
def list_asks(query: AskListing):
    """List asks of the manager: waiting (oldest first) or recently answered

    Managers see every ask of their team; practitioners the asks they made. `status=open`
    (the default) lists those waiting for an answer, the one waiting longest first;
    `status=decided` those answered recently (the window of the manager's page), the latest
    answer first. 50 a page: `page=2` (in the query) for the next; `has_next` says whether
    there is one.
    """
    if not policy.can_list_asks(current_user):
        abort(403, policy.NO_TEAM_FOR_ASKS)
    mine = None if policy.sees_team_asks(current_user) else current_user.id
    listing = service.recent_decisions if query.status == "decided" else service.open_asks
    page = listing(db.session, current_user.team_id, query.page, asked_by_id=mine)
    # Each ask as its single read shows it (why, the answer): a read of each person's record.
    audit.read_case_list("ask_list", page.items)
    return page_answer(AskList, page, ask_json)


@bp.get("/asks/<id:ask_id>")
@spec.validate(resp=answers(200, Ask, 403, 404), tags=["Asks"])
def read_ask(ask_id: int):
    """Read an ask and its answer"""
    return ask_json(policy.get_ask_for(current_user, ask_id))


@bp.post("/cases/<id:case_id>/asks")
@spec.validate(resp=answers(201, Ask, 403, 404, 409, body=True), tags=["Asks"])
def create_ask(case_id: int, json: AskIn):
    """Ask the team's manager for a resource or a permission for a case

    Any member of the case's team may ask, while the case is open (closed: 409).
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    ask = service.ask_manager(db.session, case, current_user, **json.sent())
    db.session.commit()
    return ask_json(ask), 201


@bp.post("/asks/<id:ask_id>/decision")
@spec.validate(resp=answers(200, Ask, 403, 404, 409, body=True), tags=["Asks"])
def decide_ask(ask_id: int, json: Decision):
    """Answer an ask yes or no, with a reason

    Only a manager of the ask's team, and never the asker. An answered (or withdrawn) ask
    is not answered again: 409 `already_decided`, with who answered it.
    """
    ask = policy.get_ask_for(current_user, ask_id)
    if not policy.can_decide_ask(current_user, ask):
        abort(403, policy.ONLY_MANAGER_ANSWERS)
    service.decide(
        db.session,
        ask,
        current_user,
        decision=json.decision,
        reason=json.reason,
        version=json.version,
    )
    db.session.commit()
    return ask_json(ask)
