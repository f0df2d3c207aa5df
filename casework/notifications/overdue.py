"""`action_overdue`: each open team action past its due date is told to its assignee once
(`casework notify overdue`, and the start of `casework notify send`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .. import clock
from ..models import Action, Case, Notification, User
from .events import overdue_text
from .service import tell

# Taken for the length of the transaction on PostgreSQL, so that two servers running the
# command at the same moment take turns and the second sees what the first told.
LOCK = 170_017


def tell_overdue(session: Session, today: dt.date | None = None) -> int:
    """Tell each active assignee of an open team action on an open case, due before today,
    that it is overdue: once per action and due date (a re-dated action that falls overdue
    again is told again). Returns how many were told; the caller commits."""
    today = today or clock.today()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
    overdue = session.scalars(
        select(Action)
        .join(Case, Case.id == Action.case_id)
        .join(User, User.id == Action.assignee_id)
        .where(
            Action.by == "team",
            Action.status == "agreed",
            Action.due_on < today,
            Case.closed_on.is_(None),
            User.active.is_(True),
        )
        .order_by(Action.id)
    ).all()
    if not overdue:
        return 0
    told = set(
        session.execute(
            select(Notification.user_id, Notification.text).where(
                Notification.kind == "action_overdue",
                Notification.case_id.in_({action.case_id for action in overdue}),
            )
        ).all()
    )
    count = 0
    for action in overdue:
        words = overdue_text(action)
        if (action.assignee_id, words) in told:
            continue
        count += len(tell([action.assignee_id], "action_overdue", text=words, case=action.case))
    return count
