"""The rules of caution flags, the network and consent, without pages."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock, rules
from casework.exceptions import InvalidValue, ReasonRequired
from casework.extensions import db
from casework.models import AuditEvent, CautionFlag
from casework.people.service import possible_duplicates, search_people
from casework.safety import service
from tests.conftest import make_person


def raise_dog(person, user, **fields):
    data = {"category": "animal", "text": "Large dog", "review_on": clock.today(), **fields}
    return service.raise_flag(db.session, user, person, **data)


def test_a_flag_is_raised_by_the_users_team_and_audited(person, practitioner):
    flag = raise_dog(person, practitioner)
    db.session.commit()
    assert (flag.active, flag.team_id, flag.raised_by_id) == (
        True,
        practitioner.team_id,
        practitioner.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "flag"))
    assert (event.action, event.entity_id, event.person_id) == ("create", flag.id, person.id)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"category": "dragon"}, "category"),
        ({"text": "  "}, "text"),
        ({"text": "x" * (rules.FLAG_TEXT + 1)}, "text"),
        ({"text": "bad\x00text"}, "text"),
        ({"review_on": None}, "review_on"),
        ({"review_on": clock.today() - dt.timedelta(days=1)}, "review_on"),
        (
            {"review_on": clock.today() + dt.timedelta(days=rules.LONGEST_REVIEW_DAYS + 1)},
            "review_on",
        ),
    ],
)
def test_a_flag_with_a_wrong_detail_is_refused_naming_the_field(
    person, practitioner, fields, field
):
    with pytest.raises(InvalidValue) as refused:
        raise_dog(person, practitioner, **fields)
    assert field in refused.value.fields


def test_ending_a_flag_needs_a_reason_and_keeps_it(person, practitioner):
    flag = raise_dog(person, practitioner)
    with pytest.raises(ReasonRequired):
        service.end_flag(db.session, practitioner, flag, reason="  ")
    assert flag.active
    service.end_flag(db.session, practitioner, flag, reason="Dog rehomed")
    db.session.commit()
    assert not flag.active and flag.end_reason == "Dog rehomed"
    assert db.session.get(CautionFlag, flag.id) is not None  # never deleted
    assert service.active_flags(db.session, person) == []
    with pytest.raises(service.FlagAlreadyEnded):
        service.end_flag(db.session, practitioner, flag, reason="again")


def test_flags_due_for_review_are_the_teams_active_ones_whose_date_has_come(person, practitioner):
    due = raise_dog(person, practitioner, review_on=clock.today())
    raise_dog(person, practitioner, review_on=clock.today() + dt.timedelta(days=30))
    ended = raise_dog(person, practitioner, review_on=clock.today())
    service.end_flag(db.session, practitioner, ended, reason="Gone")
    later = clock.today() + dt.timedelta(days=1)
    assert service.flags_due_for_review(db.session, practitioner.team_id, later) == [due]
    assert service.flags_due_for_review(db.session, practitioner.team_id + 1, later) == []
    service.review_flag(db.session, practitioner, due, review_on=later + dt.timedelta(days=90))
    assert service.flags_due_for_review(db.session, practitioner.team_id, later) == []


def member_data(**fields):
    return {"name": "Jo Walsh", "relationship": "family", "role": "daughter; has LPA", **fields}


def test_a_network_member_is_added_changed_and_audited(person, practitioner):
    member = service.add_member(db.session, practitioner, person, member_data(may_contact=True))
    db.session.commit()
    assert (member.relationship, member.may_contact, member.version) == ("family", True, 1)
    service.update_member(db.session, practitioner, member, {"phone": "07700 900123"}, version=1)
    db.session.commit()
    assert member.phone == "07700 900123" and member.name == "Jo Walsh"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "network_member")
    ).all()
    assert actions == ["create", "update"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"relationship": "cousin"}, "relationship"),
        ({"name": ""}, "name"),
        ({"email": "not an address"}, "email"),
        ({"may_contact": "yes"}, "may_contact"),
    ],
)
def test_a_network_member_with_a_wrong_detail_is_refused(person, practitioner, fields, field):
    with pytest.raises(InvalidValue) as refused:
        service.add_member(db.session, practitioner, person, member_data(**fields))
    assert field in refused.value.fields


def test_an_action_cannot_name_someone_from_another_persons_circle(case, practitioner):
    other = make_person(practitioner, given_name="Someone", family_name="Else")
    stranger = service.add_member(db.session, practitioner, other, member_data())
    own = service.add_member(db.session, practitioner, case.person, member_data(name="Kayden"))
    assert service.member_for_action(db.session, case, own.id) is own
    assert service.member_for_action(db.session, case, None) is None
    for wrong in (stranger.id, 999_999, "1"):
        with pytest.raises(InvalidValue) as refused:
            service.member_for_action(db.session, case, wrong)
        assert "network_member_id" in refused.value.fields


def test_a_consent_is_recorded_and_an_expired_one_is_known(person, practitioner):
    consent = service.record_consent(
        db.session,
        practitioner,
        person,
        decision="given",
        scope="GP and housing officer",
        recorded_on=clock.today() - dt.timedelta(days=400),
        expires_on=clock.today() - dt.timedelta(days=35),
    )
    assert consent.expired(clock.today()) and not consent.expired(
        clock.today() - dt.timedelta(days=40)
    )
    safety = service.person_safety(db.session, person, clock.today())
    assert safety.expired_consents == [consent]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"decision": "maybe"}, "decision"),
        ({"scope": ""}, "scope"),
        ({"recorded_on": clock.today() + dt.timedelta(days=1)}, "recorded_on"),
        ({"recorded_on": None}, "recorded_on"),
        ({"expires_on": clock.today() - dt.timedelta(days=1)}, "expires_on"),
    ],
)
def test_a_consent_with_a_wrong_detail_is_refused(person, practitioner, fields, field):
    data = {
        "decision": "refused",
        "scope": "Nothing to her son",
        "recorded_on": clock.today(),
        **fields,
    }
    with pytest.raises(InvalidValue) as refused:
        service.record_consent(db.session, practitioner, person, **data)
    assert field in refused.value.fields


def test_a_network_member_is_never_found_or_matched_as_a_person(person, practitioner):
    service.add_member(
        db.session,
        practitioner,
        person,
        member_data(name="Kayden Brooks", relationship="neighbour"),
    )
    db.session.commit()
    assert search_people(db.session, practitioner, "Kayden") == []
    assert [r.person.id for r in search_people(db.session, practitioner, "Irene")] == [person.id]
    assert (
        possible_duplicates(
            db.session, given_name="Kayden", family_name="Brooks", date_of_birth=dt.date(2008, 1, 1)
        )
        == []
    )
