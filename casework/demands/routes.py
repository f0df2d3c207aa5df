from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import clock, policy
from ..caseload.service import team_members
from ..exceptions import InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors
from ..models import User
from ..people.service import require_not_merged
from . import bp
from .forms import DemandForm
from .routing import record_demand, route_demand


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
    if not form.is_submitted():
        form.received_on.process(None, clock.today())
    if form.validate_on_submit():
        owner = policy.fetch(User, form.owner_id.data) if form.owner_id.data else None
        try:
            demand, route = record_demand(
                db.session,
                person=person,
                team=team,
                recorder=current_user,
                received_on=form.received_on.data,
                source=form.source.data,
                channel=form.channel.data,
                stated_need=form.stated_need.data,
                kind=form.kind.data or None,
                owner=owner,
            )
            db.session.commit()
            flash(f"Demand recorded. {route.describe(person, current_user)}", "success")
            return redirect(url_for("cases.detail", case_id=demand.case_id))
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
    ), 422 if form.errors else 200
