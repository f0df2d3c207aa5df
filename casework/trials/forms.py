from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import DateInputField, MaxLength

SHARE_HINT = "The chance of the pilot team, between 0 and 1: 0.5 sends half to each"


class TrialForm(FlaskForm):
    name = StringField(
        "Name of the trial", validators=[InputRequired("Give the trial a name"), MaxLength(100)]
    )
    pilot_team = SelectField("Pilot team", coerce=int, validate_choice=False)
    usual_team = SelectField("Usual-practice team", coerce=int, validate_choice=False)
    share = StringField("The pilot's share", default="0.5", validators=[MaxLength(20)])
    start_on = DateInputField("First day", required_message="Enter the trial's first day")


class CostForm(FlaskForm):
    service = StringField("Service", validators=[InputRequired("Name the service"), MaxLength(100)])
    cost = StringField(
        "Unit cost in pounds", validators=[InputRequired("Enter the cost"), MaxLength(20)]
    )
    per = SelectField("Per", choices={"item": "Per item", "hour": "Per hour"}, default="item")
    source = StringField("Source of the figure", validators=[MaxLength(500)])


class CounterfactualForm(FlaskForm):
    note = TextAreaField("Note", validators=[MaxLength(10000)])
