from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import DateInputField, FlaskForm, MaxLength
from ..rules import NO_ACTION_DESCRIPTION, SHORT_TEXT


class ActionEditForm(FlaskForm):
    """Reword, re-date or hand on an agreed action (the due-date rule: rules.check_action_due)."""

    version = HiddenField()
    description = TextAreaField(
        "What was agreed",
        validators=[InputRequired(NO_ACTION_DESCRIPTION), MaxLength(SHORT_TEXT)],
    )
    due_on = DateInputField("Due by (optional)")
    # The colleagues (set by the page); the rule (actions.service) says no to anyone else.
    assignee_id = SelectField(
        "Colleague who will do it", coerce=int, default=0, validate_choice=False
    )


class HandOnForm(FlaskForm):
    """Hand on, in bulk, the open actions of workers who have gone, with a reason."""

    action_ids = SelectMultipleField("Actions", coerce=int, validate_choice=False)
    new_assignee_id = SelectField(
        "Give the chosen actions to", coerce=int, default=0, validate_choice=False
    )
    reason = TextAreaField("Reason", validators=[MaxLength(SHORT_TEXT)])
