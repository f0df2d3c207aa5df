"""The working day (api.md): plan a contact on a case, cancel it, and read the caller's diary
(their planned contacts and the team actions they must do, overdue ones flagged). The rules
are diary.service's and the access policy's, as on the pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from pydantic import Field as Described

from .. import audit, policy, rules
from ..diary import service as diary
from ..diary.models import Plan as PlanRecord
from ..extensions import db
from ..models import Action as ActionRecord
from ..models import Case as CaseRecord
from .actions import Action, action_json
from .base import answers, bp, spec
from .fields import (
    WITHIN_TWO_YEARS,
    Body,
    Choice,
    Date,
    Day,
    Id,
    Moment,
    Query,
    Shape,
    Text,
    moment,
)


class PlanIn(Body):
    due_on: Day(WITHIN_TWO_YEARS, example="2026-12-09")
    kind: Choice(rules.PLAN_KINDS)
    note: Text(rules.PLAN_NOTE, "What the contact is for") | None = None


class PlanCancel(Body):
    reason: Text(rules.SHORT_TEXT, rules.CANCEL_PLAN_REASON_LABEL) | None = None
    version: Id("The plan's `version` as last read; when sent, a stale one is 409") | None = None


class Plan(Shape):
    """A contact planned with the person, in its owner's diary"""

    id: int
    case_id: int
    person_id: int
    owner_id: int
    due_on: Date
    kind: Choice(rules.PLAN_KINDS)
    note: str | None
    status: Choice(rules.PLAN_STATUSES)
    done_by_conversation_id: int | None
    cancel_reason: str | None
    version: int
    created_by_id: int | None
    created_at: Moment


class DiaryPlan(Plan):
    person_name: str
    overdue: bool = Described(description="Still planned, and due before today")


class DiaryAction(Shape):
    """A team action the caller must do"""

    id: int
    case_id: int
    person_id: int
    person_name: str
    description: str
    due_on: Date
    version: int
    overdue: bool = Described(description="Still agreed, and due before today")


class Diary(Shape):
    """The caller's planned contacts and team actions due from `from` to `to`, soonest first,
    and every one still open and due before today, whatever the window"""

    plans: list[DiaryPlan]
    actions_due: list[DiaryAction]


class PreviousCase(Shape):
    """The case a re-contact follows (its first demand went back to the same worker): its
    last what matters and its actions still open"""

    id: int
    opened_on: Date
    closed_on: Date | None
    what_matters: str | None
    open_actions: list[Action]


class Window(Query):
    from_: Day("First day; today when left out") | None = Described(default=None, alias="from")
    to: Day("Last day; a week after `from` (or today) when left out") | None = None


def plan_json(plan: PlanRecord) -> Plan:
    return Plan(**_plan_fields(plan))


def _plan_fields(plan: PlanRecord) -> dict:
    return {
        "id": plan.id,
        "case_id": plan.case_id,
        "person_id": plan.case.person_id,
        "owner_id": plan.owner_id,
        "due_on": plan.due_on,
        "kind": plan.kind,
        "note": plan.note,
        "status": plan.status,
        "done_by_conversation_id": plan.done_by_conversation_id,
        "cancel_reason": plan.cancel_reason,
        "version": plan.version,
        "created_by_id": plan.created_by_id,
        "created_at": moment(plan.created_at),
    }


def previous_case_json(case: CaseRecord) -> PreviousCase | None:
    """The case before a re-contact case, or None (any other case)."""
    previous = diary.previous_case(db.session, case)
    if previous is None:
        return None
    statement = previous.what_matters
    return PreviousCase(
        id=previous.id,
        opened_on=previous.opened_on,
        closed_on=previous.closed_on,
        what_matters=statement.what_matters if statement else None,
        open_actions=[action_json(a) for a in diary.still_open_actions(previous)],
    )


def _due_action_json(action: ActionRecord, overdue: bool) -> DiaryAction:
    return DiaryAction(
        id=action.id,
        case_id=action.case_id,
        person_id=action.case.person_id,
        person_name=action.case.person.name,
        description=action.description,
        due_on=action.due_on,
        version=action.version,
        overdue=overdue,
    )


@bp.post("/cases/<id:case_id>/plans")
@spec.validate(resp=answers(201, Plan, 403, 404, 409, body=True), tags=["Working day"])
def create_plan(case_id: int, json: PlanIn):
    """Plan a visit, call, check-in or review on a case, in the caller's diary

    Those who work on the case (its team). The date is today or later (else 422); a closed
    case: 409. A conversation posted with this plan's `plan_id` marks it done.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    plan = diary.plan_contact(db.session, case, current_user, **json.sent())
    db.session.commit()
    return plan_json(plan), 201


@bp.post("/plans/<id:plan_id>/cancel")
@spec.validate(resp=answers(200, Plan, 403, 404, 409, body=True), tags=["Working day"])
def cancel_plan(plan_id: int, json: PlanCancel):
    """Cancel a planned contact: kept, marked cancelled, out of the diary

    The case's team or the worker whose diary it is in. Done or cancelled already: 409.
    """
    plan = policy.get_plan_for(current_user, plan_id)
    diary.cancel_plan(db.session, plan, current_user, reason=json.reason, version=json.version)
    db.session.commit()
    return plan_json(plan)


@bp.get("/diary")
@spec.validate(resp=answers(200, Diary, 403, 422), tags=["Working day"])
def read_diary(query: Window):
    """The caller's diary: planned contacts and team actions due in a window

    Soonest first, each with `case_id` and `person_id`. Those still open and due before
    today are always included, whatever the window, with `"overdue": true`. The window is
    at most 366 days (else 422).
    """
    if not policy.can_keep_diary(current_user):
        abort(403, policy.NO_TEAM_FOR_DIARY)
    found = diary.diary(db.session, current_user, query.from_, query.to)
    if found.people():
        audit.record_list("view", "diary", found.people(), path="/api/v1/diary")
    db.session.commit()
    plans = [
        DiaryPlan(**_plan_fields(p), person_name=p.case.person.name, overdue=found.overdue(p))
        for p in found.plans
    ]
    actions = [_due_action_json(a, found.overdue(a)) for a in found.actions]
    return Diary(plans=plans, actions_due=actions)
