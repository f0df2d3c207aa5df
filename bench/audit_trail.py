"""How long a person's "who has looked" takes with many list reads in the trail.

`python bench/audit_trail.py [--events 100000] [--database-url URL]`: builds a migrated
database (a temporary SQLite file, or the empty PostgreSQL database named), fills it with
`--events` audit events (about a third of them list reads naming 5 to 50 people each, the
rest single-record reads and changes, logins and the like), then times the person's trail
(count and first page of 50) and the person page's latest 10, for people found in many
and in few events. Prints the median of 20 runs in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from casework import create_app  # noqa: E402
from casework.audit.trail import person_trail  # noqa: E402
from casework.extensions import db  # noqa: E402
from casework.models import AuditEvent, AuditEventPerson, Person, User  # noqa: E402

PEOPLE, USERS = 5_000, 40


def build(events: int) -> None:
    rng = random.Random(21)  # noqa: S311 - made-up data, the same each run
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    db.session.execute(
        insert(User),
        [
            {"email": f"u{n}@example.org", "name": f"User {n}", "role": "practitioner"}
            | {"password_hash": "x"}
            for n in range(USERS)
        ],
    )
    db.session.execute(
        insert(Person), [{"given_name": "Ada", "family_name": f"P{n}"} for n in range(PEOPLE)]
    )
    rows, listed = [], []
    for n in range(events):
        at = start + dt.timedelta(seconds=30 * n)
        user = rng.randint(1, USERS)
        kind = rng.random()
        if kind < 0.33:  # a list read: search, caseload, drill-down
            shown = rng.sample(range(1, PEOPLE + 1), rng.randint(5, 50))
            entity = rng.choice(["caseload", "person", "measures_list"])
            action = "search" if entity == "person" else "view"
            row = {"action": action, "entity": entity, "entity_id": None, "person_id": None}
            row["detail"] = {"person_ids": sorted(shown), "path": "/"}
            listed += [{"event_id": n + 1, "person_id": p} for p in shown]  # as audit.record
        elif kind < 0.85:  # one record read or changed
            person = rng.randint(1, PEOPLE)
            action = rng.choice(["view", "view", "view", "create", "update"])
            entity = rng.choice(["person", "case", "action"])
            row = {"action": action, "entity": entity, "entity_id": person, "person_id": person}
            row["detail"] = {"path": f"/people/{person}"}
        else:  # logins, the audit viewer, refusals of nothing
            row = {"action": "login", "entity": "user", "entity_id": user, "person_id": None}
            row["detail"] = {"method": "password"}
        rows.append(row | {"id": n + 1, "at": at, "user_id": user, "remote_addr": "10.0.0.1"})
        if len(rows) == 5_000:
            db.session.execute(insert(AuditEvent), rows)
            db.session.execute(insert(AuditEventPerson), listed)
            rows, listed = [], []
    if rows:
        db.session.execute(insert(AuditEvent), rows)
        if listed:
            db.session.execute(insert(AuditEventPerson), listed)
    db.session.commit()


def timed(run, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench"}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        began = time.perf_counter()
        build(args.events)
        print(
            f"{db.engine.dialect.name}: {args.events} events in {time.perf_counter() - began:.0f} s"
        )
        if db.engine.dialect.name == "sqlite":
            db.session.execute(db.text("ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE audit_events"))
            db.session.execute(db.text("ANALYZE audit_event_people"))
        db.session.commit()
        for person_id in (1, PEOPLE // 2):
            person = db.session.get(Person, person_id)
            events, total = person_trail(db.session, person, limit=50)
            page = timed(lambda p=person: person_trail(db.session, p, limit=50))
            latest = timed(lambda p=person: person_trail(db.session, p, limit=10))
            print(
                f"person {person_id}: {total} events; trail page of 50 {page:.1f} ms, "
                f"latest 10 {latest:.1f} ms"
            )


if __name__ == "__main__":
    main()
