"""Who is involved with a person: one line per case, at identity level, for anyone who can
find them by search (api.md, "The person across teams")."""

from __future__ import annotations

import datetime as dt

from casework import clock
from casework.cases.service import close_case
from casework.extensions import db
from casework.models import AuditEvent
from casework.people.involvement import by_team, involvement, open_elsewhere
from casework.safety import service as safety
from tests.conftest import login, make_demand, make_team, make_user


def test_every_case_of_the_person_in_every_team_newest_first(
    practitioner, known_elsewhere, eleisha
):
    person, riverside_case = known_elsewhere
    close_case(
        db.session, riverside_case, eleisha, agreed_with_person=True, agreement_note="Agreed",
        summary="Settled", closed_on=clock.today() - dt.timedelta(days=2),
    )  # fmt: skip
    db.session.commit()
    later, _ = make_demand(person, eleisha)
    mine, _ = make_demand(person, practitioner)
    entries = involvement(db.session, person)
    assert [e.case.id for e in entries] == [mine.case_id, later.case_id, riverside_case.id]
    assert [e.status for e in entries] == ["open", "open", "closed"]
    # The compact line: one entry per team, its open case; the reader's own team left out.
    assert [e.case.id for e in by_team(entries, practitioner.team_id)] == [later.case_id]
    assert [c.id for c in open_elsewhere(db.session, person, practitioner.team_id)] == [
        later.case_id
    ]


def test_the_api_gives_identity_level_involvement_to_another_team(
    api, practitioner, known_elsewhere, eleisha
):
    person, case = known_elsewhere
    status, body = api.get(f"/people/{person.id}/involvement")
    assert status == 200
    assert body == {
        "person_id": person.id,
        "teams": [
            {
                "team": "Riverside",
                "cohort": "usual",
                "case_id": case.id,
                "status": "open",
                "opened_on": case.opened_on.isoformat(),
                "closed_on": None,
                "owner": {
                    "id": eleisha.id,
                    "name": "Eleisha Okoro",
                    "profession": "Occupational therapist",
                    "phone": "01632 960123",
                },
            }
        ],
        "flags": [],
    }
    assert "Falls at night" not in str(body)  # no care details
    # ...and the case itself stays the other team's
    assert api.get(f"/cases/{case.id}")[0] == 403


def test_reading_the_involvement_is_audited_as_a_read_of_the_person(
    api, practitioner, known_elsewhere
):
    person, _ = known_elsewhere
    api.get(f"/people/{person.id}/involvement")
    event = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.user_id == practitioner.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert (event.action, event.entity, event.person_id) == ("view", "person", person.id)
    assert event.detail["path"].endswith("/involvement")


def test_the_involvement_carries_the_persons_active_cautions(api, known_elsewhere, eleisha):
    person, _ = known_elsewhere
    flag = safety.raise_flag(
        db.session, eleisha, person, category="animal", text="Large dog, shut away first",
        review_on=clock.today() + dt.timedelta(days=30),
    )  # fmt: skip
    ended = safety.raise_flag(
        db.session, eleisha, person, category="lone_working", text="Old worry",
        review_on=clock.today() + dt.timedelta(days=30),
    )  # fmt: skip
    safety.end_flag(db.session, eleisha, ended, reason="Moved on")
    db.session.commit()
    _, body = api.get(f"/people/{person.id}/involvement")
    assert [(f["id"], f["category"], f["text"]) for f in body["flags"]] == [
        (flag.id, "animal", "Large dog, shut away first")
    ]


def test_nobody_without_a_team_reads_the_involvement(api_as, admin_user, known_elsewhere):
    person, _ = known_elsewhere
    status, body = api_as(admin_user).get(f"/people/{person.id}/involvement")
    assert status == 403
    assert body["error"]["code"]


def test_an_unknown_person_has_no_involvement(api):
    status, body = api.get("/people/999999/involvement")
    assert status == 404
    assert body["error"]["code"]


def test_a_case_awaiting_allocation_has_no_owner_in_the_line(api, app):
    other = make_team("Eastbrook")
    manager = make_user(other, "manager")
    from tests.conftest import make_person

    person = make_person(manager)
    make_demand(person, manager)  # a manager's demand awaits allocation
    _, body = api.get(f"/people/{person.id}/involvement")
    assert body["teams"][0]["owner"] is None


def test_the_person_page_shows_who_is_involved_with_their_direct_line(
    client, practitioner, known_elsewhere
):
    person, case = known_elsewhere
    make_demand(person, practitioner)
    login(client, practitioner)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Who is involved" in page
    assert "Riverside" in page and "Eleisha Okoro" in page
    assert "Occupational therapist" in page and "01632 960123" in page
    assert "Falls at night" not in page  # Riverside's demand stays Riverside's


def test_search_results_say_who_else_knows_the_person(
    client, practitioner, known_elsewhere, eleisha
):
    person, _ = known_elsewhere
    safety.raise_flag(
        db.session, eleisha, person, category="animal", text="Large dog",
        review_on=clock.today() + dt.timedelta(days=30),
    )  # fmt: skip
    db.session.commit()
    login(client, practitioner)
    page = client.get("/people?q=irene").get_data(as_text=True)
    assert (
        "Also known to: Riverside (open, Eleisha Okoro, Occupational therapist, 01632 960123)"
        in " ".join(page.split())
    )
    assert "Large dog" in page and "cw-caution__icon" in page  # staff safety first
