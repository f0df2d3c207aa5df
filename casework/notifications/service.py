"""Telling workers what happened. `tell` is the one way a notification is made: forms, API
and CLI reach it through the domain functions that change things."""

from __future__ import annotations

from collections.abc import Iterable

from ..extensions import db
from ..models import Case, Notification, Person, User
from ..rules import NOTIFICATION_KINDS, NOTIFICATION_TEXT


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
