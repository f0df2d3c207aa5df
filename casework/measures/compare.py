"""Compare: two views of the locality side by side (ADR 0034). A view is one team, the teams
of one cohort (pilot or usual practice), or every team; each has its figures (the same
compute() as the API) and an XmR chart of each figure. Managers, leads and administrators
compare any views; the numbers open the list of people behind them only for the caller's
own team (policy.can_see_measure_lists), elsewhere they say how many, not who."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_login import current_user

from .. import clock, policy
from ..exceptions import InvalidValue
from ..extensions import db
from ..formatting import label
from ..models import Team
from ..rules import NO_GRAIN, TOO_MANY_WEEKS
from . import bp
from .figures import check_filters, compute
from .forms import CompareForm
from .populations import Filters
from .routes import MAX_WEEKS, default_period, filter_args, series_chart
from .series import SPECS, every_series
from .table import LINES, headline, number

EVERY_TEAM = "all"


@dataclass(frozen=True)
class View:
    """One side of the comparison: what was chosen, in words, and its filters."""

    key: str
    words: str
    f: Filters
    lists: bool  # the caller may open the people behind its numbers

    @property
    def list_args(self) -> dict:
        """The address parameters of the lists behind its numbers (the drill-down's)."""
        return filter_args(self.f, list_cohort=self.f.cohort)


def view_choices(teams: list[Team]) -> dict[str, str]:
    """Every view there is to choose, in the select's order."""
    return {
        "cohort:pilot": "Pilot teams",
        "cohort:usual": "Usual practice teams",
        EVERY_TEAM: "Every team",
    } | {f"team:{team.id}": f"{team.name} ({label(team.cohort).lower()})" for team in teams}


def _filters(key: str, f: Filters) -> Filters:
    kind, _, value = key.partition(":")
    if kind == "team":
        return Filters(f.start, f.end, "all", int(value))
    if kind == "cohort":
        return Filters(f.start, f.end, value, None)
    return Filters(f.start, f.end, "all", None)


def read_views(form: CompareForm, choices: dict[str, str]) -> list[View] | None:
    """The two views, or None with the form's errors in plain English."""
    start, end = default_period(clock.today())
    for field, default in ((form.start, start), (form.end, end)):
        if f"{field.name}[day]" not in request.args:
            field.process(None, default)
    for field in (form.left, form.right):
        field.choices = choices
    valid = form.validate()
    for field in (form.left, form.right):
        if field.data not in choices:
            field.errors = [*field.errors, "Choose what to compare from the list"]
            valid = False
    if valid and form.left.data == form.right.data:
        form.right.errors = [*form.right.errors, "Choose something different to compare with"]
        valid = False
    if not valid:
        if form.grain.errors:
            form.grain.errors = [NO_GRAIN]
        return None
    try:
        f = check_filters(db.session, start=form.start.data, end=form.end.data)
    except InvalidValue as error:
        for name, message in error.fields.items():
            field = {"from": form.start, "to": form.end}[name]
            field.errors = [*field.errors, message]
        return None
    grain = form.grain.data or "month"
    if grain == "week" and (f.end - f.start).days // 7 > MAX_WEEKS:
        form.grain.errors = [TOO_MANY_WEEKS]
        return None
    views = []
    for key in (form.left.data, form.right.data):
        chosen = _filters(key, f)
        lists = policy.can_see_measure_lists(current_user, chosen.team_id)
        views.append(View(key, choices[key], chosen, lists))
    return views


def charts_of(view: View, grain: str) -> dict[str, object]:
    """An XmR chart of each figure for the view, by figure."""
    return {
        figure: series_chart(
            points, SPECS[figure], grain, title=f"{SPECS[figure].title}: {view.words}"
        )
        for figure, points in every_series(db.session, view.f, grain).items()
    }


@bp.route("/compare")
def compare():
    teams = list(db.session.scalars(db.select(Team).order_by(Team.name)))
    form = CompareForm(request.args)
    views = read_views(form, view_choices(teams))
    if views is None:
        return render_template("measures/compare.html", form=form, views=None), 400
    grain = form.grain.data or "month"
    results = [
        compute(db.session, start=v.f.start, end=v.f.end, cohort=v.f.cohort, team_id=v.f.team_id)
        for v in views
    ]
    charts = [charts_of(view, grain) for view in views]
    return render_template(
        "measures/compare.html",
        form=form,
        views=views,
        results=results,
        charts=charts,
        specs=SPECS,
        lines=LINES,
        number=number,
        headline=headline,
        grain=grain,
        f=views[0].f,
    )
