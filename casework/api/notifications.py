"""The caller's notifications (api.md, "Notifications"): newest first, and marking one
read. Each worker reads only their own; anyone else's is not found."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..extensions import db
from ..models import Notification as NotificationRecord
from ..notifications import service
from ..pagination import PER_PAGE
from .base import answers, bp, spec
from .fields import Choice, Moment, Query, Shape, moment

NEWEST = 2 * PER_PAGE  # the most a list answers with: mark them read to see older ones


class Notification(Shape):
    """Something that happened in the caller's work, in words with no health or care detail"""

    id: int
    kind: Choice(rules.NOTIFICATION_KINDS)
    case_id: int | None
    person_id: int | None
    text: str
    created_at: Moment
    read_at: Moment | None


class NotificationList(Shape):
    results: list[Notification]


class NotificationListing(Query):
    unread: Choice(("true", "false"), "true: only the unread ones", example="true") = "false"


def notification_json(record: NotificationRecord) -> Notification:
    return Notification(
        id=record.id,
        kind=record.kind,
        case_id=record.case_id,
        person_id=record.person_id,
        text=record.text,
        created_at=moment(record.created_at),
        read_at=moment(record.read_at),
    )


@bp.get("/notifications")
@spec.validate(resp=answers(200, NotificationList, 422), tags=["Notifications"])
def list_notifications(query: NotificationListing):
    """Your notifications, newest first

    `unread=true` for the unread ones only. At most the newest 100.
    """
    found = service.newest(
        db.session, current_user, unread_only=query.unread == "true", limit=NEWEST
    )
    return NotificationList(results=[notification_json(n) for n in found])


@bp.post("/notifications/<id:notification_id>/read")
@spec.validate(resp=answers(200, Notification, 404), tags=["Notifications"])
def read_notification(notification_id: int):
    """Mark one of your notifications read

    Read already: unchanged. Someone else's: 404.
    """
    record = policy.get_own_notification(current_user, notification_id)
    service.mark_read(db.session, record)
    db.session.commit()
    return notification_json(record)
