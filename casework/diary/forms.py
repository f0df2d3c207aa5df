"""The forms of the working day: plan a contact, cancel one, the team's no-contact setting."""

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from ..forms import DateInputField, FlaskForm, MaxLength, WholeNumberField
from ..rules import (
    CANCEL_PLAN_REASON_LABEL,
    NO_CONTACT_DAYS_RANGE,
    NO_CONTACT_DAYS_WORDS,
    NO_PLAN_DUE,
    NO_PLAN_KIND,
    PLAN_KINDS,
    PLAN_NOTE,
    SHORT_TEXT,
)


class PlanForm(FlaskForm):
    kind = RadioField(
        "What kind of contact", choices=PLAN_KINDS, validators=[InputRequired(NO_PLAN_KIND)]
    )
    # Today or later, within two years: the rule (diary.service.plan_problems) says so.
    due_on = DateInputField("When", required_message=NO_PLAN_DUE)
    note = TextAreaField("What it is for (optional)", validators=[MaxLength(PLAN_NOTE, "The note")])


class CancelPlanForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(CANCEL_PLAN_REASON_LABEL, validators=[MaxLength(SHORT_TEXT)])


class NoContactForm(FlaskForm):
    no_contact_days = WholeNumberField(
        "Flag a case after how many days without contact",
        validators=[
            InputRequired(NO_CONTACT_DAYS_WORDS),
            NumberRange(*NO_CONTACT_DAYS_RANGE, NO_CONTACT_DAYS_WORDS),
        ],
        message=NO_CONTACT_DAYS_WORDS,
    )
