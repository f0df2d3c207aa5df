from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .. import rules
from ..forms import DateInputField, FlaskForm, MaxLength
from . import service


class FlagForm(FlaskForm):
    category = RadioField(
        "What kind of caution is it?",
        choices=rules.FLAG_CATEGORIES,
        validators=[InputRequired(rules.NO_FLAG_CATEGORY)],
    )
    text = TextAreaField(
        "What a worker needs to know before they visit",
        validators=[
            InputRequired(rules.NO_FLAG_TEXT),
            MaxLength(rules.FLAG_TEXT, "What to know"),
        ],
    )
    review_on = DateInputField(
        "Look at it again by",
        required_message=rules.NO_REVIEW_ON,
    )


class EndFlagForm(FlaskForm):
    reason = TextAreaField(
        "Why it no longer applies",
        validators=[
            InputRequired(rules.NO_END_REASON),
            MaxLength(rules.SHORT_TEXT, "The reason"),
        ],
    )


class ReviewFlagForm(FlaskForm):
    review_on = DateInputField(
        "It still applies: look at it again by",
        required_message=rules.NO_REVIEW_ON,
    )


class NetworkForm(FlaskForm):
    name = StringField(
        "Name", validators=[InputRequired(rules.NO_MEMBER_NAME), MaxLength(rules.MEMBER_NAME)]
    )
    relationship = RadioField(
        "How are they connected to the person?",
        choices=rules.RELATIONSHIPS,
        validators=[InputRequired(rules.NO_RELATIONSHIP)],
    )
    role = StringField(
        "Their role (optional)", validators=[MaxLength(rules.MEMBER_ROLE, "The role")]
    )
    organisation = StringField(
        "Organisation (optional)", validators=[MaxLength(rules.ORGANISATION)]
    )
    phone = StringField("Phone number (optional)", validators=[MaxLength(rules.PHONE)])
    email = StringField("Email address (optional)", validators=[MaxLength(rules.EMAIL)])
    may_contact = RadioField(
        "Does the person agree the team may contact them?",
        choices={"yes": "Yes", "no": "No, or not asked yet"},
        validators=[InputRequired(rules.NO_MAY_CONTACT)],
    )
    notes = TextAreaField("Notes (optional)", validators=[MaxLength(rules.MEMBER_NOTES)])
    version = HiddenField()

    def member_data(self) -> dict:
        """What was typed, as the service takes it."""
        data = {name: getattr(self, name).data for name in service.NETWORK_FIELDS}
        data["may_contact"] = self.may_contact.data == "yes"
        return data


class ConsentForm(FlaskForm):
    decision = RadioField(
        "What did the person decide?",
        choices=rules.CONSENT_DECISIONS,
        validators=[InputRequired(rules.NO_DECISION)],
    )
    scope = TextAreaField(
        "What may (or may not) be shared, and with whom",
        validators=[
            InputRequired(rules.NO_SCOPE),
            MaxLength(rules.CONSENT_SCOPE, "What may be shared"),
        ],
    )
    recorded_on = DateInputField("When they decided", required_message=service.NO_DECISION_DATE)
    expires_on = DateInputField("Until (optional)")
