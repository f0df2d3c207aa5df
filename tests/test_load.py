"""bench/load.py, small: a few practitioners on gunicorn and SQLite for a few seconds, then
a SIGKILL in the middle of the work and a restart. No 5xx, no acknowledged write lost, none twice,
nothing half written. (The figures in docs/performance.md come from the full run.)"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def world(load, tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    database = folder / "load.sqlite"
    people = load.build_database(database, practitioners=5, teams=2, cases_each=2)
    return load, database, people, dict(workers=2, threads=2, log=folder / "gunicorn.log")


def assert_sound(result):
    check = result.check
    assert result.tally.server_errors == 0, result.tally.statuses
    assert check.acknowledged > 0
    assert check.lost == [] and check.duplicated == [] and check.refused_but_saved == []
    assert check.half_written == []
    assert result.ok


def test_load_then_a_sigkill_in_the_middle_loses_no_acknowledged_write(world):
    load, database, people, options = world
    result = load.kill_run(database, people, seconds=6, kill_at=3, **options)
    # Before the kill, a steady load: every request answered, none with a 5xx.
    assert result.answers_before_kill and "no answer" not in result.answers_before_kill
    assert result.restarts == 1
    assert result.acknowledged_before_kill > 0 and result.acknowledged_after_kill > 0
    assert {w.kind for w in result.tally.writes} == {"conversation", "demand", "api_conversation"}
    assert_sound(result)


def test_the_check_finds_a_lost_a_duplicated_and_a_half_written_record(world, tmp_path):
    """The check itself can fail: a copy of the database with damage done to it."""
    import shutil
    import sqlite3

    load, database, _, _ = world
    copy = tmp_path / "damaged.sqlite"
    shutil.copy(database, copy)
    tally = load.Tally()
    with contextlib.closing(sqlite3.connect(copy)) as db, db:
        # A saved conversation with its marker, then the same marker saved a second time.
        # (Made here, not taken from the run before: on a busy machine that run may have
        # had only demands acknowledged.)
        (case_id,) = db.execute("SELECT min(id) FROM cases").fetchone()
        marker = "LOAD-ab12-1-1"
        assert load.MARKER.fullmatch(marker)
        for notes in (marker, marker + " again"):
            db.execute(
                "INSERT INTO conversations (case_id, held_on, kind, notes, recorded_at) "
                "VALUES (?, '2026-01-01', 'visit', ?, '2026-01-01 10:00:00')",
                (case_id, notes),
            )
        db.execute("DELETE FROM cases WHERE id = (SELECT max(id) FROM cases)")
    tally.write(marker, "conversation", "acknowledged")
    tally.write("LOAD-0-0-0", "conversation", "acknowledged")
    check = load.check_database(copy, tally)
    assert check.lost == ["LOAD-0-0-0"]
    assert check.duplicated == [marker]
    assert any("demands without their case" in p for p in check.half_written)
