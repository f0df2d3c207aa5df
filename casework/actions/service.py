"""Changing an agreed action (its status and outcome, its words, its due date, who does it),
and handing on in bulk the open actions of workers who have gone (ADR 0037).

The web forms, the API and the demo call these; the due-date rule is rules.check_action_due,
the same for a new action and a changed one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from .. import audit
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..locking import check_version, flush_checked
from ..models import ACTION_STATUSES, Action, Case, User
from ..notifications.service import tell
from ..pagination import Page, paginate
from ..rules import (
    NO_ACTION_DESCRIPTION,
    NO_ACTION_DETAILS,
    SHORT_TEXT,
    check_action_due,
    clean_text,
)

CHANGEABLE = ("status", "outcome", "description", "due_on", "assignee")


class EnteredInErrorAlready(Conflict):
    """The record was marked entered in error: it is kept as it was, and changes no more."""

    code = "entered_in_error"


def require_current(record, what: str) -> None:
    if record.in_error:
        raise EnteredInErrorAlready(
            f"This {what} was marked entered in error: it is kept as it was, and cannot change."
        )


def assignee_problem(by: str, assignee: User | None) -> str | None:
    """What is wrong with giving an action done `by` the person or the team to `assignee`
    (None: nothing)."""
    if by == "person":
        return "Only the team's actions have a named colleague" if assignee else None
    if assignee is not None and not (assignee.active and assignee.team_id is not None):
        return "Choose an active colleague"
    return None


def change_action(
    session: Session, action: Action, user: User, *, version: int | None = None, **changes
) -> Action:
    """Change any of an action's `CHANGEABLE` fields, refused if someone saved it meanwhile
    (`version`). A team action given to nobody goes to the case owner; the colleague it is
    given to is told (notification `action_assigned`)."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise TypeError(f"Not a changeable field of an action: {sorted(unknown)}")
    require_current(action, "action")
    check_version(action, version, "this action")
    case = action.case
    errors: dict[str, str] = {}
    clean = _cleaned(action, case, changes, errors)
    if errors:
        raise InvalidValue(NO_ACTION_DETAILS, errors)
    changed = {name: value for name, value in clean.items() if getattr(action, name) != value}
    if not changed:
        return action
    before = {name: _plain(getattr(action, name)) for name in changed}
    for name, value in changed.items():
        setattr(action, name, value)
    if "assignee" in changed:
        action.assignee_team_id = action.assignee.team_id if action.assignee else None
    action.updated_by_id = user.id
    flush_checked(session, "this action")
    audit.record_in_case(
        "update",
        "action",
        action.id,
        case,
        user=user,
        before=before,
        after={name: _plain(value) for name, value in changed.items()},
    )
    if "assignee" in changed and action.assignee is not None:
        _tell_assigned([action.assignee], case, user)
    return action


def _cleaned(action: Action, case: Case, changes: dict, errors: dict) -> dict:
    """The changes, checked: what is wrong goes into `errors` (field: words)."""
    clean = {}
    if "status" in changes:
        clean["status"] = changes["status"]
        if changes["status"] not in ACTION_STATUSES:
            errors["status"] = "Choose done, dropped or agreed"
    if "outcome" in changes:
        clean["outcome"] = clean_text(changes["outcome"], "outcome", errors, limit=SHORT_TEXT)
    if "description" in changes:
        clean["description"] = clean_text(
            changes["description"],
            "description",
            errors,
            required=NO_ACTION_DESCRIPTION,
            limit=SHORT_TEXT,
        )
    if "due_on" in changes and changes["due_on"] != action.due_on:
        clean["due_on"] = check_action_due(changes["due_on"], case.opened_on, errors)
    if "assignee" in changes:
        assignee = changes["assignee"]
        if action.by == "team" and assignee is None:
            assignee = case.owner or action.assignee
        # A colleague who has gone may keep what they hold while its words change.
        problem = assignee_problem(action.by, assignee) if assignee != action.assignee else None
        if problem:
            errors["assignee_id"] = problem
        clean["assignee"] = assignee
    status = clean.get("status", action.status)
    dropped = ("status" in clean or "outcome" in clean) and status == "dropped"
    if dropped and not clean.get("outcome", action.outcome) and "outcome" not in errors:
        errors["outcome"] = "Say why the action was dropped"
    return clean


def _plain(value):
    """A value as the audit keeps it: a date as text, a colleague by id."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, User):
        return value.id
    return value


def _tell_assigned(users: list[User], case: Case, actor: User, count: int = 1) -> None:
    what = "An action" if count == 1 else f"{count} actions"
    tell(
        users,
        "action_assigned",
        text=f"{what} on case #{case.id} {'was' if count == 1 else 'were'} given to you",
        case=case,
        actor=actor,
    )


# The actions of workers who have gone ---------------------------------------------------


def needing_new_owner(team_id: int):
    """SQL: the open team actions of the team's cases whose colleague has gone: deactivated
    or in no team (wherever they were), or given the action as a member of this team and no
    longer in it. A colleague pulled in from another team has not gone (ADR 0037).

    Two searches from the few colleagues who have gone, each through the index of
    (assignee, status, their team then), never a read of every action of the team."""
    open_of_team = (
        select(Action.id)
        .join(Case, Case.id == Action.case_id)
        .where(
            Case.team_id == team_id,
            Action.by == "team",
            Action.status == "agreed",
            Action.entered_in_error_at.is_(None),
        )
    )
    gone = select(User.id).where(or_(User.active.is_(False), User.team_id.is_(None)))
    moved = select(User.id).where(User.team_id != team_id)
    return Action.id.in_(
        union_all(
            open_of_team.where(Action.assignee_id.in_(gone)),
            open_of_team.where(Action.assignee_team_id == team_id, Action.assignee_id.in_(moved)),
        )
    )


def orphaned_actions(session: Session, team_id: int, page: int = 1) -> Page:
    """One page of the team's open actions whose colleague has gone, oldest case first,
    each with its case, person and colleague loaded (a constant number of queries)."""
    query = (
        select(Action)
        .options(joinedload(Action.case).joinedload(Case.person), joinedload(Action.assignee))
        .where(needing_new_owner(team_id))
        .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
    )
    return paginate(session, query, page, item=lambda row: row[0])


def hand_on(
    session: Session,
    team_id: int,
    user: User,
    *,
    action_ids: list[int],
    new_assignee: User | None,
    reason: str | None,
    versions: dict[int, int | None],
) -> int:
    """Give each chosen action of the team's cases to `new_assignee`, with a reason: all or
    nothing. Every problem is found before anything changes and refused at once, each
    naming its action (fields "action_ids", "new_assignee_id", "reason", "action-<id>")."""
    errors: dict[str, str] = {}
    reason = clean_text(
        reason,
        "reason",
        errors,
        required="Give a reason for handing the actions on",
        limit=SHORT_TEXT,
    )
    if new_assignee is None:
        errors["new_assignee_id"] = "Choose who will do the actions"
    elif not (new_assignee.active and new_assignee.team_id == team_id):
        errors["new_assignee_id"] = "Choose an active member of the team"
    actions = _chosen(session, action_ids, team_id, errors)
    for action in actions:
        problem = _hand_on_problem(action, new_assignee, versions.get(action.id))
        if problem:
            errors[f"action-{action.id}"] = f"{action.description[:60]}: {problem}"
    if errors:
        error = ReasonRequired if set(errors) == {"reason"} else InvalidValue
        raise error("Nothing was handed on: check the actions and the new colleague", errors)
    moved = [a for a in actions if a.assignee_id != new_assignee.id]
    for action in moved:
        before = action.assignee_id
        action.assignee = new_assignee
        action.assignee_team_id = new_assignee.team_id
        action.updated_by_id = user.id
        audit.record_in_case(
            "update",
            "action",
            action.id,
            action.case,
            user=user,
            before={"assignee": before},
            after={"assignee": new_assignee.id},
            reason=reason,
        )
    flush_checked(session, "these actions")
    for case in {a.case_id: a.case for a in moved}.values():
        _tell_assigned([new_assignee], case, user, sum(a.case_id == case.id for a in moved))
    return len(moved)


def _chosen(session: Session, action_ids: list[int], team_id: int, errors: dict) -> list[Action]:
    if not action_ids:
        errors["action_ids"] = "Choose at least one action"
        return []
    found = {
        a.id: a
        for a in session.scalars(
            select(Action)
            .join(Case, Case.id == Action.case_id)
            .options(joinedload(Action.case))
            .where(Action.id.in_(action_ids), Case.team_id == team_id)
        )
    }
    missing = [i for i in action_ids if i not in found]
    if missing:
        errors["action_ids"] = "Some of the chosen actions are not your team's"
    return [found[i] for i in action_ids if i in found]


def _hand_on_problem(action: Action, new_assignee: User | None, version: int | None):
    if action.in_error:
        return "it was marked entered in error"
    if action.by != "team":
        return "it is the person's own action"
    if action.status != "agreed":
        return f"it is already {action.status}"
    if version is not None and version != action.version:
        return "someone changed it since you opened this page: check it and choose again"
    return None
