"""The barriers API: the same rules as the pages, in api.md's shapes and errors."""

from __future__ import annotations

import pytest

from casework.barriers import service
from casework.extensions import db
from casework.models import AuditEvent
from tests.api.conftest import Api, token_for
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.fixture
def api(client, practitioner):
    return Api(client, token_for(practitioner))


@pytest.fixture
def manager_api(client, manager):
    return Api(client, token_for(manager))


def test_raise_link_list_and_read(api, practitioner):
    status, barrier = api.post(
        "/barriers", {"title": "Alarm needs its own assessment", "kind": "handoff"}
    )
    assert status == 201 and barrier["status"] == "raised" and barrier["cases"] == 0
    demand, _ = make_demand(make_person(practitioner), practitioner)
    status, link = api.post(
        f"/barriers/{barrier['id']}/cases", {"case_id": demand.case_id, "cost": "Waited"}
    )
    assert status == 201 and link["case_id"] == demand.case_id and link["cost"] == "Waited"
    status, again = api.post(
        f"/barriers/{barrier['id']}/cases", {"case_id": demand.case_id, "cost": "Waited"}
    )
    assert status == 409 and again["error"]["code"] == "already_recorded"
    status, listed = api.get("/barriers")
    assert status == 200 and [(b["id"], b["cases"]) for b in listed["results"]] == [
        (barrier["id"], 1)
    ]
    status, read = api.get(f"/barriers/{barrier['id']}")
    assert read["links"][0]["cost"] == "Waited"
    assert [m["to_status"] for m in read["history"]] == ["raised"]
    assert db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "barrier", AuditEvent.action == "view")
    ).one().detail["person_ids"] == [demand.person_id]


def test_bad_input_is_refused_field_by_field(api):
    status, body = api.post("/barriers", {"title": "x" * 201, "kind": "nonsense", "extra": 1})
    assert status == 422
    assert set(body["error"]["fields"]) == {"title", "kind", "extra"}
    status, body = api.post("/barriers", {"title": "  ", "kind": "rule"})
    assert status == 422 and "title" in body["error"]["fields"]
    status, body = api.get("/barriers", query_string={"status": "gone"})
    assert status == 422 and "status" in body["error"]["fields"]


def test_only_managers_move_and_a_stale_version_is_409(api, manager_api, practitioner):
    barrier = service.create_barrier(
        db.session, practitioner.team, practitioner, title="Form", kind="form"
    )
    db.session.commit()
    move = {"status": "with_leader", "version": barrier.version}
    status, _ = api.post(f"/barriers/{barrier.id}/status", move)
    assert status == 403
    status, moved = manager_api.post(f"/barriers/{barrier.id}/status", move)
    assert status == 200 and moved["status"] == "with_leader"
    status, stale = manager_api.post(f"/barriers/{barrier.id}/status", move)
    assert status == 409 and stale["error"]["code"] == "stale_version"
    assert stale["error"]["current"]["status"] == "with_leader"
    status, body = manager_api.post(
        f"/barriers/{barrier.id}/status", {"status": "removed", "version": moved["version"]}
    )
    assert status == 422 and body["error"]["fields"] == {
        "reason": "Say why the barrier was removed"
    }
    status, body = manager_api.post(
        f"/barriers/{barrier.id}/status", {"status": "with_leader", "version": moved["version"]}
    )
    assert status == 409 and body["error"]["code"] == "not_allowed_move"


def test_another_teams_barrier_and_case_are_refused(api, practitioner):
    south = make_user(make_team("South"))
    theirs = service.create_barrier(db.session, south.team, south, title="Theirs", kind="rule")
    db.session.commit()
    demand, _ = make_demand(make_person(south), south)
    assert api.get(f"/barriers/{theirs.id}")[0] == 403
    assert api.post(f"/barriers/{theirs.id}/cases", {"case_id": 1, "cost": "x"})[0] == 403
    ours = service.create_barrier(
        db.session, practitioner.team, practitioner, title="Ours", kind="rule"
    )
    db.session.commit()
    status, _ = api.post(f"/barriers/{ours.id}/cases", {"case_id": demand.case_id, "cost": "x"})
    assert status == 403
    status, body = api.post(f"/barriers/{ours.id}/cases", {"case_id": 2**31 - 1, "cost": "x"})
    assert status == 422 and body["error"]["fields"] == {"case_id": f"There is no case {2**31 - 1}"}
    assert [b["title"] for b in api.get("/barriers")[1]["results"]] == ["Ours"]
