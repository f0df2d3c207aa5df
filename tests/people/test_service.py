"""NHS numbers, the duplicate rule and search."""

import datetime as dt

import pytest

from casework.exceptions import DuplicateNhsNumber, InvalidValue
from casework.extensions import db
from casework.people import service
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        (" 943-476-5919 ", "9434765919"),
        ("", None),
        (None, None),
    ],
)
def test_valid_nhs_numbers_are_stored_without_spaces(raw, expected):
    assert service.normalise_nhs_number(raw) == expected


@pytest.mark.parametrize(
    "raw", ["9434765918", "943476591", "94347659190", "ABC4765919", "1000000002"]
)
def test_invalid_nhs_numbers_are_refused(raw):
    with pytest.raises(InvalidValue) as refused:
        service.normalise_nhs_number(raw)
    assert "nhs_number" in refused.value.fields


def test_check_digit_of_ten_is_never_valid():
    # The first nine digits of 1000000010 weigh 12: remainder 1, so the check digit would be 10.
    assert not service.nhs_number_checks("1000000010")


def test_an_nhs_number_already_on_record_is_refused(practitioner):
    first = make_person(practitioner, nhs_number="9434765919")
    with pytest.raises(DuplicateNhsNumber) as refused:
        make_person(practitioner, nhs_number="943 476 5919")
    assert refused.value.existing_id == first.id


@pytest.mark.parametrize(
    "given, family",
    [
        ("anne", "EXAMPLE"),
        ("Anne", "Example"),
        ("ANNE ", " example"),
    ],
)
def test_same_birth_date_and_names_after_normalising_are_possible_duplicates(
    practitioner, given, family
):
    existing = make_person(practitioner, given_name="Anne", family_name="Example")
    found = service.possible_duplicates(
        db.session, given_name=given, family_name=family, date_of_birth=existing.date_of_birth
    )
    assert [p.id for p in found] == [existing.id]


def test_short_forms_and_hyphens_match(practitioner):
    existing = make_person(
        practitioner,
        given_name="Robert",
        family_name="Smith-Jones",
        date_of_birth=dt.date(1950, 1, 1),
    )
    found = service.possible_duplicates(
        db.session, given_name="Bob", family_name="smith jones", date_of_birth=dt.date(1950, 1, 1)
    )
    assert found == [existing]


def test_different_birth_date_is_not_a_duplicate(practitioner):
    make_person(
        practitioner, given_name="Anne", family_name="Example", date_of_birth=dt.date(1961, 4, 2)
    )
    assert (
        service.possible_duplicates(
            db.session, given_name="Anne", family_name="Example", date_of_birth=dt.date(1961, 4, 3)
        )
        == []
    )


def test_search_by_any_part_of_the_name_nhs_number_or_birth_date(practitioner):
    anne = make_person(
        practitioner,
        given_name="Anne",
        family_name="Willoughby",
        nhs_number="9434765919",
        date_of_birth=dt.date(1961, 4, 2),
    )
    make_person(
        practitioner, given_name="Bert", family_name="Jones", date_of_birth=dt.date(1970, 1, 1)
    )
    for query in [
        "willough",
        "ANNE W",
        "943 476 5919",
        "9434765919",
        "1961-04-02",
        "02/04/1961",
        "2 April 1961",
    ]:
        results = service.search_people(db.session, practitioner, query)
        assert [r.person.id for r in results] == [anne.id], query


def test_search_across_teams_returns_identity_only(practitioner):
    outsider = make_user(make_team("South", "usual"))
    theirs = make_person(outsider, given_name="Zed", family_name="Outside")
    make_demand(theirs, outsider)
    [result] = service.search_people(db.session, practitioner, "zed")
    assert result.person.id == theirs.id and result.visible is False


def test_search_treats_wildcards_as_text(practitioner):
    make_person(practitioner, given_name="Anne", family_name="Example")
    assert service.search_people(db.session, practitioner, "%") == []
    assert service.search_people(db.session, practitioner, "_") == []
