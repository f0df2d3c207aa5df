from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..forms import FlaskForm, MaxLength
from ..rules import SHORT_TEXT
from .service import NO_DECLINE_REASON, NO_REASON, NO_TEAM


def team_chosen(form, field):
    """ "Choose a team" (0) is no choice: said with the form's other problems at once."""
    if not field.data:
        raise ValidationError(NO_TEAM)


class TransferForm(FlaskForm):
    to_team_id = SelectField(
        "Which team should take the case on",
        coerce=int,
        validators=[InputRequired(NO_TEAM), team_chosen],
    )
    # Workers of every other team, grouped by team: the rule says no to one of the wrong team.
    to_owner_id = SelectField(
        "A worker there who knows the person (optional)",
        coerce=int,
        default=0,
        validate_choice=False,
    )
    reason = TextAreaField(
        "Why the case should move",
        validators=[InputRequired(NO_REASON), MaxLength(SHORT_TEXT)],
    )


class AcceptForm(FlaskForm):
    owner_id = SelectField(
        "Who in your team will own the case", coerce=int, validate_choice=False, default=0
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Why your team cannot take the case on",
        validators=[InputRequired(NO_DECLINE_REASON), MaxLength(SHORT_TEXT)],
    )
