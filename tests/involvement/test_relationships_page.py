"""The administrators' list of relationships started: newest first, paged, audited."""

from __future__ import annotations

from casework.audit import routes as audit_pages
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import login, make_demand, make_person


def start_one(known_to, starter, given_name="Irene"):
    person = make_person(known_to, given_name=given_name)
    make_demand(person, known_to)
    make_demand(person, starter)
    return person


def test_administrators_see_each_relationship_started_newest_first(
    client, admin_user, practitioner, eleisha
):
    first = start_one(eleisha, practitioner, "Irene")
    second = start_one(eleisha, practitioner, "Joan")
    login(client, admin_user)
    response = client.get("/admin/relationships")
    assert response.status_code == 200
    page = " ".join(response.get_data(as_text=True).split())
    assert page.index(second.name) < page.index(first.name)
    assert "Riverside" in page and "North" in page and "Eleisha Ward" in page
    viewed = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "relationships")
    ).one()
    assert viewed.detail["person_ids"] == sorted([first.id, second.id])


def test_the_list_is_paged(client, admin_user, practitioner, eleisha, monkeypatch):
    monkeypatch.setattr(audit_pages, "PAGE_SIZE", 1)
    start_one(eleisha, practitioner, "Irene")
    older = start_one(eleisha, practitioner, "Joan")
    login(client, admin_user)
    assert older.name in client.get("/admin/relationships").get_data(as_text=True)
    page_two = client.get("/admin/relationships?page=2").get_data(as_text=True)
    assert older.name not in page_two and "Irene" in page_two


def test_an_empty_list_says_so(client, admin_user):
    login(client, admin_user)
    assert "No team has yet started" in client.get("/admin/relationships").get_data(as_text=True)


def test_only_administrators_see_it(client, practitioner, manager):
    for user in (practitioner, manager):
        login(client, user)
        assert client.get("/admin/relationships").status_code == 403
        client.post("/logout")
