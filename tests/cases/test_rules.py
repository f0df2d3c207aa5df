"""The rules of working a case: closure by agreement, ownership with reasons, versions."""

import datetime as dt

import pytest

from casework import clock
from casework.cases import service
from casework.exceptions import (
    AlreadyClosed,
    ClosureNeedsAgreement,
    InvalidValue,
    ReasonRequired,
    StaleVersion,
)
from casework.extensions import db
from casework.models import Case, OwnershipChange
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(
        make_person(practitioner), practitioner, clock.today() - dt.timedelta(days=7)
    )
    return demand.case


def test_closing_without_agreement_keeps_case_open(case, practitioner):
    with pytest.raises(ClosureNeedsAgreement) as refused:
        service.close_case(
            db.session,
            case,
            practitioner,
            agreed_with_person=False,
            agreement_note="Phoned",
            summary="Better",
        )
    assert "agreed_with_person" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Case, case.id).closed_on is None


@pytest.mark.parametrize("agreed", [None, "true", 1, "yes"])
def test_only_a_real_true_counts_as_agreement(case, practitioner, agreed):
    with pytest.raises(ClosureNeedsAgreement):
        service.close_case(
            db.session,
            case,
            practitioner,
            agreed_with_person=agreed,
            agreement_note="Phoned",
            summary="Better",
        )


def test_closing_without_saying_how_it_was_agreed_is_refused(case, practitioner):
    with pytest.raises(ClosureNeedsAgreement) as refused:
        service.close_case(
            db.session,
            case,
            practitioner,
            agreed_with_person=True,
            agreement_note="   ",
            summary="Better",
        )
    assert set(refused.value.fields) == {"agreement_note"}


def test_closing_by_agreement_records_it_and_leaves_open_actions_open(case, practitioner):
    action = service.add_action(
        db.session, case, practitioner, description="Keep walking", by="person"
    )
    service.close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed with Anne at home",
        summary="Walking again",
    )
    db.session.commit()
    assert case.status == "closed" and case.closed_on == clock.today()
    assert case.closure_agreed is True
    assert action.status == "agreed"


def test_closing_twice_is_a_conflict(case, practitioner):
    service.close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed",
        summary="Done",
    )
    with pytest.raises(AlreadyClosed) as refused:
        service.close_case(
            db.session,
            case,
            practitioner,
            agreed_with_person=True,
            agreement_note="Agreed",
            summary="Done",
        )
    assert refused.value.status == 409


def test_closing_before_the_case_opened_is_refused(case, practitioner):
    with pytest.raises(ClosureNeedsAgreement) as refused:
        service.close_case(
            db.session,
            case,
            practitioner,
            agreed_with_person=True,
            agreement_note="Agreed",
            summary="Done",
            closed_on=case.opened_on - dt.timedelta(days=1),
        )
    assert "closed_on" in refused.value.fields


def test_owner_change_without_a_reason_is_refused(case, practitioner, team):
    colleague = make_user(team)
    with pytest.raises(ReasonRequired):
        service.change_owner(db.session, case, practitioner, new_owner=colleague, reason=" ")
    db.session.rollback()
    assert db.session.get(Case, case.id).owner_id == practitioner.id


def test_owner_change_is_recorded_with_its_reason(case, practitioner, team):
    colleague = make_user(team)
    service.change_owner(
        db.session, case, practitioner, new_owner=colleague, reason="Long-term leave"
    )
    db.session.commit()
    history = (
        db.session.query(OwnershipChange)
        .filter_by(case_id=case.id)
        .order_by(OwnershipChange.id)
        .all()
    )
    assert [(h.from_id, h.to_id) for h in history] == [
        (None, practitioner.id),
        (practitioner.id, colleague.id),
    ]
    assert history[-1].reason == "Long-term leave"


def test_owner_must_be_an_active_member_of_the_team(case, practitioner):
    outsider = make_user(make_team("East", "usual"))
    with pytest.raises(InvalidValue) as refused:
        service.change_owner(db.session, case, practitioner, new_owner=outsider, reason="Why")
    assert "owner_id" in refused.value.fields


def test_stale_version_is_refused_and_keeps_the_other_change(case, practitioner):
    read_version = case.version
    service.record_referral_judgement(
        db.session,
        case,
        practitioner,
        referral_match="no",
        real_problem="Lonely",
        version=read_version,
    )
    db.session.commit()
    with pytest.raises(StaleVersion):
        service.record_referral_judgement(
            db.session,
            case,
            practitioner,
            referral_match="yes",
            real_problem=None,
            version=read_version,
        )
    db.session.rollback()
    assert db.session.get(Case, case.id).referral_match == "no"


def test_concurrent_write_is_caught_by_the_version_column(app, case, practitioner):
    # Another writer bumps the row between our read and our write.
    db.session.execute(
        Case.__table__.update().where(Case.id == case.id).values(version=Case.version + 1)
    )
    with pytest.raises(StaleVersion):
        service.record_referral_judgement(
            db.session, case, practitioner, referral_match="yes", real_problem=None, version=None
        )


def test_what_matters_history_keeps_earlier_statements(case, practitioner):
    today = clock.today()
    service.log_conversation(
        db.session,
        case,
        practitioner,
        held_on=today,
        kind="visit",
        what_matters="Getting out to the shops",
    )
    service.log_conversation(
        db.session, case, practitioner, held_on=today, kind="phone", notes="Rang to check in"
    )
    service.log_conversation(
        db.session,
        case,
        practitioner,
        held_on=today,
        kind="visit",
        what_matters="Seeing my grandchildren",
    )
    db.session.commit()
    assert case.what_matters.what_matters == "Seeing my grandchildren"
    assert [c.what_matters for c in case.what_matters_history] == [
        "Seeing my grandchildren",
        "Getting out to the shops",
    ]


def test_empty_conversation_is_refused(case, practitioner):
    with pytest.raises(InvalidValue) as refused:
        service.log_conversation(
            db.session,
            case,
            practitioner,
            held_on=clock.today(),
            kind="visit",
            notes=" ",
            what_matters=None,
        )
    assert "notes" in refused.value.fields


def test_conversation_on_a_closed_case_is_refused(case, practitioner):
    service.close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed",
        summary="Done",
    )
    with pytest.raises(AlreadyClosed):
        service.log_conversation(
            db.session, case, practitioner, held_on=clock.today(), kind="visit", notes="Late note"
        )


def test_team_action_defaults_to_the_owner_and_colleagues_can_be_pulled_in(case, practitioner):
    other_team_worker = make_user(make_team("Hospital", "usual"))
    mine = service.add_action(db.session, case, practitioner, description="Order rails", by="team")
    theirs = service.add_action(
        db.session, case, practitioner, description="Advice", by="team", assignee=other_team_worker
    )
    assert mine.assignee_id == practitioner.id
    assert theirs.assignee_id == other_team_worker.id
    assert case.owner_id == practitioner.id


def test_dropping_an_action_needs_an_outcome(case, practitioner):
    action = service.add_action(db.session, case, practitioner, description="Ring GP", by="team")
    with pytest.raises(InvalidValue) as refused:
        service.update_action(db.session, action, practitioner, status="dropped", outcome="")
    assert "outcome" in refused.value.fields
    service.update_action(
        db.session,
        action,
        practitioner,
        status="done",
        outcome="GP will visit",
        version=action.version,
    )
    assert action.status == "done"


def test_stale_action_update_is_refused(case, practitioner):
    action = service.add_action(db.session, case, practitioner, description="Ring GP", by="team")
    db.session.commit()
    old = action.version
    service.update_action(
        db.session, action, practitioner, status="done", outcome="Rang", version=old
    )
    db.session.commit()
    with pytest.raises(StaleVersion):
        service.update_action(
            db.session, action, practitioner, status="dropped", outcome="No need", version=old
        )
