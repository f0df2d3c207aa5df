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
