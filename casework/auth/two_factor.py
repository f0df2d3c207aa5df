"""Two-factor sign-in for local passwords: a time-based one-time code (TOTP, RFC 6238) from
an authenticator app, or one of ten single-use recovery codes (ADR 0024).

- Setting up: a new secret is kept on the user, not yet in force, and shown as a QR code
  drawn here (no outside service sees it) and as text to type, for a screen reader or an
  app on the same phone. The first right code confirms it and makes ten recovery codes,
  shown once; only their hashes are kept.
- Signing in: after the password, a code from the app or a recovery code. A TOTP code
  works once (its time step is remembered), a recovery code once. Wrong codes count against
  the same limits as wrong passwords (casework/auth/throttle.py).
- Required for the roles in MFA_REQUIRED_ROLES; an administrator can reset a worker's
  second factor (a lost phone: admin.service.reset_two_factor), which ends their sessions
  so they set it up again.
"""

from __future__ import annotations

import re
import secrets
from typing import NamedTuple

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, clock
from ..exceptions import InvalidValue
from ..extensions import db
from ..models import RecoveryCode, User, utcnow
from .tokens import hash_token

ISSUER = "Casework"
RECOVERY_CODES = 10
# No 0/O, 1/l/I: a code read off paper is typed right.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_FIELD = "code"
# One time step either side: a phone's clock a little out still works.
VALID_WINDOW = 1
# Wrong codes in a row before codes from the app stop working (NIST SP 800-63B: at most 100).
MAX_WRONG_CODES = 20


def now() -> float:
    """The clock codes are checked against (tests move it)."""
    return clock.timestamp()


def required_for(user: User) -> bool:
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def secret_for_setup(user: User, fresh: bool = False) -> str:
    """The secret to set up with: the one already waiting (reloading the page while scanning
    keeps the same QR code), or a new one. Never replaces a confirmed secret."""
    if user.has_two_factor:
        raise InvalidValue("Two-factor sign-in is already set up")
    if fresh or not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def setup_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> Markup:
    """The QR code as inline SVG, with a text alternative; no style attributes (the page's
    content security policy allows none)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    labelled = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code for your authenticator app" focusable="false" ',
        1,
    )
    return Markup(labelled)  # noqa: S704 - made here from segno's own output


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to read out and type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm(user: User, code: str) -> list[str]:
    """Put the waiting secret in force with a first right code; returns the new recovery
    codes (to show once)."""
    if user.has_two_factor or not user.totp_secret:
        raise InvalidValue("Start setting up two-factor sign-in again")
    step = _totp_step(user.totp_secret, code)
    if step is None:
        raise InvalidValue("Check the code", {CODE_FIELD: _wrong_code(code)})
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record("two_factor_enabled", "user", user.id, user=user)
    return codes


class Passed(NamedTuple):
    how: str  # "totp" or "recovery"
    wrong_before: int  # wrong codes entered since the last right one


def check(user: User, code: str) -> Passed:
    """Sign-in's second step: how a right code passed (used up now); raises InvalidValue for
    a wrong, reused or malformed one.

    Every attempt is counted, and committed, before the code is looked at, in one statement
    (two guesses at once cannot both slip under the limit). After MAX_WRONG_CODES wrong codes
    in a row only a recovery code, or an administrator's reset, opens it again: however
    slowly someone with the password guesses, they get that many tries."""
    code = (code or "").strip()
    if not user.has_two_factor:
        raise InvalidValue("Two-factor sign-in is not set up")
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_failures=User.totp_failures + 1)
        .returning(User.totp_failures)
    ).scalar_one()
    locked = failures > MAX_WRONG_CODES
    if failures == MAX_WRONG_CODES + 1:  # the attempt that finds it locked, once
        audit.record("two_factor_locked", "user", user.id, user=user)
    db.session.commit()
    step = None if locked else _totp_step(user.totp_secret, code)
    if step is not None:
        # One statement that takes the step only if no code of it (or later) was used: two
        # requests with the same code at once cannot both get in.
        taken = db.session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise InvalidValue(
                "Check the code",
                {CODE_FIELD: "That code has been used already. Wait for the next code"},
            )
        set_committed_value(user, "totp_last_step", step)
        return _passed(user, "totp", failures)
    if _use_recovery_code(user, code):
        return _passed(user, "recovery", failures)
    if locked:
        raise InvalidValue(
            "Two-factor sign-in is locked",
            {
                CODE_FIELD: f"There have been more than {MAX_WRONG_CODES} wrong codes in a row, "
                "so codes from the app no longer work. Use one of your recovery codes, or "
                "ask your administrator to reset your two-factor sign-in"
            },
        )
    raise InvalidValue("Check the code", {CODE_FIELD: _wrong_code(code, recovery=True)})


def _passed(user: User, how: str, failures: int) -> Passed:
    user.totp_failures = 0
    return Passed(how, failures - 1)


def new_recovery_codes(user: User, code: str) -> list[str]:
    """Ten new recovery codes in place of the old ones, after a right code from the app."""
    check(user, code)
    codes = _new_recovery_codes(user)
    audit.record("recovery_codes_replaced", "user", user.id, user=user)
    return codes


def recovery_codes_left(user: User) -> int:
    unused = (RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(*unused))


def turn_off(user: User, code: str) -> bool:
    """The user stops using a second factor, proving it with a code; not where required."""
    if required_for(user):
        raise InvalidValue(
            "Your role needs two-factor sign-in",
            {CODE_FIELD: "Two-factor sign-in cannot be turned off for your role"},
        )
    check(user, code)
    clear(user)
    audit.record("two_factor_disabled", "user", user.id, user=user)
    return True


def clear(user: User) -> None:
    """Forget the user's second factor: secret, steps, wrong codes and recovery codes."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.totp_failures = 0
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _totp_step(secret: str, code: str) -> int | None:
    """The time step a right six-digit code belongs to, or None."""
    digits = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", digits):
        return None
    totp = pyotp.TOTP(secret)
    moment = now()
    step_now = int(moment // totp.interval)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = step_now + offset
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _wrong_code(code: str, recovery: bool = False) -> str:
    or_recovery = ", or a recovery code" if recovery else ""
    if not (code or "").strip():
        return f"Enter the 6-digit code from your authenticator app{or_recovery}"
    return f"The code is not right. Enter the 6-digit code your app shows now{or_recovery}"


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(_normalise(code))))
        codes.append(code)
    return codes


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_normalise(code)) != 12:
        return False
    # Used up in the same statement that finds it: the same code twice at once gets in once.
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(_normalise(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        return False
    audit.record("recovery_code_used", "user", user.id, user=user)
    return True
