from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .. import rules
from ..forms import DateInputField, FlaskForm, MaxLength, not_in_future

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
