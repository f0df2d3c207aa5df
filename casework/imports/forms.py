"""The upload and confirmation forms. The rules are in imports.service."""

from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField

from ..forms import FlaskForm
from ..rules import CHOOSE_A_TEAM

COHORT_CHOICES = {
    "usual": "Usual practice (the way the team worked before the pilot)",
    "pilot": "Pilot (the bubble)",
}


class UploadForm(FlaskForm):
    file = FileField("The file of referrals (CSV or TSV)")
    team_id = SelectField(
        "Team the referrals came to",
        coerce=int,
        default=0,
        validate_choice=False,  # the view asks policy, and says so in plain words
        invalid_value_message=CHOOSE_A_TEAM,
    )
    cohort = RadioField(
        "How the team worked when these referrals arrived",
        choices=COHORT_CHOICES,
        default="usual",
        validate_choice=False,
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
