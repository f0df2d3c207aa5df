"""Transfers between teams (api.md, "Transfers between teams"): ask another team to take a
case on, list the transfers to and from the caller's team, accept (naming the new owner)
or decline with a reason. The rules are transfers.service's and the access policy's, as
on the pages."""

from __future__ import annotations

from typing import ClassVar

from flask import abort
from flask_login import current_user
from pydantic import Field as Described

from .. import audit, policy, rules
from ..admin.service import find_team
from ..exceptions import InvalidValue
from ..extensions import db
from ..models import Transfer as TransferRecord
from ..models import User
from ..transfers import service
from .base import answers, bp, page_answer, referenced, spec
from .fields import Body, Choice, Id, Moment, Page, Query, Shape, Text, moment


class TransferIn(Body):
    domain_requires: ClassVar = ("reason",)
    to_team: Text(rules.NAME, "The receiving team's name", required=True, example="South")
    reason: Text(rules.SHORT_TEXT, "Why the case should move", required=True) | None = None
    to_owner_id: (
        Id("A worker of the receiving team who may accept it too; none: its managers") | None
    ) = None


class AcceptIn(Body):
    owner_id: Id("The new owner: an active member of the receiving team")


class DeclineIn(Body):
    domain_requires: ClassVar = ("reason",)
    reason: Text(rules.SHORT_TEXT, "Why the team cannot take the case", required=True) | None = None


class Transfer(Shape):
    """A case asked to move to another team: identity only (no notes, no what matters)"""

    id: int
    status: Choice(rules.TRANSFER_STATUSES)
    case_id: int
    person_id: int
    person_name: str = Described(description="Who the case is about: identity only")
    from_team: str
    to_team: str
    reason: str
    to_owner_id: int | None
    requested_by_id: int | None
    requested_at: Moment
    answered_by_id: int | None
    answered_at: Moment | None
    answer_reason: str | None = Described(description="Why it was declined")
    new_case_id: int | None = Described(description="The receiving team's case, once accepted")


class TransferList(Shape):
    results: list[Transfer]
    page: int
    has_next: bool
    total: int


class TransferListing(Query):
    status: Choice(rules.TRANSFER_STATUSES, example="pending") | None = None
    page: Page = 1


def transfer_json(transfer: TransferRecord) -> Transfer:
    person = transfer.case.person
    return Transfer(
        id=transfer.id,
        status=transfer.status,
        case_id=transfer.case_id,
        person_id=person.id,
        person_name=person.name,
        from_team=transfer.from_team.name,
        to_team=transfer.to_team.name,
        reason=transfer.reason,
        to_owner_id=transfer.to_owner_id,
        requested_by_id=transfer.requested_by_id,
        requested_at=moment(transfer.requested_at),
        answered_by_id=transfer.answered_by_id,
        answered_at=moment(transfer.answered_at),
        answer_reason=transfer.answer_reason,
        new_case_id=transfer.new_case_id,
    )


@bp.post("/cases/<id:case_id>/transfers")
@spec.validate(resp=answers(201, Transfer, 403, 404, 409, body=True), tags=["Transfers"])
def create_transfer(case_id: int, json: TransferIn):
    """Ask another team to take a case on, with a reason

    The case's owner or a manager of its team. No reason: 422. A closed case, one already
    waiting for an answer, or a person with an open case in that team: 409. While pending
    the case stays open with its owner. The receiving team's managers (and `to_owner_id`)
    are told.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    if not policy.can_request_transfer(current_user, case):
        abort(403, policy.ONLY_OWNER_OR_MANAGER_TRANSFER)
    team = find_team(db.session, json.to_team)
    if team is None:
        raise InvalidValue("Check the team", {"to_team": rules.NO_TEAM_NAMED})
    transfer = service.request_transfer(
        db.session,
        case,
        current_user,
        to_team=team,
        reason=json.reason,
        to_owner=referenced(User, json.to_owner_id, "to_owner_id", "user"),
    )
    db.session.commit()
    return transfer_json(transfer), 201


@bp.get("/transfers")
@spec.validate(resp=answers(200, TransferList, 403, 422), tags=["Transfers"])
def list_transfers(query: TransferListing):
    """List the transfers to and from the caller's team

    Those waiting for an answer first, then the newest. `status=pending` (or accepted,
    declined) for only those. 50 a page: `page=2` for the next.
    """
    if not policy.can_record_demands(current_user):
        abort(403, policy.NO_TEAM_FOR_TRANSFERS)
    page = service.of_team(db.session, current_user.team_id, query.page, status=query.status)
    audit.read_case_list("transfer_list", page.items)
    return page_answer(TransferList, page, transfer_json)


@bp.get("/transfers/<id:transfer_id>")
@spec.validate(resp=answers(200, Transfer, 403, 404), tags=["Transfers"])
def read_transfer(transfer_id: int):
    """Read a transfer of the caller's team"""
    return transfer_json(policy.get_transfer_for(current_user, transfer_id))


@bp.post("/transfers/<id:transfer_id>/accept")
@spec.validate(resp=answers(200, Transfer, 403, 404, 409, body=True), tags=["Transfers"])
def accept_transfer(transfer_id: int, json: AcceptIn):
    """Accept a transfer: the case moves to your team, owned by `owner_id`

    A manager of the receiving team, or the worker it names (anyone else: 403). The old
    case closes with the outcome `transferred`; a new case opens, owned by `owner_id` (an
    active member of the receiving team, else 422), with `transferred_from_case_id`, what
    matters and the open team actions. Answered already: 409.
    """
    transfer = policy.get_transfer_for(current_user, transfer_id, answer=True)
    owner = referenced(User, json.owner_id, "owner_id", "user")
    service.accept_transfer(db.session, transfer, current_user, owner=owner)
    db.session.commit()
    return transfer_json(transfer)


@bp.post("/transfers/<id:transfer_id>/decline")
@spec.validate(resp=answers(200, Transfer, 403, 404, 409, body=True), tags=["Transfers"])
def decline_transfer(transfer_id: int, json: DeclineIn):
    """Decline a transfer, with a reason: the case stays as it is

    A manager of the receiving team, or the worker it names (anyone else: 403). No reason:
    422. Answered already: 409.
    """
    transfer = policy.get_transfer_for(current_user, transfer_id, answer=True)
    service.decline_transfer(db.session, transfer, current_user, reason=json.reason)
    db.session.commit()
    return transfer_json(transfer)
