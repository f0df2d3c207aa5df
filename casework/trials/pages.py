"""The trials' pages (list, create, pause/resume/end, results, the printable report), the
teams' cost catalogues and the owner's form for what the usual system would have done."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock, once, policy
from ..exceptions import DomainError
from ..extensions import db
from ..forms import FlaskForm
from ..models import Team
from ..web import back_to, save_form
from . import access, costs, service
from .charts import interval_chart
from .forms import CostForm, CounterfactualForm, TrialForm
from .models import Trial
from .results import results

bp = Blueprint("trials", __name__)
OUTCOME_LABELS = {
    "repeat_demand_rate": "Made another demand",
    "returned_within_90_days": "Came back within 90 days",
}


def _teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _trial_for(trial_id: int) -> Trial:
    trial = policy.fetch(Trial, trial_id)
    if trial is None:
        abort(404)
    if not access.can_see_results(current_user, trial):
        abort(403, access.ONLY_RESULTS_READERS)
    return trial


@bp.route("/trials", methods=["GET", "POST"])
def index():
    """Every trial the user may see; administrators and leads create them here."""
    if not (access.can_manage_trials(current_user) or access.can_see_costs(current_user)):
        abort(403, access.ONLY_TRIALS_READERS)
    if request.method == "POST" and not access.can_manage_trials(current_user):
        abort(403, access.ONLY_TRIAL_MANAGERS)
    form = TrialForm()
    form.pilot_team.choices = form.usual_team.choices = [(0, "Choose a team")] + [
        (team.id, team.name) for team in _teams()
    ]
    if not form.is_submitted():
        form.start_on.process(None, clock.today())

    def show(status: int):
        visible = [t for t in service.trials(db.session) if access.can_see_results(current_user, t)]
        return render_template(
            "trials/index.html",
            trials=visible,
            form=form,
            can_manage=access.can_manage_trials(current_user),
            can_costs=access.can_see_costs(current_user),
        ), status

    return save_form(
        form,
        lambda: service.create(
            db.session,
            name=form.name.data,
            pilot_team=form.pilot_team.data or None,
            usual_team=form.usual_team.data or None,
            share=form.share.data,
            start_on=form.start_on.data,
            by=current_user,
        ),
        saved=lambda trial: f"Trial {trial.name} created: it is running.",
        to=lambda trial: url_for("trials.show", trial_id=trial.id),
        show=show,
        refused_status=422,
    )


@bp.route("/trials/<int:trial_id>/status", methods=["POST"])
def move(trial_id: int):
    trial = _trial_for(trial_id)
    if not access.can_manage_trials(current_user):
        abort(403, access.ONLY_TRIAL_MANAGERS)
    to = request.form.get("to", "")
    back = url_for("trials.show", trial_id=trial.id)
    form = FlaskForm()  # the trial's page draws the buttons: nothing typed but the choice
    return save_form(
        form,
        lambda: service.move(db.session, trial, to, by=current_user),
        saved=lambda _: f"Trial {trial.name} is now {trial.status}.",
        to=back,
        show=back_to(form, back),
        flash_refusal="error",
    )


def _results_or_error(trial: Trial):
    follow_up = request.args.get("follow_up_days", "180")
    try:
        return results(db.session, trial, follow_up), follow_up, None
    except DomainError as error:
        return None, follow_up, error.fields.get("follow_up_days", error.message)


@bp.route("/trials/<int:trial_id>")
def show(trial_id: int):
    trial = _trial_for(trial_id)
    found, follow_up, error = _results_or_error(trial)
    chart = None
    if found is not None:
        rows = [(OUTCOME_LABELS[k], v) for k, v in found["difference"].items()]
        chart = interval_chart(rows)
    return render_template(
        "trials/show.html",
        trial=trial,
        results=found,
        follow_up=follow_up,
        error=error,
        chart=chart,
        labels=OUTCOME_LABELS,
        can_manage=access.can_manage_trials(current_user),
    ), 422 if error else 200


@bp.route("/trials/<int:trial_id>/report")
def report(trial_id: int):
    """The evaluation report, printable a section a page, for leaders who never log in."""
    from .report import report_context

    trial = _trial_for(trial_id)
    found, follow_up, error = _results_or_error(trial)
    if found is None:
        abort(422, error)
    rows = [(OUTCOME_LABELS[k], v) for k, v in found["difference"].items()]
    return render_template(
        "trials/report.html",
        trial=trial,
        results=found,
        chart=interval_chart(rows),
        labels=OUTCOME_LABELS,
        **report_context(db.session, trial),
    )


def _costs_team() -> Team:
    if not access.can_see_costs(current_user):
        abort(403, access.ONLY_COST_READERS)
    wanted = request.args.get("team", type=int) or current_user.team_id
    team = db.session.get(Team, wanted) if wanted else None
    if team is None:
        team = db.session.scalar(select(Team).order_by(Team.name).limit(1))
    if team is None or not access.can_set_costs(current_user, team.id):
        abort(403, access.ONLY_OWN_CATALOGUE)
    return team


@bp.route("/costs", methods=["GET", "POST"])
def cost_catalogue():
    team = _costs_team()
    form = CostForm()

    def show(status: int):
        return render_template(
            "trials/costs.html",
            team=team,
            items=costs.catalogue(db.session, team.id),
            form=form,
            teams=_teams() if current_user.role == "admin" else [team],
        ), status

    return save_form(
        form,
        lambda: costs.set_cost(
            db.session,
            team,
            form.service.data,
            form.cost.data,
            per=form.per.data,
            source=form.source.data or None,
            by=current_user,
        ),
        saved=lambda item: f"{item.service} saved in the {team.name} catalogue.",
        to=url_for("trials.cost_catalogue", team=team.id),
        show=show,
        refused_status=422,
    )


@bp.route("/cases/<int:case_id>/counterfactual", methods=["GET", "POST"])
def counterfactual(case_id: int):
    """What the usual system would have done for this person, from the team's catalogue."""
    case = policy.get_case_for(current_user, case_id)
    if not access.can_record_counterfactual(current_user, case):
        abort(403, access.ONLY_OWNER_OR_MANAGER)
    form = CounterfactualForm()
    catalogue = [
        i for i in costs.catalogue(db.session, case.team_id) if i.service != "practitioner-hour"
    ]
    existing = costs.counterfactual_of(db.session, case.id)
    counts = {item.cost_item_id: item.count for item in existing.items} if existing else {}
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        items, counts = _typed_items(catalogue, errors)
        refusal = None if errors else once.claim()  # sent again, saved once
        if refusal is not None:
            errors["items"] = refusal
        if not errors:
            try:
                costs.record_counterfactual(
                    db.session, case, items, form.note.data, by=current_user
                )
                once.settle(url_for("cases.detail", case_id=case.id))
                db.session.commit()
                flash("Saved what the usual system would have done.", "success")
                return redirect(url_for("cases.detail", case_id=case.id))
            except DomainError as error:
                db.session.rollback()
                errors = error.fields
    elif not form.is_submitted() and existing:
        form.note.data = existing.note
    return render_template(
        "trials/counterfactual.html",
        case=case,
        form=form,
        catalogue=catalogue,
        counts=counts,
        errors=errors,
        case_costs=costs.case_costs(db.session, case),
    ), 422 if errors or form.errors else 200


def _typed_items(catalogue, errors: dict) -> tuple[list[dict], dict[int, int]]:
    items, counts = [], {}
    for item in catalogue:
        typed = request.form.get(f"count-{item.id}", "").strip()
        if not typed or typed == "0":
            continue
        if not typed.isdigit():
            errors["items"] = f"Enter how many of {item.service} as a whole number"
            continue
        counts[item.id] = int(typed)
        items.append({"service": item.service, "count": int(typed)})
    return items, counts
