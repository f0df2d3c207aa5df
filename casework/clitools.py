"""What the `casework` commands share, said once: finding a team by its name (or stopping
with the error), reading a YYYY-MM-DD option, and the options and refusal of the commands
that write a file or set a password."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .admin.service import find_team
from .extensions import db
from .models import Team

force_option = click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
password_option = click.option(
    "--password", default=None, help="Without it, a random one is printed once."
)


def team_or_exit(name: str) -> Team:
    """The team called `name`, or the error on stderr and exit status 1."""
    team = find_team(db.session, name)
    if team is None:
        click.echo(f"Error: there is no team called {name}", err=True)
        sys.exit(1)
    return team


def iso_date(ctx, param, value: str | None) -> dt.date | None:
    """A click callback: the option's YYYY-MM-DD as a date (None when left out)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-04-01") from None


def already_exists(path: Path) -> str:
    """Why a command will not write over `path` without --force."""
    return f"{path} already exists. Choose another name, or add --force."
