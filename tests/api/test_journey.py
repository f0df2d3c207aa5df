"""The brief's journey through the API alone: a person with an earlier referral, a new demand,
a second one joining the open case, conversations, actions, a stale edit, closure refused
then agreed, re-contact back to the same worker, and a change of owner with a reason."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import make_user


def ago(days: int) -> str:
    return (clock.today() - dt.timedelta(days=days)).isoformat()


def demand(person_id: int, days_ago: int, need: str, **extra) -> dict:
    return {
        "person_id": person_id,
        "received_on": ago(days_ago),
        "source": "GP",
        "channel": "phone",
        "stated_need": need,
        "kind": "failure",
        **extra,
    }


def test_the_whole_journey_through_the_api(api_as, team, practitioner, manager):
    eleisha = api_as(practitioner)
    morgan = api_as(manager)
    colleague = make_user(team, name="Sam Okafor")

    # A person, registered once; the same NHS number again is refused with the existing id.
    status, irene = eleisha.post(
        "/people",
        {
            "given_name": "Irene",
            "family_name": "Thomas",
            "date_of_birth": "1958-03-14",
            "nhs_number": "943 476 5919",
            "preferred_contact": "Phone in the morning; her daughter Jo helps",
        },
    )
    assert status == 201, irene
    assert irene["nhs_number"] == "9434765919"
    assert irene["possible_duplicates"] == []
    status, body = eleisha.post(
        "/people", {"given_name": "I", "family_name": "T", "nhs_number": "9434765919"}
    )
    assert status == 409
    assert body["error"]["code"] == "duplicate_nhs_number"
    assert body["error"]["existing_id"] == irene["id"]

    # An earlier referral, two years ago, logged by the manager: awaiting allocation,
    # and closed by agreement back then.
    status, old = morgan.post("/demands", demand(irene["id"], 800, "Wrist splint review"))
    assert status == 201, old
    assert (old["routed_by"], old["case_owner_id"], old["is_repeat"]) == ("new_case", None, False)
    status, closed = morgan.post(
        f"/cases/{old['case_id']}/close",
        {
            "agreed_with_person": True,
            "agreement_note": "Agreed on the phone",
            "closed_on": ago(790),
        },
    )
    assert status == 200, closed

    # A new demand: a new case, owned by the practitioner who records it.
    status, first = eleisha.post("/demands", demand(irene["id"], 30, "Falls at home"))
    assert status == 201, first
    assert first["routed_by"] == "new_case"
    assert first["case_owner_id"] == practitioner.id
    assert first["is_repeat"] is False  # the earlier one is outside the look-back
    case_id = first["case_id"]

    # A second demand joins the open case, and is a repeat.
    status, second = eleisha.post(
        "/demands", demand(irene["id"], 20, "Cannot cook", source="Social care", channel="email")
    )
    assert status == 201
    assert (second["case_id"], second["routed_by"], second["is_repeat"]) == (
        case_id,
        "open_case",
        True,
    )

    status, person = eleisha.get(f"/people/{irene['id']}")
    assert status == 200
    assert [d["id"] for d in person["demands"]] == [old["id"], first["id"], second["id"]]
    assert [(c["id"], c["status"]) for c in person["cases"]] == [
        (old["case_id"], "closed"),
        (case_id, "open"),
    ]

    # Conversations: the latest what-matters statement is the current one; history kept.
    for held, words in ((15, "Getting dressed by myself"), (10, "Cooking my own tea again")):
        status, conversation = eleisha.post(
            f"/cases/{case_id}/conversations",
            {
                "held_on": ago(held),
                "kind": "visit",
                "with_whom": "Irene and her daughter",
                "minutes": 50,
                "what_matters": words,
                "notes": "Long talk in the kitchen",
            },
        )
        assert status == 201, conversation
    status, case = eleisha.get(f"/cases/{case_id}")
    assert case["what_matters"] == "Cooking my own tea again"
    assert [s["statement"] for s in case["what_matters_history"]] == [
        "Cooking my own tea again",
        "Getting dressed by myself",
    ]
    assert case["team"] == "North" and case["cohort"] == "pilot"

    # Actions: hers and the team's (the owner by default); one done.
    status, hers = eleisha.post(
        f"/cases/{case_id}/actions",
        {"description": "Swap reading help for help around the house", "by": "person"},
    )
    assert status == 201 and hers["status"] == "agreed" and hers["assignee_id"] is None
    status, ours = eleisha.post(
        f"/cases/{case_id}/actions", {"description": "Order a perching stool", "by": "team"}
    )
    assert status == 201 and ours["assignee_id"] == practitioner.id
    status, done = eleisha.patch(
        f"/actions/{ours['id']}",
        {"status": "done", "outcome": "Delivered", "version": ours["version"]},
    )
    assert status == 200 and done["status"] == "done" and done["outcome"] == "Delivered"
    status, body = eleisha.patch(
        f"/actions/{ours['id']}", {"status": "agreed", "version": ours["version"]}
    )
    assert status == 409 and body["error"]["current"]["status"] == "done"

    # A stale edit is refused with the current state; nothing is overwritten.
    status, case = eleisha.get(f"/cases/{case_id}")
    read_version = case["version"]
    status, saved = morgan.patch(
        f"/cases/{case_id}",
        {"referral_match": "no", "real_problem": "Lonely; wrist", "version": read_version},
    )
    assert status == 200 and saved["version"] == read_version + 1
    status, body = eleisha.patch(
        f"/cases/{case_id}", {"referral_match": "yes", "version": read_version}
    )
    assert status == 409
    assert body["error"]["code"] == "stale_version"
    assert body["error"]["current"]["referral_match"] == "no"
    assert eleisha.get(f"/cases/{case_id}")[1]["real_problem"] == "Lonely; wrist"

    # Closure: refused without agreement (the case stays open), then agreed.
    status, body = eleisha.post(
        f"/cases/{case_id}/close", {"agreed_with_person": False, "agreement_note": "x"}
    )
    assert status == 422 and "agreed_with_person" in body["error"]["fields"]
    status, body = eleisha.post(
        f"/cases/{case_id}/close", {"agreed_with_person": True, "agreement_note": "  "}
    )
    assert status == 422 and "agreement_note" in body["error"]["fields"]
    assert eleisha.get(f"/cases/{case_id}")[1]["status"] == "open"
    status, closed = eleisha.post(
        f"/cases/{case_id}/close",
        {
            "agreed_with_person": True,
            "agreement_note": "Agreed with Irene and Jo at home",
            "summary": "Cooking again; swap with a neighbour",
            "closed_on": ago(2),
        },
    )
    assert status == 200, closed
    assert closed["status"] == "closed" and closed["closed_on"] == ago(2)
    assert closed["closure"]["agreement_note"] == "Agreed with Irene and Jo at home"
    assert [a["status"] for a in closed["actions"]] == ["agreed", "done"]  # hers continues
    status, body = eleisha.post(
        f"/cases/{case_id}/close", {"agreed_with_person": True, "agreement_note": "again"}
    )
    assert status == 409 and body["error"]["code"] == "already_closed"

    # Re-contact goes straight back to the same worker, even when the manager logs it.
    status, again = morgan.post("/demands", demand(irene["id"], 0, "Fell again"))
    assert status == 201
    assert again["routed_by"] == "same_worker"
    assert again["case_owner_id"] == practitioner.id
    assert again["case_id"] != case_id
    assert again["is_repeat"] is True

    # A change of owner needs a reason, and is appended to the history.
    new_case = again["case_id"]
    status, body = eleisha.post(f"/cases/{new_case}/owner", {"owner_id": colleague.id})
    assert status == 422 and "reason" in body["error"]["fields"]
    status, moved = eleisha.post(
        f"/cases/{new_case}/owner", {"owner_id": colleague.id, "reason": "Eleisha on leave"}
    )
    assert status == 200
    assert moved["owner_id"] == colleague.id
    assert [(o["from_id"], o["to_id"], o["reason"]) for o in moved["ownership_history"]] == [
        (None, practitioner.id, "Re-contact: back to the worker who knows the person"),
        (practitioner.id, colleague.id, "Eleisha on leave"),
    ]

    # Every read was audited, as the token's user.
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "case")
    ).all()
    assert {e.user_id for e in reads} == {practitioner.id}
    assert any(e.detail["path"] == f"/api/v1/cases/{case_id}" for e in reads)
