from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class NewTokenForm(FlaskForm):
    label = StringField(
        "What the token is for (optional)",
        validators=[Length(max=100, message="Use 100 characters or fewer")],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is in the address."""
