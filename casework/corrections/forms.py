from wtforms import TextAreaField

from ..forms import FlaskForm, MaxLength
from ..rules import IN_ERROR_REASON, LATE_NOTE


class InErrorForm(FlaskForm):
    """Why a record was entered in error (the rule refuses none, in words)."""

    reason = TextAreaField("Why was it entered in error?", validators=[MaxLength(IN_ERROR_REASON)])


class LateNoteForm(FlaskForm):
    note = TextAreaField("The late note", validators=[MaxLength(LATE_NOTE)])
