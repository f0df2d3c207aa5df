from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import FlaskForm, MaxLength
from ..rules import NO_PURPOSE, PURPOSE, PURPOSE_LIST


class PurposeForm(FlaskForm):
    version = HiddenField()
    purpose = TextAreaField(
        "Our purpose",
        validators=[InputRequired(NO_PURPOSE), MaxLength(PURPOSE)],
    )
    principles = TextAreaField(
        "The principles we work by (optional)", validators=[MaxLength(PURPOSE_LIST)]
    )
    rules = TextAreaField("Our rules (optional)", validators=[MaxLength(PURPOSE_LIST)])
