from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import FlaskForm, MaxLength
from ..rules import (
    BARRIER_COST_LABEL,
    BARRIER_TEXT,
    BARRIER_TITLE,
    BARRIER_TITLE_LABEL,
    NO_BARRIER_MOVE,
    ORGANISATION,
)
from .service import KIND_LABELS, STATUS_LABELS

NEW = 0  # "describe a new barrier" in the list of the team's barriers
NONE = -1  # not an id at all: no barrier, said in words by the page like an unknown one


def _chosen_id(value) -> int:
    """The chosen barrier's id as sent; anything that is not a whole number is NONE."""
    raw = str(value)
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else NONE


class BarrierMetForm(FlaskForm):
    """From a case: a barrier the team already has, or a new one, and what it cost."""

    barrier_id = SelectField("Which barrier", coerce=_chosen_id, default=NEW)
    title = StringField(BARRIER_TITLE_LABEL, validators=[MaxLength(BARRIER_TITLE)])
    kind = RadioField("What kind of barrier", choices=KIND_LABELS, validate_choice=False)
    owner_org = StringField(
        "Which organisation owns it (optional)", validators=[MaxLength(ORGANISATION)]
    )
    description = TextAreaField("More detail (optional)", validators=[MaxLength(BARRIER_TEXT)])
    # Required, said by the domain rule with the others at once (record_met).
    cost = TextAreaField(BARRIER_COST_LABEL, validators=[MaxLength(BARRIER_TEXT)])


class MoveForm(FlaskForm):
    version = HiddenField()
    status = RadioField(
        "Where does the barrier go next",
        choices=STATUS_LABELS,
        validators=[InputRequired(NO_BARRIER_MOVE)],
        validate_choice=False,  # the rule says which moves are allowed, after the version
    )
    reason = TextAreaField("Reason", validators=[MaxLength(BARRIER_TEXT)])


class BoardFilterForm(FlaskForm):
    """The board's filters, read from the address."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices={"": "Any status"} | STATUS_LABELS, default="")
    kind = SelectField("Kind", choices={"": "Any kind"} | KIND_LABELS, default="")
