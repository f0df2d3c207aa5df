from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from ..forms import FlaskForm, MaxLength


class NewTokenForm(FlaskForm):
    label = StringField(
        "What the token is for (optional)",
        validators=[MaxLength(100)],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the address."""


class ChangePasswordForm(FlaskForm):
    """The rules for the new password are the service's (casework/auth/service.py)."""

    current = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password"), MaxLength(200)],
    )
    new = PasswordField(
        "New password",
        validators=[
            InputRequired("Enter a new password"),
            MaxLength(200),
        ],
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired("Type the new password again"), MaxLength(200)],
    )
