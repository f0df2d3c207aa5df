"""One-time tokens on every web form (issue 17, "nothing saved twice"; ADR 0036).

Every form the project draws carries, next to its CSRF token, a one-time token: random,
dated and signed for the signed-in user (the base form class in casework/forms.py renders
it beside `{{ form.csrf_token }}`, so no template or form has to ask). Saving a form spends
its token: `claim()` records it in `form_tokens` before the change, in the change's own
transaction, and `settle(url)` notes where the save sends the browser (web.save_form does
both; a view that saves by hand calls `spend(form)` and `settle(url)` itself, and
tests/test_once.py fails for a page taking a POST that does neither and is not exempt).
A form sent again (the back button, a double click, a weak signal resending) finds
its token spent: the browser goes where the first save went, told "This was already
saved", and nothing is saved twice. When the save is refused, the rollback unspends the
token, so the corrected form can be sent; a form shown again with errors has a fresh one.

Two sends racing on two app servers meet at the table's unique (user, token): the second
waits for the first to commit, fails its claim, and is sent where the first went.

A token signed for someone else (a shared computer, another signed-in user) or older than
rules.FORM_TOKEN_DAYS (its record may have been forgotten by `casework maintain`) is not
accepted: the form is shown again, as typed, with a fresh token and a message. A post with
no token at all (a script, or tests with CSRF switched off) saves as before.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, flash, g, redirect, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import clock, rules
from .extensions import db
from .models import FormToken

FIELD = "once"
LONGEST = 100  # the column's width: issued (10) + nonce (16) + signature (32) and dots


class AlreadySaved(Exception):
    """The form's token was spent by a save that has just committed elsewhere."""

    def __init__(self, spent: FormToken | None):
        super().__init__(rules.ALREADY_SAVED)
        self.redirect_to = spent.redirect_to if spent is not None else None


def _signature(user_id: int, issued: int, nonce: str) -> str:
    key = current_app.secret_key.encode()
    message = f"once:{user_id}:{issued}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def new_token() -> str | None:
    """A fresh token for the signed-in user (None for nobody: the sign-in forms save nothing)."""
    if not current_user.is_authenticated:
        return None
    issued, nonce = int(clock.timestamp()), secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_signature(current_user.id, issued, nonce)}"


def hidden_input() -> Markup:
    """The hidden field carrying a fresh token, or nothing when nobody is signed in."""
    token = new_token()
    if token is None:
        return Markup("")
    return Markup(f'<input name="{FIELD}" type="hidden" value="{token}">')  # noqa: S704 - url-safe


def sent_token() -> str | None:
    """The token the form sent, if it sent one and someone is signed in."""
    if request.method != "POST" or not current_user.is_authenticated:
        return None
    return request.form.get(FIELD) or None


def problem(token: str) -> str | None:
    """Why the token cannot be spent by this user now, in words for the form; None if it can."""
    issued, _, rest = token.partition(".")
    nonce, _, signature = rest.partition(".")
    if len(token) > LONGEST or not issued.isdigit() or not nonce or not signature:
        return rules.FORM_OPENED_BY_SOMEONE_ELSE
    expected = _signature(current_user.id, int(issued), nonce)
    if not hmac.compare_digest(expected, signature):
        return rules.FORM_OPENED_BY_SOMEONE_ELSE
    if clock.timestamp() - int(issued) > rules.FORM_TOKEN_DAYS * 86_400:
        return rules.FORM_OPENED_TOO_LONG_AGO
    return None


def spent(token: str) -> FormToken | None:
    return db.session.scalar(
        select(FormToken).where(FormToken.user_id == current_user.id, FormToken.token == token)
    )


def claim() -> str | None:
    """Spend the sent token in the current transaction, before the change: None when spent
    (or when no token was sent), or the words to show on the form when the token cannot be
    spent. Raises AlreadySaved when another send of the same form has just spent it."""
    token = sent_token()
    if token is None:
        return None
    refusal = problem(token)
    if refusal is not None:
        return refusal
    record = FormToken(user_id=current_user.id, token=token, used_at=clock.now())
    db.session.add(record)
    try:
        db.session.flush()  # on PostgreSQL, waits here while another send holds the token
    except IntegrityError:
        db.session.rollback()
        raise AlreadySaved(spent(token)) from None
    g.once_claimed = record
    return None


def spend(form=None) -> bool:
    """`claim()` for a view that saves by hand, just before its change: True when the token
    is spent (or none was sent); False when it cannot be, with the reason in the form's
    error summary, or flashed when no form is shown again (a button that goes back)."""
    refusal = claim()
    if refusal is None:
        return True
    if form is not None:
        form.form_errors.append(refusal)
    else:
        flash(refusal, "error")
    return False


def settle(destination: str) -> None:
    """Note where the save sends the browser, on the token it spent (same transaction)."""
    record = g.pop("once_claimed", None)
    if record is not None:
        record.redirect_to = destination[:2000]


def _back_to_the_first_save(destination: str | None):
    flash(rules.ALREADY_SAVED, "success")
    return redirect(destination or request.full_path, 303)


def _moved(app) -> bool:
    """An address that has moved (web.moved_to) passes the form on unread, to be read where
    it is saved."""
    return hasattr(app.view_functions.get(request.endpoint), "moved_to")


def register(app, token_blueprints) -> None:
    """A form sent again, on any page: straight to where its first send went."""

    @app.before_request
    def already_saved():
        if request.blueprint in token_blueprints or _moved(app):
            return None
        token = sent_token()
        if token is None or len(token) > LONGEST:
            return None
        record = spent(token)
        if record is None:
            return None
        return _back_to_the_first_save(record.redirect_to)

    @app.errorhandler(AlreadySaved)
    def saved_meanwhile(error: AlreadySaved):
        db.session.rollback()
        return _back_to_the_first_save(error.redirect_to)
