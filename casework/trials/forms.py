from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .. import rules
from ..forms import DateInputField, FlaskForm, MaxLength


class TrialForm(FlaskForm):
    name = StringField(
        "Name of the trial",
        validators=[InputRequired(rules.NO_TRIAL_NAME), MaxLength(rules.TRIAL_NAME)],
    )
    pilot_team = SelectField("Pilot team", coerce=int, validate_choice=False)
    usual_team = SelectField("Usual-practice team", coerce=int, validate_choice=False)
    share = StringField("The pilot's share", default="0.5", validators=[MaxLength(20)])
    start_on = DateInputField("First day", required_message="Enter the trial's first day")


class CostForm(FlaskForm):
    service = StringField(
        "Service", validators=[InputRequired(rules.NO_SERVICE), MaxLength(rules.COST_SERVICE)]
    )
    cost = StringField(
        "Unit cost in pounds", validators=[InputRequired("Enter the cost"), MaxLength(20)]
    )
    per = SelectField(
        "Per", choices={unit: f"Per {unit}" for unit in rules.COST_UNITS}, default="item"
    )
    source = StringField("Source of the figure", validators=[MaxLength(rules.COST_SOURCE)])


class CounterfactualForm(FlaskForm):
    note = TextAreaField("Note", validators=[MaxLength(rules.COUNTERFACTUAL_NOTE)])
