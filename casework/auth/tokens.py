"""API tokens: random bearer tokens of which only a SHA-256 hash is kept.

A token is 32 random bytes, so a fast hash is enough: nobody can guess one to
compare (Argon2 is for passwords, which people choose and which are guessable).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .. import audit
from ..exceptions import InvalidValue
from ..models import ApiToken, User, as_utc, utcnow

MAX_DAYS = 366  # a token lives a year at most, whatever TOKEN_DAYS says
PREFIX = "cw_"  # lets secret scanners and people recognise a Casework token
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session,
    user: User,
    label: str | None = None,
    actor: User | None = None,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Make a new token for the user, working for `days` (TOKEN_DAYS unless given); returns
    the record and the token, shown only this once."""
    label = (label or "").strip() or None
    if label and len(label) > 100:
        raise InvalidValue("Check the token's label", {"label": "Use 100 characters or fewer"})
    if days is None:
        days = current_app.config["TOKEN_DAYS"]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidValue(
            "Check how long the token works",
            {"days": f"Enter a whole number of days from 1 to {MAX_DAYS}"},
        )
    if not user.active:
        raise InvalidValue(
            "This user is deactivated", {"email": "A deactivated user cannot have API tokens"}
        )
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(
        user=user,
        token_hash=hash_token(token),
        label=label,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(record)
    session.flush()
    audit.record("create", "api_token", record.id, user=actor or user, owner_id=user.id, days=days)
    return record, token


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user a live token belongs to, noting when it was used; None otherwise
    (unknown, revoked, expired, or its user deactivated)."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    record = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # its user in the same query
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if record is None or not record.user.active:
        return None
    last = record.last_used_at
    if last is None or now - as_utc(last) > LAST_USED_GRANULARITY:
        record.last_used_at = now
    return record.user, record


def is_live(record: ApiToken, now: dt.datetime | None = None) -> bool:
    return record.revoked_at is None and as_utc(record.expires_at) > (now or utcnow())


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, record: ApiToken, actor: User) -> ApiToken:
    """Stop one token working, at once."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record("revoke", "api_token", record.id, user=actor, owner_id=record.user_id)
    return record


def revoke_all(
    session: Session, user: User, actor: User | None = None, reason: str | None = None
) -> int:
    """Stop every live token of the user (deactivation, a new password, a lost laptop);
    returns how many."""
    live = session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
        )
    ).all()
    for record in live:
        record.revoked_at = utcnow()
    if live:
        detail = {"reason": reason} if reason else {}
        audit.record(
            "revoke",
            "api_token",
            None,
            user=actor,
            owner_id=user.id,
            ids=[r.id for r in live],
            **detail,
        )
    return len(live)
