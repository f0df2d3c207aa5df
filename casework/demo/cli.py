"""`casework demo [--if-empty]`: the demo locality into an empty database, and its logins
kept beside the database for its owner only."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, make_url, select

from ..extensions import db
from ..models import Person
from . import load_demo


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


def register(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Do nothing (and succeed) when the database already holds people.",
    )
    def demo_command(if_empty: bool) -> None:
        """Load a realistic demo locality into an empty database and print the logins."""
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
        text += _two_factor_note(sorted(app.config["MFA_REQUIRED_ROLES"]))
        save_logins(saved, text + "\n")
        click.echo(text)


def _two_factor_note(needing: list[str]) -> str:
    """What the roles that must set up two-factor sign-in need to know, if any."""
    if not needing:
        return ""
    return (
        f"\nTwo-factor sign-in is required for the roles {', '.join(needing)} "
        "(MFA_REQUIRED_ROLES): those who hold them set it up the "
        "first time they log in. An authenticator app scans the QR code or takes its "
        "key typed in (or "
        "`oathtool --totp -b KEY` prints the code). To try the demo without it, start "
        "Casework with MFA_REQUIRED_ROLES set to nothing: MFA_REQUIRED_ROLES= make run"
    )
