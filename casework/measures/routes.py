"""The measures pages: the figures side by side, their charts, the lists behind them, CSV."""

from __future__ import annotations

import datetime as dt

from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, clock, policy
from ..exceptions import InvalidValue
from ..extensions import db
from ..formatting import label, uk_date
from ..models import Team
from ..pagination import page_count, page_number
from ..rules import CHOOSE_A_TEAM, NO_COHORT, NO_GRAIN, TOO_MANY_WEEKS
from ..trials.costs import closed_case_costs
from . import bp
from .charts import Chart, xmr_chart
from .drilldown import listing, repeat_review
from .figures import PARTS, check_filters, compute
from .forms import MeasuresForm
from .populations import Filters
from .series import (
    CASE_POINTS,
    SPECS,
    Series,
    Spec,
    axis_label,
    end_to_end_points,
    every_series,
    rebase_index,
)
from .table import COHORT_HEADINGS, COHORTS, LINES, csv_download, figure_rows, headline, number

PAGE_SIZE = 100
MAX_WEEKS = 3 * 53  # more points than this do not read as a chart
REVIEW_PEOPLE = 25


@bp.before_request
def only_managers_and_administrators():
    if not policy.can_see_measures(current_user):
        abort(403, policy.ONLY_MEASURES_READERS)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months: from the day after this day last year, to today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), today


def read_filters() -> tuple[MeasuresForm, Filters | None, list[Team]]:
    """The form as typed (kept on error) and the filters it gives, when they are valid."""
    teams = visible_teams()
    form = MeasuresForm(request.args)
    start, end = default_period(clock.today())
    for field, default in ((form.start, start), (form.end, end)):
        if f"{field.name}[day]" not in request.args:
            field.process(None, default)
    form.team.choices = {"": "All teams"} | {str(team.id): team.name for team in teams}
    default = policy.default_measures_team(current_user)
    if "team" not in request.args and default is not None:
        form.team.data = str(default)  # a manager starts at their own team
    team_id = _team_id(form.team.data)
    valid = form.validate()
    if form.team.data and team_id is None:
        form.team.errors = [*form.team.errors, CHOOSE_A_TEAM]
        valid = False
    if not valid:
        _plain_english(form)
        return form, None, teams
    try:
        f = check_filters(
            db.session,
            start=form.start.data,
            end=form.end.data,
            cohort="all",
            team_id=team_id,
        )
    except InvalidValue as error:
        for name, message in error.fields.items():
            field = {"from": form.start, "to": form.end, "team": form.team}.get(name)
            field.errors = [*field.errors, message]
        return form, None, teams
    if not policy.can_see_team_measures(current_user, team_id):
        abort(403, policy.ONLY_OWN_TEAMS_MEASURES)
    if form.grain.data == "week" and (f.end - f.start).days // 7 > MAX_WEEKS:
        form.grain.errors = [
            *form.grain.errors,
            TOO_MANY_WEEKS,
        ]
        return form, None, teams
    return form, f, teams


def require_lists(f: Filters) -> None:
    if not policy.can_see_measure_lists(current_user, f.team_id):
        abort(
            403,
            "The lists of people behind the figures are for the managers of the team: "
            "choose your own team, or ask its manager.",
        )


def _team_id(raw) -> int | None:
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return None


def _plain_english(form: MeasuresForm) -> None:
    if form.cohort.errors:
        form.cohort.errors = [NO_COHORT]
    if form.grain.errors:
        form.grain.errors = [NO_GRAIN]


def visible_teams() -> list[Team]:
    """Every team: whoever sees measures may choose any (ADR 0034)."""
    return list(db.session.scalars(db.select(Team).order_by(Team.name)))


def filter_args(f: Filters, **extra) -> dict:
    """The address parameters that reproduce these filters (as the form would send them)."""
    args = {}
    for name, day in (("start", f.start), ("end", f.end)):
        args |= {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}
    args["team"] = "" if f.team_id is None else f.team_id
    return args | extra


def _results(f: Filters) -> dict[str, dict]:
    return {
        cohort: compute(db.session, start=f.start, end=f.end, cohort=cohort, team_id=f.team_id)
        for cohort in COHORTS
    }


@bp.route("")
def index():
    form, f, teams = read_filters()
    if f is None:
        return render_template("measures/index.html", form=form, f=None), 400
    results = _results(f)
    cohort = form.cohort.data or "all"
    grain = form.grain.data or "month"
    chosen = Filters(f.start, f.end, cohort, f.team_id)
    charts = build_charts(chosen, grain, form.rebase.data)
    # the same view by quarter, for charts whose months or weeks rest on too few records
    by_quarter = {**request.args.to_dict(), "grain": "quarter"}
    longer = None if grain == "quarter" else url_for("measures.index", **by_quarter)
    return render_template(
        "measures/index.html",
        form=form,
        f=f,
        results=results,
        lines=LINES,
        cohorts=COHORTS,
        headings=COHORT_HEADINGS,
        column_headings=[COHORT_HEADINGS[cohort] for cohort in COHORTS],
        number=number,
        headline=headline,
        charts=charts,
        args=filter_args(f),
        chart_cohort=cohort,
        grain=grain,
        longer_url=longer and f"{longer}#charts",
        team_name=results["all"]["team"],
        lists=policy.can_see_measure_lists(current_user, f.team_id),
    )


def series_chart(points: Series, spec: Spec, grain: str, *, title: str, **extra) -> Chart:
    """The XmR chart of one figure's points, one a `grain`, under `title` (`extra`: more of
    xmr_chart's arguments, as the measures page's shorter axis labels and rebasing)."""
    return xmr_chart(
        title=title,
        description=f"{spec.description} One point per {grain}.",
        labels=points.labels,
        values=points.values,
        better=spec.better,
        unit=spec.unit,
        denominators=points.denominators,
        counted=spec.counted,
        per=grain,
        **extra,
    )


def build_charts(f: Filters, grain: str, rebase: dt.date | None) -> list:
    """One XmR chart per figure, and end-to-end days per case."""
    charts = []
    for figure, points in every_series(db.session, f, grain).items():
        spec = SPECS[figure]
        charts.append(
            series_chart(
                points,
                spec,
                grain,
                title=spec.title,
                axis_labels=points.axis_labels,
                rebase_at=rebase_index(points.starts, rebase),
            )
        )
    cases = end_to_end_points(db.session, f)
    charts.append(
        xmr_chart(
            title="End-to-end time per case",
            description="Days from each case's first demand to its closure, in closing order "
            "(the latest 250 cases closed in the period at most).",
            labels=[f"Case {c.id}, closed {uk_date(c.on)}" for c in cases],
            axis_labels=[axis_label(c.on) for c in cases],
            values=[c.days for c in cases],
            better=None,
            unit="days",
            rebase_at=rebase_index([c.on for c in cases], rebase),
            label_heading="Case",
        )
    )
    _, costs = closed_case_costs(db.session, f, limit=CASE_POINTS)
    if costs:
        charts.append(
            xmr_chart(
                title="Cost per closed case",
                description="The actual cost of each case closed in the period, in pounds "
                "(minutes recorded at the practitioner-hour cost and asks granted), in "
                f"closing order (the latest {CASE_POINTS} cases closed at most).",
                labels=[f"Case {c['case_id']}, closed {uk_date(c['closed_on'])}" for c in costs][
                    ::-1
                ],
                axis_labels=[axis_label(c["closed_on"]) for c in costs][::-1],
                values=[c["actual"] for c in costs][::-1],
                better="lower",
                unit="pounds",
                rebase_at=rebase_index([c["closed_on"] for c in costs][::-1], rebase),
                label_heading="Case",
            )
        )
    return charts


@bp.route("/figures.csv")
def figures_csv():
    form, f, _ = read_filters()
    if f is None:
        abort(400, MeasuresForm.CHECK_FILTERS + "; ".join(_errors(form)))
    return csv_download(
        ["Figure", "Number", *(COHORT_HEADINGS[c] for c in COHORTS)],
        figure_rows(_results(f)),
        f"measures-{f.start}-to-{f.end}.csv",
    )


def _errors(form) -> list[str]:
    return [error for field in form for error in field.errors]


def _cohort_arg() -> str:
    cohort = request.args.get("list_cohort", "all")
    if cohort not in COHORTS:
        abort(400, NO_COHORT)
    return cohort


def _part_or_404(figure: str, part: str):
    if part not in PARTS.get(figure, {}):
        abort(404)
    return PARTS[figure][part]


def list_request(*, named: bool = True):
    """What every list behind a figure reads from the address: the filters (None, with the
    form to show again, when they are wrong), the cohort, the page, and the filters the list
    is drawn for. Refuses lists the user may not see (require_lists) unless `named` is
    False: the caller then shows how many, not who."""
    form, f, _ = read_filters()
    if f is None:
        return form, None, None, None, None
    if named:
        require_lists(f)
    cohort = _cohort_arg()
    page = page_number()
    return form, f, cohort, page, Filters(f.start, f.end, cohort, f.team_id)


@bp.route("/list/<figure>/<part>")
def drilldown(figure: str, part: str):
    described = _part_or_404(figure, part)
    form, f, cohort, page, chosen = list_request(named=False)
    if f is None:
        return render_template("measures/index.html", form=form, f=None), 400
    if not policy.can_see_measure_lists(current_user, f.team_id):
        return _how_many(figure, part, described, f, chosen)
    rows = listing(db.session, chosen, figure, part, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    _audit_list("view", rows.person_ids, figure=figure, part=part, f=chosen, page=page)
    pages = page_count(rows.total, PAGE_SIZE)
    return render_template(
        "measures/list.html",
        form=form,
        f=chosen,
        rows=rows,
        # one team chosen: its name is in the heading, not in every row
        columns=[c for c in rows.page_columns if not (f.team_id and c[0] == "team")],
        described=described,
        title=_figure_title(figure),
        cohort=cohort,
        page=page,
        pages=pages,
        args=filter_args(f, list_cohort=cohort),
        team_name=db.session.get(Team, f.team_id).name if f.team_id else None,
        label=label,
    )


def _how_many(figure: str, part: str, described, f: Filters, chosen: Filters):
    """Another team's (or every team's) list: how many records, not whose. No names, no
    links, so not a read of anyone's record (ADR 0034)."""
    rows = listing(db.session, chosen, figure, part, limit=0)
    return render_template(
        "measures/how_many.html",
        f=chosen,
        total=rows.total,
        kind=rows.kind,
        described=described,
        title=_figure_title(figure),
        cohort=chosen.cohort,
        args=filter_args(f),
        team_name=db.session.get(Team, f.team_id).name if f.team_id else None,
    )


@bp.route("/list/<figure>/<part>.csv")
def drilldown_csv(figure: str, part: str):
    _part_or_404(figure, part)
    form, f, _ = read_filters()
    if f is None:
        abort(400, MeasuresForm.CHECK_FILTERS + "; ".join(_errors(form)))
    require_lists(f)
    chosen = Filters(f.start, f.end, _cohort_arg(), f.team_id)
    rows = listing(db.session, chosen, figure, part)
    _audit_list("export", rows.person_ids, figure=figure, part=part, f=chosen)
    keys = [key for key, _ in rows.columns]
    return csv_download(
        ["Person id", *(heading for _, heading in rows.columns)],
        ([row["person_id"], *(row[key] for key in keys)] for row in rows.rows),
        f"{figure}-{part}-{chosen.cohort}-{f.start}-to-{f.end}.csv",
    )


def _figure_title(figure: str) -> str:
    return next(line.title for line in LINES if line.figure == figure)


def _audit_list(action: str, person_ids: list[int], *, figure: str, part: str, f: Filters, **extra):
    """A list of people's demands or cases is a read of their records: one event per view,
    naming every person shown (ADR 0010)."""
    audit.record_list(
        action,
        "measures_list",
        person_ids,
        figure=figure,
        part=part,
        start=f.start.isoformat(),
        end=f.end.isoformat(),
        cohort=f.cohort,
        team_id=f.team_id,
        path=request.path,
        **extra,
    )
    db.session.commit()


@bp.route("/repeat-demand")
def repeat_demand():
    form, f, _ = read_filters()
    if f is None:
        return render_template("measures/repeat_demand.html", form=form, f=None), 400
    require_lists(f)
    cohort = form.cohort.data or "all"
    chosen = Filters(f.start, f.end, cohort, f.team_id)
    people = repeat_review(db.session, chosen, limit=REVIEW_PEOPLE)
    _audit_list(
        "view",
        sorted(p["person_id"] for p in people),
        figure="repeat_review",
        part="people",
        f=chosen,
    )
    return render_template(
        "measures/repeat_demand.html",
        form=form,
        f=chosen,
        people=people,
        args=filter_args(f, cohort=cohort),
        team_name=db.session.get(Team, f.team_id).name if f.team_id else None,
        list_url=url_for(
            "measures.drilldown",
            figure="demands_per_person",
            part="people",
            **filter_args(f, list_cohort=cohort),
        ),
    )
