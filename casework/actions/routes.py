"""Pages: change an agreed action; the team's actions that need a new owner, handed on."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy
from ..caseload.service import team_members
from ..extensions import db
from ..forms import form_version, parse_version
from ..models import User
from ..pagination import page_number
from ..web import save_form
from . import bp, service
from .forms import ActionEditForm, HandOnForm


def _colleague_choices(action) -> dict[int, str]:
    """The case's team first (the colleagues the action most often moves between), then
    whoever it is with now, when they are elsewhere or gone."""
    members = team_members(db.session, action.case.team_id)
    choices = {0: f"The case owner ({action.case.owner.name})"} if action.case.owner else {}
    choices |= {u.id: u.name for u in members}
    if action.assignee is not None and action.assignee_id not in choices:
        choices[action.assignee_id] = f"{action.assignee.name} (now)"
    return choices


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit(action_id: int):
    action = policy.get_action_for(current_user, action_id)
    case = action.case
    form = ActionEditForm(obj=action)
    if action.by == "team":
        form.assignee_id.choices = _colleague_choices(action)
    if not form.is_submitted():
        form.version.data = str(action.version)

    def change():
        changes = {"description": form.description.data, "due_on": form.due_on.data}
        if action.by == "team":
            chosen = form.assignee_id.data
            changes["assignee"] = policy.fetch(User, chosen) if chosen else None
        return service.change_action(
            db.session, action, current_user, **changes, version=form_version(form)
        )

    return save_form(
        form,
        change,
        saved="Action changed.",
        to=url_for("cases.detail", case_id=case.id, _anchor="actions"),
        show=lambda status: (
            render_template(
                "actions/edit.html",
                form=form,
                action=action,
                case=case,
                person=case.person,
                stale=status == 409 and not action.in_error,
            ),
            status,
        ),
        stale=action,
    )


@bp.route("/team/actions", methods=["GET", "POST"])
def needing_new_owner():
    """The team's open actions whose colleague has gone, handed on in bulk with a reason."""
    team_id = current_user.team_id
    if not policy.manages_team(current_user, team_id):
        abort(403, "Only the team's manager hands on the actions of workers who have gone.")
    form = HandOnForm()
    members = team_members(db.session, team_id)
    form.new_assignee_id.choices = {0: "Choose a colleague"} | {u.id: u.name for u in members}

    def hand_on():
        ids = [i for i in form.action_ids.data or [] if policy.fetchable(i)]
        chosen = form.new_assignee_id.data
        return service.hand_on(
            db.session,
            team_id,
            current_user,
            action_ids=ids,
            new_assignee=policy.fetch(User, chosen) if chosen else None,
            reason=form.reason.data,
            versions={i: parse_version(request.form.get(f"version-{i}")) for i in ids},
        )

    return save_form(
        form,
        hand_on,
        saved=lambda moved: _handed(moved, form),
        to=url_for("actions.needing_new_owner"),
        show=lambda status: _show(form, team_id, status),
        refused_status=422,
    )


def _handed(moved: int, form: HandOnForm) -> str:
    if moved == 0:
        return "Nothing changed: the chosen actions were already with that colleague."
    name = db.session.get(User, form.new_assignee_id.data).name
    return f"{moved} action{'s' if moved != 1 else ''} handed on to {name}."


def _show(form: HandOnForm, team_id: int, status: int):
    actions = service.orphaned_actions(db.session, team_id, page_number("page"))
    people = [a.case.person_id for a in actions.items]
    if people:
        audit.record_list("view", "caseload", people, list="actions_needing_new_owner")
        audit.commit_read()
    return (
        render_template(
            "actions/needing_new_owner.html",
            form=form,
            actions=actions,
            selected=set(form.action_ids.data or []),
        ),
        status,
    )
