"""The working day through the API exactly as api.md names it: plans, the diary, plan_id on a
conversation, previous_case."""

from __future__ import annotations

from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation
from casework.diary.models import Plan
from casework.extensions import db
from casework.models import AuditEvent
from tests.api.conftest import Api, token_for
from tests.conftest import make_demand, make_person, make_team, make_user
from tests.diary.conftest import days


def plan(api, case, when, kind="visit", note="See how the rail is working"):
    return api.post(
        f"/cases/{case.id}/plans", {"due_on": when.isoformat(), "kind": kind, "note": note}
    )


def test_a_plan_is_made_for_today_or_later_and_is_audited(api, case, practitioner):
    status, body = plan(api, case, days(2))
    assert status == 201
    assert body["status"] == "planned" and body["id"]
    assert (body["case_id"], body["person_id"], body["owner_id"]) == (
        case.id, case.person_id, practitioner.id,
    )  # fmt: skip
    assert plan(api, case, clock.today(), kind="phone")[0] == 201
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "plan"))
    assert (event.action, event.entity_id, event.person_id, event.user_id) == (
        "create", body["id"], case.person_id, practitioner.id,
    )  # fmt: skip
    _, read = api.get(f"/cases/{case.id}")
    assert [p["kind"] for p in read["plans"]] == ["phone", "visit"]


def test_a_plan_in_the_past_or_of_an_unknown_kind_is_422_and_nothing_is_saved(api, case):
    status, body = plan(api, case, days(-1))
    assert status == 422 and "today or later" in body["error"]["fields"]["due_on"]
    status, body = plan(api, case, days(3), kind="séance")
    assert status == 422 and "kind" in body["error"]["fields"]
    status, body = plan(api, case, days(1000))
    assert status == 422 and "two years" in body["error"]["fields"]["due_on"]
    status, body = api.post(f"/cases/{case.id}/plans", {"kind": "visit"})
    assert status == 422 and "due_on" in body["error"]["fields"]
    status, body = api.post(f"/cases/{case.id}/plans", {"due_on": "2026-02-30", "kind": "visit"})
    assert status == 422
    assert db.session.scalar(select(Plan.id)) is None


def test_a_plan_on_a_closed_case_is_409(api, case, practitioner):
    close_case(
        db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
        summary="Better",
    )  # fmt: skip
    db.session.commit()
    status, body = plan(api, case, days(1))
    assert status == 409 and body["error"]["code"] == "already_closed"


def test_another_teams_case_is_refused_and_the_refusal_audited(client, case):
    stranger = make_user(make_team("South"))
    other = Api(client, token_for(stranger))
    status, _ = plan(other, case, days(1))
    assert status == 403
    assert db.session.scalar(select(Plan.id)) is None
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "refused"))
    assert refused.entity == "case" and refused.user_id == stranger.id


def test_a_conversation_with_plan_id_marks_the_plan_done(api, case):
    _, made = plan(api, case, clock.today())
    talk = {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Rail fitted"}
    status, conversation = api.post(
        f"/cases/{case.id}/conversations", {**talk, "plan_id": made["id"]}
    )
    assert status == 201 and conversation["plan_id"] == made["id"]
    _, read = api.get(f"/cases/{case.id}")
    assert read["plans"][0]["status"] == "done"
    assert read["plans"][0]["done_by_conversation_id"] == conversation["id"]
    assert read["conversations"][-1]["plan_id"] == made["id"]
    # Done already: a second conversation cannot fulfil it again, and is not saved.
    status, body = api.post(f"/cases/{case.id}/conversations", {**talk, "plan_id": made["id"]})
    assert status == 422 and "plan_id" in body["error"]["fields"]
    assert len(api.get(f"/cases/{case.id}")[1]["conversations"]) == 1
    audited = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.entity == "plan", AuditEvent.action == "update")
    ).all()
    assert audited == [
        {"case_id": case.id, "status": "done", "conversation_id": conversation["id"]}
    ]


def test_a_plan_of_another_case_or_none_at_all_is_422(api, case, practitioner):
    other, _ = make_demand(make_person(practitioner), practitioner)
    _, theirs = plan(api, other.case, days(1))
    talk = {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Hello"}
    for plan_id in (theirs["id"], 999_999):
        status, body = api.post(f"/cases/{case.id}/conversations", {**talk, "plan_id": plan_id})
        assert status == 422 and body["error"]["fields"]["plan_id"]
    assert api.get(f"/cases/{other.case_id}")[1]["plans"][0]["status"] == "planned"


def test_a_plan_is_cancelled_once_and_leaves_the_diary(api, case):
    _, made = plan(api, case, days(1))
    status, body = api.post(
        f"/plans/{made['id']}/cancel", {"reason": "Irene is away", "version": 99}
    )
    assert status == 409 and body["error"]["code"] == "stale_version"
    status, body = api.post(f"/plans/{made['id']}/cancel", {"reason": "Irene is away"})
    assert (
        status == 200 and body["status"] == "cancelled" and body["cancel_reason"] == "Irene is away"
    )
    assert api.post(f"/plans/{made['id']}/cancel", {})[0] == 409
    assert api.get("/diary")[1]["plans"] == []


def test_another_team_cannot_cancel_a_plan(client, api, case):
    _, made = plan(api, case, days(1))
    other = Api(client, token_for(make_user(make_team("South"))))
    assert other.post(f"/plans/{made['id']}/cancel", {})[0] == 403
    assert other.post("/plans/999999/cancel", {})[0] == 404
    assert api.get(f"/cases/{case.id}")[1]["plans"][0]["status"] == "planned"


def test_the_diary_lists_my_plans_and_actions_in_the_window_soonest_first(
    api, case, practitioner, team
):
    colleague = make_user(team)
    _, later = plan(api, case, days(5))
    _, today = plan(api, case, clock.today(), kind="phone")
    plan(api, case, days(30))  # outside the window
    Api(api.client, token_for(colleague)).post(  # in the colleague's diary, not mine
        f"/cases/{case.id}/plans", {"due_on": days(1).isoformat(), "kind": "visit"}
    )
    add_action(db.session, case, practitioner, description="Ring OT", by="team", due_on=days(2))
    add_action(db.session, case, practitioner, description="Theirs", by="team",
               assignee=colleague, due_on=days(2))  # fmt: skip
    add_action(db.session, case, practitioner, description="Undated", by="team")
    add_action(db.session, case, practitioner, description="Person's", by="person", due_on=days(1))
    db.session.commit()
    status, body = api.get(f"/diary?from={clock.today()}&to={days(7)}")
    assert status == 200
    assert [p["id"] for p in body["plans"]] == [today["id"], later["id"]]
    assert body["plans"][0]["overdue"] is False
    assert (
        body["plans"][0]["person_id"] == case.person_id and body["plans"][0]["case_id"] == case.id
    )
    assert [a["description"] for a in body["actions_due"]] == ["Ring OT"]
    assert body["actions_due"][0]["person_id"] == case.person_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "diary"))
    assert event.detail["person_ids"] == [case.person_id]


def test_overdue_plans_and_actions_show_whatever_the_window_and_say_so(
    api, case, practitioner, time_machine
):
    _, made = plan(api, case, clock.today())
    add_action(db.session, case, practitioner, description="Ring OT", by="team", due_on=days(0))
    db.session.commit()
    time_machine.move_to(clock.now() + __import__("datetime").timedelta(days=3))
    status, body = api.get(f"/diary?from={days(10)}&to={days(12)}")
    assert status == 200
    assert [(p["id"], p["overdue"]) for p in body["plans"]] == [(made["id"], True)]
    assert [a["overdue"] for a in body["actions_due"]] == [True]


def test_the_diary_refuses_a_backwards_or_overlong_window(api):
    status, body = api.get(f"/diary?from={days(5)}&to={days(1)}")
    assert status == 422 and "to" in body["error"]["fields"]
    assert api.get(f"/diary?from={days(0)}&to={days(400)}")[0] == 422
    assert api.get("/diary?from=yesterday")[0] == 422
    assert api.get("/diary?from=9999-12-31")[0] == 200


def test_someone_without_a_team_has_no_diary(client, admin_user):
    assert Api(client, token_for(admin_user)).get("/diary")[0] == 403


def test_a_recontact_case_carries_the_previous_case(api, case, practitioner):
    log_conversation(
        db.session, case, practitioner, held_on=clock.today(), kind="visit",
        what_matters="Staying in my own home",
    )  # fmt: skip
    add_action(db.session, case, practitioner, description="Grab rail", by="team")
    done = add_action(db.session, case, practitioner, description="Done one", by="person")
    done.status = "done"
    close_case(
        db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
        summary="Better",
    )  # fmt: skip
    db.session.commit()
    assert api.get(f"/cases/{case.id}")[1]["previous_case"] is None
    demand, route = make_demand(case.person, practitioner)
    assert route.kind == "same_worker"
    _, read = api.get(f"/cases/{demand.case_id}")
    previous = read["previous_case"]
    assert previous["id"] == case.id
    assert previous["what_matters"] == "Staying in my own home"
    assert [a["description"] for a in previous["open_actions"]] == ["Grab rail"]


def test_a_new_case_that_is_no_recontact_has_no_previous_case(api, case):
    assert api.get(f"/cases/{case.id}")[1]["previous_case"] is None


def test_a_closed_cases_plans_leave_the_diary(api, case, practitioner):
    plan(api, case, clock.today())
    assert len(api.get("/diary")[1]["plans"]) == 1
    close_case(
        db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
        summary="Better",
    )  # fmt: skip
    db.session.commit()
    assert api.get("/diary")[1]["plans"] == []
