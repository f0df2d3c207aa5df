"""The `casework` command: Flask's CLI with the app loaded, plus Casework's own commands."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy import func, make_url, select

from .exceptions import InvalidValue
from .extensions import db
from .models import COHORTS, ROLES, Person


def _fail(error: InvalidValue) -> None:
    for field, message in error.fields.items():
        click.echo(f"Error: {field}: {message}", err=True)
    if not error.fields:
        click.echo(f"Error: {error.message}", err=True)
    sys.exit(1)


def logins_file(database_uri: str, instance_path: str | Path) -> Path:
    """Where `casework demo` keeps the demo passwords of the database it loaded: beside an
    SQLite file, or in the instance folder for a server's database, named after it
    (instance/demo-logins-casework.txt): two databases never share, or overwrite, one."""
    url = make_url(database_uri)
    name = url.database or ""
    if url.get_backend_name() == "sqlite" and name and name != ":memory:":
        path = Path(name).resolve()
        return path.parent / f"demo-logins-{path.stem}.txt"
    safe_name = re.sub(r"[^\w.-]", "_", name) or "memory"
    return Path(instance_path) / f"demo-logins-{safe_name}.txt"


def save_logins(path: Path, text: str) -> None:
    """Write the passwords readable by their owner only, from the moment the file exists."""
    path.unlink(missing_ok=True)  # an older file may be readable by everyone: never reused
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def register_commands(app: Flask) -> None:
    from .admin import service as admin
    from .measures.cli import register as register_measures
    from .trials.cli import register as register_trials

    register_measures(app)
    register_trials(app)

    @app.cli.command("demo")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Do nothing (and succeed) when the database already holds people.",
    )
    def demo_command(if_empty: bool) -> None:
        """Load a realistic demo locality into an empty database and print the logins."""
        from .demo import load_demo

        saved = logins_file(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
        if db.session.scalar(select(func.count(Person.id))):
            if if_empty:
                click.echo("The database already holds people: demo data not loaded again.")
                try:
                    with open(saved) as handle:
                        click.echo(handle.read())
                except OSError:
                    pass
                return
            click.echo(
                "Refusing: the database already holds people. "
                "The demo loads only into an empty database.",
                err=True,
            )
            sys.exit(1)
        logins = load_demo(db.session)
        db.session.commit()
        text = "Demo logins (password for each on the right):\n" + "\n".join(
            f"  {role:<13} {email:<32} {password}" for role, email, password in logins
        )
        needing = sorted(app.config["MFA_REQUIRED_ROLES"])
        if needing:
            text += (
                f"\nTwo-factor sign-in is required for the roles {', '.join(needing)} "
                "(MFA_REQUIRED_ROLES): the team managers and the administrator set it up the "
                "first time they log in. An authenticator app scans the QR code or takes its "
                "key typed in (or "
                "`oathtool --totp -b KEY` prints the code). To try the demo without it, start "
                "Casework with MFA_REQUIRED_ROLES set to nothing: MFA_REQUIRED_ROLES= make run"
            )
        save_logins(saved, text + "\n")
        click.echo(text)

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

    users = click.Group("users", help="Manage users.")
    app.cli.add_command(users)
    from .auth.cli import add_token_commands

    add_token_commands(users)

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--team", "team_name", default=None, help="The team's name.")
    @click.option("--password", default=None, help="Without it, a random one is printed once.")
    def users_create(email, name, role, team_name, password) -> None:
        """Add a user; without --password a random one is printed once."""
        team = None
        if team_name:
            team = admin.find_team(db.session, team_name)
            if team is None:
                click.echo(f"Error: there is no team called {team_name}", err=True)
                sys.exit(1)
        try:
            user, generated = admin.create_user(
                db.session, email=email, name=name, role=role, team=team, password=password
            )
        except InvalidValue as error:
            _fail(error)
        db.session.commit()
        click.echo(f"Created {user.role} {user.name} <{user.email}>, id {user.id}")
        if generated:
            click.echo(f"Password (shown once): {generated}")

    from .export.cli import register as register_export_commands
    from .imports.cli import register as register_import_commands
    from .synthetic.cli import register as register_generate

    register_import_commands(app)
    register_export_commands(app)
    from .people.cli import register as register_people_commands

    register_people_commands(app)
    from .backup import register as register_backup_commands

    register_backup_commands(app)
    from .maintenance import register as register_maintenance

    register_maintenance(app)
    register_generate(app)


def create_cli_app() -> Flask:
    from . import create_app

    return create_app()


main = FlaskGroup(
    name="casework", create_app=create_cli_app, help="Casework: person-centred case management."
)
