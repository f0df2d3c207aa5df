"""Telling workers what happened. `tell` is the one way a notification is made: forms, API
and CLI reach it through the domain functions that change things."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from .. import clock, policy
from ..extensions import db
from ..models import Case, Notification, Person, User
from ..pagination import PER_PAGE, Page, paginate
from ..rules import NOTIFICATION_KINDS, NOTIFICATION_TEXT


def managers_of(team_id: int) -> list[User]:
    """The active managers of a team (an administrator working in it counts, as in
    policy.manages_team): who is told when the team, not a worker, must answer."""
    return list(
        db.session.scalars(
            db.select(User).where(
                User.team_id == team_id,
                User.active.is_(True),
                User.role.in_(("manager", "admin")),
            )
        )
    )


def tell(
    users: Iterable[User | int],
    kind: str,
    *,
    text: str,
    case: Case | None = None,
    person: Person | None = None,
    actor: User | None = None,
) -> list[Notification]:
    """Tell each of `users` (workers or their ids) that something happened: one notification
    each, added to the caller's transaction (never committed here), so it is kept exactly
    when the change it reports is. The actor is not told of their own doing, nor is anyone
    no longer active. `text` says what happened and where ("A demand was passed to your case
    #12"): never a health or care detail, since the same words go into the email digest."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"Unknown notification kind: {kind}")
    if len(text) > NOTIFICATION_TEXT:
        raise ValueError(f"A notification's text is at most {NOTIFICATION_TEXT} characters")
    ids = {user if isinstance(user, int) else user.id for user in users}
    ids.discard(actor.id if actor is not None else None)
    if not ids:
        return []
    active = db.session.scalars(
        db.select(User.id).where(User.id.in_(ids), User.active.is_(True))
    ).all()
    if person is None and case is not None:
        person = case.person
    made = [
        Notification(
            user_id=user_id,
            kind=kind,
            text=text,
            case_id=case.id if case is not None else None,
            person_id=person.id if person is not None else None,
        )
        for user_id in sorted(active)
    ]
    db.session.add_all(made)
    return made


# Reading them: the worker's own, and only theirs (policy.get_own_notification).


def unread_count(session: Session, user: User) -> int:
    """How many of the worker's notifications are unread: the header's one cheap count
    (ix_notifications_user_unread)."""
    return session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


@dataclass
class Told:
    """A notification as its list shows it: whether the reader may still open its case and
    its person (a case moves on: reallocated, transferred, the reader moved team)."""

    notification: Notification
    case_visible: bool
    person_visible: bool


def _mine(user: User, unread_only: bool) -> Select:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query


def listing(
    session: Session, user: User, page: int = 1, *, unread_only: bool = False, per_page=PER_PAGE
) -> Page:
    """One page of the worker's notifications, newest first, each with whether its links may
    be shown: one statement for the page and one for the count, however many there are."""
    case_seen, person_seen = policy.notification_links(user)
    mine = _mine(user, unread_only)
    query = mine.add_columns(case_seen, person_seen).order_by(
        Notification.created_at.desc(), Notification.id.desc()
    )
    count = select(func.count()).select_from(mine.subquery())
    return paginate(
        session,
        query,
        page,
        per_page=per_page,
        count=count,
        item=lambda row: Told(row[0], bool(row[1]), bool(row[2])),
    )


def newest(session: Session, user: User, *, unread_only: bool = False, limit: int) -> list:
    """The worker's latest notifications, newest first (the API's list)."""
    query = _mine(user, unread_only).order_by(
        Notification.created_at.desc(), Notification.id.desc()
    )
    return list(session.scalars(query.limit(limit)))


def mark_read(session: Session, notification: Notification) -> Notification:
    """Mark one notification read; reading it again changes nothing (it keeps the first
    moment it was read)."""
    if notification.read_at is None:
        notification.read_at = clock.now()
    return notification


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the worker read, in one statement; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
