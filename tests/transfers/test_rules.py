"""The transfer rules, through the domain functions every entry point calls."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, close_case
from casework.corrections.service import mark_entered_in_error
from casework.exceptions import AlreadyClosed, Conflict, InvalidValue, ReasonRequired
from casework.extensions import db
from casework.models import AuditEvent, Case, Notification, Transfer
from casework.transfers.service import (
    accept_transfer,
    decline_transfer,
    request_transfer,
)
from tests.conftest import make_demand, make_team, make_user


def ask(case, user, team, reason="Irene moved in with her sister in Southby", **more):
    transfer = request_transfer(db.session, case, user, to_team=team, reason=reason, **more)
    db.session.commit()
    return transfer


def test_a_request_leaves_the_case_open_with_its_owner(case, practitioner, south):
    transfer = ask(case, practitioner, south)
    assert transfer.status == "pending"
    assert (transfer.from_team_id, transfer.to_team_id) == (case.team_id, south.id)
    assert case.is_open and case.owner_id == practitioner.id


def test_a_request_needs_a_reason(case, practitioner, south):
    with pytest.raises(ReasonRequired) as refused:
        request_transfer(db.session, case, practitioner, to_team=south, reason="  ")
    assert "reason" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(Transfer)) is None


def test_a_request_needs_another_team(case, practitioner):
    with pytest.raises(InvalidValue) as refused:
        request_transfer(db.session, case, practitioner, to_team=case.team, reason="Why not")
    assert "already in North" in refused.value.fields["to_team"]
    with pytest.raises(InvalidValue):
        request_transfer(db.session, case, practitioner, to_team=None, reason="Why not")


def test_a_named_worker_must_belong_to_the_receiving_team(case, practitioner, south, manager):
    with pytest.raises(InvalidValue) as refused:
        ask(case, practitioner, south, to_owner=manager)
    assert "active member of South" in refused.value.fields["to_owner_id"]


def test_a_second_pending_transfer_is_refused(case, practitioner, south):
    ask(case, practitioner, south)
    with pytest.raises(Conflict) as refused:
        ask(case, practitioner, make_team("West"))
    assert refused.value.code == "transfer_pending"
    assert refused.value.status == 409


def test_the_database_allows_one_pending_transfer_a_case(case, practitioner, south):
    ask(case, practitioner, south)
    db.session.add(
        Transfer(
            case=case,
            from_team_id=case.team_id,
            to_team_id=make_team("West").id,
            reason="Sneaked in",
            status="pending",
        )
    )
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_a_closed_case_cannot_be_transferred(case, practitioner, south):
    close_case(db.session, case, practitioner, agreed_with_person=True, agreement_note="At home")
    with pytest.raises(AlreadyClosed):
        ask(case, practitioner, south)


def test_a_person_already_open_in_the_receiving_team_is_refused(
    case, practitioner, south, south_worker
):
    make_demand(case.person, south_worker)
    with pytest.raises(Conflict) as refused:
        ask(case, practitioner, south)
    assert refused.value.code == "open_case_in_team"


def test_acceptance_closes_the_old_case_and_opens_a_linked_one(
    case, practitioner, south, south_manager, south_worker
):
    transfer = ask(case, practitioner, south)
    new = accept_transfer(db.session, transfer, south_manager, owner=south_worker)
    db.session.commit()
    assert transfer.status == "accepted" and transfer.new_case_id == new.id
    assert transfer.answered_by_id == south_manager.id
    assert case.closed_on == clock.today() and case.closure_outcome == "transferred"
    assert case.closure_agreed is False
    assert (new.team_id, new.owner_id, new.cohort) == (south.id, south_worker.id, "usual")
    assert new.transferred_from_case_id == case.id and new.person_id == case.person_id
    assert new.opened_on == clock.today()
    assert [c.to_id for c in new.ownership_changes] == [south_worker.id]


def test_acceptance_carries_what_matters_and_the_open_team_actions(
    case, practitioner, south, south_manager, south_worker
):
    transfer = ask(case, practitioner, south)
    new = accept_transfer(db.session, transfer, south_manager, owner=south_worker)
    db.session.commit()
    assert new.what_matters.what_matters == "To see my sister in Southby"
    assert "Private notes" not in (new.what_matters.notes or "")
    assert len(new.conversations) == 1  # the statement only, never the notes
    carried = [(a.description, a.by, a.status, a.assignee_id) for a in new.actions]
    assert carried == [("Ring the housing office", "team", "agreed", south_worker.id)]
    # the old case keeps its own actions, open as after any closure
    assert [a.status for a in case.actions] == ["agreed", "agreed", "done"]


def test_carried_actions_remember_the_new_owners_team_and_leave_out_any_in_error(
    case, practitioner, south, south_manager, south_worker
):
    """The copy is given to the new owner as an action given in their team (so it shows
    among a team's actions needing a new owner if they leave); an open team action entered
    in error on the old case is no action, so nothing of it is carried."""
    mistake = add_action(db.session, case, practitioner, description="Wrong person", by="team")
    mark_entered_in_error(db.session, "action", mistake, practitioner, reason="Not Irene's")
    db.session.commit()
    transfer = ask(case, practitioner, south)
    new = accept_transfer(db.session, transfer, south_manager, owner=south_worker)
    db.session.commit()
    carried = [(a.description, a.assignee_id, a.assignee_team_id) for a in new.actions]
    assert carried == [("Ring the housing office", south_worker.id, south.id)]


def test_the_new_owner_must_be_active_in_the_receiving_team(
    case, practitioner, south, south_manager, manager
):
    transfer = ask(case, practitioner, south)
    for owner in (None, manager):
        with pytest.raises(InvalidValue) as refused:
            accept_transfer(db.session, transfer, south_manager, owner=owner)
        assert "owner_id" in refused.value.fields
    gone = make_user(south)
    gone.active = False
    with pytest.raises(InvalidValue):
        accept_transfer(db.session, transfer, south_manager, owner=gone)
    db.session.rollback()
    assert transfer.status == "pending" and case.is_open


def test_answering_twice_is_refused(case, practitioner, south, south_manager):
    transfer = ask(case, practitioner, south)
    accept_transfer(db.session, transfer, south_manager, owner=south_manager)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        accept_transfer(db.session, transfer, south_manager, owner=south_manager)
    assert refused.value.code == "transfer_answered"
    with pytest.raises(Conflict):
        decline_transfer(db.session, transfer, south_manager, reason="No")
    assert db.session.scalar(select(db.func.count(Case.id))) == 2


def test_a_decline_needs_a_reason_and_changes_nothing(case, practitioner, south, south_manager):
    transfer = ask(case, practitioner, south)
    with pytest.raises(ReasonRequired):
        decline_transfer(db.session, transfer, south_manager, reason="")
    decline_transfer(db.session, transfer, south_manager, reason="Not our area")
    db.session.commit()
    assert transfer.status == "declined" and transfer.answer_reason == "Not our area"
    assert case.is_open and case.owner_id == practitioner.id
    # declined: a new request may be made
    assert ask(case, practitioner, south).status == "pending"


def test_a_pending_transfer_keeps_the_case_from_closing(case, practitioner, south):
    ask(case, practitioner, south)
    with pytest.raises(Conflict, match="waiting for an answer"):
        close_case(
            db.session, case, practitioner, agreed_with_person=True, agreement_note="At home"
        )
    assert case.is_open


def test_a_request_tells_the_receiving_managers_and_the_named_worker(
    case, practitioner, south, south_manager, south_worker
):
    ask(case, practitioner, south, to_owner=south_worker)
    told = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert {(n.user_id, n.kind) for n in told} == {
        (south_manager.id, "transfer_requested"),
        (south_worker.id, "transfer_requested"),
    }
    assert all("Irene Thomas" in n.text and "Southby" not in n.text for n in told)
    assert all(n.case_id is None for n in told)  # they cannot open the case yet


def test_an_answer_tells_the_requester_and_the_owner(
    case, practitioner, manager, south, south_manager
):
    transfer = ask(case, manager, south)
    decline_transfer(db.session, transfer, south_manager, reason="Full")
    db.session.commit()
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "transfer_answered")
    ).all()
    assert {n.user_id for n in told} == {manager.id, practitioner.id}
    assert all(n.case_id == case.id and "declined" in n.text for n in told)


def test_every_step_is_audited(case, practitioner, south, south_manager):
    transfer = ask(case, practitioner, south)
    new = accept_transfer(db.session, transfer, south_manager, owner=south_manager)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    mine = [(e.action, e.entity, e.entity_id) for e in events if e.entity in ("transfer", "case")]
    assert ("create", "transfer", transfer.id) in mine
    assert ("accept", "transfer", transfer.id) in mine
    assert ("close", "case", case.id) in mine
    assert ("create", "case", new.id) in mine
    created = next(e for e in events if e.entity == "case" and e.entity_id == new.id)
    assert created.detail["transferred_from_case_id"] == case.id
    assert created.person_id == case.person_id


def test_a_long_name_still_fits_a_notification(practitioner, south, south_manager):
    from tests.conftest import make_person

    person = make_person(practitioner, given_name="A" * 100, family_name="B" * 100)
    demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=2))
    long_team = make_team("S" * 100)
    make_user(long_team, "manager")
    assert ask(demand.case, practitioner, long_team).status == "pending"


def test_the_audit_trail_says_each_step_in_words(case, practitioner, south, south_manager):
    from casework.audit.trail import describe

    transfer = ask(case, practitioner, south)
    accept_transfer(db.session, transfer, south_manager, owner=south_manager)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    words = [describe(e) for e in events]
    assert f"Asked South to take the case on (transfer {transfer.id}) in case {case.id}" in words
    assert f"Accepted transfer {transfer.id}" in words
    assert any(w.endswith(": transferred to another team") for w in words)
