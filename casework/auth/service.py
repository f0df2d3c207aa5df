"""Passwords: Argon2 hashes; a new password ends the user's sessions and API tokens."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import func, select

from .. import audit
from ..exceptions import InvalidValue
from ..extensions import db
from ..models import User
from .common_passwords import is_common

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
_hashers: dict[tuple, PasswordHasher] = {}
# A hash of no one's password, made with each hasher: checking an unknown email against
# it costs what checking a real account's password costs (no hash on the way).
_no_ones_hash: dict[tuple, str] = {}


def _key() -> tuple:
    params = current_app.config.get("ARGON2_PARAMS", {}) if has_app_context() else {}
    return tuple(sorted(params.items()))


def _hasher() -> PasswordHasher:
    """Argon2id with the library's recommended cost, or a cheaper one set for tests."""
    key = _key()
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**dict(key))
        _no_ones_hash[key] = _hashers[key].hash(secrets.token_hex(16))
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. An unknown email and a
    deactivated account take the time a wrong password takes: one Argon2 check, no more."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        hasher = _hasher()
        with contextlib.suppress(VerificationError):
            hasher.verify(_no_ones_hash[_key()], password)
        return None
    right = check_password(user, password)
    return user if right and user.active else None


def password_problem(password: str) -> str | None:
    """What is wrong with a password someone chose, in plain English, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Use a password of at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use a password of {MAX_PASSWORD_LENGTH} characters or fewer"
    if is_common(password):
        return (
            "This password is one of the most common passwords, or too close to one, so it "
            "is easy to guess. Try 3 or 4 unrelated words instead"
        )
    return None


def validate_password(password: str, field: str = "password") -> None:
    """Every password a person chooses passes here: a minimum length and not a common one."""
    problem = password_problem(password)
    if problem:
        raise InvalidValue("Choose a different password", {field: problem})


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """Set a new password, end every session of the user and revoke their API tokens (a
    password changed because it leaked must not leave the leaked account's access open)."""
    from . import sessions, tokens

    validate_password(password)
    user.password_hash = hash_password(password)
    sessions.end_all(user, "password_changed")
    tokens.revoke_all(db.session, user, actor or user, reason="password_changed")


def random_password() -> str:
    """16 random characters that pass the same checks as a chosen password."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_problem(password) is None:
            return password


def change_own_password(user: User, current: str, new: str, confirm: str) -> None:
    """A user changes their own password: they prove the current one and type the new one
    twice. Every other session of theirs ends (the caller logs this one in again)."""
    errors = {}
    if not current or not check_password(user, current):
        errors["current"] = "Enter your current password correctly"
    problem = password_problem(new)
    if problem:
        errors["new"] = problem
    elif new != confirm:
        errors["confirm"] = "The two new passwords are not the same. Type it again"
    elif current and new == current:
        errors["new"] = "Your new password must be different from your current one"
    if errors:
        raise InvalidValue("Your password has not been changed", errors)
    set_password(user, new)
    audit.record("change_password", "user", user.id, user=user)
