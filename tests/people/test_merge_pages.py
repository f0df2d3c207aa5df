"""The duplicates list, the merge page and undo, through the browser's eyes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent, Demand, Person
from tests.conftest import login, make_demand, make_person, make_team, make_user

DOB = dt.date(1961, 4, 2)


@pytest.fixture
def twins(team, practitioner):
    """The same Robert Smith twice, each with a demand (so each with an open case)."""
    robert = make_person(practitioner, given_name="Robert", family_name="Smith", date_of_birth=DOB)
    bob = make_person(
        practitioner,
        given_name="Bob",
        family_name="Smith",
        date_of_birth=DOB,
        nhs_number="9434765919",
    )
    make_demand(robert, practitioner, clock.today())
    other = make_user(make_team("South", "usual"))
    make_demand(bob, other, clock.today())
    return robert, bob


def merge_url(a, b):
    return f"/people/duplicates/merge?a={a.id}&b={b.id}"


def test_an_administrator_merges_from_the_list_and_undoes_it(client, admin_user, twins):
    robert, bob = twins
    login(client, admin_user)
    listing = client.get("/people/duplicates")
    assert listing.status_code == 200
    assert f'href="{merge_url(robert, bob).replace("&", "&amp;")}"' in listing.text

    page = client.get(merge_url(robert, bob))
    assert page.status_code == 200
    assert "Record " + str(robert.id) in page.text and "943 476 5919" in page.text
    response = client.post(
        merge_url(robert, bob),
        data={"keep": robert.id, "fill_blanks": "y", "version_a": "1", "version_b": "1"},
    )
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))
    assert response.location == f"/people/merges/{event.id}"
    assert set(db.session.scalars(select(Demand.person_id))) == {robert.id}
    entry = client.get(response.location)
    assert "Undo this merge" in entry.text
    assert "Record " + str(bob.id) + " merged into record " + str(robert.id) in entry.text

    undone = client.post(f"/people/merges/{event.id}")
    assert undone.status_code == 302
    assert db.session.get(Person, bob.id).merged_into_id is None
    assert len(set(db.session.scalars(select(Demand.person_id)))) == 2
    assert "This merge was undone" in client.get(undone.location).text


def test_the_merged_records_address_leads_to_the_kept_record(
    client, practitioner, admin_user, twins
):
    robert, bob = twins
    login(client, admin_user)
    client.post(
        merge_url(robert, bob), data={"keep": robert.id, "version_a": "1", "version_b": "1"}
    )
    client.post("/logout")
    login(client, practitioner)
    response = client.get(f"/people/{bob.id}")
    assert response.status_code == 302 and response.location == f"/people/{robert.id}"
    assert "That record was merged into this one" in client.get(response.location).text


def test_a_refused_merge_says_why_and_changes_nothing(client, admin_user, twins, practitioner):
    robert, bob = twins
    make_demand(bob, practitioner, clock.today())  # now both are open in North
    login(client, admin_user)
    page = client.get(merge_url(robert, bob))
    assert "These records cannot be merged" in page.text
    response = client.post(
        merge_url(robert, bob), data={"keep": robert.id, "version_a": "1", "version_b": "1"}
    )
    assert response.status_code == 409
    assert "Both records have an open case in North" in response.text
    assert db.session.get(Person, bob.id).merged_into_id is None


def test_a_merge_from_a_stale_page_is_refused(client, admin_user, twins):
    robert, bob = twins
    login(client, admin_user)
    response = client.post(
        merge_url(robert, bob), data={"keep": bob.id, "version_a": "1", "version_b": "0"}
    )
    assert response.status_code == 409
    assert "Someone else changed" in response.text
    assert db.session.get(Person, robert.id).merged_into_id is None


def test_choosing_no_record_to_keep_is_explained(client, admin_user, twins):
    robert, bob = twins
    login(client, admin_user)
    response = client.post(merge_url(robert, bob), data={"version_a": "1", "version_b": "1"})
    assert response.status_code == 422
    assert "Choose which record to keep" in response.text


def test_a_manager_sees_their_teams_duplicates_but_may_not_merge(client, manager, twins):
    robert, bob = twins
    login(client, manager)
    listing = client.get("/people/duplicates")
    assert listing.status_code == 200 and "Robert Smith" in listing.text
    assert "Compare records" not in listing.text
    assert client.get(merge_url(robert, bob)).status_code == 403
    response = client.post(merge_url(robert, bob), data={"keep": robert.id})
    assert response.status_code == 403
    assert db.session.get(Person, bob.id).merged_into_id is None


def test_a_manager_sees_only_identity_of_another_teams_person(client, manager, practitioner):
    other = make_user(make_team("South", "usual"))
    mine = make_person(practitioner, given_name="Ann", family_name="Lee", date_of_birth=DOB)
    theirs = make_person(
        other, given_name="ANN", family_name="Lee", date_of_birth=DOB, postcode="LS9 9ZZ"
    )
    login(client, manager)
    text = client.get("/people/duplicates").text
    assert f'href="/people/{mine.id}"' in text and f'href="/people/{theirs.id}"' not in text
    assert "LS9 9ZZ" not in text and "Known to another team" in text


def test_a_manager_of_another_team_does_not_see_them(client, twins):
    manager = make_user(make_team("East", "usual"), "manager")
    login(client, manager)
    assert "Robert Smith" not in client.get("/people/duplicates").text


def test_practitioners_are_refused_every_duplicate_page(client, practitioner, twins):
    robert, bob = twins
    login(client, practitioner)
    assert client.get("/people/duplicates").status_code == 403
    assert client.get(merge_url(robert, bob)).status_code == 403
    assert client.post(merge_url(robert, bob), data={"keep": robert.id}).status_code == 403
    assert client.get("/people/merges/1").status_code == 403
    assert client.post("/people/merges/1").status_code == 403


def test_an_unknown_merge_entry_is_not_found(client, admin_user):
    login(client, admin_user)
    assert client.get("/people/merges/99999").status_code == 404
    assert client.get("/people/duplicates/merge?a=1&b=x").status_code == 404


def test_the_old_addresses_under_imports_redirect_permanently(client, admin_user, twins):
    robert, bob = twins
    login(client, admin_user)
    listing = client.get("/imports/duplicates")
    assert (listing.status_code, listing.location) == (308, "/people/duplicates")
    compare = client.get(f"/imports/duplicates/merge?a={robert.id}&b={bob.id}")
    assert compare.status_code == 308
    assert compare.location == f"/people/duplicates/merge?a={robert.id}&b={bob.id}"
    entry = client.post("/imports/merges/7")
    assert (entry.status_code, entry.location) == (308, "/people/merges/7")
    assert client.get("/imports/duplicates", follow_redirects=True).status_code == 200
