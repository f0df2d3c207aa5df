"""Cases: read one whole; record whether the referral described the real problem; change
the owner, with a reason; close by agreement with the person."""

from __future__ import annotations

from typing import Annotated, ClassVar

from flask import abort
from flask_login import current_user
from pydantic import Field as Described
from pydantic import Strict, WithJsonSchema
from sqlalchemy.orm import Session

from .. import policy, rules
from ..cases import service as cases
from ..extensions import db
from ..models import Case as CaseRecord
from ..models import OwnershipChange as OwnershipRecord
from ..models import User
from .actions import Action, action_json
from .base import answers, bp, referenced, spec
from .conversations import Conversation, conversation_json
from .corrections import LateNote, late_note_json
from .demands import Demand, demand_json
from .fields import Body, Choice, Date, Day, Id, Moment, Shape, Text, moment
from .plans import Plan, PreviousCase, plan_json, previous_case_json

STATUSES = ("open", "closed")
# Declared as `true` only; false is refused by the domain rule (closure_needs_agreement).
Agreed = Annotated[
    bool,
    Strict(),
    WithJsonSchema(
        {"type": "boolean", "const": True, "description": "A case closes only by agreement"}
    ),
]
STALE_IS_409 = "The case's `version` as last read; when sent, a stale one is 409"


class CaseSummary(Shape):
    id: int
    status: Choice(STATUSES)
    owner_id: int | None
    team: str
    opened_on: Date
    closed_on: Date | None


class OwnershipChange(Shape):
    from_id: int | None
    to_id: int | None
    at: Moment
    reason: str
    by_id: int | None


class Closure(Shape):
    outcome: Choice(rules.CLOSURE_OUTCOMES) = Described(description="How the case ended")
    agreed_with_person: bool
    agreement_note: str | None
    note: str | None = Described(description="What happened: a death, a move, support declined")
    summary: str | None
    closed_on: Date
    closed_by_id: int | None


class Statement(Shape):
    statement: str
    said_on: Date
    conversation_id: int


class Case(Shape):
    id: int
    person_id: int
    team: str
    cohort: Choice(rules.COHORTS)
    status: Choice(STATUSES)
    owner_id: int | None
    opened_on: Date
    closed_on: Date | None
    what_matters: str | None = Described(description="The current statement, their words")
    what_matters_history: list[Statement] = Described(description="Every statement, latest first")
    referral_match: Choice(rules.REFERRAL_MATCHES) | None
    real_problem: str | None
    demands: list[Demand]
    conversations: list[Conversation]
    actions: list[Action]
    ownership_history: list[OwnershipChange]
    closure: Closure | None
    late_notes: list[LateNote] = Described(description="Notes added after the closure")
    transferred_from_case_id: int | None = Described(
        description="The case in another team this one continues, after a transfer"
    )
    version: int
    plans: list[Plan] = Described(description="Contacts planned, done or cancelled, by date")
    previous_case: PreviousCase | None = Described(
        description="A re-contact case: the case before, its what matters and open actions"
    )


class CaseChange(Body):
    referral_match: Choice(rules.REFERRAL_MATCHES, "Did the referral describe it?") | None = None
    real_problem: Text(rules.SHORT_TEXT, "The real problem, in a sentence or two") | None = None
    version: Id("The case's `version` as last read: required, so a stale edit is refused (409)")


class OwnerIn(Body):
    domain_requires: ClassVar = ("reason",)
    owner_id: Id("The new owner: an active member of the case's team")
    reason: Text(rules.SHORT_TEXT, "Why the owner changes", required=True) | None = None
    version: Id(STALE_IS_409) | None = None


class CloseIn(Body):
    outcome: Choice(
        rules.CLOSURE_CHOICES,
        "How the case ended: agreed (the default) needs `agreed_with_person` and "
        "`agreement_note`; died, moved_away and declined_support need a `note` instead",
    ) = "agreed"
    agreed_with_person: (
        Annotated[
            bool,
            Strict(),
            WithJsonSchema(
                {"type": "boolean", "description": "Required true when the outcome is agreed"}
            ),
        ]
        | None
    ) = None
    agreement_note: Text(rules.LONG_TEXT, rules.AGREEMENT_NOTE_LABEL) | None = None
    note: Text(rules.LONG_TEXT, "What happened, for an outcome other than agreed") | None = None
    summary: Text(rules.LONG_TEXT, rules.SUMMARY_LABEL) | None = None
    closed_on: Day("Defaults to today") | None = None
    version: Id(STALE_IS_409) | None = None


def case_summary_json(case: CaseRecord) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        status=case.status,
        owner_id=case.owner_id,
        team=case.team.name,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
    )


def ownership_json(change: OwnershipRecord) -> OwnershipChange:
    return OwnershipChange(
        from_id=change.from_id,
        to_id=change.to_id,
        at=moment(change.at),
        reason=change.reason,
        by_id=change.by_id,
    )


def closure_json(case: CaseRecord) -> Closure | None:
    if case.is_open:
        return None
    outcome = case.closure_outcome or "agreed"
    return Closure(
        outcome=outcome,
        agreed_with_person=bool(case.closure_agreed),
        agreement_note=case.closure_agreement_note if outcome == "agreed" else None,
        note=case.closure_agreement_note if outcome != "agreed" else None,
        summary=case.closure_summary,
        closed_on=case.closed_on,
        closed_by_id=case.closed_by_id,
    )


def case_json(session: Session, case: CaseRecord) -> Case:
    """The whole case (api.md, Cases): what matters, demands, conversations, actions, owners."""
    current = case.what_matters
    fulfilled = {p.done_by_conversation_id: p.id for p in case.plans}
    return Case(
        id=case.id,
        person_id=case.person_id,
        team=case.team.name,
        cohort=case.cohort,
        status=case.status,
        owner_id=case.owner_id,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        what_matters=current.what_matters if current else None,
        what_matters_history=[
            Statement(statement=c.what_matters, said_on=c.held_on, conversation_id=c.id)
            for c in case.what_matters_history
        ],
        referral_match=case.referral_match,
        real_problem=case.real_problem,
        demands=[demand_json(session, d) for d in case.demands],
        conversations=[conversation_json(c, fulfilled.get(c.id)) for c in case.conversations],
        actions=[action_json(a) for a in case.actions],
        ownership_history=[ownership_json(o) for o in case.ownership_changes],
        closure=closure_json(case),
        late_notes=[late_note_json(n) for n in case.late_notes],
        transferred_from_case_id=case.transferred_from_case_id,
        version=case.version,
        plans=[plan_json(p) for p in case.plans],
        previous_case=previous_case_json(case),
    )


def _case_to_change(case_id: int, may, refusal: str) -> CaseRecord:
    """The case the user's team works on, if the rule `may` lets this user do this to it."""
    case = policy.get_case_for(current_user, case_id, write=True)
    if not may(current_user, case):
        abort(403, refusal)
    return case


@bp.get("/cases/<id:case_id>")
@spec.validate(resp=answers(200, Case, 403, 404), tags=["Cases"])
def read_case(case_id: int):
    """Read a case: what matters, demands, conversations, actions, owners, closure"""
    return case_json(db.session, policy.get_case_for(current_user, case_id))


@bp.patch("/cases/<id:case_id>")
@spec.validate(resp=answers(200, Case, 403, 404, 409, body=True), tags=["Cases"])
def update_case(case_id: int, json: CaseChange):
    """Record whether the referral described the real problem

    Fields left out keep their value. A `version` other than the current one is refused
    with 409 and the case as it is now in `error.current`.
    """
    case = policy.get_case_for(current_user, case_id, write=True)
    changes = json.over(case, "referral_match", "real_problem")
    cases.record_referral_judgement(db.session, case, current_user, **changes, version=json.version)
    db.session.commit()
    return case_json(db.session, case)


@bp.post("/cases/<id:case_id>/owner")
@spec.validate(resp=answers(200, Case, 403, 404, 409, body=True), tags=["Cases"])
def change_owner(case_id: int, json: OwnerIn):
    """Change the case's owner, with a reason"""
    case = _case_to_change(
        case_id,
        policy.can_change_owner,
        policy.ONLY_OWNER_OR_MANAGER_OWNER,
    )
    cases.change_owner(
        db.session,
        case,
        current_user,
        new_owner=referenced(User, json.owner_id, "owner_id", "user"),
        reason=json.reason,
        version=json.version,
    )
    db.session.commit()
    return case_json(db.session, case)


@bp.post("/cases/<id:case_id>/close")
@spec.validate(resp=answers(200, Case, 403, 404, 409, body=True), tags=["Cases"])
def close_case(case_id: int, json: CloseIn):
    """Close the case: by agreement with the person, or as they died, moved away or declined

    `outcome` agreed (the default): without `agreed_with_person: true` and an
    `agreement_note`, 422 and the case stays open. died, moved_away, declined_support: a
    `note` of what happened instead (422 without). An already closed case, or one waiting
    for an answer to a transfer: 409. Open actions may continue.
    """
    case = _case_to_change(case_id, policy.can_close, policy.ONLY_OWNER_OR_MANAGER_CLOSE)
    cases.close_case(
        db.session,
        case,
        current_user,
        agreed_with_person=json.agreed_with_person,
        agreement_note=json.agreement_note,
        summary=json.summary,
        closed_on=json.closed_on,
        version=json.version,
        outcome=json.outcome,
        note=json.note,
    )
    db.session.commit()
    return case_json(db.session, case)
