"""Entered in error and late notes (ADR 0037).

A demand, conversation or action entered in error (logged twice, on the wrong person, on
the wrong case) is never deleted: it is marked, with when, by whom and why, and from then on
it is in no current view and no figure (the measures' facts leave it out and are worked out
again as it is marked), and it stays in the history struck through with the reason.

A late note is what arrives after a case has closed (a letter, a call): kept on the closed
case, it is not a demand, does not reopen the case and counts in no figure."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import audit, clock
from ..actions.service import EnteredInErrorAlready
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..formatting import uk_date
from ..locking import flush_checked
from ..models import Case, LateNote, User
from ..rules import IN_ERROR_REASON, LATE_NOTE, NO_IN_ERROR_REASON, NO_LATE_NOTE, clean_text

WHAT = {"demand": "demand", "conversation": "conversation", "action": "action"}


class CaseStillOpen(Conflict):
    """A late note belongs to a closed case: an open one records a conversation."""

    code = "case_open"


def mark_entered_in_error(session: Session, entity: str, record, user: User, *, reason):
    """Mark a demand, conversation or action (`entity`) entered in error, with the reason:
    once (again → 409), never without a reason (422). Audited; the record stays."""
    if record.in_error:
        raise EnteredInErrorAlready(
            f"This {entity} was already marked entered in error on "
            f"{uk_date(record.entered_in_error_at)}."
        )
    errors: dict[str, str] = {}
    reason = clean_text(
        reason, "reason", errors, required=NO_IN_ERROR_REASON, limit=IN_ERROR_REASON
    )
    if errors:
        raise ReasonRequired(errors["reason"], errors)
    record.entered_in_error_at = clock.now()
    record.entered_in_error_by_id = user.id
    record.entered_in_error_reason = reason
    flush_checked(session, f"this {entity}")
    case = record.case
    audit.record(
        "entered_in_error",
        entity,
        record.id,
        person_id=case.person_id if case is not None else record.person_id,
        user=user,
        case_id=case.id if case is not None else None,
        reason=reason,
    )
    return record


def add_late_note(session: Session, case: Case, user: User, *, note) -> LateNote:
    """Add a note to a closed case: a letter that arrived or a call after closure. An open
    case refuses (409): record a conversation there instead."""
    if case.is_open:
        raise CaseStillOpen(
            "This case is open: record a conversation instead. Late notes are for closed cases."
        )
    errors: dict[str, str] = {}
    note = clean_text(note, "note", errors, required=NO_LATE_NOTE, limit=LATE_NOTE)
    if errors:
        raise InvalidValue(errors["note"], errors)
    late = LateNote(
        case_id=case.id,
        note=note,
        written_on=clock.today(),
        written_at=clock.now(),
        author_id=user.id,
    )
    session.add(late)
    session.flush()
    audit.record_in_case("create", "late_note", late.id, case, user=user)
    return late
