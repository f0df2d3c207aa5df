"""The transfers API as api.md names it: bad input, access, and what each answer changes."""

from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Case, Transfer
from tests.conftest import make_team, make_user


def asked(api, case, **body):
    body = {"to_team": "South", "reason": "Moved in with her sister"} | body
    return api.post(f"/cases/{case.id}/transfers", body)


def test_request_list_and_accept(api, api_as, case, south, south_manager, south_worker):
    status, body = asked(api, case, to_owner_id=south_worker.id)
    assert status == 201, body
    assert body["status"] == "pending"
    assert (body["case_id"], body["from_team"], body["to_team"]) == (case.id, "North", "South")
    assert body["reason"] == "Moved in with her sister"
    assert body["person_name"] == "Irene Thomas"
    receiving = api_as(south_manager)
    status, listed = receiving.get("/transfers?status=pending")
    assert status == 200
    assert [t["id"] for t in listed["results"]] == [body["id"]]
    status, accepted = receiving.post(
        f"/transfers/{body['id']}/accept", {"owner_id": south_worker.id}
    )
    assert status == 200, accepted
    assert accepted["status"] == "accepted"
    new_case_id = accepted["new_case_id"]
    status, old = api.get(f"/cases/{case.id}")
    assert old["status"] == "closed" and old["closure"]["outcome"] == "transferred"
    status, new = api_as(south_worker).get(f"/cases/{new_case_id}")
    assert status == 200
    assert new["transferred_from_case_id"] == case.id and new["owner_id"] == south_worker.id
    assert new["what_matters"] == "To see my sister in Southby"
    assert [a["description"] for a in new["actions"]] == ["Ring the housing office"]
    # the sender's list shows it too, answered
    status, sent = api.get("/transfers?status=accepted")
    assert [t["new_case_id"] for t in sent["results"]] == [new_case_id]


def test_the_named_worker_may_answer(api, api_as, case, south, south_worker):
    _, body = asked(api, case, to_owner_id=south_worker.id)
    status, answer = api_as(south_worker).post(
        f"/transfers/{body['id']}/decline", {"reason": "I am not the right person"}
    )
    assert status == 200 and answer["status"] == "declined"
    assert answer["answer_reason"] == "I am not the right person"
    assert db.session.get(Case, case.id).is_open


def test_bad_requests_change_nothing(api, case, south, manager):
    cases = [
        ({"reason": ""}, 422, "reason"),
        ({"reason": None}, 422, "reason"),
        ({"to_team": "Nowhere"}, 422, "to_team"),
        ({"to_team": "North"}, 422, "to_team"),
        ({"to_owner_id": manager.id}, 422, "to_owner_id"),
        ({"to_owner_id": 999999}, 422, "to_owner_id"),
        ({"to_team": 7}, 422, "to_team"),
    ]
    for change, code, field in cases:
        status, body = asked(api, case, **change)
        assert status == code, (change, body)
        assert field in body["error"]["fields"], (change, body)
    status, body = api.post(f"/cases/{case.id}/transfers", {"reason": "Missing team"})
    assert status == 422 and "to_team" in body["error"]["fields"]
    assert db.session.scalar(select(Transfer)) is None


def test_a_second_request_and_a_closed_case_are_conflicts(api, case, south):
    assert asked(api, case)[0] == 201
    status, body = asked(api, case)
    assert status == 409 and body["error"]["code"] == "transfer_pending"
    status, body = api.post(
        f"/cases/{case.id}/close", {"agreed_with_person": True, "agreement_note": "At home"}
    )
    assert status == 409  # the case waits for South's answer


def test_a_closed_case_cannot_be_transferred(api, case, south):
    api.post(f"/cases/{case.id}/close", {"agreed_with_person": True, "agreement_note": "Ok"})
    status, body = asked(api, case)
    assert status == 409 and body["error"]["code"] == "already_closed"


def test_only_the_owner_or_a_manager_of_its_team_may_ask(api_as, case, team, south, manager):
    colleague = make_user(team)
    status, _ = asked(api_as(colleague), case)
    assert status == 403
    assert asked(api_as(manager), case)[0] == 201


def test_another_team_may_not_ask(api_as, case, south, south_manager):
    status, _ = asked(api_as(south_manager), case)
    assert status == 403


def test_only_the_receiving_managers_or_named_worker_answer(
    api, api_as, case, manager, south, south_manager, south_worker
):
    _, body = asked(api, case)
    path = f"/transfers/{body['id']}"
    outsider = make_user(make_team("West"), "manager")
    for who in (api, api_as(manager), api_as(south_worker), api_as(outsider)):
        assert who.post(f"{path}/accept", {"owner_id": south_worker.id})[0] == 403
        assert who.post(f"{path}/decline", {"reason": "No"})[0] == 403
    assert api_as(outsider).get(path)[0] == 403
    assert api_as(outsider).get("/transfers")[1]["results"] == []
    assert db.session.get(Transfer, body["id"]).status == "pending"
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "refused", AuditEvent.entity == "transfer")
    ).all()
    assert refused


def test_accepting_twice_and_a_wrong_owner(api, api_as, case, manager, south, south_manager):
    _, body = asked(api, case)
    receiving = api_as(south_manager)
    path = f"/transfers/{body['id']}"
    status, refused = receiving.post(f"{path}/accept", {"owner_id": manager.id})
    assert status == 422 and "owner_id" in refused["error"]["fields"]
    assert receiving.post(f"{path}/accept", {})[0] == 422
    assert db.session.get(Case, case.id).is_open
    assert receiving.post(f"{path}/accept", {"owner_id": south_manager.id})[0] == 200
    status, again = receiving.post(f"{path}/accept", {"owner_id": south_manager.id})
    assert status == 409 and again["error"]["code"] == "transfer_answered"
    assert receiving.post(f"{path}/decline", {"reason": "Changed my mind"})[0] == 409
    assert db.session.scalar(select(db.func.count(Case.id))) == 2


def test_a_decline_needs_a_reason(api, api_as, case, south, south_manager):
    _, body = asked(api, case)
    status, refused = api_as(south_manager).post(f"/transfers/{body['id']}/decline", {})
    assert status == 422 and "reason" in refused["error"]["fields"]
    assert db.session.get(Transfer, body["id"]).status == "pending"


def test_the_receiving_team_cannot_read_the_case_before_accepting(
    api, api_as, case, south, south_manager
):
    asked(api, case)
    status, _ = api_as(south_manager).get(f"/cases/{case.id}")
    assert status == 403


def test_the_list_and_a_read_are_audited(api, api_as, case, south, south_manager):
    _, body = asked(api, case)
    api_as(south_manager).get("/transfers")
    api_as(south_manager).get(f"/transfers/{body['id']}")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert any(e.entity == "transfer_list" for e in events)
    assert any(e.entity == "transfer" and e.person_id == case.person_id for e in events)


def test_a_bad_status_filter_is_refused(api):
    status, body = api.get("/transfers?status=lost")
    assert status == 422 and "status" in body["error"]["fields"]
