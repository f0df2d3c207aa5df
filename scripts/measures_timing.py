"""Time the measures on generated history: `python scripts/measures_timing.py PEOPLE [URL]`.

Fills an EMPTY, migrated database (default: a new SQLite file in /tmp) with
PEOPLE people, about four demands each over three years in two teams, their
cases, owners and actions, written in bulk (not through the domain functions:
this is about size, not realism). Then times compute(), one drill-down page and
a monthly series, and prints the query plan of the repeat-demand query.
Timings vary by machine: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from sqlalchemy import insert, text

from casework import create_app
from casework.extensions import db
from casework.measures.drilldown import listing
from casework.measures.figures import compute
from casework.measures.populations import Filters, demands
from casework.measures.series import series
from casework.models import Action, Case, Demand, OwnershipChange, Person, Team, User


def generate(people: int, seed: int = 1) -> None:
    rng = random.Random(seed)  # noqa: S311 - made-up history, not secrets
    session = db.session
    teams = [Team(name="Pilot team", cohort="pilot"), Team(name="Usual team", cohort="usual")]
    session.add_all(teams)
    session.flush()
    workers = [
        User(
            email=f"w{i}@example.org",
            name=f"Worker {i}",
            role="practitioner",
            team_id=teams[i % 2].id,
            password_hash="not a hash: nobody logs in",  # noqa: S106
            session_token=f"t{i}",
            active=i % 7 != 0,
        )
        for i in range(40)
    ]
    session.add_all(workers)
    session.flush()
    by_team = {t.id: [w.id for w in workers if w.team_id == t.id] for t in teams}
    session.execute(
        insert(Person),
        [
            {"id": i, "given_name": "P", "family_name": f"N{i}", "version": 1}
            for i in range(1, people + 1)
        ],
    )
    start = dt.date.today() - dt.timedelta(days=3 * 365)
    demand_rows, case_rows, change_rows, action_rows = [], [], [], []
    case_id = 0
    for person_id in range(1, people + 1):
        team = teams[rng.random() < 0.5]
        day = start + dt.timedelta(days=rng.randint(0, 900))
        open_case = None
        for _ in range(rng.choice((1, 1, 2, 3, 4, 6, 8))):
            day += dt.timedelta(days=rng.randint(0, 120))
            if day > dt.date.today():
                break
            if open_case and open_case["closed_on"] and open_case["closed_on"] < day:
                open_case = None
            routed = "open_case" if open_case else "new_case"
            if open_case is None:
                case_id += 1
                owner = rng.choice(by_team[team.id])
                closed = day + dt.timedelta(days=rng.randint(3, 150))
                open_case = {
                    "id": case_id,
                    "person_id": person_id,
                    "team_id": team.id,
                    "cohort": team.cohort,
                    "owner_id": owner,
                    "opened_on": day,
                    "closed_on": closed if closed < dt.date.today() else None,
                    "closure_agreed": True,
                    "referral_match": rng.choice((None, "yes", "partly", "no")),
                    "version": 1,
                }
                case_rows.append(open_case)
                change_rows.append({"case_id": case_id, "to_id": owner, "reason": "First"})
                if rng.random() < 0.2:
                    change_rows.append(
                        {
                            "case_id": case_id,
                            "from_id": owner,
                            "to_id": rng.choice(by_team[team.id]),
                            "reason": "Moved",
                        }
                    )
                for n in range(rng.randint(0, 3)):
                    action_rows.append(
                        {
                            "case_id": case_id,
                            "description": "Do",
                            "by": ("person", "team")[n % 2],
                            "status": rng.choice(("agreed", "done", "dropped")),
                            "version": 1,
                        }
                    )
            demand_rows.append(
                {
                    "person_id": person_id,
                    "team_id": team.id,
                    "case_id": open_case["id"],
                    "cohort": team.cohort,
                    "received_on": day,
                    "source": "GP",
                    "channel": "phone",
                    "stated_need": "Help",
                    "kind": rng.choice((None, "value", "failure")),
                    "routed_by": routed,
                }
            )
    session.execute(insert(Case), case_rows)
    session.execute(insert(OwnershipChange), change_rows)
    session.execute(insert(Demand), demand_rows)
    session.execute(insert(Action), action_rows)
    session.commit()
    # Fresh statistics, as a live database would have (PostgreSQL planned the first
    # query badly before autovacuum got to it: 40 s instead of 1.6 s).
    session.execute(text("ANALYZE"))
    session.commit()
    print(
        f"{people} people, {len(demand_rows)} demands, {len(case_rows)} cases, "
        f"{len(action_rows)} actions"
    )


def timed(label: str, work) -> None:
    began = time.perf_counter()
    work()
    print(f"{label:<45} {time.perf_counter() - began:6.2f} s")


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:////tmp/measures-timing-{people}.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        if not db.session.scalar(text("SELECT count(*) FROM people")):
            generate(people)
        end = dt.date.today()
        start = end - dt.timedelta(days=364)
        f = Filters(start, end)
        for cohort in ("all", "pilot"):
            timed(
                f"compute, one year, {cohort}",
                lambda c=cohort: compute(db.session, start=start, end=end, cohort=c),
            )
        timed(
            "compute, one year, one team",
            lambda: compute(db.session, start=start, end=end, team_id=1),
        )
        timed(
            "drill-down: repeats, first 100",
            lambda: listing(db.session, f, "repeat_demand", "repeat", limit=100),
        )
        timed(
            "series: repeat demand by week", lambda: series(db.session, f, "repeat_demand", "week")
        )
        timed("series: same worker by month", lambda: series(db.session, f, "same_worker", "month"))
        query = db.select(demands(f).c.repeat).compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        for row in db.session.execute(text(explain + str(query))):
            print("  ", row[-1])


if __name__ == "__main__":
    main()
