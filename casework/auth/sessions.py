"""Sessions kept on the server, so that ending one really ends it (ADR 0022).

The signed session cookie carries a random session id; the `user_sessions` table keeps a
hash of it with the user, when the session began and was last used, and when and why it
ended. Every request with a cookie looks its row up (one query, with the user): a row that
has ended, or is unknown, is no session at all, wherever the cookie was copied to. So:

- signing in makes a new id (the cookie's id rotates: a cookie planted before sign-in
  never becomes a signed-in one), and the session's other contents are cleared;
- logging out, a new password, deactivation, a change of role or team and an
  administrator's "sign out everywhere" end rows, for every server at once;
- a session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
  sign-in, with a message and `next` pointing back to where the person was.

A row's `stage` is "signed_in", or a password accepted and the second factor still to come
("code": typing it; "enrol": setting it up). Only "signed_in" is a logged-in user; the
second-factor pages read the waiting row with `waiting()`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import login_url, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from .. import audit, clock
from ..extensions import commit_keeping_loaded, db
from ..models import User, UserSession, as_utc
from .tokens import hash_token

SESSION_ID = "_sid"  # the random id, in the signed session cookie
UNTIMED_ENDPOINTS = {"static", "nhsuk_assets", "health.healthz"}
# Noting "last used" at most once a minute: otherwise every page would be a write.
LAST_SEEN_GRANULARITY = dt.timedelta(minutes=1)
# A session waiting for its second factor reaches only these pages.
WAITING_ENDPOINTS_BY_STAGE = {"code": "auth.second_factor", "enrol": "auth.two_factor_setup"}
WAITING_ENDPOINTS = {*WAITING_ENDPOINTS_BY_STAGE.values(), "auth.logout", "auth.login"}
WAITING_ENDPOINTS |= {"auth.oidc_login", "auth.oidc_callback"}  # single sign-on instead


def now() -> float:
    """The clock the timeouts read (tests move it)."""
    return clock.timestamp()


def _now() -> dt.datetime:
    return dt.datetime.fromtimestamp(now(), dt.UTC)


def begin(user: User, method: str = "password", stage: str = "signed_in") -> UserSession:
    """Start a new session for this browser: end the one it had, clear the cookie's contents
    and give it a new id. A "signed_in" session logs the user in and is audited as a login."""
    end_current("replaced")
    session.clear()
    session_id = secrets.token_urlsafe(32)
    moment = _now()
    row = UserSession(
        token_hash=hash_token(session_id),
        user=user,
        stage=stage,
        method=method,
        created_at=moment,
        last_seen_at=moment,
        remote_addr=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:200] or None,
    )
    db.session.add(row)
    session[SESSION_ID] = session_id
    session.permanent = False  # ends when the browser closes, as well as on the server
    g.user_session = row
    if stage == "signed_in":
        login_user(user)
        audit.record("login", "user", user.id, user=user, method=method)
    return row


def promote(row: UserSession, method: str | None = None) -> UserSession:
    """The second factor is done: the waiting session becomes a signed-in one, with a new
    id (sign-in is complete only now)."""
    return begin(row.user, method or row.method)


def current() -> UserSession | None:
    """This request's live session row, of any stage (loaded by the before-request hook)."""
    return g.get("user_session")


def waiting(stage: str) -> UserSession | None:
    """This browser's session if it is waiting for the second factor at this stage."""
    row = current()
    return row if row is not None and row.stage == stage else None


def end_current(reason: str) -> None:
    """End this browser's session on the server (if it has one) and log it out."""
    row = current()
    if row is not None and row.ended_at is None:
        row.ended_at = _now()
        row.end_reason = reason
    g.user_session = None
    logout_user()


def end_all(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every live session of the user (all servers at once); returns how many."""
    condition = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep is not None and keep.id is not None:
        condition.append(UserSession.id != keep.id)
    result = db.session.execute(
        update(UserSession)
        .where(*condition)
        .values(ended_at=_now(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def live_sessions(user: User) -> list[UserSession]:
    """The user's signed-in sessions that have not ended, most recently used first
    (timed-out ones included until their next request ends them)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.stage == "signed_in",
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "a Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str | None) -> str:
    """ "Chrome on Windows", from a browser's User-Agent, for a person to recognise."""
    agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in agent), "A browser")
    system = next((name for mark, name in SYSTEMS if mark in agent), None)
    return f"{browser} on {system}" if system else browser


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user of this request's signed-in session row, never a user
    named by the cookie alone."""
    row = current()
    if row is None or row.stage != "signed_in" or str(row.user_id) != user_id:
        return None
    return row.user


def register(app: Flask, token_blueprints: set[str]) -> None:
    @app.before_request
    def load_session():
        g.user_session = None
        if request.endpoint in UNTIMED_ENDPOINTS or request.blueprint in token_blueprints:
            return None
        session_id = session.get(SESSION_ID)
        if not isinstance(session_id, str):
            if "_user_id" in session:  # a cookie from before sessions were kept on the server
                logout_user()
            return None
        row = db.session.scalar(
            select(UserSession)
            .options(joinedload(UserSession.user))
            .where(UserSession.token_hash == hash_token(session_id))
        )
        if row is None or row.ended_at is not None or not row.user.active:
            session.clear()  # an ended session: this cookie is worth nothing any more
            return None
        g.user_session = row
        moment = _now()
        idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        if moment - as_utc(row.last_seen_at) > idle:
            return _expire(row, "idle", app.config["SESSION_IDLE_MINUTES"])
        if moment - as_utc(row.created_at) > dt.timedelta(hours=app.config["SESSION_MAX_HOURS"]):
            return _expire(row, "max_age", app.config["SESSION_MAX_HOURS"])
        if _needs_enrolment(row):
            row.stage = "enrol"  # the role now needs a second factor this session lacks
            logout_user()
            db.session.commit()
        if moment - as_utc(row.last_seen_at) > LAST_SEEN_GRANULARITY:
            row.last_seen_at = moment
            commit_keeping_loaded()
        if row.stage != "signed_in" and request.endpoint not in WAITING_ENDPOINTS:
            return redirect(url_for(WAITING_ENDPOINTS_BY_STAGE[row.stage]))
        return None


def _needs_enrolment(row: UserSession) -> bool:
    from .two_factor import required_for

    return (
        row.stage == "signed_in"
        and row.method == "password"
        and not row.user.has_two_factor
        and required_for(row.user)
    )


def _expire(row: UserSession, reason: str, amount: int):
    audit.record("session_expired", "user", row.user_id, user=row.user, reason=reason)
    end_current(reason)
    db.session.commit()
    session.clear()
    if reason == "idle":
        why = f"you had not used Casework for {amount} minutes"
    else:
        why = f"you signed in {amount} hours ago"
    flash(f"You were logged out because {why}. Log in again to carry on.", "info")
    back_to = request.url if request.method == "GET" else request.referrer
    return redirect(login_url("auth.login", next_url=back_to or None))
