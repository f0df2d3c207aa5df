"""How a case ended: agreed (the default, as before), or the person died, moved away or
declined support, with a note instead of agreement (ADR 0033)."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases.service import close_case
from casework.exceptions import ClosureNeedsAgreement
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import make_demand, make_person


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(
        make_person(practitioner), practitioner, clock.today() - dt.timedelta(days=9)
    )
    return demand.case


@pytest.mark.parametrize("outcome", ["died", "moved_away", "declined_support"])
def test_an_ending_needs_a_note_not_agreement(case, practitioner, outcome):
    with pytest.raises(ClosureNeedsAgreement) as refused:
        close_case(db.session, case, practitioner, outcome=outcome, note="  ")
    assert list(refused.value.fields) == ["note"]
    db.session.rollback()
    assert case.is_open
    close_case(db.session, case, practitioner, outcome=outcome, note="Her son rang on Monday")
    db.session.commit()
    assert case.closure_outcome == outcome and case.closure_agreed is False
    assert case.closure_agreement_note == "Her son rang on Monday"


def test_agreed_is_the_default_and_keeps_its_rule(case, practitioner):
    with pytest.raises(ClosureNeedsAgreement) as refused:
        close_case(db.session, case, practitioner, note="No agreement")
    assert set(refused.value.fields) == {"agreed_with_person", "agreement_note"}
    close_case(db.session, case, practitioner, agreed_with_person=True, agreement_note="At home")
    assert case.closure_outcome == "agreed" and case.closure_agreed is True


def test_transferred_and_unknown_outcomes_are_not_chosen(case, practitioner):
    for outcome in ("transferred", "vanished"):
        with pytest.raises(ClosureNeedsAgreement) as refused:
            close_case(db.session, case, practitioner, outcome=outcome, note="x")
        assert "outcome" in refused.value.fields
    assert case.is_open


def test_the_closure_audit_names_the_outcome(case, practitioner):
    close_case(db.session, case, practitioner, outcome="died", note="Told by the GP")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "close"))
    assert event.detail["outcome"] == "died"
