"""Actions that change (issue 17, item 3): reworded, re-dated, handed to a colleague, with
the version check; the due-date rule on creating and changing; the colleague told."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action
from casework.extensions import db
from casework.models import Action, AuditEvent, Case, Notification
from casework.rules import years_ahead
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_demand, make_person, make_team, make_user


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def case(practitioner) -> Case:
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner, received_on=clock.today() - days(5))
    return db.session.get(Case, demand.case_id)


@pytest.fixture
def action(case, practitioner) -> Action:
    made = add_action(
        db.session, case, practitioner, description="Ring the council about the rail", by="team"
    )
    db.session.commit()
    return made


def told(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def fresh(action_id: int) -> Action:
    db.session.expire_all()
    return db.session.get(Action, action_id)


# The API ----------------------------------------------------------------------------------


def test_an_action_is_reworded_re_dated_and_handed_on_through_the_api(
    api, action, team, practitioner
):
    colleague = make_user(team, name="Sam Colleague")
    due = clock.today() + days(14)
    status, body = api.patch(
        f"/actions/{action.id}",
        {
            "description": "Ring the council about the rail and the ramp",
            "due_on": due.isoformat(),
            "assignee_id": colleague.id,
            "version": action.version,
        },
    )
    assert status == 200, body
    assert body["description"] == "Ring the council about the rail and the ramp"
    assert body["due_on"] == due.isoformat()
    assert body["assignee_id"] == colleague.id
    assert body["version"] == action.version + 1
    assert body["entered_in_error"] is None
    (note,) = told(colleague)
    assert note.kind == "action_assigned" and note.case_id == action.case_id
    assert "rail" not in note.text  # what happened and where, never the care itself
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "action", AuditEvent.action == "update")
    ).one()
    assert event.detail["before"]["assignee"] == practitioner.id
    assert event.detail["after"]["assignee"] == colleague.id
    assert event.detail["after"]["due_on"] == due.isoformat()


def test_a_stale_version_is_409_and_nothing_changes(api, action):
    version = action.version
    assert (
        api.patch(f"/actions/{action.id}", {"description": "First", "version": version})[0] == 200
    )
    status, body = api.patch(f"/actions/{action.id}", {"description": "Second", "version": version})
    assert status == 409 and body["error"]["code"] == "stale_version"
    assert fresh(action.id).description == "First"


@pytest.mark.parametrize("due", ["1800-01-01", "2099-12-31"])
def test_due_dates_of_1800_or_2099_are_refused_when_agreed_or_changed(api, case, action, due):
    status, body = api.post(
        f"/cases/{case.id}/actions", {"description": "X", "by": "person", "due_on": due}
    )
    assert status == 422 and "due_on" in body["error"]["fields"]
    status, body = api.patch(f"/actions/{action.id}", {"due_on": due})
    assert status == 422 and "ten years" in body["error"]["fields"]["due_on"]
    assert fresh(action.id).due_on is None
    assert len(db.session.get(Case, case.id).actions) == 1


def test_the_due_date_window_runs_from_a_month_before_opening_to_ten_years_ahead(api, case, action):
    earliest = case.opened_on - days(30)
    latest = years_ahead(clock.today(), 10)
    for good in (earliest, latest):
        assert api.patch(f"/actions/{action.id}", {"due_on": good.isoformat()})[0] == 200
    for bad in (earliest - days(1), latest + days(1)):
        status, body = api.patch(f"/actions/{action.id}", {"due_on": bad.isoformat()})
        assert status == 422, body
    assert api.patch(f"/actions/{action.id}", {"due_on": None})[0] == 200
    assert fresh(action.id).due_on is None


def test_a_date_already_outside_the_window_does_not_block_other_changes(api, action):
    action.due_on = dt.date(1800, 1, 1)  # kept from before the rule
    db.session.commit()
    assert api.patch(f"/actions/{action.id}", {"description": "Reworded"})[0] == 200


def test_the_persons_own_action_has_no_named_colleague(api, case, team):
    made = add_action(db.session, case, case.owner, description="Ask her son", by="person")
    db.session.commit()
    colleague = make_user(team)
    status, body = api.patch(f"/actions/{made.id}", {"assignee_id": colleague.id})
    assert status == 422 and "assignee_id" in body["error"]["fields"]


def test_an_inactive_or_unknown_colleague_is_refused(api, action, team, manager):
    from casework.admin.service import deactivate_user

    gone = make_user(team)
    deactivate_user(db.session, gone, manager)
    db.session.commit()
    status, body = api.patch(f"/actions/{action.id}", {"assignee_id": gone.id})
    assert status == 422 and body["error"]["fields"]["assignee_id"] == "Choose an active colleague"
    status, body = api.patch(f"/actions/{action.id}", {"assignee_id": 999999})
    assert status == 422 and "assignee_id" in body["error"]["fields"]
    assert fresh(action.id).assignee_id == action.assignee_id


def test_an_empty_description_is_refused(api, action):
    status, body = api.patch(f"/actions/{action.id}", {"description": "   "})
    assert status == 422 and body["error"]["fields"]["description"] == "Describe the action"


def test_another_team_cannot_change_an_action(client, action):
    stranger = make_user(make_team("South", "usual"))
    status, _ = Api(client, token_for(stranger)).patch(
        f"/actions/{action.id}", {"description": "Mine now"}
    )
    assert status == 403
    assert fresh(action.id).description == "Ring the council about the rail"


def test_sending_null_for_the_colleague_gives_a_team_action_to_the_case_owner(
    api, action, team, practitioner
):
    colleague = make_user(team)
    api.patch(f"/actions/{action.id}", {"assignee_id": colleague.id})
    status, body = api.patch(f"/actions/{action.id}", {"assignee_id": None})
    assert status == 200 and body["assignee_id"] == practitioner.id


# The pages --------------------------------------------------------------------------------


def test_the_case_page_offers_to_change_an_action(client, practitioner, action):
    login(client, practitioner)
    page = client.get(f"/cases/{action.case_id}").get_data(as_text=True)
    assert f"/actions/{action.id}/edit" in page
    assert f"/actions/{action.id}/entered-in-error" in page


def test_an_action_is_changed_from_its_page(client, practitioner, action, team):
    colleague = make_user(team, name="Sam Colleague")
    login(client, practitioner)
    page = client.get(f"/actions/{action.id}/edit")
    assert page.status_code == 200 and "Sam Colleague" in page.get_data(as_text=True)
    due = clock.today() + days(7)
    response = client.post(
        f"/actions/{action.id}/edit",
        data={
            "version": action.version,
            "description": "Ring the council today",
            "due_on[day]": due.day,
            "due_on[month]": due.month,
            "due_on[year]": due.year,
            "assignee_id": colleague.id,
        },
    )
    assert response.status_code == 302
    changed = fresh(action.id)
    assert (changed.description, changed.due_on, changed.assignee_id) == (
        "Ring the council today",
        due,
        colleague.id,
    )
    assert [n.kind for n in told(colleague)] == ["action_assigned"]


def test_a_conflict_keeps_what_was_typed_and_says_so_plainly(client, practitioner, action, api):
    login(client, practitioner)
    version = action.version
    api.patch(f"/actions/{action.id}", {"description": "Changed by a colleague"})
    response = client.post(
        f"/actions/{action.id}/edit",
        data={"version": version, "description": "My careful rewording", "assignee_id": 0},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My careful rewording" in page  # kept
    assert "Someone else changed this action" in page
    assert "Changed by a colleague" in page  # what they saved, shown
    assert fresh(action.id).description == "Changed by a colleague"


def test_a_bad_due_date_on_the_page_is_explained_and_the_typing_kept(client, practitioner, action):
    login(client, practitioner)
    response = client.post(
        f"/actions/{action.id}/edit",
        data={
            "version": action.version,
            "description": "Reworded",
            "due_on[day]": "1",
            "due_on[month]": "1",
            "due_on[year]": "1800",
            "assignee_id": 0,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a due date between" in page and "Reworded" in page and "1800" in page
    assert fresh(action.id).description == "Ring the council about the rail"


def test_agreeing_an_action_due_in_1800_on_the_case_page_is_refused(client, practitioner, case):
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/actions",
        data={
            "action-description": "Fit a rail",
            "action-by": "person",
            "action-due_on[day]": "1",
            "action-due_on[month]": "1",
            "action-due_on[year]": "1800",
        },
    )
    assert response.status_code == 422
    assert "Enter a due date between" in response.get_data(as_text=True)


def test_an_action_whose_colleague_has_gone_can_still_be_reworded(api, action, team, manager):
    from casework.admin.service import deactivate_user

    gone = make_user(team)
    api.patch(f"/actions/{action.id}", {"assignee_id": gone.id})
    deactivate_user(db.session, gone, manager)
    db.session.commit()
    status, body = api.patch(
        f"/actions/{action.id}", {"description": "Reworded", "assignee_id": gone.id}
    )
    assert status == 200, body
    assert body["assignee_id"] == gone.id
