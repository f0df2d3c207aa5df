from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .. import rules
from ..forms import DateInputField, MaxLength, not_in_future
from .routing import worker_in_team

KIND_CHOICES = {
    "value": "Value demand: a need we should meet",
    "failure": "Failure demand: caused by something not done or not done right",
    "": "Not sure yet",
}


class DemandForm(FlaskForm):
    received_on = DateInputField(
        "Date received",
        validators=[not_in_future],
        required_message=rules.NO_RECEIVED_ON,
    )
    source = StringField(
        "Who it came from",
        validators=[
            InputRequired(rules.NO_SOURCE),
            MaxLength(rules.NAME),
        ],
    )
    channel = RadioField(
        "How it arrived",
        choices=rules.CHANNELS,
        validators=[InputRequired(rules.NO_CHANNEL)],
    )
    stated_need = TextAreaField(
        "The need as they stated it",
        validators=[InputRequired(rules.NO_STATED_NEED), MaxLength(rules.STATED_NEED)],
    )
    kind = RadioField(
        "Value or failure demand", choices=KIND_CHOICES, default="", validate_choice=True
    )
    owner_id = SelectField("Owner if this opens a new case", coerce=int, default=0)
    # Shown only while a trial the team is in is running (casework/trials/allocation.py).
    trial = SelectField("Record into a trial", coerce=int, default=0)
    # Only for a person with an open case in another team (the routing rule's first step):
    # a case's id, or OWN_CASE. The view removes it for anyone else.
    pass_to = RadioField(
        "Who should take this demand?",
        validators=[InputRequired(rules.NO_ROUTING_CHOICE)],
        validate_choice=True,
    )


OWN_CASE = "own"


def pass_to_choices(person, elsewhere) -> list[tuple[str, str]]:
    """The choice between the workers who already know the person and the team's own case."""
    return [
        (
            str(case.id),
            f"Pass this demand to {worker_in_team(case)}, who is already working with "
            f"{person.given_name}",
        )
        for case in elsewhere
    ] + [(OWN_CASE, "Record it in your team's own case")]
