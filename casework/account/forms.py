from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import InputRequired

from ..admin.forms import Profile, profile_fields
from ..forms import FlaskForm, MaxLength

AGAIN = "Type the new password again"

DIGEST_CHOICES = [
    ("yes", "Yes, email me once a day when I have unread notifications"),
    ("no", "No, I will look in Casework"),
]


class DetailsForm(Profile, FlaskForm):
    """A worker's own profession, direct phone and working hours, and the daily email.
    The rules are admin.service.update_own_details's."""

    profession, phone, working_hours = profile_fields()
    email_digest = RadioField("Daily email of your notifications", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_digest.choices = DIGEST_CHOICES

    def changes(self) -> dict:
        """What was sent, for update_own_details: an unknown answer is left to its rule."""
        digest = {"yes": True, "no": False}.get(self.email_digest.data, self.email_digest.data)
        return self.profile() | {"email_digest": digest}


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
    confirm = PasswordField(AGAIN, validators=[InputRequired(AGAIN), MaxLength(200)])
