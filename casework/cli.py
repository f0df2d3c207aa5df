"""The `casework` command: Flask's CLI with the app loaded, plus Casework's own commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from .exceptions import InvalidValue
from .extensions import db
from .models import COHORTS, ROLES


def _fail(error: InvalidValue) -> None:
    for field, message in error.fields.items():
        click.echo(f"Error: {field}: {message}", err=True)
    if not error.fields:
        click.echo(f"Error: {error.message}", err=True)
    sys.exit(1)


def register_commands(app: Flask) -> None:
    """Casework's own commands: teams and users here, the rest from their packages."""
    from .backup import register as register_backup_commands
    from .demo.cli import register as register_demo
    from .export.cli import register as register_export_commands
    from .imports.cli import register as register_import_commands
    from .maintenance import register as register_maintenance
    from .measures.cli import register as register_measures
    from .notifications.cli import register as register_notify
    from .people.cli import register as register_people_commands
    from .synthetic.cli import register as register_generate
    from .trials.cli import register as register_trials

    register_measures(app)
    register_trials(app)
    register_demo(app)
    _register_teams(app)
    _register_users(app)
    register_import_commands(app)
    register_export_commands(app)
    register_people_commands(app)
    register_backup_commands(app)
    register_maintenance(app)
    register_generate(app)
    register_notify(app)


def _register_teams(app: Flask) -> None:
    from .admin import service as admin

    teams = click.Group("teams", help="Manage teams.")
    app.cli.add_command(teams)

    @teams.command("create")
    @click.argument("name")
    @click.option("--cohort", type=click.Choice(COHORTS), required=True)
    def teams_create(name: str, cohort: str) -> None:
        """Add a team to the pilot cohort or to usual practice."""
        try:
            team = admin.create_team(db.session, name, cohort)
        except InvalidValue as error:
            _fail(error)
        db.session.commit()
        click.echo(f"Created team {team.name} ({team.cohort}), id {team.id}")


def _register_users(app: Flask) -> None:
    from .admin import service as admin
    from .auth.cli import add_token_commands
    from .clitools import password_option, team_or_exit

    users = click.Group("users", help="Manage users.")
    app.cli.add_command(users)
    add_token_commands(users)

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--team", "team_name", default=None, help="The team's name.")
    @password_option
    @click.option("--profession", default=None, help="e.g. 'Occupational therapist'.")
    @click.option("--phone", default=None, help="Their direct line, e.g. '0113 496 0000'.")
    @click.option("--working-hours", default=None, help="e.g. 'Monday to Thursday, 8am to 4pm'.")
    def users_create(
        email, name, role, team_name, password, profession, phone, working_hours
    ) -> None:
        """Add a user; without --password a random one is printed once."""
        team = team_or_exit(team_name) if team_name else None
        try:
            user, generated = admin.create_user(
                db.session,
                email=email,
                name=name,
                role=role,
                team=team,
                password=password,
                profile={"profession": profession, "phone": phone, "working_hours": working_hours},
            )
        except InvalidValue as error:
            _fail(error)
        db.session.commit()
        click.echo(f"Created {user.role} {user.name} <{user.email}>, id {user.id}")
        if generated:
            click.echo(f"Password (shown once): {generated}")


def create_cli_app() -> Flask:
    from . import create_app

    return create_app()


main = FlaskGroup(
    name="casework", create_app=create_cli_app, help="Casework: person-centred case management."
)
