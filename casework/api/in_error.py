"""How a record entered in error shows in the API: the mark it carries (null when current)."""

from __future__ import annotations

from .fields import Moment, Shape, moment


class InError(Shape):
    """Entered in error: kept in the history, in no current view or figure (ADR 0037)."""

    at: Moment
    by_id: int | None
    reason: str | None


def in_error_json(record) -> InError | None:
    if not record.in_error:
        return None
    return InError(
        at=moment(record.entered_in_error_at),
        by_id=record.entered_in_error_by_id,
        reason=record.entered_in_error_reason,
    )
