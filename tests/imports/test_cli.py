"""`casework import-demands`: the command translates, the service decides."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from casework.extensions import db
from casework.imports import service
from casework.models import Demand, Person
from tests.conftest import make_team

SAMPLE = Path(__file__).parent / "data" / "legacy_demands_sample.csv"


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
