"""No page's number of SQL queries grows with the data: no N+1 queries anywhere a list is shown.

Each page is read once on a small history and again after the history has grown
(more people, more cases for the worker, more demands, conversations, actions and owners
on the record being read); the count of statements sent to the database must not
change.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from casework import clock
from casework.cases.service import add_action, change_owner, close_case, log_conversation
from casework.diary.service import plan_contact
from casework.extensions import db
from casework.safety import service as safety
from tests.conftest import login, make_demand, make_person, make_team, make_user


@contextmanager
def counted():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def busy_case(person, worker, colleague, size: int):
    """A case with `size` of everything: demands, conversations (with more of the circle at
    each), actions, handovers."""
    demand, _ = make_demand(person, worker, received_on=clock.today() - dt.timedelta(days=60))
    case = demand.case
    circle = safety.network(db.session, person)  # someone from it does the person's actions
    for n in range(size):
        make_demand(person, worker, received_on=clock.today() - dt.timedelta(days=50 - n))
        log_conversation(
            db.session, case, worker, held_on=clock.today(), kind="visit", notes=f"Visit {n}",
            what_matters=f"Statement {n}", network_member_ids=[m.id for m in circle[: n + 1]],
        )  # fmt: skip
        add_action(
            db.session, case, worker, description=f"Action {n}", by="team",
            assignee=colleague, due_on=clock.today(),
        )  # fmt: skip
        add_action(
            db.session, case, worker, description=f"Own {n}", by="person",
            network_member_id=circle[n % len(circle)].id if circle else None,
        )  # fmt: skip
        plan_contact(db.session, case, worker, due_on=clock.today(), kind="review")
        owner, new = (worker, colleague) if case.owner_id == worker.id else (colleague, worker)
        change_owner(db.session, case, owner, new_owner=new, reason=f"Cover {n}")
    if case.owner_id != worker.id:
        change_owner(db.session, case, colleague, new_owner=worker, reason="Back")
    db.session.commit()
    return case


def grow_safety(person, worker, n: int) -> None:
    """A caution, someone in the circle, a decision about sharing."""
    safety.raise_flag(
        db.session, worker, person, category="animal", text=f"Dog {n}", review_on=clock.today()
    )
    safety.add_member(
        db.session, worker, person, {"name": f"Neighbour {n}", "relationship": "neighbour"}
    )
    safety.record_consent(
        db.session, worker, person, decision="given", scope=f"GP {n}", recorded_on=clock.today()
    )


def grow(person, worker, colleague, manager, size: int):
    """More of everything around the worker and the person."""
    old = busy_case(person, worker, colleague, size)
    close_case(
        db.session, old, worker, agreed_with_person=True, agreement_note="Agreed",
        summary="Better", closed_on=clock.today(),
    )  # fmt: skip
    db.session.commit()
    for _ in range(size):
        other = make_person(worker, given_name="Irene")
        demand, _ = make_demand(other, worker)
        log_conversation(
            db.session, demand.case, worker, held_on=clock.today(), kind="phone", notes="Hi"
        )
        add_action(
            db.session, demand.case, worker, description="Rails", by="team", due_on=clock.today()
        )
        # a contact planned for today and one overdue: the diary and the caseload's flags
        plan_contact(db.session, demand.case, worker, due_on=clock.today(), kind="visit")
        late = plan_contact(db.session, demand.case, worker, due_on=clock.today(), kind="phone")
        late.due_on = clock.today() - dt.timedelta(days=3)
        grow_safety(other, worker, 0)  # cautions on the caseload's rows
        grow_safety(person, worker, _)
        make_demand(make_person(manager), manager)  # awaiting allocation
        elsewhere = make_user(make_team())  # a colleague in another team, who may be pulled in
        # ...who also works with the person and the Irenes: more lines of who is involved,
        # more relationships started
        make_demand(person, elsewhere)
        make_demand(other, elsewhere)
    db.session.commit()
    return busy_case(person, worker, colleague, size)


PAGES = {
    "caseload": lambda case: "/",
    "search": lambda case: "/people?q=irene",
    "case": lambda case: f"/cases/{case.id}",
    "visit_form": lambda case: f"/cases/{case.id}/conversations/new",
    "about_me": lambda case: f"/cases/{case.id}/about-me",
    "flags_due": lambda case: "/flags/due",
    "timeline": lambda case: f"/people/{case.person_id}",
    "team": lambda case: "/team",
    "diary": lambda case: "/diary",
    # Every event in words: the people, cases and users named loaded for the whole page
    "who_looked": lambda case: f"/people/{case.person_id}/audit",
    "audit": lambda case: "/admin/audit",
    "intake": lambda case: f"/people/{case.person_id}/demands/new",
    "relationships": lambda case: "/admin/relationships",
}


@pytest.mark.parametrize("page", PAGES)
def test_the_number_of_queries_of_a_page_does_not_grow_with_the_data(
    client, team, practitioner, manager, admin_user, page
):
    colleague = make_user(team, name="Sam Okafor")
    person = make_person(practitioner, given_name="Irene")
    case = grow(person, practitioner, colleague, manager, 1)
    login(
        client,
        {
            "team": manager,
            "audit": admin_user,
            "relationships": admin_user,
            "flags_due": manager,
        }.get(page, practitioner),
    )
    path = PAGES[page](case)
    client.get(path)  # the first request loads what every later one shares
    with counted() as before:
        assert client.get(path).status_code == 200

    case = grow(person, practitioner, colleague, manager, 6)
    path = PAGES[page](case)
    with counted() as after:
        response = client.get(path)
    assert response.status_code == 200
    assert len(after) == len(before), "\n".join(after)


def tables_of(statements: list[str]) -> list[str]:
    """Each statement as its verb and first table: 'SELECT api_tokens', 'INSERT conversations'."""
    found = []
    for statement in statements:
        words = statement.split()
        table = next(
            w for w, before in zip(words[1:], words, strict=False) if before in ("FROM", "INTO")
        )
        found.append(f"{words[0]} {table}")
    return found


def test_recording_a_conversation_through_the_api_is_four_statements_and_answers_what_was_stored(
    client, practitioner
):
    from casework.models import AuditEvent, Conversation
    from tests.api.conftest import Api, token_for

    demand, _ = make_demand(make_person(practitioner), practitioner)
    api = Api(client, token_for(practitioner))
    talk = {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Talked it through"}
    assert api.post(f"/cases/{demand.case_id}/conversations", talk)[0] == 201  # token noted
    with counted() as statements:
        status, body = api.post(f"/cases/{demand.case_id}/conversations", talk)
    assert status == 201
    # The token with its user, the case, the conversation and its audit entry: nothing reloaded.
    assert tables_of(statements) == [
        "SELECT api_tokens",
        "SELECT cases",
        "INSERT conversations",
        "INSERT audit_events",
    ]
    db.session.expire_all()
    stored = db.session.get(Conversation, body["id"])
    assert (stored.case_id, stored.notes, stored.recorded_by_id) == (
        demand.case_id,
        "Talked it through",
        practitioner.id,
    )
    assert (
        body["recorded_at"]
        == api.get(f"/cases/{demand.case_id}")[1]["conversations"][-1]["recorded_at"]
    )
    audited = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "conversation")
    ).all()
    assert [a.entity_id for a in audited][-1] == stored.id


def test_recording_a_conversation_on_its_page_is_four_statements(client, practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    login(client, practitioner)
    form = {
        "held_on[day]": clock.today().day,
        "held_on[month]": clock.today().month,
        "held_on[year]": clock.today().year,
        "kind": "visit",
        "notes": "Talked it through",
    }
    path = f"/cases/{demand.case_id}/conversations/new"
    assert client.post(path, data=form).status_code == 302
    with counted() as statements:
        response = client.post(path, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{demand.case_id}"
    # The session with its user, the case, the conversation and its audit entry: the redirect
    # reloads nothing.
    assert tables_of(statements) == [
        "SELECT user_sessions",
        "SELECT cases",
        "INSERT conversations",
        "INSERT audit_events",
    ]


def test_a_page_of_the_import_preview_reads_the_same_however_long_the_file(client, manager):
    """The preview's later pages come from what the dry run kept, not a query per row."""
    import io

    header = "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,"
    header += "stated_need,kind\n"
    born, received = (
        clock.today() - dt.timedelta(days=30_000),
        clock.today() - dt.timedelta(days=10),
    )

    def preview_of(rows: int) -> list[str]:
        lines = [
            f",Ann{n},Lee,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Help {n},\n"
            for n in range(rows)
        ]
        data = (header + "".join(lines)).encode()
        form = {"team_id": str(manager.team_id), "cohort": "usual"}
        form["file"] = (io.BytesIO(data), "legacy.csv")
        upload = client.post("/imports/demands", data=form, content_type="multipart/form-data")
        assert upload.status_code == 200
        client.get("/imports/demands/preview?page=2")
        with counted() as statements:
            assert client.get("/imports/demands/preview?page=2").status_code == 200
        return statements

    login(client, manager)
    assert len(preview_of(120)) == len(preview_of(60 * 7))
