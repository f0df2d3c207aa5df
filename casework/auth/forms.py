from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired

from ..forms import FlaskForm, MaxLength


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address"), MaxLength(254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password"), MaxLength(200)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    """A second-factor code: six digits from the app, or a recovery code (the service says
    what is wrong with one; casework/auth/two_factor.py)."""

    code = StringField(
        "Code",
        validators=[MaxLength(40)],
        render_kw={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that does one thing."""
