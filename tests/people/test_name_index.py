"""Search through the name index (migration 0005): it follows every change to a name, and any
piece of a name still finds the person, whatever characters it holds."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.extensions import db
from casework.models import Person
from casework.people import service
from tests.conftest import login, make_person


def found(user, query: str) -> list[int]:
    return [r.person.id for r in service.search_people(db.session, user, query)]


def test_a_new_name_is_found_and_an_old_one_no_longer(practitioner):
    person = make_person(practitioner, given_name="Irene", family_name="Hammond")
    assert found(practitioner, "hammond") == [person.id]
    data = {f: getattr(person, f) for f in service.PERSON_FIELDS} | {"family_name": "Marsh"}
    service.update_person(db.session, practitioner, person, data)
    db.session.commit()
    assert found(practitioner, "hammond") == []
    assert found(practitioner, "irene mar") == [person.id]


def test_a_removed_person_leaves_the_index(practitioner):
    # The app never deletes a person (and their audit trail is append-only): one written
    # straight to the table, with no trail, shows the index follows a removal all the same.
    person = Person(
        given_name="Irene", family_name="Gone", registered_by_team_id=practitioner.team_id
    )
    db.session.add(person)
    db.session.commit()
    assert found(practitioner, "irene") == [person.id]
    db.session.delete(person)
    db.session.commit()
    assert found(practitioner, "irene") == []


@pytest.mark.parametrize(
    "query",
    ["o'b", "O'BRIEN", "siobhán", "á", 'ob"r', "bh", "h", "en o", "brien-ó"],
)
def test_every_piece_of_a_name_finds_it_short_or_long_quoted_or_accented(practitioner, query):
    person = make_person(practitioner, given_name="Siobhán", family_name="O'Brien-Ó")
    make_person(practitioner, given_name="Bert", family_name="Jones")
    expected = [] if '"' in query else [person.id]
    assert found(practitioner, query) == expected


def test_words_match_anywhere_in_the_name_and_all_must_match(practitioner):
    anne = make_person(practitioner, given_name="Anne", family_name="Willoughby")
    annette = make_person(practitioner, given_name="Annette", family_name="Smith")
    assert found(practitioner, "ough ann") == [anne.id]
    assert sorted(found(practitioner, "nne")) == sorted([anne.id, annette.id])
    assert found(practitioner, "ann zzz") == []


def test_the_search_page_shows_fifty_at_a_time_with_a_next_page(client, practitioner):
    for n in range(55):
        make_person(
            practitioner,
            given_name="Irene",
            family_name=f"Page{n:02d}",
            date_of_birth=dt.date(1950, 1, 1),
        )
    login(client, practitioner)
    first = client.get("/people?q=irene").get_data(as_text=True)
    assert "People found: 1 to 50" in first and "Page49" in first and "Page50" not in first
    assert "page=2" in first
    second = client.get("/people?q=irene&page=2").get_data(as_text=True)
    assert "People found: 51 to 55" in second and "Page54" in second and "Page00" not in second
    assert client.get("/people?q=irene&page=x").status_code == 200  # not a page: the first
