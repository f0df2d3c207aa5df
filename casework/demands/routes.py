from flask import render_template, url_for
from flask_login import current_user

from .. import clock, policy
from ..caseload.service import team_members
from ..exceptions import InvalidValue
from ..extensions import db
from ..models import User
from ..people.involvement import involvement
from ..people.service import require_not_merged
from ..safety.service import active_flags
from ..trials.allocation import record_trial_demand, running_trials
from ..trials.models import Trial
from ..web import save_form
from . import bp
from .forms import OWN_CASE, DemandForm, pass_to_choices
from .routing import record_demand, route_demand

ALLOCATION_WORDS = {
    "pilot": "In the trial {trial}, the draw sent it to the pilot team, {team}. ",
    "usual": "In the trial {trial}, the draw sent it to usual practice, {team}. ",
    "not_randomised": "In the trial {trial}, the routing rule sent it to {team} (not drawn). ",
}


def _record(form, person, team, owner):
    """Into the trial chosen (routed by the rule or drawn), or the team's usual routing;
    passed to the worker in another team who knows the person when the recorder chose so."""
    fields = dict(
        received_on=form.received_on.data,
        source=form.source.data,
        channel=form.channel.data,
        stated_need=form.stated_need.data,
        kind=form.kind.data or None,
        pass_to_case_id=_pass_to_case_id(form),
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


def _pass_to_case_id(form) -> int | None:
    choice = form.pass_to.data if "pass_to" in form else None
    return int(choice) if choice and choice != OWN_CASE else None


def _form(person, team, elsewhere) -> DemandForm:
    """The intake form with this team's owners and trials, and, for a person with open cases
    in other teams, the choice of passing the demand to the worker who knows them."""
    form = DemandForm()
    members = team_members(db.session, team.id)
    default_label = (
        "Me" if current_user.role == "practitioner" else "Nobody yet: awaiting allocation"
    )
    form.owner_id.choices = {0: default_label} | {
        u.id: u.with_profession
        for u in members
        if u.id != current_user.id or current_user.role != "practitioner"
    }
    form.members = members
    form.trial.choices = {0: "No: the team's usual routing"} | {
        t.id: t.name for t in running_trials(db.session, current_user)
    }
    if elsewhere:
        form.pass_to.choices = pass_to_choices(person, elsewhere)
    else:
        del form.pass_to
    if not form.is_submitted():
        form.received_on.process(None, clock.today())
    return form


@bp.route("/people/<int:person_id>/demands/new", methods=["GET", "POST"])
def new(person_id: int):
    person = policy.get_person_for_demand(current_user, person_id)
    require_not_merged(person)
    team = current_user.team
    involved = involvement(db.session, person)
    elsewhere = [e.case for e in involved if e.is_open and e.case.team_id != team.id]
    form = _form(person, team, elsewhere)

    def record():
        owner = policy.fetch(User, form.owner_id.data) if form.owner_id.data else None
        return _record(form, person, team, owner)

    def show(status: int):
        # Preview only a valid choice: a tampered id must not name someone from another team.
        chosen = next((u for u in form.members if u.id == form.owner_id.data), None)
        route = route_demand(db.session, person, team, current_user, chosen)
        return render_template(
            "demands/new.html",
            form=form,
            person=person,
            route=route,
            where=route.describe(person, current_user),
            trials=len(form.trial.choices) > 1,
            involved=involved,
            elsewhere=elsewhere,
            flags=active_flags(db.session, person),
        ), status

    return save_form(  # sent twice, one demand: the form goes to the same place
        form,
        record,
        saved=lambda recorded: _recorded(person, *recorded),
        to=lambda recorded: _recorded_at(*recorded),
        show=show,
        refused=InvalidValue,
    )


def _recorded_at(demand, route, _drawn) -> str:
    if route.kind == "passed_to_owner":
        return url_for("demands.passed", demand_id=demand.id)
    return url_for("cases.detail", case_id=demand.case_id)


def _recorded(person, _demand, route, drawn) -> str | None:
    """The banner; none for a demand passed on, whose page says where it went."""
    if route.kind == "passed_to_owner":
        return None
    return f"Demand recorded. {drawn}{route.describe(person, current_user)}"


@bp.route("/demands/<int:demand_id>/passed")
def passed(demand_id: int):
    """What the recorder sees once a demand is passed: who has it and how to reach them,
    nothing of the other team's case."""
    demand = policy.get_passed_demand_for(current_user, demand_id)
    return render_template(
        "demands/passed.html",
        demand=demand,
        case=demand.case,
        can_see_person=policy.can_see_person(current_user, demand.person),
    )
