"""Putting the record right (ADR 0037): a demand, conversation or action marked entered in
error, with the reason; a late note on a closed case."""

from __future__ import annotations

from typing import ClassVar

from flask_login import current_user

from .. import policy, rules
from ..corrections import service as corrections
from ..extensions import db
from ..models import LateNote as LateNoteRecord
from .actions import Action, action_json
from .base import answers, bp, spec
from .conversations import Conversation, conversation_json
from .demands import Demand, demand_json
from .fields import Body, Date, Moment, Shape, Text, moment


class InErrorIn(Body):
    domain_requires: ClassVar = ("reason",)
    reason: (
        Text(rules.IN_ERROR_REASON, "Why: logged twice, on the wrong person…", required=True) | None
    ) = None


class LateNoteIn(Body):
    domain_requires: ClassVar = ("note",)
    note: (
        Text(rules.LATE_NOTE, "What arrived or was said after the closure", required=True) | None
    ) = None


class LateNote(Shape):
    id: int
    case_id: int
    note: str
    written_on: Date
    written_at: Moment
    author_id: int | None


def late_note_json(note: LateNoteRecord) -> LateNote:
    return LateNote(
        id=note.id,
        case_id=note.case_id,
        note=note.note,
        written_on=note.written_on,
        written_at=moment(note.written_at),
        author_id=note.author_id,
    )


def _mark(entity: str, ident: int, reason: str | None):
    record = policy.get_record_in_error_for(current_user, entity, ident)
    corrections.mark_entered_in_error(db.session, entity, record, current_user, reason=reason)
    db.session.commit()
    return record


@bp.post("/conversations/<id:conversation_id>/entered-in-error")
@spec.validate(resp=answers(200, Conversation, 403, 404, 409, body=True), tags=["Cases"])
def conversation_in_error(conversation_id: int, json: InErrorIn):
    """Mark a conversation entered in error, with the reason

    Only who recorded it, the owner of its case or their manager (else 403). It is kept,
    marked, and leaves the current views and every figure. No reason: 422; twice: 409.
    """
    return conversation_json(_mark("conversation", conversation_id, json.reason))


@bp.post("/actions/<id:action_id>/entered-in-error")
@spec.validate(resp=answers(200, Action, 403, 404, 409, body=True), tags=["Cases"])
def action_in_error(action_id: int, json: InErrorIn):
    """Mark an action entered in error, with the reason

    Only who recorded it, the owner of its case or their manager (else 403). It is kept,
    marked, and leaves the current views and every figure. No reason: 422; twice: 409.
    """
    return action_json(_mark("action", action_id, json.reason))


@bp.post("/demands/<id:demand_id>/entered-in-error")
@spec.validate(resp=answers(200, Demand, 403, 404, 409, body=True), tags=["Demands"])
def demand_in_error(demand_id: int, json: InErrorIn):
    """Mark a demand entered in error, with the reason

    Only who recorded it, the owner of its case or their manager (else 403). It is kept,
    marked, and leaves the current views and every figure. No reason: 422; twice: 409.
    """
    return demand_json(db.session, _mark("demand", demand_id, json.reason))


@bp.post("/cases/<id:case_id>/notes")
@spec.validate(resp=answers(201, LateNote, 403, 404, 409, body=True), tags=["Cases"])
def add_late_note(case_id: int, json: LateNoteIn):
    """Add a late note to a closed case: a letter or call after the closure

    Not a demand: it does not reopen the case and counts in no figure. An open case
    answers 409 (record a conversation there); no note, 422.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    note = corrections.add_late_note(db.session, case, current_user, note=json.note)
    db.session.commit()
    return late_note_json(note), 201
