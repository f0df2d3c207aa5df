"""`casework measures`: the same JSON as GET /api/v1/measures, for scripts and analysts."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from flask import Flask

from ..admin.service import find_team
from ..exceptions import InvalidValue
from ..extensions import db
from .figures import compute
from .populations import COHORT_CHOICES


def _date(ctx, param, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-04-01") from None


def register(app: Flask) -> None:
    @app.cli.command("measures")
    @click.option("--from", "start", required=True, callback=_date, help="First day, YYYY-MM-DD.")
    @click.option("--to", "end", required=True, callback=_date, help="Last day, YYYY-MM-DD.")
    @click.option("--cohort", type=click.Choice(COHORT_CHOICES), default="all", show_default=True)
    @click.option("--team", "team_name", default=None, help="One team's name (default: all).")
    def measures_command(start: dt.date, end: dt.date, cohort: str, team_name: str | None):
        """Print every figure of measures.md for the period as JSON (as the API does)."""
        team_id = None
        if team_name is not None:
            team = find_team(db.session, team_name)
            if team is None:
                click.echo(f"Error: there is no team called {team_name}", err=True)
                sys.exit(1)
            team_id = team.id
        try:
            result = compute(db.session, start=start, end=end, cohort=cohort, team_id=team_id)
        except InvalidValue as error:
            for field, message in error.fields.items():
                click.echo(f"Error: {field}: {message}", err=True)
            sys.exit(1)
        click.echo(json.dumps(result))
