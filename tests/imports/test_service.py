"""The legacy import's rules: matching, rejections, idempotence, one transaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.imports import service
from casework.imports.service import ImportRefused, Limits, import_demands
from casework.measures import had_earlier_demand
from casework.models import AuditEvent, Case, Demand, Person
from tests.conftest import make_demand, make_person, make_team, make_user
from tests.imports.samples import UK_SAMPLE, uk_dated

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "legacy_demands_sample.csv"
HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,stated_need,kind"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def run(team, data: bytes, **kwargs):
    report = import_demands(db.session, data=data, file_name="test.csv", team=team, **kwargs)
    db.session.commit()
    return report


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def usual(app):
    return make_team("Northgate", "usual")


@pytest.mark.parametrize(
    "data",
    [SAMPLE.read_bytes(), UK_SAMPLE.read_bytes(), uk_dated(SAMPLE.read_bytes())],
    ids=["year-month-day", "dd-mm-yyyy", "d-m-yyyy"],
)
def test_the_sample_gives_exactly_the_expected_figures(usual, data):
    expected = json.loads((DATA / "legacy_demands_sample.expected.json").read_text())
    report = run(usual, data)
    assert report.rows_read == expected["rows_read"]
    assert len(report.rejected) == expected["rows_rejected"]
    assert count(Person) == expected["people_total"]

    start, end = (dt.date.fromisoformat(expected[k]) for k in ("from", "to"))
    in_period = Demand.received_on.between(start, end)

    def demands(*conditions):
        return db.session.scalar(select(func.count(Demand.id)).where(in_period, *conditions))

    people = db.session.scalar(select(func.count(func.distinct(Demand.person_id))).where(in_period))
    assert demands() == expected["demands_per_person"]["demands"]
    assert people == expected["demands_per_person"]["people"]
    assert demands(had_earlier_demand()) == expected["repeat_demand"]["repeat"]
    assert demands(Demand.kind == "failure") == expected["failure_demand"]["failure"]
    assert demands(Demand.kind == "value") == expected["failure_demand"]["value"]
    assert demands(Demand.kind.is_(None)) == expected["failure_demand"]["unclassified"]


def test_imported_demands_are_unrouted_history_in_the_given_cohort(usual):
    report = run(usual, SAMPLE.read_bytes(), cohort="pilot")
    rows = db.session.execute(
        select(Demand.imported, Demand.case_id, Demand.routed_by, Demand.cohort, Demand.team_id)
    ).all()
    assert len(rows) == report.demands_added == 161
    assert set(rows) == {(True, None, None, "pilot", usual.id)}
    assert count(Case) == 0


def test_the_default_cohort_is_usual(usual):
    run(usual, SAMPLE.read_bytes())
    assert set(db.session.scalars(select(Demand.cohort))) == {"usual"}


def test_importing_the_same_file_twice_adds_nothing(usual):
    first = run(usual, SAMPLE.read_bytes())
    people, demands = count(Person), count(Demand)
    second = run(usual, SAMPLE.read_bytes())
    assert (count(Person), count(Demand)) == (people, demands)
    assert second.demands_added == second.people_created == 0
    assert len(second.already_present) == first.rows_read == 161
    assert second.people_matched == 58
    assert all(a.same_as_row is None for a in second.already_present)


def test_a_row_repeated_within_the_file_is_added_once(usual):
    row = ",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help at home,value"
    report = run(usual, csv_bytes(row, ",Ann,Lee,1950-01-02,2026-02-05,GP,phone,Falls,", row))
    assert report.demands_added == 2
    assert [(a.row, a.same_as_row) for a in report.already_present] == [(4, 2)]
    assert report.already_present[0].reason == "The same as row 2 of this file"


@pytest.mark.parametrize(
    "row, reason",
    [
        (",,Lee,1950-01-02,2026-01-05,GP,phone,Help,value", "given_name: Enter the person's first"),
        (",Ann,,1950-01-02,2026-01-05,GP,phone,Help,value", "family_name: Enter the person's last"),
        ("943 476 5910,Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,", "nhs_number: That is not a"),
        ("12345,Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,", "nhs_number: Enter an NHS number"),
        (",Ann,Lee,1950/01/02,2026-01-05,GP,phone,Help,", "date_of_birth: “1950/01/02” is not a"),
        (
            ",Ann,Lee,01/13/1950,2026-01-05,GP,phone,Help,",
            "date_of_birth: “01/13/1950” is not a real",
        ),
        (
            ",Ann,Lee,02/01/50,2026-01-05,GP,phone,Help,",
            "date_of_birth: “02/01/50” has a two-digit",
        ),
        (",Ann,Lee,1950-01-02,5/1/26,GP,phone,Help,", "received_on: “5/1/26” has a two-digit year"),
        (
            ",Ann,Lee,1950-02-30,2026-01-05,GP,phone,Help,",
            "date_of_birth: “1950-02-30” is not a real",
        ),
        (",Ann,Lee,2999-01-01,2026-01-05,GP,phone,Help,", "date_of_birth: Date of birth must be"),
        (",Ann,Lee,,2026-01-05,GP,phone,Help,", "date_of_birth: Enter a date of birth or an NHS"),
        (",Ann,Lee,1950-01-02,,GP,phone,Help,", "received_on: Enter the date the demand"),
        (",Ann,Lee,1950-01-02,2999-01-05,GP,phone,Help,", "received_on: The date received must"),
        (",Ann,Lee,1950-01-02,2026-01-05,,phone,Help,", "source: Enter who the demand came"),
        (",Ann,Lee,1950-01-02,2026-01-05," + "G" * 101 + ",phone,Help,", "source: Source must be"),
        (",Ann,Lee,1950-01-02,2026-01-05,GP,pigeon,Help,", "channel: Choose how the demand"),
        (",Ann,Lee,1950-01-02,2026-01-05,GP,phone,,", "stated_need: Enter the need"),
        (",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,maybe", "kind: Choose value demand"),
        (",Ann," + "L" * 101 + ",1950-01-02,2026-01-05,GP,phone,Help,", "family_name: Names must"),
        (
            ",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,,surplus",
            "The row has 1 more value(s) than",
        ),
        (",Ann,Lee,1950-01-02,2026-01-05,GP,phone," + "x" * 10_001 + ",", "stated_need is longer"),
    ],
)
def test_each_rejection_has_a_reason_and_changes_nothing(usual, row, reason):
    good = ",Bob,Ray,1940-03-04,2026-01-05,GP,phone,Help,value"
    report = run(usual, csv_bytes(good, row))
    assert report.rows_read == 2
    assert [r.row for r in report.rejected] == [3]
    assert report.rejected[0].reason.startswith(reason), report.rejected[0].reason
    assert count(Person) == 1 and count(Demand) == 1


def test_values_are_stripped_and_channel_and_kind_read_in_any_case(usual):
    run(
        usual, csv_bytes(" , Ann , Lee ,1950-01-02, 2026-01-05 , GP , Referral Form , Help , Value")
    )
    person = db.session.scalar(select(Person))
    demand = db.session.scalar(select(Demand))
    assert (person.given_name, person.family_name, person.nhs_number) == ("Ann", "Lee", None)
    assert (demand.source, demand.channel, demand.stated_need, demand.kind) == (
        "GP",
        "referral_form",
        "Help",
        "value",
    )


def test_a_file_with_missing_columns_is_refused_whole(usual):
    data = csv_bytes(
        ",Ann,Lee,1950-01-02,2026-01-05", header="nhs_number,given_name,family_name,dob,received_on"
    )
    with pytest.raises(ImportRefused) as refused:
        run(usual, data)
    message = refused.value.message
    assert "missing the columns date_of_birth, source, channel, stated_need, kind" in message
    assert count(Person) == count(Demand) == 0


def test_column_names_in_another_case_or_with_spaces_are_accepted(usual):
    header = (
        "NHS Number,Given Name,Family Name,Date of Birth,Received On,"
        "Source,Channel,Stated Need,Kind,Notes"
    )
    report = run(usual, csv_bytes(",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,,x", header=header))
    assert report.demands_added == 1
    assert report.notes == ["Columns not used: Notes."]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (HEADER.encode() + b"\n", "header row but no referrals"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or TSV file"),
        (b'[{"given_name": "Ann"}]', "This looks like a JSON file"),
        # a NUL far into the file, where a first-bytes check would not look
        (
            csv_bytes(*[",Ann,Lee,1950-01-02,2026-01-02,GP,phone,Help," * 2000, ",A,B,,x\x00,,,,"]),
            "This is not a CSV or TSV file",
        ),
    ],
)
def test_files_that_cannot_be_imported_are_refused_in_plain_words(usual, data, message):
    with pytest.raises(ImportRefused) as refused:
        run(usual, data)
    assert message in refused.value.message


def test_a_file_over_the_limits_is_refused(usual):
    data = csv_bytes(*[f",Ann,Lee,1950-01-02,2026-01-{d:02},GP,phone,Help," for d in range(1, 6)])
    with pytest.raises(ImportRefused, match="more than 4 rows"):
        run(usual, data, limits=Limits(max_rows=4))
    db.session.rollback()  # as every caller does
    assert count(Demand) == 0
    with pytest.raises(ImportRefused, match="larger than 0 MB"):
        run(usual, data, limits=Limits(max_bytes=100))


def test_tsv_and_semicolon_files_are_read(usual):
    tsv = csv_bytes(
        "\tAnn\tLee\t1950-01-02\t2026-01-05\tGP\tphone\tHelp, at home\t",
        header=HEADER.replace(",", "\t"),
    )
    semicolon = csv_bytes(
        ";Bob;Ray;1940-01-02;2026-01-05;GP;phone;Help, with shopping;value",
        header=HEADER.replace(",", ";"),
    )
    assert run(usual, tsv).demands_added == 1
    assert run(usual, semicolon).demands_added == 1
    assert set(db.session.scalars(select(Demand.stated_need))) == {
        "Help, at home",
        "Help, with shopping",
    }


def test_a_latin1_file_is_read_with_a_note(usual):
    data = csv_bytes(",Zoë,Brontë,1950-01-02,2026-01-05,GP,phone,Café visit,").decode()
    report = run(usual, data.encode("latin-1"))
    assert report.encoding == "cp1252"
    assert "not in UTF-8" in report.notes[0]
    person = db.session.scalar(select(Person))
    assert (person.given_name, person.family_name) == ("Zoë", "Brontë")


def test_a_utf8_file_with_a_byte_order_mark_is_read(usual):
    data = "\ufeff".encode() + csv_bytes(",Zoë,Lee,1950-01-02,2026-01-05,GP,phone,Help,")
    report = run(usual, data)
    assert report.demands_added == 1 and report.encoding == "utf-8" and not report.notes


def test_a_row_matches_the_person_with_its_nhs_number(usual):
    worker = make_user(usual)
    person = make_person(worker, given_name="Anne", family_name="Other", nhs_number="9434765919")
    report = run(usual, csv_bytes("943 476 5919,Annie,Smith,1961-04-02,2026-01-05,GP,phone,Help,"))
    assert report.people_matched == 1 and report.people_created == 0
    assert db.session.scalar(select(Demand.person_id)) == person.id


def test_a_row_with_the_nhs_number_of_a_merged_away_record_goes_to_the_kept_one(usual):
    from casework.people.merge import merge_people

    worker = make_user(usual)
    kept = make_person(
        worker, given_name="Ann", family_name="Lee", date_of_birth=dt.date(1961, 4, 2)
    )
    other = make_person(
        worker,
        given_name="Ann",
        family_name="Lee",
        date_of_birth=dt.date(1961, 4, 2),
        nhs_number="9434765919",
    )
    merge_people(db.session, make_user(None, "admin"), keep=kept, other=other, fill_blanks=False)
    db.session.commit()
    report = run(
        usual,
        csv_bytes(
            "9434765919,Ann,Lee,1961-04-02,2026-01-05,GP,phone,Help,",
            "9434765919,Someone,Else,1970-01-01,2026-01-06,GP,phone,Help,",
        ),
    )
    assert (report.people_matched, report.people_created, len(report.rejected)) == (1, 0, 0)
    assert set(db.session.scalars(select(Demand.person_id))) == {kept.id}


def test_a_row_matches_by_name_and_birth_date_and_the_person_gains_the_nhs_number(usual):
    worker = make_user(usual)
    person = make_person(worker, given_name="Robert", family_name="Smith-Jones")
    report = run(
        usual, csv_bytes("9434765919,bob,smith jones,1961-04-02,2026-01-05,GP,phone,Help,")
    )
    assert (report.people_matched, report.people_created) == (1, 0)
    assert report.nhs_number_added_ids == [person.id]
    db.session.refresh(person)
    assert person.nhs_number == "9434765919"
    gained = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.person_id == person.id)
    )
    assert gained.detail["fields"] == ["nhs_number"]


def test_a_row_without_nhs_number_matches_a_person_who_has_one(usual):
    worker = make_user(usual)
    person = make_person(worker, given_name="Ann", family_name="Lee", nhs_number="9434765919")
    report = run(usual, csv_bytes(",Ann,Lee,1961-04-02,2026-01-05,GP,phone,Help,"))
    assert report.people_matched == 1
    assert db.session.scalar(select(Demand.person_id)) == person.id


def test_a_name_and_birth_date_match_with_a_different_nhs_number_is_another_person(usual):
    worker = make_user(usual)
    person = make_person(worker, given_name="Ann", family_name="Lee", nhs_number="9434765919")
    report = run(usual, csv_bytes("4010232137,Ann,Lee,1961-04-02,2026-01-05,GP,phone,Help,"))
    assert (report.people_matched, report.people_created) == (0, 1)
    created = db.session.get(Person, report.created_ids[0])
    assert created.id != person.id and created.nhs_number == "4010232137"
    assert db.session.get(Person, person.id).nhs_number == "9434765919"


def test_two_people_with_the_same_name_and_birth_date_make_the_row_ambiguous(usual):
    worker = make_user(usual)
    first = make_person(worker, given_name="Ann", family_name="Lee")
    second = make_person(worker, given_name="Anne", family_name="Lee", nhs_number="9434765919")
    second.given_name = "Ann"
    db.session.commit()
    report = run(usual, csv_bytes(",Ann,Lee,1961-04-02,2026-01-05,GP,phone,Help,"))
    assert len(report.rejected) == 1
    assert f"ids {first.id}, {second.id}" in report.rejected[0].reason
    assert count(Demand) == 0 and count(Person) == 2


def test_a_row_already_on_record_from_intake_is_already_present(usual):
    worker = make_user(usual)
    person = make_person(worker, given_name="Ann", family_name="Lee")
    demand, _ = make_demand(person, worker, dt.date(2026, 1, 5), stated_need="Help")
    report = run(usual, csv_bytes(",Ann,Lee,1961-04-02,2026-01-05,GP,email,Help,failure"))
    assert [(a.row, a.demand_id) for a in report.already_present] == [(2, demand.id)]
    assert count(Demand) == 1


def test_rows_for_one_new_person_create_them_once(usual):
    report = run(
        usual,
        csv_bytes(
            ",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,",
            ",ANN,LEE,1950-01-02,2026-02-05,GP,phone,Falls,",
        ),
    )
    assert (report.people_created, report.people_matched, report.demands_added) == (1, 0, 2)
    assert count(Person) == 1


def test_people_created_are_registered_to_the_import_team_and_audited(usual):
    admin = make_user(None, "admin")
    before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    report = run(usual, csv_bytes(",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,"), user=admin)
    person = db.session.get(Person, report.created_ids[0])
    assert person.registered_by_team_id == usual.id and person.created_by_id == admin.id
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.entity).where(AuditEvent.id > before)
    ).all()
    assert sorted(events) == [("create", "demand"), ("create", "person"), ("import", "demands")]
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert summary.user_id == admin.id
    assert summary.detail["file_name"] == "test.csv"
    assert summary.detail["rows_read"] == 1
    assert summary.detail["demand_ids"] == report.demand_ids


def test_a_failure_half_way_leaves_nothing(usual, monkeypatch):
    rows = 0
    original = service._Importer.import_row

    def failing(self, number, row):
        nonlocal rows
        rows += 1
        if rows == 80:
            raise RuntimeError("disk full")
        return original(self, number, row)

    audited = count(AuditEvent)
    monkeypatch.setattr(service._Importer, "import_row", failing)
    with pytest.raises(RuntimeError):
        import_demands(db.session, data=SAMPLE.read_bytes(), file_name="x.csv", team=usual)
    db.session.rollback()
    assert rows == 80
    assert count(Person) == count(Demand) == 0
    assert count(AuditEvent) == audited


def test_the_uk_dated_sample_is_the_sample_with_its_dates_written_day_first():
    uk = UK_SAMPLE.read_bytes()
    assert uk == uk_dated(SAMPLE.read_bytes(), zeros=True) != SAMPLE.read_bytes()
    assert b"/" in uk and b"-0" not in uk
