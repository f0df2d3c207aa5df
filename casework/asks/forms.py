from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from .. import clock
from ..forms import DateInputField, FlaskForm, MaxLength
from ..rules import (
    ASK_REASON,
    ASK_WHAT,
    ASK_WHY,
    NO_ANSWER_REASON,
    NO_ASK_KIND,
    NO_ASK_WHAT,
    NO_ASK_WHY,
)
from .service import parse_pounds


class PoundsField(StringField):
    """Money typed in pounds ("250", "£1,250.50"): kept as typed, read as whole pence."""

    pence: int | None = None

    def pre_validate(self, form):
        try:
            self.pence = parse_pounds(self.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def not_in_past(form, field):
    if field.data and field.data < clock.today():
        name = field.label.text.removesuffix(" (optional)")
        raise ValidationError(f"{name} must be today or in the future")


class AskForm(FlaskForm):
    kind = RadioField(
        "Is it a resource or a permission?",
        choices={
            "resource": "A resource: money, equipment, time or a service",
            "permission": "A permission: to do something the usual rules do not allow",
        },
        validators=[InputRequired(NO_ASK_KIND)],
    )
    what = StringField(
        "What you are asking for",
        validators=[InputRequired(NO_ASK_WHAT), MaxLength(ASK_WHAT)],
    )
    why = TextAreaField(
        "Why the person needs it",
        validators=[InputRequired(NO_ASK_WHY), MaxLength(ASK_WHY)],
    )
    cost = PoundsField("Rough cost in pounds (optional)", validators=[MaxLength(20, "The cost")])
    needed_by = DateInputField("Needed by (optional)", validators=[not_in_past])


class DecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        "Your answer",
        choices={"yes": "Yes", "no": "No"},
        validators=[InputRequired("Choose yes or no")],
    )
    reason = TextAreaField(
        "Your reason",
        validators=[InputRequired(NO_ANSWER_REASON), MaxLength(ASK_REASON)],
    )


class WithdrawForm(FlaskForm):
    version = HiddenField()
