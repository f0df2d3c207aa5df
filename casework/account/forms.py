from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import MaxLength


class NewTokenForm(FlaskForm):
    label = StringField(
        "What the token is for (optional)",
        validators=[MaxLength(100)],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the address."""
