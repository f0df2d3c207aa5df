"""Duplicates, merging two records of one person, and undoing the merge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation
from casework.exceptions import StaleVersion
from casework.extensions import db
from casework.models import (
    Action,
    AuditEvent,
    Case,
    CautionFlag,
    ConsentDecision,
    Conversation,
    Demand,
    NetworkMember,
    OwnershipChange,
    Person,
)
from casework.people import merge
from casework.people.service import possible_duplicates, search_people
from casework.safety import service as safety
from tests.conftest import make_demand, make_person, make_team, make_user

DOB = dt.date(1961, 4, 2)


@pytest.fixture
def pair(team, practitioner):
    """Robert (open case, phone) and Bob (NHS number, a closed case with its story)."""
    robert = make_person(
        practitioner, given_name="Robert", family_name="Smith", date_of_birth=DOB, phone="0113 1"
    )
    make_demand(robert, practitioner, clock.today() - dt.timedelta(days=5))
    bob = make_person(
        practitioner,
        given_name="Bob",
        family_name="smith",
        date_of_birth=DOB,
        nhs_number="9434765919",
        postcode="LS1 4AP",
    )
    demand, _ = make_demand(bob, practitioner, clock.today() - dt.timedelta(days=60))
    case = demand.case
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=59),
        kind="visit",
        what_matters="My garden",
    )
    add_action(db.session, case, practitioner, description="Call the GP", by="team")
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed",
        summary="Settled",
        closed_on=clock.today() - dt.timedelta(days=30),
    )
    db.session.commit()
    return robert, bob


@pytest.fixture
def admin(app):
    return make_user(None, "admin", name="Ada Admin")


def snapshot():
    return {
        "demands": dict(db.session.execute(select(Demand.id, Demand.person_id)).all()),
        "cases": dict(db.session.execute(select(Case.id, Case.person_id)).all()),
        "people": {
            p.id: (
                p.given_name,
                p.date_of_birth,
                p.nhs_number,
                p.phone,
                p.postcode,
                p.merged_into_id,
            )
            for p in db.session.scalars(select(Person))
        },
    }


def people_counted() -> int:
    return db.session.scalar(select(func.count(func.distinct(Demand.person_id))))


def test_the_duplicates_list_groups_by_birth_date_and_normalised_names(pair, practitioner):
    robert, bob = pair
    make_person(
        practitioner, given_name="Robert", family_name="Smith", date_of_birth=dt.date(1961, 4, 3)
    )
    make_person(practitioner, given_name="Roberta", family_name="Smith", date_of_birth=DOB)
    groups = [[p.id for p in g] for g in merge.duplicate_groups(db.session)]
    assert groups == [[robert.id, bob.id]]


def test_a_managers_list_holds_only_groups_with_their_teams_people(pair):
    robert, bob = pair
    outsider = make_user(make_team("South", "usual"))
    ann = make_person(outsider, given_name="Ann", family_name="Lee", date_of_birth=DOB)
    make_person(outsider, given_name="ANN", family_name="lee", date_of_birth=DOB)
    everyone = list(merge.duplicate_groups(db.session))
    assert len(everyone) == 2
    mine = list(merge.duplicate_groups(db.session, {robert.id, bob.id}))
    assert [[p.id for p in g] for g in mine] == [[robert.id, bob.id]]
    assert ann.id not in {p.id for g in mine for p in g}


def test_a_merge_moves_everything_to_the_kept_record(pair, admin):
    robert, bob = pair
    bob_case = db.session.scalar(select(Case).where(Case.person_id == bob.id))
    story = (
        {c.id for c in bob_case.conversations},
        {a.id for a in bob_case.actions},
        {o.id for o in bob_case.ownership_changes},
    )
    bob_demands = set(db.session.scalars(select(Demand.id).where(Demand.person_id == bob.id)))
    before = people_counted()

    event = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()

    assert set(db.session.scalars(select(Demand.id).where(Demand.person_id == robert.id))) >= (
        bob_demands
    )
    assert db.session.scalar(select(func.count()).where(Demand.person_id == bob.id)) == 0
    assert db.session.get(Case, bob_case.id).person_id == robert.id
    # The case's story travels with it.
    moved_case = db.session.get(Case, bob_case.id)
    assert story == (
        {c.id for c in moved_case.conversations},
        {a.id for a in moved_case.actions},
        {o.id for o in moved_case.ownership_changes},
    )
    bob, robert = db.session.get(Person, bob.id), db.session.get(Person, robert.id)
    assert bob.merged_into_id == robert.id
    # Blanks are filled from the other record; the kept record's own details win.
    assert (robert.given_name, robert.phone) == ("Robert", "0113 1")
    assert (robert.nhs_number, robert.postcode) == ("9434765919", "LS1 4AP")
    assert bob.nhs_number is None
    assert people_counted() == before - 1
    assert event.action == "merge" and event.person_id == robert.id and event.user_id == admin.id
    assert set(event.detail["demand_ids"]) == bob_demands
    assert event.detail["case_ids"] == [bob_case.id]
    assert event.detail["filled"] == {"nhs_number": "9434765919", "postcode": "LS1 4AP"}


def test_the_merged_record_vanishes_from_search_and_duplicates(pair, admin, practitioner):
    robert, bob = pair
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    found = [r.person.id for r in search_people(db.session, practitioner, "Smith")]
    assert found == [robert.id]
    assert list(merge.duplicate_groups(db.session)) == []
    again = possible_duplicates(
        db.session, given_name="Bob", family_name="Smith", date_of_birth=DOB
    )
    assert [p.id for p in again] == [robert.id]
    assert merge.live_record_id(db.session, bob.id) == robert.id
    assert merge.live_record_id(db.session, robert.id) is None


def test_merging_without_filling_blanks_leaves_the_kept_record_as_it_was(pair, admin):
    robert, bob = pair
    merge.merge_people(db.session, admin, keep=robert, other=bob, fill_blanks=False)
    db.session.commit()
    assert (robert.nhs_number, robert.postcode) == (None, None)
    assert db.session.get(Person, bob.id).nhs_number == "9434765919"


def test_undo_restores_exactly(pair, admin):
    robert, bob = pair
    before = snapshot()
    counted = people_counted()
    event = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    assert snapshot() != before
    undo = merge.undo_merge(db.session, admin, event)
    db.session.commit()
    assert snapshot() == before
    assert people_counted() == counted
    assert undo.action == "unmerge" and undo.detail["merge_event_id"] == event.id
    assert sorted(undo.detail["restored"]) == ["nhs_number", "postcode"]
    with pytest.raises(merge.MergeRefused, match="already been undone"):
        merge.undo_merge(db.session, admin, event)


def test_an_old_merge_entry_cannot_be_undone_once_the_records_were_merged_again(
    pair, admin, practitioner
):
    robert, bob = pair
    first = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    merge.undo_merge(db.session, admin, first)
    db.session.commit()
    # new work on Bob's record
    make_demand(bob, make_user(make_team("South", "usual")), clock.today())

    second = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    moved = snapshot()
    with pytest.raises(merge.MergeRefused, match="merged again later"):
        merge.undo_merge(db.session, admin, first)
    db.session.rollback()
    assert snapshot() == moved
    merge.undo_merge(db.session, admin, second)  # the latest one still can be
    db.session.commit()
    assert db.session.get(Person, bob.id).merged_into_id is None


def test_undo_keeps_a_detail_changed_since_the_merge(pair, admin):
    robert, bob = pair
    event = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    robert.postcode = "LS2 7AA"
    db.session.commit()
    undo = merge.undo_merge(db.session, admin, event)
    db.session.commit()
    assert undo.detail["left_as_changed"] == ["postcode"]
    assert db.session.get(Person, robert.id).postcode == "LS2 7AA"
    assert db.session.get(Person, bob.id).nhs_number == "9434765919"


def test_undo_is_refused_when_a_new_demand_joined_a_moved_case(team, practitioner, admin):
    first = make_person(practitioner, given_name="Ann", family_name="Lee", date_of_birth=DOB)
    second = make_person(practitioner, given_name="Anne", family_name="Lee", date_of_birth=DOB)
    make_demand(second, practitioner, clock.today() - dt.timedelta(days=3))
    event = merge.merge_people(db.session, admin, keep=first, other=second)
    db.session.commit()
    demand, route = make_demand(first, practitioner, clock.today())
    assert route.kind == "open_case"
    before = snapshot()
    with pytest.raises(merge.MergeRefused, match="new demand"):
        merge.undo_merge(db.session, admin, event)
    db.session.rollback()
    assert snapshot() == before


def test_both_with_an_open_case_in_the_same_team_is_refused(pair, admin, practitioner):
    robert, bob = pair
    make_demand(bob, practitioner, clock.today())  # reopens work for Bob in the same team
    before = snapshot()
    with pytest.raises(merge.MergeRefused, match="Both records have an open case in North"):
        merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.rollback()
    assert snapshot() == before


def test_open_cases_in_different_teams_may_be_merged(pair, admin):
    robert, bob = pair
    south = make_team("South", "usual")
    worker = make_user(south)
    make_demand(bob, worker, clock.today())
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    open_cases = db.session.scalars(
        select(Case.team_id).where(Case.person_id == robert.id, Case.closed_on.is_(None))
    ).all()
    assert sorted(open_cases) == sorted([robert.cases[0].team_id, south.id])


def test_different_nhs_numbers_are_two_people(pair, admin):
    robert, bob = pair
    robert.nhs_number = "4010232137"
    db.session.commit()
    with pytest.raises(merge.MergeRefused, match="different NHS numbers"):
        merge.merge_people(db.session, admin, keep=robert, other=bob)


def test_a_record_cannot_be_merged_twice_or_into_itself(pair, admin, practitioner):
    robert, bob = pair
    with pytest.raises(merge.MergeRefused, match="two different records"):
        merge.merge_people(db.session, admin, keep=robert, other=robert)
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    third = make_person(practitioner, given_name="Rob", family_name="Smith", date_of_birth=DOB)
    with pytest.raises(merge.MergeRefused, match="already been merged"):
        merge.merge_people(db.session, admin, keep=third, other=bob)


def test_a_merge_from_an_out_of_date_page_is_refused(pair, admin):
    robert, bob = pair
    stale = bob.version
    bob.phone = "0113 2"
    db.session.commit()
    with pytest.raises(StaleVersion):
        merge.merge_people(
            db.session,
            admin,
            keep=robert,
            other=bob,
            keep_version=robert.version,
            other_version=stale,
        )


def test_the_merge_leaves_the_audit_trail_as_it_was(pair, admin):
    robert, bob = pair
    trail = dict(db.session.execute(select(AuditEvent.id, AuditEvent.person_id)).all())
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    after = dict(db.session.execute(select(AuditEvent.id, AuditEvent.person_id)).all())
    assert {k: after[k] for k in trail} == trail


def test_the_counts_of_conversations_and_actions_are_unchanged(pair, admin):
    robert, bob = pair
    counts = [
        db.session.scalar(select(func.count(m.id))) for m in (Conversation, Action, OwnershipChange)
    ]
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    assert counts == [
        db.session.scalar(select(func.count(m.id))) for m in (Conversation, Action, OwnershipChange)
    ]


def test_new_work_on_a_merged_away_record_goes_to_the_kept_one(pair, admin, practitioner, client):
    from casework.demands.routing import record_demand
    from casework.exceptions import MergedRecord
    from casework.people.service import update_person
    from tests.api.conftest import Api, token_for
    from tests.conftest import login

    robert, bob = pair
    merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    demands_before = db.session.scalar(select(func.count(Demand.id)))

    with pytest.raises(MergedRecord) as refused:
        record_demand(
            db.session,
            person=bob,
            team=practitioner.team,
            recorder=practitioner,
            received_on=clock.today(),
            source="GP",
            channel="phone",
            stated_need="Falls",
        )
    assert refused.value.merged_into_id == robert.id
    with pytest.raises(MergedRecord):
        update_person(db.session, practitioner, bob, {"given_name": "Bobby", "family_name": "S"})
    db.session.rollback()

    api = Api(client, token_for(practitioner))
    status, body = api.post(
        "/demands",
        {
            "person_id": bob.id,
            "received_on": clock.today().isoformat(),
            "source": "GP",
            "channel": "phone",
            "stated_need": "Falls",
        },
    )
    assert (status, body["error"]["code"], body["error"]["merged_into_id"]) == (
        409,
        "merged_record",
        robert.id,
    )

    login(client, practitioner)
    for url in (f"/people/{bob.id}/demands/new", f"/people/{bob.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith(f"/people/{robert.id}")
    assert db.session.scalar(select(func.count(Demand.id))) == demands_before


def test_the_team_that_registered_the_merged_record_keeps_access(team, practitioner, admin, client):
    from tests.conftest import login

    south_worker = make_user(make_team("South", "usual"))
    kept = make_person(practitioner, given_name="Ann", family_name="Lee", date_of_birth=DOB)
    make_demand(kept, practitioner)
    theirs = make_person(south_worker, given_name="Ann", family_name="Lee", date_of_birth=DOB)
    merge.merge_people(db.session, admin, keep=kept, other=theirs)
    db.session.commit()
    login(client, south_worker)
    assert client.get(f"/people/{kept.id}").status_code == 200


def test_the_persons_own_records_move_with_them_and_back_on_undo(pair, admin, practitioner):
    """Cautions, the circle and the decisions about sharing belong to the person, not to a
    case: a merge that left them behind would hide a dangerous dog from the next visitor."""
    robert, bob = pair
    flag = safety.raise_flag(db.session, practitioner, bob, category="animal",
                             text="Large dog, ask for it to be shut away",
                             review_on=clock.today() + dt.timedelta(days=90))  # fmt: skip
    jo = {"name": "Jo Smith", "relationship": "family", "may_contact": True}
    member = safety.add_member(db.session, practitioner, bob, jo)
    consent = safety.record_consent(db.session, practitioner, bob, decision="refused",
                                    scope="Nothing to the housing office",
                                    recorded_on=clock.today())  # fmt: skip
    db.session.commit()
    event = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    records = ((CautionFlag, flag.id), (NetworkMember, member.id), (ConsentDecision, consent.id))

    def owners():
        return [db.session.get(model, ident).person_id for model, ident in records]

    assert owners() == [robert.id] * 3
    assert [f.id for f in safety.active_flags(db.session, robert)] == [flag.id]
    assert event.detail["flag_ids"] == [flag.id]
    assert event.detail["network_member_ids"] == [member.id]
    assert event.detail["consent_ids"] == [consent.id]

    merge.undo_merge(db.session, admin, event)
    db.session.commit()
    assert owners() == [bob.id] * 3
    assert safety.active_flags(db.session, robert) == []


def test_undo_is_refused_when_a_moved_caution_now_belongs_to_someone_else(
    pair, admin, practitioner
):
    robert, bob = pair
    flag = safety.raise_flag(db.session, practitioner, bob, category="animal", text="Dog",
                             review_on=clock.today() + dt.timedelta(days=90))  # fmt: skip
    db.session.commit()
    event = merge.merge_people(db.session, admin, keep=robert, other=bob)
    db.session.commit()
    third = make_person(practitioner)
    db.session.get(CautionFlag, flag.id).person_id = third.id
    db.session.commit()
    with pytest.raises(merge.MergeRefused, match="now belong to someone else"):
        merge.check_undo(db.session, event)
