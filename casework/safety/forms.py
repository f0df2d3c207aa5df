from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import DateInputField, MaxLength
from . import service


class FlagForm(FlaskForm):
    category = RadioField(
        "What kind of caution is it?",
        choices=service.CATEGORY_LABELS,
        validators=[InputRequired("Choose what kind of caution it is")],
    )
    text = TextAreaField(
        "What a worker needs to know before they visit",
        validators=[
            InputRequired("Say, in plain words, what to know"),
            MaxLength(service.FLAG_TEXT_LIMIT, "What to know"),
        ],
    )
    review_on = DateInputField(
        "Look at it again by",
        required_message="Enter the date by which the flag should be looked at again",
    )


class EndFlagForm(FlaskForm):
    reason = TextAreaField(
        "Why it no longer applies",
        validators=[
            InputRequired("Say why the caution no longer applies"),
            MaxLength(service.REASON_LIMIT, "The reason"),
        ],
    )


class ReviewFlagForm(FlaskForm):
    review_on = DateInputField(
        "It still applies: look at it again by",
        required_message="Enter the date by which the flag should be looked at again",
    )


class NetworkForm(FlaskForm):
    name = StringField(
        "Name", validators=[InputRequired("Enter their name"), MaxLength(service.NAME_LIMIT)]
    )
    relationship = RadioField(
        "How are they connected to the person?",
        choices=service.RELATIONSHIP_LABELS,
        validators=[InputRequired("Choose how they are connected to the person")],
    )
    role = StringField(
        "Their role (optional)", validators=[MaxLength(service.ROLE_LIMIT, "The role")]
    )
    organisation = StringField(
        "Organisation (optional)", validators=[MaxLength(service.ORGANISATION_LIMIT)]
    )
    phone = StringField("Phone number (optional)", validators=[MaxLength(service.PHONE_LIMIT)])
    email = StringField("Email address (optional)", validators=[MaxLength(service.EMAIL_LIMIT)])
    may_contact = RadioField(
        "Does the person agree the team may contact them?",
        choices={"yes": "Yes", "no": "No, or not asked yet"},
        validators=[InputRequired("Say whether the person agrees they may be contacted")],
    )
    notes = TextAreaField("Notes (optional)", validators=[MaxLength(service.NOTES_LIMIT)])
    version = HiddenField()

    def member_data(self) -> dict:
        """What was typed, as the service takes it."""
        data = {name: getattr(self, name).data for name in service.NETWORK_FIELDS}
        data["may_contact"] = self.may_contact.data == "yes"
        return data


class ConsentForm(FlaskForm):
    decision = RadioField(
        "What did the person decide?",
        choices=service.DECISION_LABELS,
        validators=[InputRequired("Choose whether they agreed or refused")],
    )
    scope = TextAreaField(
        "What may (or may not) be shared, and with whom",
        validators=[
            InputRequired("Say what may be shared, and with whom"),
            MaxLength(service.SCOPE_LIMIT, "What may be shared"),
        ],
    )
    recorded_on = DateInputField(
        "When they decided", required_message="Enter the date the person decided"
    )
    expires_on = DateInputField("Until (optional)")
