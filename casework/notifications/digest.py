"""The daily email of notifications (`casework notify send`): one email to each active worker
who opted in, counting their unread notifications not yet emailed by kind, with a link to
the list. It carries no notification's words, so no person's name and no health or care
detail ever leaves the service by email; the worker reads the rest after signing in.

Safe on several servers at once: each notification is claimed by a conditional update
(`emailed_at` set only where it is still empty, RETURNING what this run claimed), so each
is in one email at most; a worker with nothing newly claimed gets no email.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from .. import clock
from ..config import ConfigurationError
from ..models import Notification, User
from ..rules import NOTIFICATION_KINDS

TIMEOUT_SECONDS = 30


@dataclass
class Outcome:
    """What a run did, for the command to say."""

    sent: list[str] = field(default_factory=list)  # the workers' email addresses
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, why)
    notifications: int = 0


def check_settings(config) -> None:
    """Refuse to start without what the email needs, saying which setting to add."""
    missing = [
        name for name in ("MAIL_SERVER", "MAIL_FROM", "CASEWORK_BASE_URL") if not config.get(name)
    ]
    if missing:
        raise ConfigurationError(
            f"The email of notifications needs {', '.join(missing)} set "
            "(docs/deploying.md, Email): nothing was sent."
        )
    base = urlsplit(config["CASEWORK_BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigurationError(
            "CASEWORK_BASE_URL must be the app's public address, like "
            f"https://casework.example.nhs.uk (not {config['CASEWORK_BASE_URL']!r})"
        )


def recipients(session: Session) -> list[User]:
    """Active workers who opted in and have an unread notification not yet emailed."""
    waiting = exists().where(
        Notification.user_id == User.id,
        Notification.read_at.is_(None),
        Notification.emailed_at.is_(None),
    )
    query = select(User).where(User.active.is_(True), User.email_digest.is_(True), waiting)
    return list(session.scalars(query.order_by(User.id)))


@dataclass
class Claim:
    """The notifications one run claimed for one worker: their ids, and how many of each kind."""

    ids: list[int]
    counts: Counter


def claim(session: Session, user: User) -> Claim:
    """Mark the worker's unread, not yet emailed notifications as emailed, and return what
    this call claimed (nothing when another server claimed them first). Committed at once,
    before the email goes: a notification is never in two emails."""
    claimed = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            Notification.emailed_at.is_(None),
        )
        .values(emailed_at=clock.now())
        .returning(Notification.id, Notification.kind)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return Claim([ident for ident, _ in claimed], Counter(kind for _, kind in claimed))


def release(session: Session, ids: list[int]) -> None:
    """Put claimed notifications back (the email could not be sent): the next run tries."""
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(emailed_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def message(user: User, counts: Counter, config) -> EmailMessage:
    """The email: how many of each kind, and where to read them. No notification's words."""
    base = config["CASEWORK_BASE_URL"]
    total = sum(counts.values())
    email = EmailMessage()
    email["Subject"] = f"Casework: {total} unread notification{'s' if total != 1 else ''}"
    email["From"] = config["MAIL_FROM"]
    email["To"] = user.email
    lines = [
        f"Hello {user.name},",
        "",
        f"You have {total} new unread notification{'s' if total != 1 else ''} in Casework:",
        "",
        *(f"- {NOTIFICATION_KINDS[kind]}: {n}" for kind, n in sorted(counts.items())),
        "",
        f"Read them in Casework: {base}/notifications?unread=1",
        "",
        "This email says only how many there are: what happened, and who it is about, is in "
        "Casework after you sign in.",
        "",
        f'You get this email because you asked for it. To stop it, change "Daily email" on '
        f"your account page: {base}/account#details",
    ]
    email.set_content("\n".join(lines))
    return email


def connect(config) -> smtplib.SMTP:
    """A connection to the SMTP server: STARTTLS (verifying its certificate) when
    MAIL_USE_TLS, and a login when MAIL_USERNAME is set."""
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT_SECONDS)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except Exception:
        smtp.close()
        raise
    return smtp


def send_digests(session: Session, config) -> Outcome:
    """Email each worker who opted in: one email each, of what this run claimed."""
    check_settings(config)
    outcome = Outcome()
    people = recipients(session)
    if not people:
        return outcome
    with connect(config) as smtp:
        for user in people:
            claimed = claim(session, user)
            if not claimed.ids:
                continue
            try:
                smtp.send_message(message(user, claimed.counts, config))
            except (smtplib.SMTPException, OSError) as error:
                release(session, claimed.ids)
                outcome.failed.append((user.email, str(error) or type(error).__name__))
                continue
            outcome.sent.append(user.email)
            outcome.notifications += len(claimed.ids)
    return outcome
