"""Passwords and sessions: Argon2 hashes, and session tokens that a reset revokes."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import func, select

from ..exceptions import InvalidValue
from ..extensions import db
from ..models import User

MIN_PASSWORD_LENGTH = 12
_hashers: dict[tuple, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    """Argon2id with the library's recommended cost, or a cheaper one set for tests."""
    params = current_app.config.get("ARGON2_PARAMS", {}) if has_app_context() else {}
    key = tuple(sorted(params.items()))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**params)
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        # Spend the same time on an unknown email as on a wrong password.
        with contextlib.suppress(VerificationError):
            _hasher().verify(_hasher().hash("not a real password"), password)
        return None
    if not user.active or not check_password(user, password):
        return None
    return user


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidValue(
            "Password too short",
            {"password": f"Use a password of at least {MIN_PASSWORD_LENGTH} characters"},
        )


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session of the user."""
    validate_password(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()


def new_session_token() -> str:
    return secrets.token_hex(16)


def random_password() -> str:
    return secrets.token_urlsafe(12)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the session holds "id:token", so a reset logs everyone out."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user
