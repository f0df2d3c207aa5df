"""Conversations of a case: log one; a what-matters statement becomes the current one."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..cases import service as cases
from ..extensions import commit_keeping_loaded, db
from ..models import Conversation as ConversationRecord
from .base import answers, bp, spec
from .fields import Body, Choice, Date, Day, Id, Moment, Shape, Text, Whole, moment


class ConversationIn(Body):
    held_on: Day(example="2026-11-21")
    kind: Choice(rules.CONVERSATION_KINDS)
    with_whom: Text(rules.WITH_WHOM, example="Anne and her daughter") | None = None
    minutes: Whole(0, rules.MINUTES_IN_A_DAY) | None = None
    what_matters: Text(rules.LONG_TEXT, "A new statement in the person's own words") | None = None
    notes: Text(rules.LONG_TEXT) | None = None
    # Who from the person's circle was there: each of this person's network, else 422.
    network_member_ids: list[Id("Someone from the person's circle who was there")] | None = None
    plan_id: Id("The planned contact of this case it was: an open one, marked done") | None = None


class Conversation(Shape):
    id: int
    case_id: int
    held_on: Date
    kind: Choice(rules.CONVERSATION_KINDS)
    with_whom: str | None
    minutes: int | None
    what_matters: str | None
    notes: str | None
    network_member_ids: list[int]  # who from the person's circle was there, by name
    plan_id: int | None = None  # the planned contact it fulfilled, when it did
    recorded_by_id: int | None
    recorded_at: Moment


def conversation_json(conversation: ConversationRecord, plan_id: int | None = None) -> Conversation:
    """The conversation; `plan_id` the planned contact it fulfilled (the caller knows it)."""
    return Conversation(
        id=conversation.id,
        case_id=conversation.case_id,
        held_on=conversation.held_on,
        kind=conversation.kind,
        with_whom=conversation.with_whom,
        minutes=conversation.minutes,
        what_matters=conversation.what_matters,
        notes=conversation.notes,
        network_member_ids=[m.id for m in conversation.attendees],
        plan_id=plan_id,
        recorded_by_id=conversation.recorded_by_id,
        recorded_at=moment(conversation.recorded_at),
    )


@bp.post("/cases/<id:case_id>/conversations")
@spec.validate(resp=answers(201, Conversation, 403, 404, 409, body=True), tags=["Cases"])
def create_conversation(case_id: int, json: ConversationIn):
    """Log a conversation; a what-matters statement becomes the current one

    With `plan_id` (an open planned contact of this case, else 422) the plan is marked done.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    conversation = cases.log_conversation(db.session, case, current_user, **json.sent())
    commit_keeping_loaded()  # the answer shows only what was just written
    return conversation_json(conversation, json.plan_id), 201
