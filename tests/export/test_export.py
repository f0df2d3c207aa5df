"""`casework export-analysis`: a standalone SQLite file for analysts, optionally pseudonymised."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from sqlalchemy import func, select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation
from casework.export import analysis as export
from casework.export.analysis import ExportRefused, export_analysis
from casework.extensions import db
from casework.imports.service import import_demands
from casework.models import (
    Action,
    AuditEvent,
    Case,
    Conversation,
    Demand,
    OwnershipChange,
    Person,
    Team,
    User,
)
from casework.people.merge import merge_people
from tests.conftest import make_demand, make_person, make_user

SAMPLE = Path(__file__).parent.parent / "imports" / "data" / "legacy_demands_sample.csv"
KEY = b"test-key"
TABLES = {
    "teams": Team,
    "workers": User,
    "people": Person,
    "cases": Case,
    "demands": Demand,
    "actions": Action,
    "conversations": Conversation,
    "ownership_changes": OwnershipChange,
}


@pytest.fixture
def history(team, practitioner):
    """The sample imported, plus a worked case whose free text names the person."""
    import_demands(db.session, data=SAMPLE.read_bytes(), file_name="s.csv", team=team)
    irene = make_person(
        practitioner,
        given_name="Wilhelmina",
        family_name="Quaintance",
        date_of_birth=dt.date(1940, 5, 6),
        nhs_number="9434765919",
        phone="0113 496 0000",
        postcode="LS1 4AP",
    )
    demand, _ = make_demand(
        irene,
        practitioner,
        clock.today() - dt.timedelta(days=9),
        stated_need="Wilhelmina fell",
        source="Son (Mr Quaintance)",
    )
    case = demand.case
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=8),
        kind="visit",
        with_whom="Wilhelmina Quaintance and her son",
        what_matters="Wilhelmina wants to stay at home",
        notes="Mrs Quaintance was well",
    )
    add_action(db.session, case, practitioner, description="Ring Quaintance family", by="team")
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Wilhelmina agreed",
        summary="Quaintance settled",
    )
    db.session.commit()
    return irene


def cells(path: Path):
    with sqlite3.connect(path) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type='table'"):
            for row in conn.execute(f'select * from "{table}"'):  # noqa: S608 - our own names
                yield from (str(v) for v in row if v is not None)


def test_the_export_holds_every_table_with_its_rows(history, tmp_path):
    path = tmp_path / "analysis.sqlite"
    counts = export_analysis(db.session, path)
    out = sqlite_utils.Database(path)
    for name, model in TABLES.items():
        expected = db.session.scalar(select(func.count(model.id)))
        assert out[name].count == counts[name] == expected, name
    assert counts["demands"] == 162 and counts["people"] == 59
    person = next(out["people"].rows_where("id = ?", [history.id]))
    assert (person["given_name"], person["nhs_number"]) == ("Wilhelmina", "9434765919")
    assert "phone" not in person and "address" not in person  # contact details never leave
    info = {r["key"]: r["value"] for r in out["export_info"].rows}
    assert info["pseudonymised"] == "no"


def test_the_export_has_foreign_keys_and_indexes(history, tmp_path):
    path = tmp_path / "analysis.sqlite"
    export_analysis(db.session, path)
    out = sqlite_utils.Database(path)
    keys = {(fk.column, fk.other_table) for fk in out["demands"].foreign_keys}
    assert {("person_id", "people"), ("case_id", "cases"), ("team_id", "teams")} <= keys
    assert {idx.columns[0] for idx in out["demands"].indexes} >= {"person_id", "team_id"}
    out.conn.execute("PRAGMA foreign_keys = ON")
    assert list(out.conn.execute("PRAGMA foreign_key_check")) == []


def test_is_repeat_follows_the_repeat_rule(history, tmp_path):
    path = tmp_path / "analysis.sqlite"
    export_analysis(db.session, path)
    out = sqlite_utils.Database(path)
    start, end = "2025-11-01", "2026-10-31"
    repeats = out.execute(
        "select count(*) from demands where is_repeat and received_on between ? and ?",
        [start, end],
    ).fetchone()[0]
    assert repeats == 73  # legacy_demands_sample.expected.json


PHONE = re.compile(r"0113\s*496\s*0000")  # the history's phone number, however spaced


def test_the_pseudonymised_export_holds_no_name_nhs_number_or_free_text(history, tmp_path):
    path = tmp_path / "pseudo.sqlite"
    counts = export_analysis(db.session, path, key=KEY)
    people = list(db.session.scalars(select(Person)))
    words = {w for p in people for w in (p.given_name, p.family_name)}
    nhs_numbers = {p.nhs_number for p in people if p.nhs_number}
    workers = {u.name for u in db.session.scalars(select(User))}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words | workers)) + r")\b", re.I)
    checked = 0
    for cell in cells(path):
        assert not pattern.search(cell), cell
        assert not any(n in cell.replace(" ", "") for n in nhs_numbers), cell
        assert not PHONE.search(cell) and "LS1" not in cell
        checked += 1
    assert checked > 1000
    assert counts["people"] == 59 and counts["demands"] == 162
    out = sqlite_utils.Database(path)
    assert {"source", "stated_need"}.isdisjoint(out["demands"].columns_dict)
    assert {"notes", "what_matters", "with_whom"}.isdisjoint(out["conversations"].columns_dict)
    person = next(out["people"].rows_where("id = ?", [export.pseudonym(KEY, "person", history.id)]))
    assert person["age_band"] == "85+"
    assert person["nhs_number_pseudonym"] == export.pseudonym(KEY, "nhs_number", "9434765919")
    demand = next(out["demands"].rows_where("person_id = ?", [person["id"]]))
    assert demand["case_id"] is not None


def test_pseudonyms_are_stable_across_exports_and_change_with_the_key(history, tmp_path):
    first, second, other = (tmp_path / f"{n}.sqlite" for n in ("a", "b", "c"))
    export_analysis(db.session, first, key=KEY)
    export_analysis(db.session, second, key=KEY)
    export_analysis(db.session, other, key=b"another-key")

    def ids(path):
        return [r["id"] for r in sqlite_utils.Database(path)["people"].rows]

    assert ids(first) == ids(second)
    assert set(ids(first)).isdisjoint(ids(other))
    assert len(set(ids(first))) == 59


def test_the_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(export.KEY_ENV, raising=False)
    key = export.pseudonym_key(tmp_path)
    assert key == export.pseudonym_key(tmp_path) and len(key) == 64
    assert (tmp_path / "pseudonym_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(export.KEY_ENV, "from-the-environment")
    assert export.pseudonym_key(tmp_path) == b"from-the-environment"


@pytest.mark.parametrize(
    "born, band",
    [
        (dt.date(2010, 1, 2), "0-17"),
        (dt.date(2008, 1, 1), "18-39"),
        (dt.date(2008, 1, 2), "0-17"),
        (dt.date(1961, 1, 1), "65-74"),
        (None, None),
    ],
)
def test_age_bands(born, band):
    assert export.age_band(born, dt.date(2026, 1, 1)) == band


def test_an_existing_file_is_not_overwritten_without_force(history, tmp_path):
    path = tmp_path / "analysis.sqlite"
    path.write_text("precious")
    with pytest.raises(ExportRefused, match="already exists"):
        export_analysis(db.session, path)
    assert path.read_text() == "precious"
    export_analysis(db.session, path, force=True)
    assert sqlite_utils.Database(path)["demands"].count == 162
    assert not [p.name for p in tmp_path.iterdir() if "analysis" in p.name and "building" in p.name]


def test_merged_away_records_are_not_exported(history, practitioner, tmp_path):
    twin = make_person(
        practitioner, given_name="Wilhelmina", family_name="Quaintance", date_of_birth=None
    )
    admin = make_user(None, "admin")
    merge_people(db.session, admin, keep=history, other=twin)
    db.session.commit()
    path = tmp_path / "analysis.sqlite"
    export_analysis(db.session, path)
    ids = {r["id"] for r in sqlite_utils.Database(path)["people"].rows}
    assert history.id in ids and twin.id not in ids


def test_measures_are_flattened_one_row_per_figure_month_cohort_and_team(history, tmp_path):
    calls = []

    def compute(session, *, start, end, cohort, team_id):
        calls.append((start, end, cohort, team_id))
        return {"from": str(start), "repeat_demand": {"repeat": 1, "rate": 0.5}, "x": [2, None]}

    path = tmp_path / "analysis.sqlite"
    counts = export_analysis(db.session, path, compute=compute)
    # From the sample's first demand to the latest on record (the worked case, 9 days ago):
    # months with no demand after it are not exported, so "today" would fail early in a month.
    latest = db.session.scalar(select(func.max(Demand.received_on)))
    assert latest == clock.today() - dt.timedelta(days=9)
    months = len(list(export.months(dt.date(2024, 6, 28), latest)))
    assert len(calls) == months * 3 * 2  # cohorts all/pilot/usual × all teams and North
    assert counts["measures"] == len(calls) * 4
    rows = list(sqlite_utils.Database(path)["measures"].rows_where("figure = 'repeat_demand.rate'"))
    assert rows[0]["month"] == "2024-06-01" and rows[0]["period_to"] == "2024-06-30"
    assert {r["value"] for r in rows} == {0.5}
    figures = {r["figure"] for r in sqlite_utils.Database(path)["measures"].rows}
    assert figures == {"repeat_demand.repeat", "repeat_demand.rate", "x[0]", "x[1]"}


def test_the_command_writes_the_file_and_audits_it(runner, history, tmp_path, monkeypatch):
    monkeypatch.setenv(export.KEY_ENV, "command-key")
    path = tmp_path / "out.sqlite"
    result = runner.invoke(args=["export-analysis", str(path), "--pseudonymise"])
    assert result.exit_code == 0, result.output
    assert "demands: 162 rows" in result.output
    first = [r["id"] for r in sqlite_utils.Database(path)["people"].rows]
    again = runner.invoke(args=["export-analysis", str(path), "--pseudonymise"])
    assert again.exit_code == 1 and "already exists" in again.output
    forced = runner.invoke(args=["export-analysis", str(path), "--pseudonymise", "--force"])
    assert forced.exit_code == 0
    assert [r["id"] for r in sqlite_utils.Database(path)["people"].rows] == first
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.detail["pseudonymised"] is True and event.detail["demands"] == 162


def test_a_failed_export_leaves_no_file(history, tmp_path):
    def broken(session, **kwargs):
        raise RuntimeError("the measures failed")

    path = tmp_path / "analysis.sqlite"
    with pytest.raises(RuntimeError):
        export_analysis(db.session, path, compute=broken)
    assert not [p for p in tmp_path.iterdir() if "analysis" in p.name]
