"""Passing a demand to the worker in another team who already knows the person, and the
relationship a team starts with someone other teams know (api.md, "The person across
teams"; the routing rule's first step)."""

from __future__ import annotations

import pytest

from casework import clock
from casework.demands.routing import record_demand, route_kind
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent, Case, Demand, Notification
from tests.conftest import make_demand, make_person, make_user


def body(person, **extra):
    return {
        "person_id": person.id,
        "received_on": clock.today().isoformat(),
        "source": "GP",
        "channel": "phone",
        "stated_need": "Struggling with stairs",
        **extra,
    }


def notes_for(user, kind):
    return list(
        db.session.scalars(
            db.select(Notification).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


def events(action):
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def test_passing_comes_first_in_the_rule():
    assert route_kind(has_open_case=True, previous_owner_stays=False, passed_elsewhere=True) == (
        "passed_to_owner"
    )
    assert route_kind(has_open_case=True, previous_owner_stays=False) == "open_case"


def test_the_response_lists_the_open_cases_elsewhere(api, known_elsewhere, eleisha):
    person, case = known_elsewhere
    status, answer = api.post("/demands", body(person))
    assert status == 201, answer
    assert answer["routed_by"] == "new_case"
    assert answer["also_open_in"] == [
        {"team": "Riverside", "case_id": case.id, "owner_id": eleisha.id}
    ]


def test_also_open_in_is_an_empty_list_for_a_person_known_only_here(api, practitioner):
    person = make_person(practitioner)
    status, answer = api.post("/demands", body(person))
    assert status == 201
    assert answer["also_open_in"] == []


def test_a_passed_demand_joins_the_other_teams_case_and_its_owner_is_told(
    api, practitioner, known_elsewhere, eleisha
):
    person, case = known_elsewhere
    status, answer = api.post("/demands", body(person, pass_to_case_id=case.id))
    assert status == 201, answer
    assert (answer["routed_by"], answer["case_id"], answer["team"]) == (
        "passed_to_owner", case.id, "Riverside",
    )  # fmt: skip
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 1  # no case of our own
    [note] = notes_for(eleisha, "passed_to_you")
    assert note.case_id == case.id and note.person_id == person.id
    assert f"#{case.id}" in note.text and "Eleisha Ward" in note.text  # the recorder
    assert "stairs" not in note.text  # no care details in a notification
    created = [e for e in events("create") if e.entity == "demand"]
    assert created[-1].detail["routed_by"] == "passed_to_owner"
    assert created[-1].user_id == practitioner.id
    # The recorder gains no access to the case, nor to the person's record
    assert api.get(f"/cases/{case.id}")[0] == 403
    assert api.get(f"/people/{person.id}")[0] == 403
    assert not events("relationship_started")  # passing is not a new relationship


@pytest.mark.parametrize("which", ["closed", "own_team", "other_person", "missing"])
def test_passing_to_anything_but_an_open_case_elsewhere_is_refused(
    api, practitioner, known_elsewhere, eleisha, which
):
    person, case = known_elsewhere
    if which == "closed":
        case.closed_on = clock.today()
        db.session.commit()
        target = case.id
    elif which == "own_team":
        make_demand(person, practitioner)
        target = db.session.scalar(db.select(Case.id).where(Case.team_id == practitioner.team_id))
    elif which == "other_person":
        other, _ = make_demand(make_person(eleisha), eleisha)
        target = other.case_id
    else:
        target = 999999
    before = db.session.scalar(db.select(db.func.count(Demand.id)))
    status, answer = api.post("/demands", body(person, pass_to_case_id=target))
    assert status == 422
    assert answer["error"]["fields"] == {"pass_to_case_id": (
        "Choose an open case of this person in another team"
    )}  # fmt: skip
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Demand.id))) == before
    assert not notes_for(eleisha, "passed_to_you")


def test_a_demand_passed_to_a_case_awaiting_allocation_tells_its_teams_managers(
    practitioner, riverside
):
    boss = make_user(riverside, "manager")
    person = make_person(boss)
    waiting, _ = make_demand(person, boss)  # a manager's demand awaits allocation
    record_demand(
        db.session, person=person, team=practitioner.team, recorder=practitioner,
        received_on=clock.today(), source="GP", channel="phone", stated_need="Help",
        pass_to_case_id=waiting.case_id,
    )  # fmt: skip
    assert [n.case_id for n in notes_for(boss, "passed_to_you")] == [waiting.case_id]


def test_a_bad_pass_and_bad_details_are_named_together(practitioner, known_elsewhere):
    person, _ = known_elsewhere
    with pytest.raises(InvalidValue) as refused:
        record_demand(
            db.session, person=person, team=practitioner.team, recorder=practitioner,
            received_on=clock.today(), source="", channel="phone", stated_need="Help",
            pass_to_case_id=10**6,
        )  # fmt: skip
    assert set(refused.value.fields) == {"source", "pass_to_case_id"}


def test_a_first_case_with_someone_other_teams_know_starts_a_relationship(
    api, practitioner, known_elsewhere, eleisha
):
    person, case = known_elsewhere
    status, answer = api.post("/demands", body(person))
    assert status == 201
    [started] = events("relationship_started")
    assert (started.entity, started.person_id, started.user_id) == (
        "person", person.id, practitioner.id,
    )  # fmt: skip
    assert started.detail["known_to"] == ["Riverside"]
    assert started.detail["case_id"] == answer["case_id"]
    [note] = notes_for(eleisha, "relationship_started")
    assert note.case_id == case.id
    assert "North" in note.text and "stairs" not in note.text
    # A second demand joins the case: nothing new starts
    api.post("/demands", body(person))
    assert len(events("relationship_started")) == 1


def test_someone_known_to_nobody_else_starts_no_relationship(practitioner):
    make_demand(make_person(practitioner), practitioner)
    assert not events("relationship_started")


def test_a_closed_case_elsewhere_is_still_a_relationship_but_nobody_open_is_told(
    practitioner, known_elsewhere, eleisha
):
    person, case = known_elsewhere
    case.closed_on = clock.today()
    db.session.commit()
    make_demand(person, practitioner)
    assert len(events("relationship_started")) == 1
    assert not notes_for(eleisha, "relationship_started")


def test_the_relationship_is_in_the_persons_trail(client, practitioner, known_elsewhere, eleisha):
    from tests.conftest import login

    person, _ = known_elsewhere
    make_demand(person, practitioner)
    login(client, eleisha)
    page = " ".join(client.get(f"/people/{person.id}/audit").get_data(as_text=True).split())
    assert "Started working with the person in North" in page
