"""Durability settings: foreign keys always enforced; on SQLite WAL, a busy timeout and
synchronous=NORMAL on every connection; on PostgreSQL commits that wait for the WAL."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from casework.extensions import db
from tests.conftest import make_demand, make_person


def test_a_row_pointing_at_nothing_is_refused(practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    move = text("UPDATE demands SET person_id = :person WHERE id = :id")
    with db.engine.begin() as connection:  # a person who exists: accepted
        connection.execute(move, {"person": demand.person_id, "id": demand.id})
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(move, {"person": 987654, "id": demand.id})


def test_every_connection_has_the_durability_settings(app):
    # Each new connection gets them (not just the first): two at once, both checked.
    with db.engine.connect() as first, db.engine.connect() as second:
        for connection in (first, second):
            if db.engine.dialect.name == "sqlite":
                pragma = {
                    name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
                }
                assert pragma == {
                    "journal_mode": "wal",
                    "busy_timeout": 5000,
                    "foreign_keys": 1,
                    "synchronous": 1,  # NORMAL: in WAL mode, a commit survives a crash
                }
            else:
                # PostgreSQL always writes ahead and enforces keys; a commit returns only
                # once its WAL is flushed (unless someone turned this off).
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
