from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import DateInputField, MaxLength, not_in_future

CHANNEL_CHOICES = {
    "phone": "Phone",
    "letter": "Letter",
    "email": "Email",
    "referral_form": "Referral form",
    "in_person": "In person",
    "other": "Other",
}
KIND_CHOICES = {
    "value": "Value demand: a need we should meet",
    "failure": "Failure demand: caused by something not done or not done right",
    "": "Not sure yet",
}


class DemandForm(FlaskForm):
    received_on = DateInputField(
        "Date received",
        validators=[not_in_future],
        required_message="Enter the date the demand was received",
    )
    source = StringField(
        "Who it came from",
        validators=[
            InputRequired("Enter who the demand came from, for example GP or the person"),
            MaxLength(100),
        ],
    )
    channel = RadioField(
        "How it arrived",
        choices=CHANNEL_CHOICES,
        validators=[InputRequired("Choose how the demand arrived")],
    )
    stated_need = TextAreaField(
        "The need as they stated it",
        validators=[InputRequired("Enter the need as the referrer stated it"), MaxLength(10000)],
    )
    kind = RadioField(
        "Value or failure demand", choices=KIND_CHOICES, default="", validate_choice=True
    )
    owner_id = SelectField("Owner if this opens a new case", coerce=int, default=0)
    # Shown only while a trial the team is in is running (casework/trials/allocation.py).
    trial = SelectField("Record into a trial", coerce=int, default=0)
