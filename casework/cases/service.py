"""Working a case: conversations, what matters, agreed actions, ownership and closure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..actions.service import assignee_problem, change_action
from ..diary.service import fulfil, plan_to_fulfil
from ..exceptions import (
    AlreadyClosed,
    ClosureNeedsAgreement,
    Conflict,
    InvalidValue,
    ReasonRequired,
)
from ..formatting import uk_date
from ..locking import check_version, flush_checked
from ..models import (
    ACTION_BY,
    CONVERSATION_KINDS,
    REFERRAL_MATCHES,
    Action,
    Case,
    Conversation,
    OwnershipChange,
    Transfer,
    User,
    utcnow,
)
from ..notifications import events
from ..rules import (
    CLOSURE_CHOICES,
    CLOSURE_NOTE_NEEDED,
    MINUTES_IN_A_DAY,
    MINUTES_WORDS,
    NO_ACTION_BY,
    NO_ACTION_DESCRIPTION,
    NO_ACTION_DETAILS,
    NO_CONVERSATION_DATE,
    NO_CONVERSATION_KIND,
    NO_OUTCOME,
    NO_OWNER_CHANGE_REASON,
    SHORT_TEXT,
    WITH_WHOM,
    check_action_due,
    choose_a_member,
    clean_date,
    clean_text,
)
from ..safety.service import member_for_action, members_present


def require_open(case: Case) -> None:
    if not case.is_open:
        raise AlreadyClosed(
            f"This case was closed on {uk_date(case.closed_on)}. "
            "A new demand from the person opens a new case."
        )


def log_conversation(
    session: Session,
    case: Case,
    user: User,
    *,
    held_on: dt.date,
    kind: str,
    with_whom: str | None = None,
    minutes: int | None = None,
    what_matters: str | None = None,
    notes: str | None = None,
    network_member_ids: list[int] | None = None,
    version: int | None = None,
    plan_id: int | None = None,
) -> Conversation:
    """Record a visit, call or meeting; a what-matters statement becomes the current one.
    `network_member_ids` names who from the person's circle was there; `plan_id`, the
    planned contact of this case it was (marked done). `version`, when given, is the case's
    as the recorder last read it: a stale one is refused (409), and a new statement of what
    matters moves the case on a version, so that two workers recording what matters at once
    never silently replace each other's."""
    require_open(case)
    check_version(case, version, "this case")
    errors: dict[str, str] = {}
    held_on = clean_date(held_on, "held_on", errors, required=NO_CONVERSATION_DATE)
    if held_on and held_on < case.opened_on - dt.timedelta(days=365):
        errors["held_on"] = "The date is long before this case opened: check the year"
    if kind not in CONVERSATION_KINDS:
        errors["kind"] = NO_CONVERSATION_KIND
    with_whom = clean_text(with_whom, "with_whom", errors, limit=WITH_WHOM)
    if minutes is not None and (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 0 <= minutes <= MINUTES_IN_A_DAY
    ):
        errors["minutes"] = MINUTES_WORDS
    what_matters = clean_text(what_matters, "what_matters", errors)
    notes = clean_text(notes, "notes", errors)
    if not (notes or what_matters):
        errors["notes"] = (
            "Write some notes, or what matters to the person, so the conversation says something"
        )
    attendees = members_present(session, case, network_member_ids, errors)
    plan = plan_to_fulfil(session, case, plan_id, errors)
    if errors:
        raise InvalidValue("Check the conversation's details", errors)
    conversation = Conversation(
        case=case,
        held_on=held_on,
        kind=kind,
        with_whom=with_whom,
        minutes=minutes,
        what_matters=what_matters,
        notes=notes,
        recorded_by_id=user.id,
        attendees=attendees,
    )
    session.add(conversation)
    if what_matters:
        case.updated_at = utcnow()  # the case's current statement changed: a new version
    flush_checked(session, "this case")
    audit.record_in_case(
        "create",
        "conversation",
        conversation.id,
        case,
        user=user,
        what_matters=bool(what_matters),
        network_member_ids=[m.id for m in attendees],
    )
    if plan is not None:
        fulfil(session, plan, conversation, user)
    return conversation


def record_referral_judgement(
    session: Session,
    case: Case,
    user: User,
    *,
    referral_match: str | None,
    real_problem: str | None,
    version: int | None,
) -> Case:
    """Record whether the referral described the real problem, and what the real problem is."""
    check_version(case, version, "this case")
    errors: dict[str, str] = {}
    if referral_match not in (None, *REFERRAL_MATCHES):
        errors["referral_match"] = "Choose yes, partly or no"
    real_problem = clean_text(real_problem, "real_problem", errors, limit=SHORT_TEXT)
    if errors:
        raise InvalidValue("Check the referral judgement", errors)
    changes = {"referral_match": referral_match, "real_problem": real_problem}
    _change(session, case, "case", user, changes, person_id=case.person_id)
    return case


def _change(session: Session, record, entity: str, user: User, changes: dict, **about) -> None:
    """Set the fields, refused if someone saved the record meanwhile; the audit entry keeps
    each field's value before and after, and `about` names the person (and the case)."""
    before = {name: getattr(record, name) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value)
    flush_checked(session, f"this {entity}")
    audit.record("update", entity, record.id, user=user, **about, before=before, after=changes)


def add_action(
    session: Session,
    case: Case,
    user: User,
    *,
    description: str,
    by: str,
    assignee: User | None = None,
    due_on: dt.date | None = None,
    network_member_id: int | None = None,
) -> Action:
    """Agree an action with the person: theirs (and their network's) or the team's; either
    may name who in the person's circle, or which outside professional, does it."""
    require_open(case)
    member = member_for_action(session, case, network_member_id)
    errors: dict[str, str] = {}
    description = clean_text(
        description, "description", errors, required=NO_ACTION_DESCRIPTION, limit=SHORT_TEXT
    )
    if by not in ACTION_BY:
        errors["by"] = NO_ACTION_BY
    elif problem := assignee_problem(by, assignee):
        errors["assignee_id"] = problem
    due_on = check_action_due(due_on, case.opened_on, errors)
    if errors:
        raise InvalidValue(NO_ACTION_DETAILS, errors)
    if by == "team" and assignee is None:
        assignee = case.owner or user
    action = Action(
        case=case,
        description=description,
        by=by,
        assignee=assignee,
        assignee_team_id=assignee.team_id if assignee else None,
        network_member_id=member.id if member else None,
        due_on=due_on,
        status="agreed",
        created_by_id=user.id,
        updated_by_id=user.id,
    )
    session.add(action)
    session.flush()
    audit.record_in_case(
        "create",
        "action",
        action.id,
        case,
        user=user,
        by=by,
        assignee_id=assignee.id if assignee else None,
        network_member_id=action.network_member_id,
    )
    return action


def update_action(
    session: Session,
    action: Action,
    user: User,
    *,
    status: str,
    outcome: str | None = None,
    version: int | None = None,
) -> Action:
    """Mark an action done, dropped or agreed again, with its outcome (actions.service)."""
    return change_action(session, action, user, status=status, outcome=outcome, version=version)


def change_owner(
    session: Session,
    case: Case,
    user: User,
    *,
    new_owner: User | None,
    reason: str | None,
    version: int | None = None,
) -> OwnershipChange:
    """Give the case a new named owner: a deliberate, recorded event with a reason."""
    require_open(case)
    check_version(case, version, "this case")
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", errors, limit=SHORT_TEXT)
    if new_owner is None:
        errors["owner_id"] = "Choose the new owner"
    elif not (new_owner.active and new_owner.team_id == case.team_id):
        errors["owner_id"] = choose_a_member(case.team.name)
    elif new_owner.id == case.owner_id:
        errors["owner_id"] = f"{new_owner.name} already owns this case"
    if not reason and "reason" not in errors:
        # every problem at once: the missing reason with whatever is wrong with the owner
        raise ReasonRequired(NO_OWNER_CHANGE_REASON, {**errors, "reason": NO_OWNER_CHANGE_REASON})
    if errors:
        raise InvalidValue("Check the change of owner", errors)
    change = OwnershipChange(
        case=case, from_id=case.owner_id, to_id=new_owner.id, reason=reason, by_id=user.id
    )
    case.owner = new_owner
    session.add(change)
    flush_checked(session, "this case")
    audit.record(
        "update",
        "case",
        case.id,
        person_id=case.person_id,
        user=user,
        owner_from=change.from_id,
        owner_to=change.to_id,
        reason=reason,
    )
    events.case_given(case, new_owner, user)
    return change


def closure_problems(
    case: Case,
    *,
    agreed_with_person=None,
    agreement_note=None,
    summary=None,
    closed_on=None,
    outcome: str | None = "agreed",
    note=None,
) -> tuple[dict[str, str], dict]:
    """What stops the case closing (field: message), and the cleaned closure. An agreed
    closure needs the person's agreement and how it was given; a death, a move away or
    support declined needs a note of what happened instead (ADR 0033)."""
    errors: dict[str, str] = {}
    outcome = outcome or "agreed"
    if outcome not in CLOSURE_CHOICES:
        errors["outcome"] = NO_OUTCOME
    elif outcome == "agreed":
        if agreed_with_person is not True:
            errors["agreed_with_person"] = (
                "A case closes only when the person agrees: confirm that you agreed it with them"
            )
        agreement_note = clean_text(
            agreement_note,
            "agreement_note",
            errors,
            required="Say how and when the person agreed to close the case",
        )
    else:
        note = clean_text(note, "note", errors, required=CLOSURE_NOTE_NEEDED[outcome])
    summary = clean_text(summary, "summary", errors)
    closed_on = clean_date(closed_on or clock.today(), "closed_on", errors)
    if closed_on and closed_on < case.opened_on:
        errors["closed_on"] = "The closing date cannot be before the case opened"
    clean = {
        "outcome": outcome,
        "note": agreement_note if outcome == "agreed" else note,
        "summary": summary,
        "closed_on": closed_on,
    }
    return errors, clean


def close_case(
    session: Session,
    case: Case,
    user: User,
    *,
    agreed_with_person=None,
    agreement_note: str | None = None,
    summary: str | None = None,
    closed_on: dt.date | None = None,
    version: int | None = None,
    outcome: str | None = "agreed",
    note: str | None = None,
) -> Case:
    """Close the case: by mutual agreement with the person, or because they died, moved away
    or declined support (with a note of what happened). Open actions may continue. A case
    waiting for another team's answer to a transfer stays open until it is answered."""
    if not case.is_open:
        raise AlreadyClosed(f"This case was already closed on {uk_date(case.closed_on)}.")
    check_version(case, version, "this case")
    waiting = session.scalar(
        select(Transfer).where(Transfer.case_id == case.id, Transfer.status == "pending")
    )
    if waiting is not None:
        raise Conflict(
            f"A transfer of this case to {waiting.to_team.name} is waiting for an answer: "
            "the case stays open until that team accepts or declines it."
        )
    errors, clean = closure_problems(
        case,
        agreed_with_person=agreed_with_person,
        agreement_note=agreement_note,
        summary=summary,
        closed_on=closed_on,
        outcome=outcome,
        note=note,
    )
    if errors:
        raise ClosureNeedsAgreement("The case is still open: check the closure", errors)
    _record_closure(session, case, user, **clean)
    return case


def close_as_transferred(
    session: Session, case: Case, user: User, *, to_team, closed_on: dt.date
) -> Case:
    """Close the case because another team accepted it (transfers.service): no agreement is
    asked for, as the work goes on in that team's new case."""
    require_open(case)
    summary = transferred_summary(to_team.name)
    _record_closure(
        session, case, user, outcome="transferred", note=None, summary=summary, closed_on=closed_on
    )
    return case


def transferred_summary(to_team_name: str) -> str:
    """The closing summary of a case another team took on."""
    return f"Transferred to {to_team_name}, which took the work on in a new case."


def closure_columns(*, outcome: str, note, summary, closed_on: dt.date, closed_by_id) -> dict:
    """A closed case's columns, from a clean closure (closure_problems) or a transfer: agreed
    only when closed by agreement; an agreed closure's note says how, any other's what
    happened (ADR 0033). The generator's bulk history writes these same values."""
    return {
        "closed_on": closed_on,
        "closure_outcome": outcome,
        "closure_agreed": outcome == "agreed",
        "closure_agreement_note": note,
        "closure_summary": summary,
        "closed_by_id": closed_by_id,
    }


def _record_closure(session: Session, case: Case, user: User, *, outcome, note, summary, closed_on):
    columns = closure_columns(
        outcome=outcome, note=note, summary=summary, closed_on=closed_on, closed_by_id=user.id
    )
    for name, value in columns.items():
        setattr(case, name, value)
    flush_checked(session, "this case")
    audit.record(
        "close",
        "case",
        case.id,
        person_id=case.person_id,
        user=user,
        closed_on=case.closed_on.isoformat(),
        outcome=outcome,
        open_actions=[a.id for a in case.current_actions if a.status == "agreed"],
    )
