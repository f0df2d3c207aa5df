"""The working day: plan a contact on a case, cancel it, fulfil it with a conversation; read
a worker's diary (their planned contacts and the team actions they must do); the previous
case a re-contact follows; the team's "no contact for too long" setting. Plain functions
shared by the pages, the API and the demo; each change audited; nothing commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.orm import Session, contains_eager, joinedload

from .. import MAX_ID, audit, clock
from ..exceptions import AlreadyClosed, Conflict, InvalidValue
from ..formatting import uk_date
from ..locking import check_version, flush_checked
from ..models import Action, Case, Conversation, Team, User
from ..pagination import Page, paginate
from ..rules import (
    LONGEST_DIARY_DAYS,
    LONGEST_PLAN_DAYS,
    NO_CONTACT_DAYS_RANGE,
    NO_CONTACT_DAYS_WORDS,
    NO_PLAN_DUE,
    NO_PLAN_KIND,
    PLAN_KINDS,
    PLAN_NOT_OPEN,
    PLAN_NOT_PAST,
    PLAN_NOTE,
    PLAN_TOO_FAR,
    SHORT_TEXT,
    clean_text,
)
from .models import Plan

WEEK = dt.timedelta(days=7)


def plan_problems(due_on, kind, note, errors: dict, today: dt.date) -> str | None:
    """What is wrong with a planned contact's date, kind and note (into `errors`); the
    note, cleaned. One place for the form, the API and the demo."""
    if due_on is None:
        errors["due_on"] = NO_PLAN_DUE
    elif not isinstance(due_on, dt.date):
        errors["due_on"] = "Enter a real date"
    elif due_on < today:
        errors["due_on"] = PLAN_NOT_PAST
    elif due_on > today + dt.timedelta(days=LONGEST_PLAN_DAYS):
        errors["due_on"] = PLAN_TOO_FAR
    if kind not in PLAN_KINDS:
        errors["kind"] = NO_PLAN_KIND
    return clean_text(note, "note", errors, limit=PLAN_NOTE)


def plan_contact(
    session: Session,
    case: Case,
    user: User,
    *,
    due_on,
    kind,
    note: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Put a contact with the person in the user's diary: on an open case, today or later.
    `today` is the demo's day (it plays history); everyone else leaves it to the clock."""
    if not case.is_open:
        raise AlreadyClosed(
            f"This case was closed on {uk_date(case.closed_on)}: plan no more contacts on it."
        )
    errors: dict[str, str] = {}
    note = plan_problems(due_on, kind, note, errors, today or clock.today())
    if errors:
        raise InvalidValue("Check the planned contact", errors)
    plan = Plan(
        case=case,
        owner_id=user.id,
        due_on=due_on,
        kind=kind,
        note=note,
        status="planned",
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    session.add(plan)
    session.flush()
    audit.record_in_case(
        "create", "plan", plan.id, case, user=user, due_on=due_on.isoformat(), kind=kind
    )
    return plan


def cancel_plan(
    session: Session,
    plan: Plan,
    user: User,
    *,
    reason: str | None = None,
    version: int | None = None,
) -> Plan:
    """Take a planned contact out of the diary (kept, marked cancelled, with any reason)."""
    check_version(plan, version, "this planned contact")
    if not plan.is_open:
        raise Conflict(f"This contact is already {plan.status}: there is nothing to cancel.")
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", errors, limit=SHORT_TEXT)
    if errors:
        raise InvalidValue("Check the reason", errors)
    plan.status = "cancelled"
    plan.cancel_reason = reason
    plan.updated_by_id = user.id
    flush_checked(session, "this planned contact")
    case = plan.case
    audit.record_in_case("update", "plan", plan.id, case, user=user, status="cancelled")
    return plan


def plan_to_fulfil(session: Session, case: Case, plan_id, errors: dict) -> Plan | None:
    """The open plan of this case a conversation fulfils (None when none is named); else
    what is wrong goes into `errors["plan_id"]`. Nothing is read when no plan is named."""
    if plan_id is None:
        return None
    plan = None
    if isinstance(plan_id, int) and not isinstance(plan_id, bool) and 0 < plan_id <= MAX_ID:
        plan = session.get(Plan, plan_id)
    if plan is None or plan.case_id != case.id or not plan.is_open:
        errors["plan_id"] = PLAN_NOT_OPEN
        return None
    return plan


def fulfil(session: Session, plan: Plan, conversation: Conversation, user: User) -> None:
    """The conversation was the planned contact: the plan is done, and says by which."""
    plan.status = "done"
    plan.done_by_conversation_id = conversation.id
    plan.updated_by_id = user.id
    flush_checked(session, "this planned contact")
    audit.record_in_case(
        "update", "plan", plan.id, conversation.case, user=user, status="done",
        conversation_id=conversation.id,
    )  # fmt: skip


def open_plans(case: Case) -> list[Plan]:
    """The case's contacts still planned, soonest first."""
    return [plan for plan in case.plans if plan.is_open]


def plan_words(plan) -> str:
    """A plan in words: "visit planned for 9 December 2026: see how the rail is working"."""
    note = f": {plan.note[:60]}{'…' if len(plan.note) > 60 else ''}" if plan.note else ""
    return f"{PLAN_KINDS[plan.kind].lower()} planned for {uk_date(plan.due_on)}{note}"


def plan_choices(case) -> dict[int, str]:
    """The conversation form's choice: none, or one of the case's open planned contacts."""
    choices = {0: "No, or not one planned here"}
    return choices | {p.id: f"Yes: the {plan_words(p)}" for p in open_plans(case)}


# The diary --------------------------------------------------------------------------


@dataclass
class Diary:
    """A worker's planned contacts and team actions due in a window, each list soonest
    first, with those still open and due before today whatever the window (overdue)."""

    start: dt.date
    end: dt.date
    today: dt.date
    plans: list[Plan]
    actions: list[Action]

    def overdue(self, item) -> bool:
        return item.due_on < self.today

    def people(self) -> list[int]:
        return [item.case.person_id for item in (*self.plans, *self.actions)]


def window_problems(start, end, errors: dict) -> None:
    """A diary's window: `from` not after `to`, and at most a year long."""
    if start and end and start > end:
        errors["to"] = "The end of the window must not be before its start"
    elif start and end and (end - start).days > LONGEST_DIARY_DAYS:
        errors["to"] = f"Ask for at most {LONGEST_DIARY_DAYS} days at a time"


def _open_plans(user: User):
    """The user's planned contacts still to happen, on open cases."""
    return (
        select(Plan)
        .join(Case, Case.id == Plan.case_id)
        .where(
            Plan.owner_id == user.id,
            Plan.status == "planned",
            Case.closed_on.is_(None),  # a closed case's plans can no longer happen
        )
    )


def _open_actions(user: User):
    """The team actions the user agreed to do, still open and with a day they are due."""
    return select(Action).where(
        Action.assignee_id == user.id,
        Action.status == "agreed",
        Action.entered_in_error_at.is_(None),  # out of every current view (ADR 0037)
        Action.due_on.is_not(None),
    )


def overdue(session: Session, user: User, number: int = 1) -> Page:
    """One page of the user's open planned contacts and team actions due before today, the
    longest overdue first (a plan before an action on the same day), counted: four queries
    however many there are (the page's keys, their number, its plans, its actions)."""
    today = clock.today()
    plans = _open_plans(user).where(Plan.due_on < today)
    actions = _open_actions(user).where(Action.due_on < today)
    keys = union_all(
        plans.with_only_columns(Plan.due_on.label("due_on"), literal(0).label("kind"), Plan.id),
        actions.with_only_columns(
            Action.due_on.label("due_on"), literal(1).label("kind"), Action.id
        ),
    ).subquery()
    page = paginate(
        session,
        select(keys.c.due_on, keys.c.kind, keys.c.id).order_by(
            keys.c.due_on, keys.c.kind, keys.c.id
        ),
        number,
        count=select(func.count()).select_from(keys),
        item=tuple,
    )
    found = {
        0: _by_id(session, Plan, [i for _, kind, i in page.items if kind == 0]),
        1: _by_id(session, Action, [i for _, kind, i in page.items if kind == 1]),
    }
    page.items = [found[kind][i] for _, kind, i in page.items]
    return page


def _by_id(session: Session, model, ids: list[int]) -> dict:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(ids))
    query = query.options(joinedload(model.case).joinedload(Case.person))
    return {row.id: row for row in session.scalars(query)}


def diary(
    session: Session,
    user: User,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    with_overdue: bool = True,
) -> Diary:
    """The user's open planned contacts (on open cases) and open team actions due from
    `start` to `end` (today to a week on, by default), and, `with_overdue`, every one still
    open and overdue (the page shows those a page at a time, `overdue`): two queries."""
    today = clock.today()
    start = start or today
    if end is None:  # a week on (never past the last day a date can hold)
        end = max(start, today) + min(WEEK, dt.date.max - max(start, today))
    errors: dict[str, str] = {}
    window_problems(start, end, errors)
    if errors:
        raise InvalidValue("Check the diary's dates", errors)

    def due(column):
        window = column.between(start, end)
        return or_(window, column < today) if with_overdue else window

    plans = session.scalars(
        _open_plans(user)
        .options(contains_eager(Plan.case).joinedload(Case.person))
        .where(due(Plan.due_on))
        .order_by(Plan.due_on, Plan.id)
    ).all()
    actions = session.scalars(
        _open_actions(user)
        .options(joinedload(Action.case).joinedload(Case.person))
        .where(due(Action.due_on))
        .order_by(Action.due_on, Action.id)
    ).all()
    return Diary(start, end, today, list(plans), list(actions))


# Re-contact: the case before ------------------------------------------------------------


def previous_case(session: Session, case: Case) -> Case | None:
    """The case a re-contact case follows: when its first demand was routed back to the same
    worker, the person's latest case in the team before it. None for any other case."""
    if not case.demands:
        return None
    first = min(case.demands, key=lambda demand: demand.id)
    if first.routed_by != "same_worker":
        return None
    return session.scalar(
        select(Case)
        .where(
            Case.person_id == case.person_id,
            Case.team_id == case.team_id,
            Case.id != case.id,
            Case.closed_on.is_not(None),
            Case.opened_on <= case.opened_on,
        )
        .order_by(Case.closed_on.desc(), Case.id.desc())
        .limit(1)
    )


def still_open_actions(case: Case) -> list[Action]:
    return [action for action in case.current_actions if action.status == "agreed"]


# The team's setting -------------------------------------------------------------------


def set_no_contact_days(session: Session, team: Team, user: User, days) -> Team:
    """How many days without contact before the team's caseloads flag a case."""
    low, high = NO_CONTACT_DAYS_RANGE
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise InvalidValue("Check the number of days", {"no_contact_days": NO_CONTACT_DAYS_WORDS})
    before = team.no_contact_days
    team.no_contact_days = days
    session.flush()
    audit.record("update", "team", team.id, user=user, before={"no_contact_days": before},
                 after={"no_contact_days": days})  # fmt: skip
    return team
