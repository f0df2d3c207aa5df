"""`casework users token` and `casework users revoke-tokens`: API tokens from the command line."""

from __future__ import annotations

import sys

import click

from ..exceptions import InvalidValue
from ..extensions import db
from . import tokens


def _user(email: str):
    from ..admin.service import find_user

    user = find_user(db.session, email)
    if user is None:
        click.echo(f"Error: there is no user with the email address {email}", err=True)
        sys.exit(1)
    return user


def add_token_commands(users: click.Group) -> None:
    @users.command("token")
    @click.argument("email")
    @click.option("--label", default=None, help="What the token is for, e.g. 'GP system'.")
    def users_token(email: str, label: str | None) -> None:
        """Print a new API token for the user: the token alone is the last line."""
        user = _user(email)
        try:
            _, token = tokens.issue_token(db.session, user, label)
        except InvalidValue as error:
            for message in error.fields.values() or [error.message]:
                click.echo(f"Error: {message}", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"API token for {user.name} <{user.email}> (shown once; only a hash is kept):")
        click.echo(token)

    @users.command("revoke-tokens")
    @click.argument("email")
    def users_revoke_tokens(email: str) -> None:
        """Stop every API token of the user working, at once."""
        user = _user(email)
        count = tokens.revoke_all(db.session, user)
        db.session.commit()
        click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {user.email}")
