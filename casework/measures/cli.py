"""`casework measures`: the same JSON as GET /api/v1/measures, for scripts and analysts.
`casework build-facts`: the measures' facts worked out where they are missing or stale."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import click
from flask import Flask

from ..clitools import iso_date, team_or_exit
from ..exceptions import InvalidValue
from ..extensions import db
from . import facts
from .figures import compute
from .populations import COHORT_CHOICES


def register(app: Flask) -> None:
    @app.cli.command("measures")
    @click.option(
        "--from", "start", required=True, callback=iso_date, help="First day, YYYY-MM-DD."
    )
    @click.option("--to", "end", required=True, callback=iso_date, help="Last day, YYYY-MM-DD.")
    @click.option("--cohort", type=click.Choice(COHORT_CHOICES), default="all", show_default=True)
    @click.option("--team", "team_name", default=None, help="One team's name (default: all).")
    def measures_command(start: dt.date, end: dt.date, cohort: str, team_name: str | None):
        """Print every figure of measures.md for the period as JSON (as the API does)."""
        team_id = None if team_name is None else team_or_exit(team_name).id
        try:
            result = compute(db.session, start=start, end=end, cohort=cohort, team_id=team_id)
        except InvalidValue as error:
            for field, message in error.fields.items():
                click.echo(f"Error: {field}: {message}", err=True)
            sys.exit(1)
        click.echo(json.dumps(result))

    @app.cli.command("build-facts")
    @click.option("--again", is_flag=True, help="Work out every fact again even if current.")
    def build_facts_command(again: bool):
        """Work out the measures' facts if they were never built or were built with another
        look-back (after upgrading a database, or changing REPEAT_LOOKBACK_DAYS); otherwise
        do nothing. The first request for a figure would do it too, but at a whole system's
        size that takes longer than a web request may."""
        began = time.perf_counter()
        if again:
            facts.rebuild(db.session)
            db.session.commit()
        elif not facts.ensure_current(db.session):
            click.echo("The measures' facts are current: nothing to do.")
            return
        click.echo(f"Worked out the measures' facts in {time.perf_counter() - began:.1f} s.")
