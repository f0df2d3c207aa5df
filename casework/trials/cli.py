"""`casework trials create|pause|resume|end|results` and `casework costs set|list` (api.md,
"Test and learn"). The CLI acts as nobody in particular: run by whoever runs the server."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask

from ..clitools import iso_date, team_or_exit
from ..exceptions import DomainError
from ..extensions import db
from ..rules import COST_UNITS
from . import costs, service
from .results import results


def _fail(error: DomainError) -> None:
    db.session.rollback()
    click.echo(f"Error: {error.message}", err=True)
    for field, message in error.fields.items():
        click.echo(f"  {field}: {message}", err=True)
    sys.exit(1)


def _trial(name: str):
    trial = service.find(db.session, name)
    if trial is None:
        click.echo(f"Error: there is no trial called {name}", err=True)
        sys.exit(1)
    return trial


def register(app: Flask) -> None:
    trials = click.Group("trials", help="Randomised comparisons of a pilot and usual practice.")
    costs_group = click.Group("costs", help="The teams' cost catalogues.")
    app.cli.add_command(trials)
    app.cli.add_command(costs_group)
    _trial_commands(trials)
    _cost_commands(costs_group)


def _trial_commands(trials: click.Group) -> None:

    @trials.command("create")
    @click.argument("name")
    @click.option("--pilot-team", required=True, help="The pilot team's name.")
    @click.option("--usual-team", required=True, help="The usual-practice team's name.")
    @click.option("--share", required=True, help="The chance of the pilot arm, between 0 and 1.")
    @click.option("--start", "start_on", callback=iso_date, help="First day, YYYY-MM-DD (today).")
    def create_command(name, pilot_team, usual_team, share, start_on):
        """Create a trial: demands recorded into it are routed by the rule or drawn."""
        try:
            trial = service.create(
                db.session,
                name=name,
                pilot_team=pilot_team,
                usual_team=usual_team,
                share=share,
                start_on=start_on,
                by=None,
            )
            db.session.commit()
        except DomainError as error:
            _fail(error)
        click.echo(f"Trial {trial.name} is running from {trial.start_on.isoformat()}.")

    for command, to in (("pause", "paused"), ("resume", "running"), ("end", "ended")):

        @trials.command(command, help=f"The trial is {to} ({command}).")
        @click.argument("name")
        def move_command(name, to=to):
            trial = _trial(name)
            try:
                service.move(db.session, trial, to, by=None)
                db.session.commit()
            except DomainError as error:
                _fail(error)
            click.echo(f"Trial {trial.name} is now {trial.status}.")

    @trials.command("results")
    @click.argument("name")
    @click.option("--follow-up-days", default="180", show_default=True)
    def results_command(name, follow_up_days):
        """Print the trial's results as JSON (as the API does)."""
        trial = _trial(name)
        try:
            click.echo(json.dumps(results(db.session, trial, follow_up_days)))
        except DomainError as error:
            _fail(error)


def _cost_commands(costs_group: click.Group) -> None:
    @costs_group.command("set")
    @click.option("--team", "team_name", required=True, help="The team's name.")
    @click.argument("service_name")
    @click.argument("cost")
    @click.option("--per", type=click.Choice(COST_UNITS), default="item", show_default=True)
    @click.option("--source", default=None, help="Where the figure comes from.")
    def set_command(team_name, service_name, cost, per, source):
        """Set a service's unit cost in pounds (practitioner-hour: an hour of a worker)."""
        team = team_or_exit(team_name)
        try:
            item = costs.set_cost(
                db.session, team, service_name, cost, per=per, source=source, by=None
            )
            db.session.commit()
        except DomainError as error:
            _fail(error)
        click.echo(
            f"{team.name}: {item.service} costs £{item.unit_pence / 100:,.2f} per {item.per}."
        )

    @costs_group.command("list")
    @click.option("--team", "team_name", required=True, help="The team's name.")
    def list_command(team_name):
        """Print the team's cost catalogue."""
        team = team_or_exit(team_name)
        for item in costs.catalogue(db.session, team.id):
            source = f" ({item.source})" if item.source else ""
            click.echo(f"{item.service}: £{item.unit_pence / 100:,.2f} per {item.per}{source}")
