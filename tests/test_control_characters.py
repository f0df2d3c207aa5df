"""Control characters (casework/text.py) are refused wherever text comes in, said on the
field, and never leave in an export, even when stored before the rule."""

from __future__ import annotations

import sqlite3

import pytest

from casework import clock
from casework.api.fhir import person_bundle
from casework.export.analysis import export_analysis
from casework.extensions import db
from casework.models import Person
from casework.text import (
    CONTROL_CHARACTER_MESSAGE,
    has_control_character,
    without_control_characters,
)
from tests.api.conftest import token_for
from tests.conftest import login, make_demand, make_person
from tests.imports.test_service import csv_bytes, run

CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]


def test_the_rule_is_c0_but_tab_line_feed_and_carriage_return_then_del_and_c1():
    refused = {code for code in range(0x110000) if has_control_character(chr(code))}
    c0 = set(range(0x20)) - {0x09, 0x0A, 0x0D}
    assert refused == c0 | {0x7F} | set(range(0x80, 0xA0))
    assert without_control_characters({"a": ["Anne\x07", ("\x1bB",)], "n": 3}) == {
        "a": ["Anne", ("B",)],
        "n": 3,
    }


@pytest.mark.parametrize("control", CONTROLS)
def test_the_api_refuses_a_control_character_naming_the_field(client, practitioner, control):
    response = client.post(
        "/api/v1/people",
        json={"given_name": f"An{control}ne", "family_name": "Example"},
        headers={"Authorization": f"Bearer {token_for(practitioner)}"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"given_name": CONTROL_CHARACTER_MESSAGE}
    assert db.session.query(Person).count() == 0


def test_the_api_takes_tabs_and_new_lines(client, practitioner):
    response = client.post(
        "/api/v1/people",
        json={"given_name": "Anne", "family_name": "Example", "address": "1 Road\r\n\tLeeds"},
        headers={"Authorization": f"Bearer {token_for(practitioner)}"},
    )
    assert response.status_code == 201, response.get_json()


def test_the_api_refuses_a_control_character_in_a_query(client, practitioner):
    response = client.get(
        "/api/v1/people?q=An%1Bne", headers={"Authorization": f"Bearer {token_for(practitioner)}"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"q": CONTROL_CHARACTER_MESSAGE}


@pytest.mark.parametrize("control", CONTROLS)
def test_a_form_says_so_on_the_field_and_keeps_what_was_typed(client, practitioner, control):
    login(client, practitioner)
    response = client.post(
        "/people/new", data={"given_name": f"Anne{control}x", "family_name": "Example"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert CONTROL_CHARACTER_MESSAGE in page
    assert 'value="Anne' in page  # what was typed is there to correct
    assert db.session.query(Person).count() == 0


def test_a_notes_field_says_so_too(client, practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    login(client, practitioner)
    today = clock.today()
    response = client.post(
        f"/cases/{demand.case_id}/conversations/new",
        data={
            "held_on[day]": today.day,
            "held_on[month]": today.month,
            "held_on[year]": today.year,
            "kind": "visit",
            "notes": "Rang the bell\x07 twice",
        },
    )
    assert response.status_code == 422
    assert CONTROL_CHARACTER_MESSAGE in response.get_data(as_text=True)


def test_a_page_address_with_a_control_character_is_refused(client, practitioner):
    login(client, practitioner)
    for url in ("/people?q=An%00ne", "/people?q=Anne&q=An%1Bne", "/people?x%07=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "control character" in response.get_data(as_text=True)


def test_an_imported_row_with_a_control_character_is_rejected_with_the_reason(team):
    report = run(
        team,
        csv_bytes(
            ",Bob,Ray,1940-03-04,2026-01-05,GP,phone,Help,value",
            ",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help\x1b[2J now,value",
        ),
    )
    assert [(r.row, r.reason) for r in report.rejected] == [
        (3, f"stated_need: {CONTROL_CHARACTER_MESSAGE}")
    ]
    assert db.session.query(Person).count() == 1


@pytest.fixture
def stored_before_the_rule(practitioner):
    """A record written before control characters were refused (the domain functions take
    what the entry points let through)."""
    person = make_person(practitioner, given_name="An\x07ne", address="1 Road\x1b[31m")
    make_demand(person, practitioner, stated_need="Help\x85 at home", source="G\x01P")
    return person


def test_the_fhir_export_leaves_control_characters_out(practitioner, stored_before_the_rule):
    bundle = person_bundle(db.session, practitioner, stored_before_the_rule)
    assert without_control_characters(bundle) == bundle
    text = repr(bundle)
    assert "'Anne'" in text and "Help at home" in text and "1 Road[31m" in text


def test_the_analysts_export_leaves_control_characters_out(stored_before_the_rule, tmp_path):
    path = tmp_path / "analysis.sqlite"
    export_analysis(db.session, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("select given_name from people").fetchall() == [("Anne",)]
        assert conn.execute("select source, stated_need from demands").fetchall() == [
            ("GP", "Help at home")
        ]
