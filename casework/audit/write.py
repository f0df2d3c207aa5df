"""Writing the audit trail: every read of a person's record and every change, appended."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import commit_keeping_loaded, db
from ..models import AuditEvent, AuditEventPerson

# The detail key naming everyone a list showed; each is also a row of audit_event_people,
# by which the person's trail finds the list (audit.trail.about_people, ADR 0025).
LISTED = "person_ids"


def record(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    person_id: int | None = None,
    user=None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=entity_id,
        person_id=person_id,
        user_id=user.id if user is not None else None,
        detail=detail or None,
        remote_addr=request.remote_addr if has_request_context() else "cli",
    )
    shown = {p for p in detail.get(LISTED) or () if type(p) is int}  # ids only, never "5"
    if shown:
        event.listed = [AuditEventPerson(person_id=p) for p in sorted(shown)]
    db.session.add(event)
    return event


def record_in_case(
    action: str, entity: str, entity_id: int | None, case, *, user=None, **detail
) -> AuditEvent:
    """An event about something within a case: it names the case's person and the case."""
    return record(
        action, entity, entity_id, person_id=case.person_id, user=user, case_id=case.id, **detail
    )


def record_list(action: str, entity: str, person_ids, entity_id: int | None = None, **detail):
    """A list that shows people is a read of each of their records: one event per list view
    (not one per row), naming everyone shown, so each person's trail finds it."""
    return record(action, entity, entity_id, **{LISTED: sorted(set(person_ids))}, **detail)


def read_case_list(entity: str, records) -> None:
    """A page of records within cases (asks, transfers) read: one event naming the person of
    each, committed at once (`commit_read`); none when the page shows nobody."""
    people = [record.case.person_id for record in records]
    if people:
        record_list("view", entity, people, path=request.path)
        commit_read()


def commit_read() -> None:
    """Commit the audit entry of a read at once (a read happened even if showing the page fails
    later), keeping the records already loaded: a read changed nothing else, so reloading
    each of them, one query apiece, as a plain commit would, is wasted work."""
    commit_keeping_loaded()
