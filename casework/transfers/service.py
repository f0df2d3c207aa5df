"""Transfers between teams: the sending team asks, the receiving team accepts (choosing the
new owner) or declines, with a reason. The case is never left without an owner: while a
transfer waits it stays open with its owner; on acceptance it closes as `transferred` and a
linked new case opens in the receiving team, carrying what matters and the open team
actions, so the person does not tell their story again (ADR 0033)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from .. import audit, clock
from ..cases.service import close_as_transferred, require_open
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..formatting import uk_date
from ..locking import flush_checked
from ..models import Action, Case, Conversation, OwnershipChange, Team, Transfer, User
from ..notifications.service import managers_of, tell
from ..pagination import Page, paginate
from ..rules import NOTIFICATION_TEXT, SHORT_TEXT, choose_a_member, clean_text

NO_REASON = "Say why the case should move to the other team"
NO_DECLINE_REASON = "Say why your team cannot take the case"
NO_TEAM = "Choose the team to transfer the case to"


class TransferPending(Conflict):
    code = "transfer_pending"


class AlreadyAnswered(Conflict):
    code = "transfer_answered"


class OpenCaseThere(Conflict):
    code = "open_case_in_team"


def pending_for(session: Session, case: Case) -> Transfer | None:
    """The case's transfer waiting for an answer, if any (at most one: the database says so)."""
    return session.scalar(
        select(Transfer).where(Transfer.case_id == case.id, Transfer.status == "pending")
    )


def _open_case_in(session: Session, person_id: int, team_id: int) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.person_id == person_id, Case.team_id == team_id, Case.closed_on.is_(None)
        )
    )


def _member_of(user: User | None, team: Team) -> bool:
    return user is not None and user.active and user.team_id == team.id


def request_transfer(
    session: Session,
    case: Case,
    user: User,
    *,
    to_team: Team | None,
    reason: str | None,
    to_owner: User | None = None,
) -> Transfer:
    """Ask another team to take the case on, optionally naming a worker there."""
    require_open(case)
    if pending_for(session, case) is not None:
        raise TransferPending(
            "A transfer of this case is already waiting for an answer: "
            "wait for the other team to accept or decline it."
        )
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", errors, limit=SHORT_TEXT)
    if not reason and not errors:
        raise ReasonRequired(NO_REASON, {"reason": NO_REASON})
    if to_team is None:
        errors["to_team"] = NO_TEAM
    elif to_team.id == case.team_id:
        errors["to_team"] = f"The case is already in {to_team.name}: choose another team"
    elif to_owner is not None and not _member_of(to_owner, to_team):
        errors["to_owner_id"] = f"{choose_a_member(to_team.name)}, or nobody"
    if errors:
        raise InvalidValue("Check the transfer", errors)
    _refuse_if_open_there(session, case, to_team)
    transfer = Transfer(
        case=case,
        from_team_id=case.team_id,
        to_team=to_team,
        to_owner=to_owner,
        reason=reason,
        status="pending",
        requested_by_id=user.id,
    )
    session.add(transfer)
    flush_checked(session, "this case")
    audit.record_in_case(
        "create",
        "transfer",
        transfer.id,
        case,
        user=user,
        to_team=to_team.name,
        to_owner_id=to_owner.id if to_owner else None,
    )
    readers = [*managers_of(to_team.id), *([to_owner] if to_owner else [])]
    tell(
        readers,
        "transfer_requested",
        text=_short(
            f"{case.team.name} asks {to_team.name} to take on a case for {case.person.name} "
            f"(transfer {transfer.id})"
        ),
        actor=user,
    )
    return transfer


def _refuse_if_open_there(session: Session, case: Case, team: Team) -> None:
    """One open case per person per team: a person already open there cannot be moved in."""
    there = _open_case_in(session, case.person_id, team.id)
    if there is not None:
        raise OpenCaseThere(
            f"{case.person.name} already has an open case in {team.name}: "
            "the two teams can work together on it instead."
        )


def require_pending(transfer: Transfer) -> None:
    if not transfer.is_pending:
        by = f" by {transfer.answered_by.name}" if transfer.answered_by else ""
        when = f" on {uk_date(clock.uk_day(transfer.answered_at))}" if transfer.answered_at else ""
        raise AlreadyAnswered(f"This transfer was already {transfer.status}{by}{when}.")


def accept_transfer(
    session: Session,
    transfer: Transfer,
    user: User,
    *,
    owner: User | None,
    on: dt.date | None = None,
) -> Case:
    """Take the case on: the old case closes as transferred, and a new case opens in the
    receiving team, owned by `owner`, with what matters and the open team actions. `on`
    (today unless a record of the past, as the demo's, says otherwise) is the day of both."""
    require_pending(transfer)
    old, team = transfer.case, transfer.to_team
    if owner is None:
        raise InvalidValue(
            "Check the transfer", {"owner_id": f"Choose who in {team.name} will own the case"}
        )
    if not _member_of(owner, team):
        raise InvalidValue("Check the transfer", {"owner_id": choose_a_member(team.name)})
    require_open(old)
    _refuse_if_open_there(session, old, team)
    today = on or clock.today()
    new = Case(
        person_id=old.person_id,
        team=team,
        cohort=team.cohort,
        opened_on=today,
        owner=owner,
        created_by_id=user.id,
        transferred_from_case_id=old.id,
    )
    session.add(new)
    session.flush()
    session.add(
        OwnershipChange(
            case=new,
            from_id=None,
            to_id=owner.id,
            reason=first_owner_reason(old.team.name, transfer.reason),
            by_id=user.id,
        )
    )
    carried = _carry_over(session, old, new, user, owner)
    close_as_transferred(session, old, user, to_team=team, closed_on=today)
    transfer.status = "accepted"
    transfer.answered_by_id = user.id
    transfer.answered_at = clock.now()
    transfer.new_case = new
    flush_checked(session, "this transfer")
    audit.record(
        "create",
        "case",
        new.id,
        person_id=new.person_id,
        user=user,
        transferred_from_case_id=old.id,
        owner_id=owner.id,
        **carried,
    )
    audit.record_in_case("accept", "transfer", transfer.id, old, user=user, new_case_id=new.id)
    _tell_answer(transfer, user, f"{team.name} accepted the transfer of {old.person.name}'s case")
    return new


def first_owner_reason(from_team_name: str, reason: str) -> str:
    """The reason recorded with the new case's first owner."""
    return f"Transferred from {from_team_name}: {reason}"


def carries_over(by: str, status: str) -> bool:
    """Whether an action of the old case goes on in the new one: a team action still open."""
    return by == "team" and status == "agreed"


def carried_what_matters(current: Conversation, from_team_name: str) -> dict:
    """The new case's conversation holding the old case's current what matters (the
    statement only, never the notes)."""
    return {
        "held_on": current.held_on,
        "kind": "other",
        "with_whom": current.with_whom,
        "what_matters": current.what_matters,
        "notes": f"What matters, as said on {uk_date(current.held_on)}, carried over "
        f"from the case in {from_team_name} when it was transferred.",
    }


def carried_action(action: Action, owner: User) -> dict:
    """The new case's copy of an open team action, given to the new owner."""
    return {
        "description": action.description,
        "by": "team",
        "assignee_id": owner.id,
        "assignee_team_id": owner.team_id,
        "due_on": action.due_on,
        "status": "agreed",
    }


def _carry_over(session: Session, old: Case, new: Case, user: User, owner: User) -> dict:
    """What matters (the current statement) and the open team actions, copied into the new
    case; the old case keeps its own, as any closure does. The generator's bulk history
    (synthetic/endings.py) copies by the same three functions."""
    carried: dict = {"what_matters_from": None, "actions_from": []}
    current = old.what_matters
    if current is not None:
        session.add(
            Conversation(
                case=new, recorded_by_id=user.id, **carried_what_matters(current, old.team.name)
            )
        )
        carried["what_matters_from"] = current.id
    for action in old.current_actions:  # never one entered in error
        if carries_over(action.by, action.status):
            session.add(
                Action(
                    case=new,
                    created_by_id=user.id,
                    updated_by_id=user.id,
                    **carried_action(action, owner),
                )
            )
            carried["actions_from"].append(action.id)
    return carried


def decline_transfer(session: Session, transfer: Transfer, user: User, *, reason) -> Transfer:
    """Say no, with a reason: the case stays as it was, with its owner."""
    require_pending(transfer)
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", errors, limit=SHORT_TEXT)
    if errors:
        raise InvalidValue("Check the answer", errors)
    if not reason:
        raise ReasonRequired(NO_DECLINE_REASON, {"reason": NO_DECLINE_REASON})
    transfer.status = "declined"
    transfer.answer_reason = reason
    transfer.answered_by_id = user.id
    transfer.answered_at = clock.now()
    flush_checked(session, "this transfer")
    audit.record_in_case("decline", "transfer", transfer.id, transfer.case, user=user)
    name = transfer.case.person.name
    _tell_answer(transfer, user, f"{transfer.to_team.name} declined the transfer of {name}'s case")
    return transfer


def _tell_answer(transfer: Transfer, user: User, text: str) -> None:
    """The one who asked, and the case's owner, hear the answer."""
    case = transfer.case
    readers = {u for u in (transfer.requested_by, case.owner) if u is not None}
    tell(readers, "transfer_answered", text=_short(text), case=case, actor=user)


def _short(text: str) -> str:
    """A notification's words within its limit (names and teams may be long)."""
    return text if len(text) <= NOTIFICATION_TEXT else text[: NOTIFICATION_TEXT - 1] + "…"


def of_team(session: Session, team_id: int, page: int = 1, *, status: str | None = None) -> Page:
    """The transfers into and out of a team, those waiting first, then the newest."""
    condition = or_(Transfer.to_team_id == team_id, Transfer.from_team_id == team_id)
    if status is not None:
        condition = and_(condition, Transfer.status == status)
    query = (
        select(Transfer)
        .options(
            joinedload(Transfer.case).joinedload(Case.person),
            joinedload(Transfer.from_team),
            joinedload(Transfer.to_team),
            joinedload(Transfer.to_owner),
            joinedload(Transfer.requested_by),
            joinedload(Transfer.answered_by),
        )
        .where(condition)
        .order_by((Transfer.status != "pending"), Transfer.requested_at.desc(), Transfer.id.desc())
    )
    count = select(func.count(Transfer.id)).where(condition)
    return paginate(session, query, page, count=count, item=lambda row: row[0])


def waiting_for(session: Session, user: User) -> list[Transfer]:
    """Transfers into the user's team waiting for an answer the user may give: all of them
    for its managers, those naming the user for anyone else."""
    condition = and_(Transfer.to_team_id == user.team_id, Transfer.status == "pending")
    if user.role not in ("manager", "admin"):
        condition = and_(condition, Transfer.to_owner_id == user.id)
    return list(
        session.scalars(
            select(Transfer)
            .options(
                joinedload(Transfer.case).joinedload(Case.person), joinedload(Transfer.from_team)
            )
            .where(condition)
            .order_by(Transfer.requested_at, Transfer.id)
        )
    )


def of_case(session: Session, case: Case) -> dict:
    """For the case page: its transfers (the latest first) and the one it came from."""
    transfers = list(
        session.scalars(
            select(Transfer)
            .options(joinedload(Transfer.to_team))
            .where(or_(Transfer.case_id == case.id, Transfer.new_case_id == case.id))
            .order_by(Transfer.requested_at.desc(), Transfer.id.desc())
        )
    )
    outgoing = [t for t in transfers if t.case_id == case.id]
    return {
        "pending": next((t for t in outgoing if t.is_pending), None),
        "accepted": next((t for t in outgoing if t.status == "accepted"), None),
        "declined": [t for t in outgoing if t.status == "declined"],
        "came_from": next((t for t in transfers if t.new_case_id == case.id), None),
    }
