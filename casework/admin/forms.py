"""The administrator's forms. The rules live in admin.service; these only carry what was typed.

Names, emails, roles and cohorts are not validated here (radios use validate_choice=False):
admin.service says, in plain English, what is wrong with a missing or unknown value.

Choices are set after the form is built: WTForms 3.3 warns when (value, label) pairs are
passed to a field's constructor.
"""

from wtforms import PasswordField, RadioField, SelectField, StringField

from ..formatting import label
from ..forms import FlaskForm, MaxLength
from ..models import ROLES
from ..rules import CHOOSE_A_TEAM, PHONE, PROFESSION, WORKING_HOURS

ROLE_CHOICES = [(role, label(role)) for role in ROLES]
COHORT_CHOICES = [("pilot", "Pilot (the bubble)"), ("usual", "Usual practice")]
NO_TEAM = 0
# Hashing is slow on purpose; refuse absurd input before it reaches Argon2.
LONGEST_PASSWORD = MaxLength(200, "The password")


def team_choices(teams) -> list[tuple[int, str]]:
    """The team select's options: "No team" first, then every team by name."""
    return [(NO_TEAM, "No team")] + [(team.id, team.name) for team in teams]


def team_field() -> SelectField:
    """The team a user works in: a field of its own in each form (WTForms keeps the order
    fields were made in, so the error summary lists them as the page does)."""
    return SelectField(
        "Team",
        coerce=int,
        default=NO_TEAM,
        invalid_value_message=CHOOSE_A_TEAM,
        invalid_choice_message=CHOOSE_A_TEAM,
    )


class RoleAndTeam:
    """A user's role and team choices, given the teams there are (a mixin of the user forms)."""

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = ROLE_CHOICES
        self.team_id.choices = team_choices(teams)


def profile_fields() -> tuple[StringField, StringField, StringField]:
    """A worker's profession, direct phone and working hours: fields made where each form
    lists them (WTForms orders fields as they were made). The rules are
    admin.service.clean_profile's."""
    return (
        StringField("Profession (optional)", validators=[MaxLength(PROFESSION)]),
        StringField("Direct phone number (optional)", validators=[MaxLength(PHONE)]),
        StringField("Working hours (optional)", validators=[MaxLength(WORKING_HOURS)]),
    )


class Profile:
    """How the people a worker helps, and colleagues, reach them (a mixin of the user forms
    and the worker's own account page)."""

    def profile(self) -> dict:
        return {name: self[name].data for name in ("profession", "phone", "working_hours")}


class NewUserForm(RoleAndTeam, Profile, FlaskForm):
    """Add a user; the password is optional because the service can make one up."""

    email = StringField("Email address", validators=[MaxLength(254)])
    name = StringField("Full name", validators=[MaxLength(100)])
    role = RadioField("Role", validate_choice=False)
    team_id = team_field()
    profession, phone, working_hours = profile_fields()
    password = PasswordField("Password (optional)", validators=[LONGEST_PASSWORD])


class EditUserForm(RoleAndTeam, Profile, FlaskForm):
    """Name, role and team: what an administrator may change about a user."""

    name = StringField("Full name", validators=[MaxLength(100)])
    role = RadioField("Role", validate_choice=False)
    team_id = team_field()
    profession, phone, working_hours = profile_fields()


class TeamForm(FlaskForm):
    """A team's name and whether it works in the pilot or in usual practice."""

    name = StringField("Team name", validators=[MaxLength(100)])
    cohort = RadioField("Way of working", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort.choices = COHORT_CHOICES


class ResetPasswordForm(FlaskForm):
    """A new password, or none to have one made up."""

    password = PasswordField("New password (optional)", validators=[LONGEST_PASSWORD])


class ConfirmForm(FlaskForm):
    """Nothing to fill in: the button confirms, and the CSRF token guards against forgery."""
