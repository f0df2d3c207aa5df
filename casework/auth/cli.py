"""`casework users token`, `revoke-tokens`, `set-password`, `sign-out` and `reset-two-factor`:
API tokens and sign-in from the command line, for the day nobody can sign in."""

from __future__ import annotations

import sys

import click

from ..clitools import password_option
from ..exceptions import InvalidValue
from ..extensions import db
from ..formatting import uk_datetime
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
    @click.option(
        "--days",
        type=click.IntRange(1, tokens.MAX_DAYS),
        default=None,
        help=f"How many days it works (default TOKEN_DAYS; at most {tokens.MAX_DAYS}).",
    )
    def users_token(email: str, label: str | None, days: int | None) -> None:
        """Print a new API token for the user: the token alone is the last line."""
        user = _user(email)
        try:
            record, token = tokens.issue_token(db.session, user, label, days=days)
        except InvalidValue as error:
            _fail(error)
        db.session.commit()
        click.echo(
            f"API token for {user.name} <{user.email}>, working until "
            f"{uk_datetime(record.expires_at)} (shown once; only a hash is kept):"
        )
        click.echo(token)

    @users.command("revoke-tokens")
    @click.argument("email")
    def users_revoke_tokens(email: str) -> None:
        """Stop every API token of the user working, at once."""
        user = _user(email)
        count = tokens.revoke_all(db.session, user)
        db.session.commit()
        click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {user.email}")

    @users.command("set-password")
    @click.argument("email")
    @password_option
    def users_set_password(email: str, password: str | None) -> None:
        """Set a new password: the user's sessions end and their API tokens stop working."""
        from ..admin.service import reset_password

        user = _user(email)
        try:
            generated = reset_password(db.session, user, None, password)
        except InvalidValue as error:
            _fail(error)
        db.session.commit()
        click.echo(
            f"New password set for {user.email}: their sessions have ended and their API "
            "tokens no longer work."
        )
        if generated:
            click.echo(f"Password (shown once): {generated}")

    @users.command("sign-out")
    @click.argument("email")
    def users_sign_out(email: str) -> None:
        """Log the user out everywhere at once (their API tokens are not touched)."""
        from ..admin.service import sign_out_everywhere

        user = _user(email)
        count = sign_out_everywhere(db.session, user, None)
        db.session.commit()
        click.echo(f"Ended {count} session{'s' if count != 1 else ''} of {user.email}")

    @users.command("reset-two-factor")
    @click.argument("email")
    def users_reset_two_factor(email: str) -> None:
        """Clear the user's second factor (a lost phone): they set it up again at sign-in."""
        from ..admin.service import reset_two_factor

        user = _user(email)
        reset_two_factor(db.session, user, None)
        db.session.commit()
        click.echo(f"Two-factor sign-in reset for {user.email}; their sessions have ended.")


def _fail(error: InvalidValue) -> None:
    for message in error.fields.values() or [error.message]:
        click.echo(f"Error: {message}", err=True)
    sys.exit(1)
