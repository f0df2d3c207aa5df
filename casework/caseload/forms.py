from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import Chosen, FlaskForm, MaxLength
from ..rules import NO_OWNER_CHANGE_REASON, SHORT_TEXT


class AllocateForm(FlaskForm):
    """Allocate or reassign one or many cases to a worker, with a reason."""

    case_ids = SelectMultipleField(
        "Cases",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired("Choose at least one case")],
    )
    owner_id = SelectField(
        "Give the chosen cases to",
        coerce=int,
        validators=[Chosen("Choose who will own the cases")],
    )
    reason = TextAreaField(
        "Reason for the change",
        validators=[InputRequired(NO_OWNER_CHANGE_REASON), MaxLength(SHORT_TEXT)],
    )
