from flask import abort, render_template, url_for
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..forms import form_version
from ..web import save_form
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

    def saved_first(form, error) -> int:
        """Someone else saved first: show theirs, keep what was typed, let them save over it."""
        nonlocal latest
        latest = service.current(db.session, team_id)
        form.form_errors.append(error.message)
        form.version.data = str(latest.version if latest else 0)
        return 409

    return save_form(
        form,
        lambda: service.save(
            db.session,
            current_user.team,
            current_user,
            purpose=form.purpose.data,
            principles=form.principles.data,
            rules=form.rules.data,
            version=form_version(form),
        ),
        saved="The team's purpose, principles and rules are saved.",
        to=url_for("purpose.show"),
        show=lambda status: (
            render_template("purpose/edit.html", form=form, latest=latest, stale=status == 409),
            status,
        ),
        stale=saved_first,
    )
