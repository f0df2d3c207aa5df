"""Casework's benchmark: `make bench` (or `python bench/bench.py --people N [--database-url URL]`).

1. Generates N people of history (`casework generate`) into an empty database, or reuses
   a database that already holds generated history.
2. Serves the app under gunicorn (2 workers, 4 threads each, as `make serve`).
3. Times, one request after another over one kept-alive connection: /healthz (the
   framework's ceiling on the same server), person search, the caseload page, the diary
   page (with contacts planned on the worker's cases, some overdue), the case page, the
   person timeline, and GET /api/v1/measures for a year; then logging a visit
   (POST /api/v1/cases/{id}/conversations) from 20 concurrent clients; and, beside the
   measures, the repeat-demand figure by one hand-written SQL query straight on the
   database (the floor).
4. Prints median and 95th percentile of each, pages as a ratio to /healthz and the
   measures as a ratio to the floor, so results compare across machines.

`--soak MINUTES` then keeps a mixed load going and samples the resident memory of every
gunicorn worker, to show whether it grows with requests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - set on the one user the bench logs in as
WRITERS = 20
PARTS = ("pages", "measures", "visits")  # what --only may choose
VISIT_NOTES = "Benchmark visit: talked through the week."
PLAN_NOTE = "Benchmark plan"  # the contacts the bench plans for its worker's diary


def run_casework(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "casework"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"casework {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(url: str, people: int) -> dict:
    """Generate history if the database is empty; choose who and what the benchmark reads."""
    run_casework(url, "db", "upgrade")
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import delete, func, select

    from casework import create_app
    from casework.auth.service import hash_password
    from casework.auth.tokens import issue_token
    from casework.diary.models import Plan
    from casework.extensions import db
    from casework.measures import facts
    from casework.models import Case, Conversation, Person, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        empty = not db.session.scalar(select(func.count(Person.id)))
        db.session.rollback()  # hold no lock while generate rewrites the tables' keys
        # Each run starts from the generated history: the visits earlier runs logged go.
        db.session.execute(delete(Conversation).where(Conversation.notes == VISIT_NOTES))
        db.session.execute(delete(Plan).where(Plan.note == PLAN_NOTE))
        db.session.commit()
        if empty:
            began = time.perf_counter()
            print(run_casework(url, "generate", "--people", str(people)).splitlines()[0])
            print(f"  (generate took {time.perf_counter() - began:.0f} s)")
        began = time.perf_counter()
        facts.ensure_current(db.session)  # a database from before the facts: built once, here
        if time.perf_counter() - began > 1:
            print(f"  (the measures' facts built in {time.perf_counter() - began:.0f} s)")
        busiest = db.session.execute(
            select(Case.owner_id, func.count(Case.id))
            .join(User, User.id == Case.owner_id)
            .where(Case.closed_on.is_(None), User.active, User.role == "practitioner")
            .group_by(Case.owner_id)
            .order_by(func.count(Case.id).desc())
            .limit(1)
        ).one()
        worker = db.session.get(User, busiest[0])
        worker.password_hash = hash_password(PASSWORD)
        # The worker's manager: the team's list of actions needing a new owner.
        manager = db.session.scalar(
            select(User)
            .where(User.team_id == worker.team_id, User.role == "manager", User.active)
            .order_by(User.id)
        )
        if manager is not None:
            manager.password_hash = hash_password(PASSWORD)
        admin = db.session.scalar(select(User).where(User.role == "admin", User.active))
        _, admin_token = issue_token(db.session, admin, "bench")
        _, worker_token = issue_token(db.session, worker, "bench")
        rng = random.Random(1)  # noqa: S311 - a sample, not a secret
        team_people = list(
            db.session.scalars(
                select(Case.person_id).where(Case.team_id == worker.team_id).distinct()
            )
        )
        sample = rng.sample(team_people, min(50, len(team_people)))
        names = [
            f"{p.given_name} {p.family_name[:4]}"
            for p in db.session.scalars(select(Person).where(Person.id.in_(sample)))
        ]
        own_cases = list(
            db.session.scalars(
                select(Case.id).where(Case.owner_id == worker.id, Case.closed_on.is_(None))
            )
        )
        # Visits go to other cases than those timed, so that runs do not grow the pages read.
        team_cases = list(
            db.session.scalars(
                select(Case.id)
                .where(
                    Case.team_id == worker.team_id,
                    Case.closed_on.is_(None),
                    Case.owner_id != worker.id,
                    Case.person_id.not_in(sample),
                )
                .limit(WRITERS * 5)
            )
        )
        plan_diary(db.session, Plan, worker, own_cases)
        latest = db.session.scalar(select(func.max(Case.opened_on)))
        db.session.commit()
        totals = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("people", Person), ("cases", Case))
        }
        return {
            "email": worker.email,
            "manager_email": manager.email if manager is not None else None,
            "open_cases": busiest[1],
            "admin_token": admin_token,
            "worker_token": worker_token,
            "people": sample,
            "names": names,
            "cases": own_cases,
            "write_cases": team_cases,
            "end": latest,
            "totals": totals,
        }


def plan_diary(session, plan, worker, cases: list[int]) -> None:
    """Contacts in the worker's diary (the generated history has none): one on each of up to
    40 of their cases, from three days overdue to six days ahead."""
    today = dt.date.today()
    for n, case_id in enumerate(cases[:40]):
        session.add(
            plan(
                case_id=case_id, owner_id=worker.id, kind="visit", note=PLAN_NOTE,
                due_on=today + dt.timedelta(days=n % 10 - 3), status="planned",
                created_by_id=worker.id, updated_by_id=worker.id,
            )
        )  # fmt: skip


class Client:
    """One kept-alive HTTP connection, with the session cookie once logged in."""

    def __init__(self, port: int, token: str | None = None):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def login(self, email: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
        status, _ = self.request(
            "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            sys.exit(f"Could not log in as {email} (HTTP {status})")


def timed(client: Client, paths: list[str], count: int, warm: int = 10) -> list[float]:
    """Milliseconds per request, cycling through the paths; every answer must be 200."""
    for path in paths[:warm]:
        client.request("GET", path)
    times = []
    for i in range(count):
        path = paths[i % len(paths)]
        began = time.perf_counter()
        status, _ = client.request("GET", path)
        times.append((time.perf_counter() - began) * 1000)
        if status != 200:
            sys.exit(f"GET {path} answered {status}")
    return times


def floor_query(url: str, start: dt.date, end: dt.date, lookback: int = 365) -> list[float]:
    """The repeat-demand figure (repeats and total) by one hand-written query: milliseconds."""
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.split("///", 1)[1])
        earlier = "date(d.received_on, '-' || :days || ' days')"
    else:
        import psycopg

        connection = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
        earlier = "d.received_on - %(days)s::int"
    sql = f"""
        SELECT count(*) FILTER (WHERE EXISTS (
                 SELECT 1 FROM demands e
                 WHERE e.person_id = d.person_id AND e.team_id = d.team_id
                   AND e.received_on >= {earlier}
                   AND (e.received_on < d.received_on
                        OR (e.received_on = d.received_on AND e.id < d.id)))),
               count(*)
        FROM demands d
        WHERE d.received_on BETWEEN {
        ":start AND :end" if url.startswith("sqlite") else "%(start)s AND %(end)s"
    }"""  # noqa: S608 - no user input
    params = {"start": start.isoformat(), "end": end.isoformat(), "days": lookback}
    if not url.startswith("sqlite"):
        params = {"start": start, "end": end, "days": lookback}
    times = []
    for _ in range(5):
        began = time.perf_counter()
        connection.execute(sql, params).fetchall()
        times.append((time.perf_counter() - began) * 1000)
    connection.close()
    return times


def writes(port: int, token: str, cases: list[int], seconds: float) -> dict:
    """WRITERS clients logging visits as fast as they can: writes/s, errors, latencies."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    body = json.dumps(
        {"held_on": dt.date.today().isoformat(), "kind": "visit", "minutes": 30,
         "with_whom": "The person", "notes": VISIT_NOTES}
    ).encode()  # fmt: skip

    def writer(n: int) -> None:
        client = Client(port, token)
        mine = cases[n::WRITERS] or cases
        i = 0
        while time.perf_counter() < stop:
            began = time.perf_counter()
            try:
                status, data = client.request(
                    "POST",
                    f"/api/v1/cases/{mine[i % len(mine)]}/conversations",
                    body,
                    {"Content-Type": "application/json"},
                )
            except (http.client.HTTPException, OSError) as error:
                status, data = 0, str(error).encode()
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                if status == 201:
                    latencies.append(elapsed)
                else:
                    errors.append(f"{status} {data[:120]!r}")
            i += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"rate": len(latencies) / elapsed, "times": latencies, "errors": errors}


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def soak(port: int, master: int, subject: dict, paths: dict, minutes: float) -> None:
    """A mixed load (pages and visits) for the minutes given, sampling each worker's memory."""
    stop = time.perf_counter() + minutes * 60
    mixed = [p for key in ("search", "caseload", "case", "timeline", "healthz") for p in paths[key]]
    served = [0]

    def reader() -> None:
        client = Client(port)
        client.login(subject["email"])
        i = random.randrange(len(mixed))  # noqa: S311
        while time.perf_counter() < stop:
            client.request("GET", mixed[i % len(mixed)])
            served[0] += 1
            i += 1

    def visitor() -> None:
        while time.perf_counter() < stop:
            writes(port, subject["worker_token"], subject["write_cases"], 5)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    threads.append(threading.Thread(target=visitor))
    for thread in threads:
        thread.start()
    print(f"\nMemory under a mixed load for {minutes:g} minutes (resident MB of each worker):")
    samples: list[tuple[float, list[float]]] = []
    began = time.perf_counter()
    while time.perf_counter() < stop:
        time.sleep(min(30, max(1, stop - time.perf_counter())))
        sizes = [rss_mb(pid) for pid in worker_pids(master)]
        samples.append((time.perf_counter() - began, sizes))
        shown = ", ".join(f"{s:.0f}" for s in sizes)
        print(f"  {samples[-1][0] / 60:5.1f} min  {shown}  ({served[0]:,} pages served)")
    for thread in threads:
        thread.join()
    if len(samples) >= 3:
        first, last = samples[1][1], samples[-1][1]  # after the first samples' warm-up
        growth = [b - a for a, b in zip(first, last, strict=False)]
        print("  growth per worker from the second sample to the last: "
              + ", ".join(f"{g:+.1f} MB" for g in growth))  # fmt: skip


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", 20000)))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8765)))
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--write-seconds", type=float, default=20)
    parser.add_argument("--soak", type=float, default=0, help="minutes of load, memory sampled")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to time, of {', '.join(PARTS)} (all by default)",
    )
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if not parts or parts - set(PARTS):
        parser.error(f"--only takes parts among {', '.join(PARTS)}")
    url = args.database_url or f"sqlite:////tmp/casework-bench-{args.people}.sqlite"
    subject = prepare(url, args.people)
    end = subject["end"]
    start = end - dt.timedelta(days=364)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-secret-key"}
    env.setdefault("MFA_REQUIRED_ROLES", "")  # the manager signs in with a password alone
    server = subprocess.Popen(  # noqa: S603 - our own server
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--timeout", "120",
         "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning", "casework:create_app()"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                Client(args.port).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        page = Client(args.port)
        page.login(subject["email"])
        api = Client(args.port, subject["admin_token"])
        query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
        paths = {
            "healthz": ["/healthz"],
            "search": [f"/people?q={quote(name)}" for name in subject["names"]],
            "caseload": ["/"],
            "diary": ["/diary"],
            "case": [f"/cases/{case}" for case in subject["cases"][:50]],
            "timeline": [f"/people/{person}" for person in subject["people"]],
            "transfers": ["/transfers"],
            "intake": [f"/people/{person}/demands/new" for person in subject["people"]],
            "notifications": ["/notifications", "/notifications?unread=1"],
        }
        n = args.requests
        results, measures, floor, written = {}, [], [], None
        if "pages" in parts:
            results = {
                "/healthz": timed(page, paths["healthz"], n * 2),
                "Person search": timed(page, paths["search"], n),
                "Caseload page": timed(page, paths["caseload"], n),
                "Diary page": timed(page, paths["diary"], n),
                "Case page": timed(page, paths["case"], n),
                "Person timeline": timed(page, paths["timeline"], n),
                "Transfers list": timed(page, paths["transfers"], n),
                "Intake form": timed(page, paths["intake"], n),
                "Notifications page": timed(page, paths["notifications"], n),
            }
            if subject["manager_email"]:
                managing = Client(args.port)
                managing.login(subject["manager_email"])
                results["Actions needing a new owner"] = timed(managing, ["/team/actions"], n)
        if "measures" in parts:
            measures = timed(api, [f"/api/v1/measures?{query}"], 7, warm=1)
            floor = floor_query(url, start, end)
        if "visits" in parts:
            written = writes(
                args.port, subject["worker_token"], subject["write_cases"], args.write_seconds
            )
        report(url, subject, results, measures, floor, written, start, end)
        if args.soak:
            soak(args.port, server.pid, subject, paths, args.soak)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(url, subject, results, measures, floor, written, start, end) -> None:
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    totals = subject["totals"]
    print(
        f"\n{kind}: {totals['people']:,} people, {totals['cases']:,} cases; "
        f"caseload of {subject['open_cases']} open cases; measures {start} to {end}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
    )
    print(f"| {'what':<34} | {'median ms':>10} | {'p95 ms':>8} | {'ratio':>22} |")
    print(f"|{'-' * 36}|{'-' * 12}:|{'-' * 9}:|{'-' * 23}:|")
    if results:
        base = stats(results["/healthz"])[0]
    for name, times in results.items():
        median, p95 = stats(times)
        print(f"| {name:<34} | {median:>10.1f} | {p95:>8.1f} | {median / base:>13.1f}× /healthz |")
    if measures:
        report_measures(measures, floor)
    if written is None:
        return
    w_median, w_p95 = stats(written["times"]) if written["times"] else (0, 0)
    print(f"| {f'Log a visit, {WRITERS} clients':<34} | {w_median:>10.1f} | {w_p95:>8.1f} | "
          f"{written['rate']:>8.0f} writes/s, {len(written['errors'])} errors |")  # fmt: skip
    for error in written["errors"][:5]:
        print("   error:", error)


def report_measures(measures: list[float], floor: list[float]) -> None:
    median, p95 = stats(measures)
    floor_median = stats(floor)[0]
    print(f"| {'/api/v1/measures, one year':<34} | {median:>10.0f} | {p95:>8.0f} | "
          f"{median / floor_median:>12.1f}× floor SQL |")  # fmt: skip
    f_median, f_p95 = stats(floor)
    print(f"| {'repeat demand, hand-written SQL':<34} | {f_median:>10.0f} | {f_p95:>8.0f} | "
          f"{'(the floor)':>22} |")  # fmt: skip


if __name__ == "__main__":
    main()
