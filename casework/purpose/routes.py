from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import policy
from ..exceptions import DomainError, StaleVersion
from ..extensions import db
from ..forms import apply_domain_errors, form_version
from . import bp, service
from .forms import PurposeForm


@bp.app_context_processor
def purpose_helpers():
    """The team page shows the purpose too (templates/purpose/_summary.html)."""
    return {"team_purpose": lambda team_id: service.current(db.session, team_id)}


def _team_id() -> int:
    if not policy.can_see_purpose(current_user):
        abort(403, "A team's purpose is for its members: your account belongs to no team.")
    return current_user.team_id


@bp.route("/team/purpose")
def show():
    """What the team works by: its purpose, principles and rules, and who wrote them when."""
    team_id = _team_id()
    versions = service.history(db.session, team_id)
    return render_template(
        "purpose/show.html",
        purpose=versions[0] if versions else None,
        earlier=versions[1:],
        can_edit=policy.can_edit_purpose(current_user, team_id),
    )


@bp.route("/team/purpose/edit", methods=["GET", "POST"])
def edit():
    team_id = _team_id()
    if not policy.can_edit_purpose(current_user, team_id):
        abort(403, "Only the team's manager changes its purpose, principles and rules.")
    latest = service.current(db.session, team_id)
    form = PurposeForm(obj=latest)
    if not form.is_submitted():
        form.version.data = str(latest.version if latest else 0)
    status = 200
    if form.validate_on_submit():
        try:
            service.save(
                db.session,
                current_user.team,
                current_user,
                purpose=form.purpose.data,
                principles=form.principles.data,
                rules=form.rules.data,
                version=form_version(form),
            )
            db.session.commit()
            flash("The team's purpose, principles and rules are saved.", "success")
            return redirect(url_for("purpose.show"))
        except StaleVersion as error:
            db.session.rollback()
            latest = service.current(db.session, team_id)
            form.form_errors.append(error.message)
            form.version.data = str(latest.version if latest else 0)
            status = 409
        except DomainError as error:
            db.session.rollback()
            apply_domain_errors(form, error)
            status = error.status
    elif form.is_submitted():
        status = 422
    return render_template("purpose/edit.html", form=form, latest=latest, stale=status == 409), (
        status
    )
