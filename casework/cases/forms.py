from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation

from ..forms import (
    Chosen,
    DateInputField,
    FlaskForm,
    MaxLength,
    WholeNumberField,
    not_in_future,
)
from ..rules import (
    AGREEMENT_NOTE_LABEL,
    CLOSURE_CHOICES,
    LONG_TEXT,
    MINUTES_IN_A_DAY,
    MINUTES_WORDS,
    NO_ACTION_BY,
    NO_CONVERSATION_DATE,
    NO_CONVERSATION_KIND,
    NO_OWNER_CHANGE_REASON,
    SHORT_TEXT,
    SUMMARY_LABEL,
    WITH_WHOM,
)


class ConversationForm(FlaskForm):
    version = HiddenField()  # the case's, as the page showed it
    held_on = DateInputField(
        "Date", validators=[not_in_future], required_message=NO_CONVERSATION_DATE
    )
    kind = RadioField(
        "What kind of contact",
        choices={
            "visit": "Visit",
            "phone": "Phone",
            "video": "Video",
            "meeting": "Meeting",
            "other": "Other",
        },
        default="visit",
        validators=[InputRequired(NO_CONVERSATION_KIND)],
    )
    with_whom = StringField("Who was there (optional)", validators=[MaxLength(WITH_WHOM)])
    # The person's circle (set by the page); the rule (safety.service.members_present) says
    # no to anyone else, in words.
    network_member_ids = SelectMultipleField(
        "Who from their circle was there (optional)", coerce=int, validate_choice=False
    )
    minutes = WholeNumberField(
        "How long, in minutes (optional)",
        validators=[Optional(), NumberRange(0, MINUTES_IN_A_DAY, MINUTES_WORDS)],
        message=MINUTES_WORDS,
    )
    what_matters = TextAreaField(
        "What matters to them now, in their words (optional)",
        validators=[MaxLength(LONG_TEXT, "What matters")],
    )
    notes = TextAreaField("Notes", validators=[MaxLength(LONG_TEXT)])
    # The case's open planned contacts (set by the page); the rule (diary.service
    # .plan_to_fulfil) refuses any other, in words.
    plan_id = RadioField(
        "Was this a planned contact?", coerce=int, default=0, validate_choice=False
    )


class ReferralForm(FlaskForm):
    version = HiddenField()
    referral_match = RadioField(
        "Did the referral describe the real problem?",
        choices={"yes": "Yes", "partly": "Partly", "no": "No", "": "Not known yet"},
        default="",
    )
    real_problem = TextAreaField(
        "The real problem, in a sentence (optional)",
        validators=[MaxLength(SHORT_TEXT, "The real problem")],
    )


class ActionForm(FlaskForm):
    description = TextAreaField(
        "What was agreed",
        validators=[InputRequired("Describe the action"), MaxLength(SHORT_TEXT)],
    )
    by = RadioField(
        "Who will do it",
        choices={"person": "The person, their family or neighbours", "team": "The team"},
        validators=[InputRequired(NO_ACTION_BY)],
    )
    assignee_id = SelectField("Colleague who will do it (team actions)", coerce=int, default=0)
    network_member_id = SelectField(
        "Someone from the person's circle who will do it (optional)",
        coerce=int,
        default=0,
        validate_choice=False,  # the rule (safety.service.member_for_action) says no, in words
    )
    due_on = DateInputField("Due by (optional)")


class ActionUpdateForm(FlaskForm):
    version = HiddenField()
    status = RadioField(
        "Status",
        choices={"done": "Done", "dropped": "Dropped", "agreed": "Still agreed, not done yet"},
        validators=[InputRequired("Choose done, dropped or still agreed")],
    )
    outcome = TextAreaField("Outcome", validators=[MaxLength(SHORT_TEXT)])


class OwnerForm(FlaskForm):
    version = HiddenField()
    owner_id = SelectField("New owner", coerce=int, validators=[Chosen("Choose the new owner")])
    reason = TextAreaField(
        "Reason for the change",
        validators=[InputRequired(NO_OWNER_CHANGE_REASON), MaxLength(SHORT_TEXT)],
    )


def required_when_agreed(form, field):
    """An agreed closure says what changed for the person; a death or a move may not."""
    if form.outcome.data == "agreed" and not (field.data or "").strip():
        raise StopValidation("Summarise what changed for the person")


class CloseForm(FlaskForm):
    version = HiddenField()
    outcome = RadioField(
        "How did the case end?",
        choices=CLOSURE_CHOICES,
        default="agreed",
        # A form from before there were outcomes sends none: it closes by agreement, as then.
        filters=[lambda value: value or "agreed"],
        validate_choice=False,  # the close rule says "Choose how the case ended", in words
    )
    agreed_with_person = BooleanField(
        "I have agreed with the person that enough has been done and they are stable"
    )
    agreement_note = TextAreaField(AGREEMENT_NOTE_LABEL, validators=[MaxLength(SHORT_TEXT)])
    note = TextAreaField("What happened", validators=[MaxLength(SHORT_TEXT)])
    summary = TextAreaField(
        SUMMARY_LABEL,
        validators=[required_when_agreed, MaxLength(LONG_TEXT)],
    )
    closed_on = DateInputField(
        "Date closed", validators=[not_in_future], required_message="Enter the date the case closed"
    )
