from wtforms import RadioField, SelectField

from ..forms import DateInputField, FlaskForm
from .series import GRAINS

COHORT_WORDS = {"all": "All", "pilot": "Pilot", "usual": "Usual practice"}
NO_START = "Enter the first day of the period"
NO_END = "Enter the last day of the period"


class MeasuresForm(FlaskForm):
    """The period, team and cohort a manager looks at, and how the charts group the points.

    Read from the address (GET), so a view can be bookmarked and shared; no CSRF token is
    needed because it changes nothing."""

    class Meta:
        csrf = False

    # A CSV asked for with filters that do not hold is refused with these words first.
    CHECK_FILTERS = "Check the period and team: "

    start = DateInputField("From", required_message=NO_START)
    end = DateInputField("To", required_message=NO_END)
    team = SelectField("Team", validate_choice=False)
    cohort = RadioField("Cohort for the charts", choices=COHORT_WORDS, default="all")
    grain = RadioField("Points on the charts", choices=GRAINS, default="month")
    rebase = DateInputField("Recalculate the chart limits from (optional)")


class CompareForm(FlaskForm):
    """Two views of the locality side by side (a team, a cohort's teams, or every team) over
    one period. Read from the address, like MeasuresForm."""

    class Meta:
        csrf = False

    start = DateInputField("From", required_message=NO_START)
    end = DateInputField("To", required_message=NO_END)
    left = SelectField("Compare", validate_choice=False, default="cohort:pilot")
    right = SelectField("With", validate_choice=False, default="cohort:usual")
    grain = RadioField("Points on the charts", choices=GRAINS, default="month")
