"""Sessions end after SESSION_IDLE_MINUTES without a request (default 30).

The signed session cookie carries when the user last did something; each request checks
it and moves it on. A session left idle for longer is ended and the person is sent to log
in again, with a message and `next` pointing back to where they were.
"""

from __future__ import annotations

import time

from flask import Flask, flash, redirect, request, session
from flask_login import current_user, login_url, logout_user

from .. import audit
from ..extensions import db

LAST_SEEN = "_seen"  # seconds since the epoch, in the signed session cookie
UNTIMED_ENDPOINTS = {"static", "nhsuk_assets", "health.healthz"}


def now() -> float:
    """The clock the idle check reads (tests move it)."""
    return time.time()


def start() -> None:
    """Call on login: the idle clock starts now."""
    session[LAST_SEEN] = int(now())


def register(app: Flask, token_blueprints: set[str]) -> None:
    @app.before_request
    def end_idle_session():
        if request.endpoint in UNTIMED_ENDPOINTS or request.blueprint in token_blueprints:
            return None
        if "_user_id" not in session:
            return None
        minutes = app.config["SESSION_IDLE_MINUTES"]
        last_seen = session.get(LAST_SEEN)
        if isinstance(last_seen, int) and now() - last_seen > minutes * 60:
            return _expire(minutes)
        start()
        return None


def _expire(minutes: int):
    if current_user.is_authenticated:
        audit.record("session_expired", "user", current_user.id)
        db.session.commit()
    logout_user()
    session.pop(LAST_SEEN, None)
    flash(
        f"You were logged out because you had not used Casework for {minutes} minutes. "
        "Log in again to carry on.",
        "info",
    )
    back_to = request.url if request.method == "GET" else request.referrer
    return redirect(login_url("auth.login", next_url=back_to or None))
