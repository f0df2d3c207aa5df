"""Failed logins, limited per account and per network address, counted in the database.

Every failed login is already an audit event (`login_failed`, with the email address typed
and the address it came from), so the count is shared by every gunicorn worker and server
and survives a restart, with no other store to run (see docs/adr, login rate limits).

- Per account: at most LOGIN_LIMIT_PER_ACCOUNT failures for one email address within
  LOGIN_LIMIT_WINDOW_MINUTES. Counted by the address typed, so an unknown email behaves
  exactly like a real one (nobody learns which accounts exist). A successful login to the
  account starts its count again: only someone who knows the password can do that.
- Per network address: at most LOGIN_LIMIT_PER_ADDRESS failures within the window, across
  all accounts. A successful login never clears it, so an attacker cannot log in to their
  own account between guesses at other people's.

A refused attempt never checks the password and does not count as a failure (so waiting
always ends). Its refusal is audited as `login_throttled` once per account or address and
window, not once per attempt: a refused attempt costs an attacker nothing, and the trail
cannot be emptied, so it must not grow by a row for each one.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..models import AuditEvent, User, as_utc, utcnow

FAILED = "login_failed"
CODE_FAILED = "two_factor_failed"  # a wrong second-factor code: counted like a password
FAILURES = (FAILED, CODE_FAILED)
# Single sign-on refused (auth/oidc.py): audited, but not one of FAILURES. Nothing of
# Casework's was guessed (the provider checks the password), and counting them would let a
# broken provider or a shared network address lock out password sign-in (ADR 0023).
OIDC_FAILED = "oidc_login_failed"
THROTTLED = "login_throttled"


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds
    by_address: bool = False  # the network address's limit, not the account's


def normalise(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def record_failure(email: str | None, action: str = FAILED, **detail) -> None:
    """A wrong password (or unknown email), or a wrong second-factor code: one more failure
    for the account and address."""
    audit.record(action, "user", None, email=normalise(email), **detail)


def check(session: Session, email: str | None, now: dt.datetime | None = None) -> Refusal | None:
    """None when this attempt may go ahead; otherwise why not and for how long.
    The caller audits the refusal with `record_refusal`."""
    now = now or utcnow()
    config = current_app.config
    window = dt.timedelta(minutes=config["LOGIN_LIMIT_WINDOW_MINUTES"])
    email = normalise(email)
    account_since = max(now - window, _last_success(session, email) or now - window)
    limits = [
        (
            "for this account",
            AuditEvent.detail["email"].as_string() == email,
            config["LOGIN_LIMIT_PER_ACCOUNT"],
            account_since,
        )
    ]
    if request.remote_addr:
        limits.append(
            (
                "from your network",
                AuditEvent.remote_addr == request.remote_addr,
                config["LOGIN_LIMIT_PER_ADDRESS"],
                now - window,
            )
        )
    seconds, where = max(
        (_wait(session, which, limit, since, window, now), where)
        for where, which, limit, since in limits
    )
    by_address = where == "from your network"
    if seconds <= 0:
        return None
    minutes = math.ceil(seconds / 60)
    return Refusal(
        f"Too many wrong passwords or codes have been entered {where}. "
        f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again. "
        "If you have forgotten your password, ask your administrator to reset it.",
        seconds,
        by_address,
    )


def record_refusal(session: Session, email: str | None, refusal: Refusal) -> None:
    """Audit the refusal, unless this account's (or address's) refusal is already in the
    trail within the window."""
    email = normalise(email)
    if refusal.by_address:
        same = AuditEvent.remote_addr == request.remote_addr
    else:
        same = AuditEvent.detail["email"].as_string() == email
    window = dt.timedelta(minutes=current_app.config["LOGIN_LIMIT_WINDOW_MINUTES"])
    already = select(AuditEvent.id).where(
        AuditEvent.action == THROTTLED, AuditEvent.at > utcnow() - window, same
    )
    if session.scalar(already.limit(1)) is None:
        audit.record(THROTTLED, "user", None, email=email, retry_after=refusal.retry_after)


def _wait(
    session: Session, which, limit: int, since: dt.datetime, window: dt.timedelta, now
) -> int:
    """Seconds until fewer than `limit` failures are left in the window (0: go ahead):
    when the `limit`-th latest failure after `since` leaves the window."""
    times = session.scalars(
        select(AuditEvent.at)
        .where(AuditEvent.action.in_(FAILURES), AuditEvent.at > since, which)
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    return max(0, math.ceil((as_utc(times[-1]) + window - now).total_seconds()))


def _last_success(session: Session, email: str) -> dt.datetime | None:
    """When the account with this email last logged in successfully, if it exists."""
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email))
    if user_id is None:
        return None
    at = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.user_id == user_id, AuditEvent.action == "login"
        )
    )
    return as_utc(at) if at is not None else None
