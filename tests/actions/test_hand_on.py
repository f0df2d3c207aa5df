"""The manager's "needs a new owner" list of actions (issue 17, item 3): the open actions of
a colleague deactivated or moved to another team, handed on in bulk with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework import clock
from casework.admin.service import deactivate_user, update_user
from casework.cases.service import add_action
from casework.extensions import db
from casework.models import Action, AuditEvent, Case, Notification
from tests.conftest import login, make_demand, make_person, make_team, make_user


@pytest.fixture
def leaver(team):
    return make_user(team, name="Jo Leaver")


def team_action(owner, assignee, description="Ring the council") -> Action:
    person = make_person(owner)
    demand, _ = make_demand(person, owner, received_on=clock.today())
    case = db.session.get(Case, demand.case_id)
    made = add_action(
        db.session, case, owner, description=description, by="team", assignee=assignee
    )
    db.session.commit()
    return made


def listed(client) -> str:
    response = client.get("/team/actions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_deactivated_workers_open_actions_need_a_new_owner(client, practitioner, manager, leaver):
    theirs = team_action(practitioner, leaver, "Ring the council about the rail")
    done = team_action(practitioner, leaver, "Already done")
    done.status = "done"
    mine = team_action(practitioner, practitioner, "Still with a colleague who is here")
    db.session.commit()
    login(client, manager)
    assert "Ring the council about the rail" not in listed(client)
    deactivate_user(db.session, leaver, manager)
    db.session.commit()
    page = listed(client)
    assert "Ring the council about the rail" in page and "Deactivated" in page
    assert "Already done" not in page and mine.description not in page
    assert theirs.id


def test_a_worker_who_moved_team_has_departed_but_one_pulled_in_has_not(
    client, team, practitioner, manager, leaver, admin_user
):
    elsewhere = make_team("South", "usual")
    pulled_in = make_user(elsewhere, name="Pat Pulledin")
    team_action(practitioner, pulled_in, "Advice from South")
    team_action(practitioner, leaver, "Visit with Jo")
    update_user(
        db.session, leaver, name=leaver.name, role="practitioner", team=elsewhere, actor=admin_user
    )
    db.session.commit()
    login(client, manager)
    page = listed(client)
    assert "Visit with Jo" in page and "Left the team" in page
    assert "Advice from South" not in page


def test_the_team_page_links_to_the_list(client, manager):
    login(client, manager)
    assert "/team/actions" in client.get("/team").get_data(as_text=True)


def test_actions_are_handed_on_in_bulk_with_a_reason_audited_and_told(
    client, team, practitioner, manager, leaver
):
    first = team_action(practitioner, leaver, "First")
    second = team_action(practitioner, leaver, "Second")
    deactivate_user(db.session, leaver, manager)
    db.session.commit()
    login(client, manager)
    response = client.post(
        "/team/actions",
        data={
            "action_ids": [first.id, second.id],
            f"version-{first.id}": first.version,
            f"version-{second.id}": second.version,
            "new_assignee_id": practitioner.id,
            "reason": "Jo has left the service",
        },
    )
    assert response.status_code == 302
    assert "2 actions handed on to Eleisha Ward" in client.get("/team/actions").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert {db.session.get(Action, a.id).assignee_id for a in (first, second)} == {practitioner.id}
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "action", AuditEvent.action == "update")
    ).all()
    assert {e.detail["reason"] for e in events} == {"Jo has left the service"}
    assert {e.entity_id for e in events} == {first.id, second.id}
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == practitioner.id)
    ).all()
    assert kinds == ["action_assigned", "action_assigned"]  # one a case


def test_every_problem_is_shown_at_once_and_nothing_is_handed_on(
    client, practitioner, manager, leaver
):
    first = team_action(practitioner, leaver, "First of two")
    deactivate_user(db.session, leaver, manager)
    db.session.commit()
    login(client, manager)
    response = client.post(
        "/team/actions",
        data={"action_ids": [first.id], f"version-{first.id}": first.version - 1},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a reason for handing the actions on" in page
    assert "Choose who will do the actions" in page
    assert "First of two: someone changed it since you opened this page" in page
    db.session.expire_all()
    assert db.session.get(Action, first.id).assignee_id == leaver.id


def test_nothing_chosen_says_so(client, manager):
    login(client, manager)
    response = client.post("/team/actions", data={"reason": "Why", "new_assignee_id": manager.id})
    assert response.status_code == 422
    assert "Choose at least one action" in response.get_data(as_text=True)


def test_another_teams_action_cannot_be_handed_on(client, practitioner, manager, leaver):
    south = make_team("South", "usual")
    south_worker = make_user(south)
    theirs = team_action(south_worker, south_worker, "South's own")
    login(client, manager)
    response = client.post(
        "/team/actions",
        data={"action_ids": [theirs.id], "new_assignee_id": practitioner.id, "reason": "Mine"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Action, theirs.id).assignee_id == south_worker.id


def test_only_the_teams_manager_sees_the_list(client, practitioner):
    login(client, practitioner)
    response = client.get("/team/actions")
    assert response.status_code == 403
    assert "Only the team&#39;s manager hands on" in response.get_data(as_text=True)
