"""A person's record as JSON for a subject access request: whole, audited, only for those
allowed (a manager of a team that knows the person, or the command on the server)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases import service as cases
from casework.extensions import db
from casework.models import AuditEvent
from casework.people.merge import merge_people
from tests.conftest import login, make_demand, make_person, make_team, make_user


@pytest.fixture
def record(practitioner, manager):
    """A person with a full story in North, and a case in South that North cannot see."""
    person = make_person(practitioner, nhs_number="9434765919", phone="0113 496 0000")
    twin = make_person(practitioner, given_name="Annie", family_name=person.family_name)
    demand, _ = make_demand(
        person,
        practitioner,
        received_on=clock.today() - dt.timedelta(days=30),
        stated_need="Falls at home",
    )
    case = demand.case
    cases.log_conversation(
        db.session,
        case,
        practitioner,
        held_on=demand.received_on,
        kind="visit",
        what_matters="Getting to the allotment",
        notes="First visit",
    )
    cases.log_conversation(
        db.session,
        case,
        practitioner,
        held_on=demand.received_on + dt.timedelta(days=3),
        kind="phone",
        what_matters="Seeing my grandson on Sundays",
        notes="Call back",
    )
    cases.add_action(db.session, case, practitioner, description="Grab rail fitted", by="team")
    cases.change_owner(db.session, case, manager, new_owner=manager, reason="Cover for leave")
    cases.close_case(
        db.session,
        case,
        manager,
        agreed_with_person=True,
        agreement_note="Agreed on the phone",
        summary="Back to the allotment",
    )
    db.session.commit()
    south_worker = make_user(make_team("South", "usual"))
    make_demand(person, south_worker, stated_need="Memory clinic referral")
    merge_people(db.session, make_user(None, "admin"), keep=person, other=twin)
    db.session.commit()
    return person, twin


def download(client, person):
    response = client.get(f"/people/{person.id}/export.json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_a_manager_downloads_the_record_as_an_audited_no_store_attachment(client, manager, record):
    person, _ = record
    login(client, manager)
    response = download(client, person)
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="subject-access-person-{person.id}-{clock.today()}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.entity, event.person_id, event.user_id) == ("person", person.id, manager.id)
    body = response.get_json()
    assert body["access_log"][0]["what"] == (
        "Exported the whole record for a subject access request"
    )
    assert body["access_log"][0]["who"] == "Morgan Manager (Team manager, North)"


def test_it_holds_every_part_of_the_record(client, manager, practitioner, record):
    person, twin = record
    login(client, manager)
    body = download(client, person).get_json()
    assert body["format"] == "casework-subject-access/1"
    assert body["person"]["nhs_number"] == "9434765919"
    assert body["person"]["phone"] == "0113 496 0000"
    assert [p["id"] for p in body["merged_records"]] == [twin.id]
    assert [d["stated_need"] for d in body["demands"]] == ["Falls at home"]
    [case] = body["cases"]
    assert [w["statement"] for w in case["what_matters_history"]] == [
        "Seeing my grandson on Sundays",
        "Getting to the allotment",
    ]
    assert [c["notes"] for c in case["conversations"]] == ["First visit", "Call back"]
    assert [a["description"] for a in case["actions"]] == ["Grab rail fitted"]
    assert [o["reason"] for o in case["ownership_history"]][-1] == "Cover for leave"
    assert case["closure"]["agreement_note"] == "Agreed on the phone"
    assert case["closure"]["summary"] == "Back to the allotment"
    staff = {s["id"]: s["name"] for s in body["staff"]}
    assert staff[practitioner.id] == "Eleisha Ward" and staff[manager.id] == "Morgan Manager"
    log = [entry["what"] for entry in body["access_log"]]
    assert "Registered the person" in log
    assert f"Merged {twin.name} (record {twin.id}) into {person.name} (record {person.id})" in log
    assert any(w.startswith("Recorded demand") for w in log)
    # North's download holds North's part and names the team holding the rest
    assert body["other_teams"] == ["South"]
    assert "Memory clinic referral" not in json.dumps(body)


def test_the_command_exports_the_whole_record_from_every_team(runner, record, tmp_path):
    person, _ = record
    out = tmp_path / "sar.json"
    result = runner.invoke(args=["people", "export", str(person.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    body = json.loads(out.read_text())
    assert body["scope"] == "The whole record, from every team."
    assert sorted(d["stated_need"] for d in body["demands"]) == [
        "Falls at home",
        "Memory clinic referral",
    ]
    assert sorted(c["team"] for c in body["cases"]) == ["North", "South"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert (event.user_id, event.remote_addr, event.detail["scope"]) == (
        None,
        "cli",
        "whole record",
    )
    again = runner.invoke(args=["people", "export", str(person.id), "--out", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_the_command_names_the_administrator_and_refuses_others(runner, record, practitioner):
    person, twin = record
    admin = make_user(None, "admin", email="ig@example.org")
    result = runner.invoke(args=["people", "export", str(person.id), "--by", "ig@example.org"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["person"]["id"] == person.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.user_id == admin.id
    refused = runner.invoke(args=["people", "export", str(person.id), "--by", practitioner.email])
    assert refused.exit_code == 1 and "not an active administrator" in refused.output
    missing = runner.invoke(args=["people", "export", "999999"])
    assert missing.exit_code == 1 and "no person with id 999999" in missing.output
    merged = runner.invoke(args=["people", "export", str(twin.id)])
    assert merged.exit_code == 1 and f"merged into record {person.id}" in merged.output


def test_others_cannot_export_and_the_attempt_is_audited(client, practitioner, record):
    person, _ = record
    south_manager = make_user(make_team("West", "usual"), "manager")
    admin = make_user(None, "admin")
    for user in (practitioner, south_manager, admin):
        login(client, user)
        assert client.get(f"/people/{person.id}/export.json").status_code == 403
        client.post("/logout")
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "refused", AuditEvent.person_id == person.id)
    ).all()
    assert [e.user_id for e in refused] == [practitioner.id, south_manager.id, admin.id]


def test_the_person_page_offers_the_download_only_to_managers(
    client, practitioner, manager, record
):
    person, _ = record
    link = f'href="/people/{person.id}/export.json"'
    login(client, practitioner)
    assert link not in client.get(f"/people/{person.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, manager)
    assert link in client.get(f"/people/{person.id}").get_data(as_text=True)
