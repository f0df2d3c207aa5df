"""Agreed actions of a case: agree one (the person's or the team's), and mark it done,
dropped or agreed again, with its outcome."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..actions.service import change_action
from ..cases import service as cases
from ..extensions import db
from ..models import Action as ActionRecord
from ..models import User
from .base import answers, bp, referenced, spec
from .fields import Body, Choice, Date, Day, Id, Moment, Shape, Text, moment
from .in_error import InError, in_error_json


class ActionIn(Body):
    description: Text(rules.SHORT_TEXT, required=True)
    by: Choice(rules.ACTION_BY)
    assignee_id: Id("A colleague for a team action; none means the case owner") | None = None
    due_on: Day() | None = None
    network_member_id: (
        Id(
            "Who in the person's circle (or which outside professional) does it: a member "
            "of this person's network, else 422"
        )
        | None
    ) = None


class ActionChange(Body):
    status: Choice(rules.ACTION_STATUSES) = None
    outcome: Text(rules.SHORT_TEXT, "What happened; required when dropped") | None = None
    description: Text(rules.SHORT_TEXT, "The action reworded", required=True) = None
    due_on: (
        Day(
            "Re-dated: from 30 days before the case opened to ten years ahead, else 422; "
            "null for no date"
        )
        | None
    ) = None
    assignee_id: (
        Id("A team action handed to this colleague (told so); null means the case owner") | None
    ) = None
    version: Id("The action's `version` as last read; when sent, a stale one is 409") | None = None


class Action(Shape):
    id: int
    case_id: int
    description: str
    by: Choice(rules.ACTION_BY)
    assignee_id: int | None
    network_member_id: int | None
    due_on: Date | None
    status: Choice(rules.ACTION_STATUSES)
    outcome: str | None
    version: int
    created_at: Moment
    updated_at: Moment
    entered_in_error: InError | None = None


def action_json(action: ActionRecord) -> Action:
    return Action(
        id=action.id,
        case_id=action.case_id,
        description=action.description,
        by=action.by,
        assignee_id=action.assignee_id,
        network_member_id=action.network_member_id,
        due_on=action.due_on,
        status=action.status,
        outcome=action.outcome,
        version=action.version,
        created_at=moment(action.created_at),
        updated_at=moment(action.updated_at),
        entered_in_error=in_error_json(action),
    )


@bp.post("/cases/<id:case_id>/actions")
@spec.validate(resp=answers(201, Action, 403, 404, 409, body=True), tags=["Cases"])
def create_action(case_id: int, json: ActionIn):
    """Agree an action: the person's or the team's"""
    case = policy.get_case_for(current_user, case_id, write=True)
    assignee = referenced(User, json.assignee_id, "assignee_id", "user")
    action = cases.add_action(
        db.session,
        case,
        current_user,
        description=json.description,
        by=json.by,
        assignee=assignee,
        due_on=json.due_on,
        network_member_id=json.network_member_id,
    )
    db.session.commit()
    return action_json(action), 201


@bp.patch("/actions/<id:action_id>")
@spec.validate(resp=answers(200, Action, 403, 404, 409, body=True), tags=["Cases"])
def update_action(action_id: int, json: ActionChange):
    """Change an action: its status and outcome, its words, its due date, who does it

    Fields left out keep their value. Send `version` to have a change made from an
    out-of-date copy refused (409, with `error.current`). An action entered in error
    changes no more (409).
    """
    action = policy.get_action_for(current_user, action_id)
    changes = json.sent()
    changes.pop("version", None)
    if "assignee_id" in changes:
        assignee_id = changes.pop("assignee_id")
        changes["assignee"] = referenced(User, assignee_id, "assignee_id", "user")
    change_action(db.session, action, current_user, **changes, version=json.version)
    db.session.commit()
    return action_json(action)
