"""Two people editing the same thing: the second save, made from an out-of-date page, is
refused (409); the page shows the other person's change, keeps what was typed, and saving
again from it replaces theirs. Every editable thing, on the web and through the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from casework import clock
from casework.cases import service
from casework.extensions import db
from casework.models import Action, Case, Conversation, Person
from tests.api.conftest import token_for
from tests.conftest import login, make_demand, make_person, make_user

MINE = "Typed by me while they were saving"


@pytest.fixture
def colleague(team):
    return make_user(team, "practitioner", name="Colin Colleague")


@pytest.fixture
def other(team):
    return make_user(team, "practitioner", name="Olu Other")


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(
        make_person(practitioner), practitioner, clock.today() - dt.timedelta(days=5)
    )
    return demand.case


@pytest.fixture
def action(case, practitioner):
    made = service.add_action(db.session, case, practitioner, description="Rail", by="team")
    db.session.commit()
    return made


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def refused_then_saved(client, url: str, data: dict, *, version_field: str, theirs: list[str]):
    """Post from the stale page: 409 showing theirs and keeping mine; then save again."""
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:2000]
    assert "There is a problem" in page
    for text in theirs:
        assert text in page, text
    assert MINE in page  # what was typed, kept in the form
    found = re.search(rf'name="{re.escape(version_field)}" type="hidden" value="(\d+)"', page)
    assert found, "the refusal page carries the version it shows"
    return client.post(url, data={**data, version_field: found.group(1)})


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# On the web


def test_case_details(client, practitioner, other, case):
    read = case.version
    service.record_referral_judgement(
        db.session, case, other, referral_match="no", real_problem="Theirs: grief", version=read
    )
    db.session.commit()
    login(client, practitioner)
    data = {
        "referral-version": read,
        "referral-referral_match": "partly",
        "referral-real_problem": MINE,
    }
    again = refused_then_saved(
        client,
        f"/cases/{case.id}/referral",
        data,
        version_field="referral-version",
        theirs=["The saved version now says", "Theirs: grief", "Someone else changed this case"],
    )
    assert again.status_code == 302
    assert reload(Case, case.id).real_problem == MINE


def test_an_action(client, practitioner, other, action):
    read = action.version
    service.update_action(db.session, action, other, status="done", outcome="Theirs: fitted")
    db.session.commit()
    login(client, practitioner)
    response = client.post(
        f"/actions/{action.id}", data={"version": read, "status": "dropped", "outcome": MINE}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The saved action now says" in page and "Theirs: fitted" in page
    assert "Changed by Olu Other" in page
    assert reload(Action, action.id).outcome == "Theirs: fitted"
    again = refused_then_saved(
        client,
        f"/actions/{action.id}",
        {"version": read, "status": "dropped", "outcome": MINE},
        version_field="version",
        theirs=["Theirs: fitted"],
    )
    assert again.status_code == 302
    assert reload(Action, action.id).status == "dropped"


def test_the_owner(client, manager, other, colleague, case):
    read = case.version
    service.change_owner(
        db.session, case, other, new_owner=other, reason="Theirs: I know her", version=read
    )
    db.session.commit()
    login(client, manager)
    again = refused_then_saved(
        client,
        f"/cases/{case.id}/owner",
        {"version": read, "owner_id": colleague.id, "reason": MINE},
        version_field="version",
        theirs=["The saved case now says", "Owner: Olu Other", "Theirs: I know her"],
    )
    assert reload(Case, case.id).owner_id == colleague.id
    assert again.status_code == 302


def closure(version, note=MINE) -> dict:
    return {
        "version": version,
        "agreed_with_person": "y",
        "agreement_note": note,
        "summary": "Back to choir",
        **date_fields("closed_on", clock.today()),
    }


def test_the_closure_after_another_change(client, practitioner, other, case):
    read = case.version
    service.record_referral_judgement(
        db.session, case, other, referral_match="no", real_problem="Theirs: grief", version=None
    )
    db.session.commit()
    login(client, practitioner)
    again = refused_then_saved(
        client,
        f"/cases/{case.id}/close",
        closure(read),
        version_field="version",
        theirs=["The saved case now says", "Theirs: grief"],
    )
    assert again.status_code == 302
    assert reload(Case, case.id).closure_agreement_note == MINE


def test_the_closure_when_someone_else_closed_it_first(client, practitioner, manager, case):
    read = case.version
    service.close_case(
        db.session,
        case,
        manager,
        agreed_with_person=True,
        agreement_note="Theirs: agreed at home",
        summary="Theirs: walking again",
    )
    db.session.commit()
    login(client, practitioner)
    response = client.post(f"/cases/{case.id}/close", data=closure(read))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"This case was closed on {clock.today().day}" in page and "by Morgan Manager" in page
    assert "Theirs: agreed at home" in page and "Theirs: walking again" in page
    assert MINE in page
    assert reload(Case, case.id).closure_agreement_note == "Theirs: agreed at home"
    assert client.get(f"/cases/{case.id}/close").status_code == 302  # nothing left to close


def test_a_conversation_typed_while_the_case_was_closed_is_kept_and_says_why(
    client, practitioner, manager, case
):
    service.close_case(
        db.session, case, manager, agreed_with_person=True, agreement_note="Agreed", summary="OK"
    )
    db.session.commit()
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/conversations/new",
        data={**date_fields("held_on", clock.today()), "kind": "visit", "notes": MINE},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    # the reason, not a silent refusal
    assert f"This case was closed on {clock.today().day}" in page
    assert MINE in page


def test_an_action_typed_while_the_case_was_closed_is_kept_and_says_why(
    client, practitioner, manager, case
):
    """Agreed in one tab after another tab (or a colleague) closed the case: the reason in
    the error summary and the words typed still in the form, not a bare 422."""
    service.close_case(
        db.session, case, manager, agreed_with_person=True, agreement_note="Agreed", summary="OK"
    )
    db.session.commit()
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/actions",
        data={"action-description": MINE, "action-by": "person"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page
    assert f"This case was closed on {clock.today().day}" in page
    assert MINE in page
    assert db.session.scalar(db.select(Action.id).where(Action.case_id == case.id)) is None


def test_a_persons_details(client, practitioner, other, case):
    person = case.person
    read = person.version
    from casework.people.service import update_person

    theirs = {"given_name": person.given_name, "family_name": person.family_name}
    update_person(db.session, other, person, {**theirs, "phone": "01632 960111"}, version=read)
    db.session.commit()
    login(client, practitioner)
    again = refused_then_saved(
        client,
        f"/people/{person.id}/edit",
        {**theirs, "version": read, "preferred_contact": MINE},
        version_field="version",
        theirs=["The saved details now say", "01632 960111"],
    )
    assert again.status_code == 302
    assert reload(Person, person.id).preferred_contact == MINE


def test_what_matters_is_never_overwritten_two_statements_are_both_kept(
    client, practitioner, other, case
):
    """What matters is said in conversations, never edited: two at once are both kept."""
    login(client, practitioner)
    for who, words in ((other, "Theirs: choir"), (practitioner, MINE)):
        service.log_conversation(
            db.session, case, who, held_on=clock.today(), kind="visit", what_matters=words
        )
        db.session.commit()
    statements = db.session.scalars(
        db.select(Conversation.what_matters).where(Conversation.case_id == case.id)
    ).all()
    assert sorted(statements) == sorted(["Theirs: choir", MINE])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Theirs: choir" in page and MINE in page


def test_a_team_allocation_from_a_stale_team_page(client, manager, other, colleague, case):
    read = case.version
    service.change_owner(db.session, case, other, new_owner=other, reason="Theirs", version=read)
    db.session.commit()
    login(client, manager)
    response = client.post(
        "/team",
        data={
            "case_ids": [case.id],
            f"version-{case.id}": read,
            "owner_id": colleague.id,
            "reason": MINE,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this case" in page and MINE in page
    assert "The cases you chose, as they are now" in page and "Olu Other" in page
    assert reload(Case, case.id).owner_id == other.id
    again = re.search(rf'name="version-{case.id}" value="(\d+)"', page)
    response = client.post(
        "/team",
        data={
            "case_ids": [case.id],
            f"version-{case.id}": again.group(1),
            "owner_id": colleague.id,
            "reason": MINE,
        },
    )
    assert response.status_code == 302
    assert reload(Case, case.id).owner_id == colleague.id


# Through the API: `version` is required on PATCH /cases, optional elsewhere, and checked
# whenever it is sent.


@pytest.fixture
def api_as(client):
    def make(user):
        token = token_for(user)

        def call(method, path, body):
            response = client.open(
                "/api/v1" + path,
                method=method,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            return response.status_code, response.get_json()

        return call

    return make


@pytest.fixture
def api(api_as, practitioner):
    return api_as(practitioner)


def stale(status, body, current_check):
    assert status == 409, body
    assert body["error"]["code"] == "stale_version"
    assert "Someone else changed" in body["error"]["message"]
    assert current_check(body["error"]["current"]), body["error"]["current"]


def test_api_case_details(api, other, case):
    read = case.version
    service.record_referral_judgement(
        db.session, case, other, referral_match="no", real_problem="Theirs", version=read
    )
    db.session.commit()
    stale(
        *api("PATCH", f"/cases/{case.id}", {"real_problem": MINE, "version": read}),
        lambda current: current["real_problem"] == "Theirs",
    )
    assert reload(Case, case.id).real_problem == "Theirs"
    status, body = api("PATCH", f"/cases/{case.id}", {"real_problem": MINE, "version": read + 1})
    assert status == 200 and body["real_problem"] == MINE


def test_api_action(api, other, action):
    read = action.version
    service.update_action(db.session, action, other, status="done", outcome="Theirs")
    db.session.commit()
    mine = {"status": "dropped", "outcome": MINE, "version": read}
    stale(
        *api("PATCH", f"/actions/{action.id}", mine),
        lambda current: current["outcome"] == "Theirs" and current["status"] == "done",
    )
    assert reload(Action, action.id).outcome == "Theirs"
    # Without a version the contract keeps the old behaviour: the change is made.
    status, body = api("PATCH", f"/actions/{action.id}", {"status": "dropped", "outcome": MINE})
    assert status == 200 and body["outcome"] == MINE


def test_api_owner(api_as, manager, other, colleague, case):
    api = api_as(manager)
    read = case.version
    service.change_owner(db.session, case, other, new_owner=other, reason="Theirs", version=read)
    db.session.commit()
    body = {"owner_id": colleague.id, "reason": MINE, "version": read}
    stale(
        *api("POST", f"/cases/{case.id}/owner", body),
        lambda current: current["owner_id"] == other.id,
    )
    assert reload(Case, case.id).owner_id == other.id


def test_api_closure(api, other, case):
    read = case.version
    service.record_referral_judgement(
        db.session, case, other, referral_match="no", real_problem="Theirs", version=None
    )
    db.session.commit()
    body = {"agreed_with_person": True, "agreement_note": MINE, "version": read}
    stale(
        *api("POST", f"/cases/{case.id}/close", body),
        lambda current: current["closed_on"] is None and current["real_problem"] == "Theirs",
    )
    assert reload(Case, case.id).closed_on is None
    status, closed = api("POST", f"/cases/{case.id}/close", {**body, "version": read + 1})
    assert status == 200 and closed["closed_on"] == clock.today().isoformat()
