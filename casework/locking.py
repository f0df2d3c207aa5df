"""Optimistic locking: a change made from an out-of-date copy is refused, never lost silently."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .exceptions import StaleVersion


def check_version(record, expected: int | None, what: str) -> None:
    """Refuse a change made from an out-of-date copy of `what` ("this case", "these details")."""
    if expected is not None and expected != record.version:
        raise StaleVersion(
            f"Someone else changed {what} since you opened it. "
            "Check their change, then make yours again.",
            current=record,
        )


def flush_checked(session: Session, what: str) -> None:
    """Flush, turning a lost race on the version column into StaleVersion."""
    try:
        session.flush()
    except StaleDataError as error:
        session.rollback()
        raise StaleVersion(f"Someone else changed {what} at the same moment.") from error


def apply_changes(session: Session, record, clean: dict, what: str) -> list[str]:
    """Set each of `clean`'s values that differs on `record`, and flush (flush_checked);
    the names of the fields changed, sorted, for the audit."""
    changed = sorted(name for name, value in clean.items() if getattr(record, name) != value)
    for name in changed:
        setattr(record, name, clean[name])
    if changed:
        flush_checked(session, what)
    return changed
