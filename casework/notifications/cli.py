"""`casework notify send` (from cron or a systemd timer, docs/deploying.md) and `casework
notify overdue`: telling workers about overdue actions, and the daily email."""

from __future__ import annotations

import smtplib
import sys

import click
from flask import Flask, current_app

from ..config import ConfigurationError
from ..extensions import db
from . import digest
from .overdue import tell_overdue


def _overdue() -> None:
    told = tell_overdue(db.session)
    db.session.commit()
    click.echo(f"Told {told} worker{'s' if told != 1 else ''} of an overdue action")


def register(app: Flask) -> None:
    notify = click.Group("notify", help="Tell workers what changed: overdue actions, email.")
    app.cli.add_command(notify)

    @notify.command("overdue")
    def overdue_command() -> None:
        """Tell each assignee of an open team action past its due date, once per action."""
        _overdue()

    @notify.command("send")
    def send_command() -> None:
        """Tell workers of overdue actions, then email each worker who opted in one digest
        of their unread notifications (counts by kind and a link; no names, no care details)."""
        config = current_app.config
        try:
            digest.check_settings(config)
        except ConfigurationError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)
        _overdue()
        try:
            outcome = digest.send_digests(db.session, config)
        except (smtplib.SMTPException, OSError) as error:
            click.echo(
                f"Error: could not reach the SMTP server {config['MAIL_SERVER']}:"
                f"{config['MAIL_PORT']} ({error}): nothing was emailed.",
                err=True,
            )
            sys.exit(1)
        n = len(outcome.sent)
        click.echo(
            f"Emailed {n} worker{'s' if n != 1 else ''} about {outcome.notifications} "
            f"notification{'s' if outcome.notifications != 1 else ''}"
        )
        for address, why in outcome.failed:
            click.echo(
                f"Error: could not email {address} ({why}): will try again next time", err=True
            )
        if outcome.failed:
            sys.exit(1)
