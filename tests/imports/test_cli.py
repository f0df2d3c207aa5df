"""`casework import-demands`: the command translates, the service decides."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from casework import clock
from casework.extensions import db
from casework.imports import service
from casework.models import Demand, Person
from tests.conftest import make_person, make_team, make_user
from tests.imports.samples import ISO_DATE, SAMPLE, UK_SAMPLE

HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,stated_need,kind"
)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


def test_the_command_imports_and_reports(runner):
    make_team("Northgate", "usual")
    result = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Northgate"])
    assert result.exit_code == 0, result.output
    assert "Rows read: 161\nPeople matched: 0\nPeople created: 58\n" in result.output
    assert "Rows rejected: 0" in result.output
    assert count(Demand) == 161
    again = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Northgate"])
    assert "Rows already present: 161" in again.output
    assert "Already on record, not added again: rows 2, 3, 4," in again.output
    assert count(Demand) == 161


def test_a_dry_run_saves_nothing(runner):
    make_team("Northgate", "usual")
    result = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Northgate", "--dry-run"])
    assert result.exit_code == 0
    assert "Dry run, nothing saved" in result.output and "People created: 58" in result.output
    assert count(Person) == count(Demand) == 0


def test_the_cohort_is_chosen_on_the_command_line(runner):
    make_team("Riverside", "pilot")
    runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Riverside", "--cohort", "pilot"])
    assert set(db.session.scalars(select(Demand.cohort))) == {"pilot"}


def test_rejected_rows_are_listed_with_their_reason(runner, tmp_path):
    make_team("Northgate", "usual")
    path = tmp_path / "bad.csv"
    path.write_text(SAMPLE.read_text().replace("2026-05-03,Family,letter", "2026-05-03,Family,fax"))
    result = runner.invoke(args=["import-demands", str(path), "--team", "Northgate"])
    assert result.exit_code == 0
    assert "Rows rejected: 1" in result.output
    assert "Row 2 rejected: channel: Choose how the demand arrived" in result.output
    assert count(Demand) == 160


def test_a_refused_file_is_a_plain_error_and_saves_nothing(runner, tmp_path):
    make_team("Northgate", "usual")
    path = tmp_path / "short.csv"
    path.write_text("given_name,family_name\nAnn,Lee\n")
    result = runner.invoke(args=["import-demands", str(path), "--team", "Northgate"])
    assert result.exit_code == 1
    assert "Error: The file is missing the columns nhs_number, date_of_birth" in result.output
    assert "Traceback" not in result.output
    assert count(Person) == 0


def test_an_unknown_team_or_missing_file_is_a_plain_error(runner, tmp_path):
    make_team("Northgate", "usual")
    result = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Nowhere"])
    assert result.exit_code == 1 and "there is no team called Nowhere" in result.output
    result = runner.invoke(
        args=["import-demands", str(tmp_path / "absent.csv"), "--team", "Northgate"]
    )
    assert result.exit_code == 1 and "cannot read" in result.output


def test_a_file_over_the_configured_size_is_refused(runner, app):
    make_team("Northgate", "usual")
    app.config["IMPORT_MAX_BYTES"] = 1000
    result = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Northgate"])
    assert result.exit_code == 1 and "larger than" in result.output
    assert count(Demand) == 0


def test_a_crash_half_way_through_the_command_leaves_nothing(runner, monkeypatch):
    make_team("Northgate", "usual")
    original = service._Importer.import_row
    seen = []

    def failing(self, number, row):
        seen.append(number)
        if len(seen) == 100:
            raise RuntimeError("power cut")
        return original(self, number, row)

    monkeypatch.setattr(service._Importer, "import_row", failing)
    result = runner.invoke(args=["import-demands", str(SAMPLE), "--team", "Northgate"])
    assert result.exit_code != 0 and len(seen) == 100
    assert count(Person) == count(Demand) == 0


def test_a_uk_dated_sample_imports_to_the_same_figures(runner):
    make_team("Northgate", "usual")
    assert not ISO_DATE.search(UK_SAMPLE.read_bytes())
    result = runner.invoke(args=["import-demands", str(UK_SAMPLE), "--team", "Northgate"])
    assert result.exit_code == 0, result.output
    assert "Rows read: 161\nPeople matched: 0\nPeople created: 58\n" in result.output
    assert "Rows rejected: 0" in result.output and count(Demand) == 161


def test_uk_dates_imported_on_the_command_line_read_back_through_the_api(runner, client, tmp_path):
    """Day first, always: 2/11 is the 2nd of November, never the 11th of February."""
    team = make_team("Northgate", "usual")
    manager = make_user(team, "manager", email="morgan@example.org")
    today = clock.today()
    born = dt.date(today.year - 79, 11, 2)
    received = today - dt.timedelta(days=40)
    later = today - dt.timedelta(days=3)
    path = tmp_path / "uk.csv"
    path.write_text(
        f"{HEADER}\n"
        f",Ann,Lee,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Help at home,\n"
        f",Ann,Lee,{born.day}/{born.month}/{born.year},{later.day}/{later.month}/{later.year},"
        "GP,phone,Falls,failure\n"
    )
    result = runner.invoke(args=["import-demands", str(path), "--team", "Northgate"])
    assert result.exit_code == 0, result.output
    assert "People created: 1\n" in result.output and "Rows rejected: 0" in result.output
    token = runner.invoke(args=["users", "token", manager.email]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    found = client.get("/api/v1/people?q=Ann Lee", headers=headers).get_json()["results"]
    assert len(found) == 1
    person = client.get(f"/api/v1/people/{found[0]['id']}", headers=headers).get_json()
    assert person["date_of_birth"] == born.isoformat()
    assert [d["received_on"] for d in person["demands"]] == [
        received.isoformat(),
        later.isoformat(),
    ]


def test_a_two_digit_year_is_refused_with_the_row_and_the_reason(runner, tmp_path):
    make_team("Northgate", "usual")
    path = tmp_path / "short-years.csv"
    path.write_text(f"{HEADER}\n,Ann,Lee,2/11/47,3/12/2025,GP,phone,Help,\n")
    result = runner.invoke(args=["import-demands", str(path), "--team", "Northgate"])
    assert result.exit_code == 0, result.output
    assert "Row 2 rejected: date_of_birth: “2/11/47” has a two-digit year" in result.output
    assert count(Person) == count(Demand) == 0


def test_a_dry_run_lists_who_each_row_is_about_and_why(runner, tmp_path):
    team = make_team("Northgate", "usual")
    worker = make_user(team)
    born = clock.today() - dt.timedelta(days=30_000)
    on_file = make_person(worker, given_name="Ann", family_name="Lee", date_of_birth=born)
    received = clock.today() - dt.timedelta(days=9)
    path = tmp_path / "who.csv"
    path.write_text(
        f"{HEADER}\n"
        f"943 476 5919,ann,LEE,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Help,\n"
        f",Bob,Ray,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Help,\n"
        f",Bob,Ray,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Falls,\n"
    )
    result = runner.invoke(args=["import-demands", str(path), "--team", "Northgate", "--dry-run"])
    assert result.exit_code == 0, result.output
    uk_born = f"{born.day} {born:%B %Y}"
    assert (
        f"Row 2: Ann Lee, born {uk_born}, NHS number 943 476 5919: matches record "
        f"{on_file.id} (Same date of birth and names; the record gains the row's NHS number)"
    ) in result.output
    assert (
        f"Row 3: Bob Ray, born {uk_born}, no NHS number: new person "
        "(No record has this name and date of birth)"
    ) in result.output
    assert "Row 4: Bob Ray" in result.output
    assert "matches a person this import adds (Same date of birth and names as row 3" in (
        result.output
    )
    assert count(Demand) == 0
