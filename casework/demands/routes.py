from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import clock, once, policy
from ..caseload.service import team_members
from ..exceptions import InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors
from ..models import User
from ..people.service import require_not_merged
from ..trials.allocation import record_trial_demand, running_trials
from ..trials.models import Trial
from . import bp
from .forms import DemandForm
from .routing import record_demand, route_demand

ALLOCATION_WORDS = {
    "pilot": "In the trial {trial}, the draw sent it to the pilot team, {team}. ",
    "usual": "In the trial {trial}, the draw sent it to usual practice, {team}. ",
    "not_randomised": "In the trial {trial}, the routing rule sent it to {team} (not drawn). ",
}


def _record(form, person, team, owner):
    """Into the trial chosen (routed by the rule or drawn), or the team's usual routing."""
    fields = dict(
        received_on=form.received_on.data,
        source=form.source.data,
        channel=form.channel.data,
        stated_need=form.stated_need.data,
        kind=form.kind.data or None,
    )
    if form.trial.data:
        trial = db.session.get(Trial, form.trial.data)
        demand, route, placed = record_trial_demand(
            db.session, trial, person=person, recorder=current_user, owner=owner, **fields
        )
        return (
            demand,
            route,
            ALLOCATION_WORDS[placed.allocation].format(trial=trial.name, team=demand.team.name),
        )
    demand, route = record_demand(
        db.session, person=person, team=team, recorder=current_user, owner=owner, **fields
    )
    return demand, route, ""


def _unusable_token(form) -> bool:
    """Spend the form's one-time token (casework/once.py), before the change and in its
    transaction. True, with the reason on the form, when the token cannot be spent."""
    unusable = once.claim()
    if unusable is not None:
        form.form_errors.append(unusable)
    return unusable is not None


@bp.route("/people/<int:person_id>/demands/new", methods=["GET", "POST"])
def new(person_id: int):
    person = policy.get_person_for_demand(current_user, person_id)
    require_not_merged(person)
    team = current_user.team
    form = DemandForm()
    members = team_members(db.session, team.id)
    default_label = (
        "Me" if current_user.role == "practitioner" else "Nobody yet: awaiting allocation"
    )
    form.owner_id.choices = {0: default_label} | {
        u.id: u.name
        for u in members
        if u.id != current_user.id or current_user.role != "practitioner"
    }
    trials = running_trials(db.session, current_user)
    form.trial.choices = {0: "No: the team's usual routing"} | {t.id: t.name for t in trials}
    if not form.is_submitted():
        form.received_on.process(None, clock.today())
    if form.validate_on_submit() and not _unusable_token(form):
        owner = policy.fetch(User, form.owner_id.data) if form.owner_id.data else None
        try:
            demand, route, drawn = _record(form, person, team, owner)
            destination = url_for("cases.detail", case_id=demand.case_id)
            once.settle(destination)  # sent again, the form goes to this case: one demand
            db.session.commit()
            flash(f"Demand recorded. {drawn}{route.describe(person, current_user)}", "success")
            return redirect(destination)
        except InvalidValue as error:
            db.session.rollback()
            apply_domain_errors(form, error)
    # Preview only a valid choice: a tampered id must not name someone from another team.
    chosen = next((u for u in members if u.id == form.owner_id.data), None)
    route = route_demand(db.session, person, team, current_user, chosen)
    return render_template(
        "demands/new.html",
        form=form,
        person=person,
        route=route,
        where=route.describe(person, current_user),
        trials=trials,
    ), 422 if form.errors else 200
