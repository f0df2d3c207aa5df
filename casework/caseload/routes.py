from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import policy
from ..cases.service import change_owner
from ..exceptions import DomainError
from ..extensions import db
from ..models import Case, User
from ..pagination import page_number
from . import bp, service
from .forms import AllocateForm


@bp.route("/")
def index():
    if current_user.team_id is None:
        if current_user.is_admin:
            return redirect(url_for("admin.users"))
        return render_template("caseload/no_team.html")
    return render_template(
        "caseload/mine.html",
        rows=service.my_cases(db.session, current_user, page_number("page")),
        actions=service.my_actions(db.session, current_user, page_number("actions")),
    )


@bp.route("/team", methods=["GET", "POST"])
def team():
    if not policy.manages_team(current_user, current_user.team_id):
        abort(403)
    team_id = current_user.team_id
    form = AllocateForm()
    members = service.team_members(db.session, team_id)
    form.owner_id.choices = {0: "Choose a worker"} | {u.id: u.name for u in members}
    if form.validate_on_submit():
        if form.owner_id.data == 0:
            form.owner_id.errors.append("Choose who will own the cases")
        elif not form.case_ids.data:
            form.case_ids.errors = ["Choose at least one case"]
        else:
            allocated = allocate(team_id, form)
            if allocated is not None:
                db.session.commit()
                flash(
                    f"{allocated} given to {db.session.get(User, form.owner_id.data).name}.",
                    "success",
                )
                return redirect(url_for("caseload.team"))
    worker_id = request.args.get("worker", type=int)
    worker = next((m for m in members if m.id == worker_id), None)
    return render_template(
        "caseload/team.html",
        form=form,
        workload=service.team_workload(db.session, team_id),
        waiting=service.awaiting_allocation(db.session, team_id, page_number("waiting")),
        orphaned=service.needs_new_owner(db.session, team_id, page_number("orphaned")),
        worker=worker,
        worker_rows=service.owned_by(db.session, team_id, worker.id, page_number("page"))
        if worker
        else None,
        selected=set(form.case_ids.data or []),
    )


def allocate(team_id: int, form: AllocateForm) -> str | None:
    """Give every chosen case to the chosen worker; all or nothing."""
    new_owner = policy.fetch(User, form.owner_id.data)
    cases = [policy.fetch(Case, case_id) for case_id in form.case_ids.data]
    moved = 0
    for case in cases:
        if case is None or case.team_id != team_id:
            abort(403)
        if case.owner_id == new_owner.id:
            continue  # already theirs: nothing to record
        moved += 1
        try:
            change_owner(
                db.session, case, current_user, new_owner=new_owner, reason=form.reason.data
            )
        except DomainError as error:
            db.session.rollback()
            reason = next(iter(error.fields.values()), error.message)
            form.form_errors.append(f"Case for {case.person.name}: {reason}")
            return None
    return f"{moved} case{'s' if moved != 1 else ''}"
