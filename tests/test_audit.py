"""The audit trail: append-only in the database, refusals recorded, the administrator's
viewer, and "who has looked at this record" on each person's page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from casework import audit
from casework.audit.trail import describe
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import login, make_demand, make_person, make_team, make_user


def events(**where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


# Append-only, for real: the database refuses


@pytest.fixture
def event(app, practitioner):
    made = audit.record("view", "person", None, user=practitioner, path="/people/1")
    db.session.commit()
    return made.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing' WHERE id = :id",
        "UPDATE audit_events SET user_id = NULL",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(event, statement):
    held = len(events())
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": event})
    db.session.rollback()
    assert db.session.get(AuditEvent, event).action == "view"
    assert len(events()) == held


def test_the_orm_cannot_change_or_delete_one_either(event):
    row = db.session.get(AuditEvent, event)
    row.action = "nothing"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(update(AuditEvent).values(remote_addr="elsewhere"))
    db.session.rollback()
    assert db.session.get(AuditEvent, event).action == "view"


def test_new_events_are_still_appended(event, practitioner):
    audit.record("view", "case", 5, user=practitioner)
    db.session.commit()
    assert [(e.id, e.entity) for e in events()[-2:]] == [(event, "person"), (event + 1, "case")]


# Refused reads are their own events


def test_a_refused_read_is_audited_with_the_record_it_was_about(client, practitioner):
    outsider = make_user(make_team("South", "usual"))
    person = make_person(outsider)
    demand, _ = make_demand(person, outsider)
    login(client, practitioner)
    assert client.get(f"/people/{person.id}").status_code == 403
    assert client.get(f"/cases/{demand.case_id}").status_code == 403
    assert client.post(f"/cases/{demand.case_id}/actions", data={}).status_code == 403
    refused = events(action="refused")
    assert [(e.entity, e.entity_id, e.person_id, e.user_id) for e in refused] == [
        ("person", person.id, person.id, practitioner.id),
        ("case", demand.case_id, person.id, practitioner.id),
        ("case", demand.case_id, person.id, practitioner.id),
    ]
    assert [e.detail["status"] for e in refused] == [403, 403, 403]
    assert refused[2].detail["method"] == "POST"
    assert refused[0].remote_addr == "127.0.0.1"
    assert not events(action="view", person_id=person.id)  # a refusal is not a read


def test_asking_for_a_record_that_does_not_exist_is_audited(client, practitioner):
    login(client, practitioner)
    assert client.get("/people/424242").status_code == 404
    assert client.get("/actions/77").status_code == 404
    assert [(e.entity, e.entity_id, e.person_id, e.detail["status"]) for e in events()[-2:]] == [
        ("person", 424242, None, 404),
        ("action", 77, None, 404),
    ]
    assert (
        describe(events()[-2])
        == "Asked for person 424242, which does not exist (refused, not found)"
    )


def test_a_refused_api_read_is_audited(client, practitioner):
    from casework.auth.tokens import issue_token

    outsider = make_user(make_team("South", "usual"))
    person = make_person(outsider)
    _, token = issue_token(db.session, practitioner, "test")
    db.session.commit()
    response = client.get(
        f"/api/v1/people/{person.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    [refused] = events(action="refused")
    assert (refused.entity, refused.person_id, refused.user_id) == (
        "person",
        person.id,
        practitioner.id,
    )
    assert refused.detail["path"] == f"/api/v1/people/{person.id}"


# Who has looked at this record


def test_the_person_page_shows_who_has_looked_with_their_team_and_role(
    client, practitioner, manager
):
    person = make_person(practitioner)
    make_demand(person, practitioner)
    login(client, manager)
    client.get(f"/people/{person.id}")
    client.post("/logout")
    outsider = make_user(make_team("South", "usual"), name="Probing Pat")
    login(client, outsider)
    assert client.get(f"/people/{person.id}").status_code == 403
    client.post("/logout")
    login(client, practitioner)
    html = client.get(f"/people/{person.id}").get_data(as_text=True)
    section = html[html.index('id="who-has-looked"') :]
    assert "Morgan Manager (Team manager, North)" in section
    assert f"Viewed the record of {person.name} (record {person.id})" in section
    assert "Probing Pat (Practitioner, South)" in section
    assert f"Was refused the record of {person.name} (record {person.id})" in section
    assert "Eleisha Ward (Practitioner, North)" in section  # this very read, and the intake
    assert "Registered the person" in section
    assert f'href="/people/{person.id}/audit"' in section


def test_the_full_list_is_paginated_newest_first(client, practitioner):
    person = make_person(practitioner)
    for n in range(60):
        audit.record("view", "case", 1000 + n, person_id=person.id, user=practitioner)
    db.session.commit()
    login(client, practitioner)
    first = client.get(f"/people/{person.id}/audit").get_data(as_text=True)
    assert "page 1 of 2" in first
    assert "Viewed case 1059" in first and "Viewed case 1009" not in first
    assert first.index("Looked at who has looked") < first.index("Viewed case 1059")
    second = client.get(f"/people/{person.id}/audit", query_string={"page": 2}).get_data(
        as_text=True
    )
    assert "Viewed case 1009" in second and "Registered the person" in second
    assert "Viewed case 1059" not in second


def test_a_merged_record_s_trail_follows_it(client, practitioner, admin_user):
    from casework.people.merge import merge_people

    keep, other = make_person(practitioner), make_person(practitioner)
    audit.record("view", "person", other.id, person_id=other.id, user=practitioner)
    merge_people(db.session, admin_user, keep=keep, other=other)
    db.session.commit()
    login(client, practitioner)
    html = client.get(f"/people/{keep.id}/audit").get_data(as_text=True)
    assert (
        f"Viewed the record of {other.name} (record {other.id}, merged into record {keep.id})"
        in html
    )
    assert f"Merged {other.name} (record {other.id}) into {keep.name} (record {keep.id})" in html


# The administrator's audit viewer


@pytest.fixture
def busy(app, practitioner, manager, admin_user):
    """A few days of events from two users and two addresses."""
    person = make_person(practitioner, nhs_number="9434765919")
    other = make_person(practitioner)
    rows = [
        (practitioner, "view", "person", person.id, "10.0.0.5"),
        (manager, "view", "case", person.id, "10.0.0.6"),
        (manager, "update", "person", other.id, "192.168.1.9"),
        (practitioner, "refused", "case", other.id, "10.0.0.5"),
    ]
    for user, action, entity, person_id, address in rows:
        db.session.add(
            AuditEvent(
                user_id=user.id,
                action=action,
                entity=entity,
                entity_id=7,
                person_id=person_id,
                remote_addr=address,
                at=dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC),
                detail={"status": 403} if action == "refused" else None,
            )
        )
    db.session.commit()
    return person, other


def shown(html: str) -> int:
    return html.count('<tr role="row" class="nhsuk-table__row">')


def test_the_viewer_filters_by_user_person_action_record_dates_and_address(
    client, admin_user, practitioner, manager, busy
):
    person, other = busy
    login(client, admin_user)

    def count(**query) -> int:
        # only the four events of 2 November 2026 (logins and the viewer's own come later)
        dates = {"start[day]": 2, "start[month]": 11, "start[year]": 2026}
        dates |= {"end[day]": 2, "end[month]": 11, "end[year]": 2026}
        response = client.get("/admin/audit", query_string={**dates, **query})
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return shown(response.get_data(as_text=True))

    assert count() == 4
    assert count(user=practitioner.id) == 2
    assert count(person=person.id) == 2
    assert count(person="943 476 5919") == 2
    assert count(person=other.id, action="refused") == 1
    assert count(entity="case") == 2
    assert count(address="10.0.0.") == 3
    assert count(address="192.168.1.9") == 1
    assert count(address="10.0.0_") == 0  # a wildcard is typed, not obeyed
    day_after = {"start[day]": 3, "start[month]": 11, "start[year]": 2026}
    assert count(**day_after, **{"end[day]": 3}) == 0


def test_the_viewer_is_newest_first_in_plain_english_and_audited(client, admin_user, busy):
    login(client, admin_user)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.index("Logged in") < html.index("Was refused case 7 (GET, not allowed)")
    assert html.index("Was refused case 7") < html.index("Viewed person 7")
    assert "Practitioner, North" in html and "10.0.0.5" in html
    [looked] = events(entity="audit")
    assert looked.user_id == admin_user.id and looked.detail["page"] == 1
    client.get("/admin/audit", query_string={"action": "refused"})
    assert events(entity="audit")[-1].detail["filters"] == {"action": "refused"}


def test_the_viewer_pages_through_many_events(client, admin_user, practitioner):
    for n in range(120):
        audit.record("view", "case", n + 1, user=practitioner)
    db.session.commit()
    login(client, admin_user)
    first = client.get("/admin/audit", query_string={"user": practitioner.id})
    html = first.get_data(as_text=True)
    assert "120 events, page 1 of 3" in html and shown(html) == 50
    assert "Viewed case 120" in html and "Viewed case 70<" not in html
    last = client.get("/admin/audit", query_string={"user": practitioner.id, "page": 3})
    html = last.get_data(as_text=True)
    assert shown(html) == 20 and "Viewed case 1<" in html
    assert f"user={practitioner.id}" in html  # the previous link keeps the filter


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ({"person": "someone"}, "Enter a record&#39;s id or an NHS number", 'value="someone"'),
        ({"person": "9434765918"}, "That is not a valid NHS number", 'value="9434765918"'),
        ({"person": "99999"}, "Nobody on record has this id or NHS number", 'value="99999"'),
        ({"action": "vanish"}, "Choose from the list", None),
        (
            {"start[day]": "31", "start[month]": "2", "start[year]": "2026"},
            "From must be a real date",
            'value="31"',
        ),
        (
            {"start[day]": "3", "start[month]": "2", "start[year]": "2026"}
            | {"end[day]": "1", "end[month]": "2", "end[year]": "2026"},
            "To must be the same as or after From",
            'value="3"',
        ),
    ],
)
def test_bad_filters_say_what_is_wrong_and_keep_what_was_typed(
    client, admin_user, query, message, kept
):
    login(client, admin_user)
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if kept:
        assert kept in html
    assert client.get("/admin/audit.csv", query_string=query).status_code == 400
    assert not events(entity="audit")  # nothing was shown, so nothing was looked at


def test_the_csv_download_is_neutralised_and_audited(client, admin_user, busy):
    sneaky = make_user(make_team("South", "usual"), name='=HYPERLINK("http://x")')
    audit.record("view", "person", None, user=sneaky)
    audit.record("login_failed", "user", None, email="@SUM(1+1)")
    db.session.commit()
    login(client, admin_user)
    held = len(events())
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Event", "When (UTC)", "User id", "Who"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://x") (Practitioner, South)' in cells
    assert "Failed to log in as @SUM(1+1)" in cells
    assert len(rows) == 1 + held
    assert rows[1][0] == str(held) and rows[-1][0] == "1"  # newest first
    [exported] = events(action="export", entity="audit")
    assert exported.detail["rows"] == held


def test_the_admin_pages_link_to_the_viewer(client, admin_user):
    login(client, admin_user)
    assert 'href="/admin/audit"' in client.get("/admin/users").get_data(as_text=True)


# In words: names, with the number kept


def test_the_viewer_names_the_person_the_case_and_the_user(client, admin_user, practitioner):
    person = make_person(practitioner, given_name="Irene", family_name="Thomas")
    demand, _ = make_demand(person, practitioner)
    gone = make_person(practitioner, given_name="Ada", family_name="Lovell")
    audit.record("view", "case", demand.case_id, person_id=person.id, user=practitioner)
    audit.record("view", "person", gone.id, person_id=gone.id, user=practitioner)
    audit.record("reset_password", "user", practitioner.id, user=admin_user)
    audit.record("deactivate", "user", 9999, user=admin_user)  # no such user
    db.session.commit()
    from casework.people.merge import merge_people

    merge_people(db.session, admin_user, keep=person, other=gone)
    db.session.commit()
    login(client, admin_user)
    html = client.get("/admin/audit").get_data(as_text=True)
    case = demand.case_id
    assert f"Viewed the case of Irene Thomas (case {case})" in html
    assert f"Viewed case {case}" not in html
    assert f"Irene Thomas (record {person.id})</td>" in html  # the Person column
    assert f"Record {person.id}</td>" not in html
    # merged away: still named, and where it went
    assert f"Ada Lovell (record {gone.id}, merged into record {person.id})" in html
    assert f"Reset the password of Eleisha Ward (user {practitioner.id})" in html
    assert "Deactivated user 9999" in html


def test_a_merged_away_record_and_a_missing_one_are_named_as_well_as_they_can_be(app, practitioner):
    from casework.audit.trail import load_names

    person = make_person(practitioner, given_name="Irene", family_name="Thomas")
    view = audit.record("view", "person", person.id, person_id=person.id)
    lost = audit.record("view", "case", 4242, person_id=None)
    names = load_names(db.session, [view, lost])
    assert describe(view, names) == f"Viewed the record of Irene Thomas (record {person.id})"
    assert describe(lost, names) == "Viewed case 4242"
    assert names.person(777) == "Record 777" and names.person(None) == "None"


# Lists that show people are reads of each of their records


def trail_of(person) -> list[AuditEvent]:
    from casework.audit.trail import person_trail

    return person_trail(db.session, person)[0]


def test_a_search_is_one_event_naming_everyone_shown_and_in_each_person_s_trail(
    client, practitioner
):
    found = [make_person(practitioner, given_name="Irene") for _ in range(3)]
    missed = make_person(practitioner, given_name="Olu")
    login(client, practitioner)
    held = len(events())
    assert client.get("/people", query_string={"q": "irene"}).status_code == 200
    [search] = events()[held:]
    assert sorted(search.detail["person_ids"]) == sorted(p.id for p in found)
    for person in found:
        assert search in trail_of(person)
        html = client.get(f"/people/{person.id}/audit").get_data(as_text=True)
        assert "Searched for people: “irene” (3 found)" in html
    assert search not in trail_of(missed)


def test_the_caseloads_are_one_event_a_view_in_each_person_s_trail(client, practitioner, manager):
    people = [make_person(practitioner) for _ in range(3)]
    for person in people:
        make_demand(person, practitioner)  # owned by the practitioner
    login(client, practitioner)
    held = len(events())
    assert client.get("/").status_code == 200
    [seen] = events()[held:]
    assert (seen.action, seen.entity, seen.detail["list"]) == ("view", "caseload", "mine")
    assert sorted(seen.detail["person_ids"]) == sorted(p.id for p in people)
    html = client.get(f"/people/{people[0].id}/audit").get_data(as_text=True)
    assert "Viewed their caseload: 3 people" in html
    client.post("/logout")
    login(client, manager)
    held = len(events())
    assert client.get("/team", query_string={"worker": practitioner.id}).status_code == 200
    [team_view] = [e for e in events()[held:] if e.entity == "caseload"]
    assert team_view.detail["list"] == "team"
    assert set(p.id for p in people) <= set(team_view.detail["person_ids"])
    assert team_view in trail_of(people[1])


def test_a_caseload_showing_nobody_records_nothing(client, practitioner):
    login(client, practitioner)
    held = len(events())
    assert client.get("/").status_code == 200
    assert not [e for e in events()[held:] if e.entity == "caseload"]


def test_the_trail_finds_a_person_in_a_list_exactly_on_both_databases(app, practitioner):
    """Id 5 is not 15, 50 or "5"; a detail with no list, a null one or none at all is passed
    over; a list read of a record later merged in follows it."""
    from casework.audit.trail import AuditFilters, find_events
    from casework.people.merge import merge_people

    keep, other = make_person(practitioner), make_person(practitioner)
    n = keep.id
    near = [n * 10 + 1, n + 100, n * 100]
    misses = [
        audit.record_list("view", "caseload", near),
        audit.record("view", "caseload", None, person_ids=[str(n)]),
        audit.record("view", "caseload", None, person_ids=None),
        audit.record("view", "caseload", None),
        audit.record("view", "caseload", None, note=f"person {n}"),
    ]
    hits = [
        audit.record_list("view", "measures_list", [*near, n]),
        audit.record_list("search", "person", [other.id]),
    ]
    merge_people(db.session, make_user(None, "admin"), keep=keep, other=other)
    db.session.commit()
    trail = trail_of(keep)
    assert all(e in trail for e in hits)
    assert not any(e in trail for e in misses)
    listed, total = find_events(db.session, AuditFilters(person_ids=(n,)))
    assert hits[0] in listed and hits[1] not in listed and total == len(listed)


def test_the_admin_s_person_filter_finds_list_reads_too(client, admin_user, practitioner):
    person = make_person(practitioner)
    audit.record_list("view", "measures_list", [person.id], figure="demand", part="all")
    db.session.commit()
    login(client, admin_user)
    html = client.get("/admin/audit", query_string={"person": person.id}).get_data(as_text=True)
    assert "Viewed a measures list (demand, all): 1 person" in html


def test_the_subject_access_export_lists_the_lists_that_showed_them(app, practitioner):
    from casework.people.subject_access import export_person

    person = make_person(practitioner, given_name="Irene")
    audit.record_list("search", "person", [person.id], query="irene", results=1)
    db.session.commit()
    body = export_person(db.session, person)
    assert "Searched for people: “irene” (1 found)" in [e["what"] for e in body["access_log"]]


def test_the_people_a_list_showed_are_append_only_too(app, practitioner):
    """audit_event_people is part of the trail: the database refuses to change or remove a
    row, whoever connects (the same triggers as audit_events)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    person = make_person(practitioner)
    audit.record_list("search", "person", [person.id])
    db.session.commit()
    for statement in (
        "UPDATE audit_event_people SET person_id = person_id + 1",
        "DELETE FROM audit_event_people",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.execute(text("SELECT count(*) FROM audit_event_people")).scalar() == 1
