from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import MaxLength
from .service import LIST_LIMIT, PURPOSE_LIMIT


class PurposeForm(FlaskForm):
    version = HiddenField()
    purpose = TextAreaField(
        "Our purpose",
        validators=[InputRequired("Write the team's purpose"), MaxLength(PURPOSE_LIMIT)],
    )
    principles = TextAreaField(
        "The principles we work by (optional)", validators=[MaxLength(LIST_LIMIT)]
    )
    rules = TextAreaField("Our rules (optional)", validators=[MaxLength(LIST_LIMIT)])
