"""Load and fault test: many practitioners at once on gunicorn and SQLite, then a SIGKILL.

    .venv/bin/python bench/load.py                  # 50 practitioners, 60 s, then the kill run
    .venv/bin/python bench/load.py --clients 10 --seconds 5 --kill-seconds 6

It builds a fresh SQLite database (the migrations, then teams, practitioners, people and
open cases through the domain functions), serves it with gunicorn (several workers), and
runs one thread per practitioner, each logged in with their own session through the login
form (CSRF token and all) as a browser is. Each loop records a conversation or a demand through
the real web forms, reads a case page, or logs a conversation through the API with a token.
Every write carries a unique marker in its text.

Then it counts requests, 5xx answers, other errors and acknowledged writes (a 302 to the
case page, a 201 from the API), and reads the database: every acknowledged write must be
there exactly once, nothing refused or unanswered may be there twice, and nothing half
written (a demand without its case, a conversation without its audit event).

The fault run does the same while it SIGKILLs gunicorn's master and workers in the middle,
restarts it, and lets the practitioners carry on with the sessions they had.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD_BYTES = 18
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CASE_PAGE = re.compile(r"^/cases/(\d+)$")
MARKER = re.compile(r"LOAD-[0-9a-f]+-\d+-\d+")
TIMEOUT = 30
# gunicorn closes a keep-alive connection idle for 2 s; one reused just as it closes fails
# with no answer (browsers retry then). A connection idle for 1 s is not reused.
IDLE_REUSE = 1.0
LOGIN_LIMIT = 300  # seconds for everyone to log in (Argon2 is slow on purpose)


# The database


@dataclasses.dataclass
class Practitioner:
    email: str
    password: str
    token: str
    person_ids: list[int]
    case_ids: list[int]


def build_database(
    path: Path, *, practitioners: int = 50, teams: int = 5, cases_each: int = 3
) -> list[Practitioner]:
    """A fresh database by the migrations, filled through the domain functions."""
    from flask_migrate import upgrade

    from casework import create_app
    from casework.admin.service import create_team, create_user
    from casework.auth.tokens import issue_token
    from casework.demands.routing import record_demand
    from casework.extensions import db
    from casework.people.service import create_person

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "INSTANCE_PATH": str(path.parent),
            "SECRET_KEY": secrets.token_hex(16),
        }
    )
    people: list[Practitioner] = []
    with app.app_context():
        upgrade()
        made = [create_team(db.session, f"Load team {n + 1}", "pilot") for n in range(teams)]
        for n in range(practitioners):
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            user, _ = create_user(
                db.session,
                email=f"load{n + 1}@example.nhs.uk",
                name=f"Load Practitioner {n + 1}",
                role="practitioner",
                team=made[n % teams],
                password=password,
            )
            _, token = issue_token(db.session, user, "load test")
            mine = Practitioner(user.email, password, token, [], [])
            for c in range(cases_each):
                person = create_person(
                    db.session,
                    user,
                    {"given_name": f"Person{c + 1}", "family_name": f"Of Worker{n + 1}"},
                )
                demand, _ = record_demand(
                    db.session,
                    person=person,
                    team=user.team,
                    recorder=user,
                    received_on=dt.date.today() - dt.timedelta(days=30),
                    source="GP",
                    channel="phone",
                    stated_need="Struggling at home",
                    kind="value",
                    owner=user,
                )
                mine.person_ids.append(person.id)
                mine.case_ids.append(demand.case_id)
            people.append(mine)
            db.session.commit()
        db.engine.dispose()
    return people


# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group, so a SIGKILL reaches the master and every worker."""

    def __init__(self, database: Path, port: int, *, workers: int, threads: int, log: Path):
        self.database, self.port, self.workers, self.threads = database, port, workers, threads
        self.log = log
        self.secret = secrets.token_hex(32)  # one key for every worker and every restart
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "SECRET_KEY": self.secret,
        }
        command = [
            str(GUNICORN),
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--timeout", "30",
            "--graceful-timeout", "5",
            "--backlog", "256",
            "--bind", f"127.0.0.1:{self.port}",
            "casework:create_app()",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command)
                command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        self.wait_until_up()

    def wait_until_up(self, limit: float = 30) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start: see {self.log}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {limit} s: see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flushing, as a crash or an out-of-memory kill."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# A practitioner's browser


class Failed(Exception):
    """No answer: the connection was refused, reset or timed out."""


class Browser:
    """One person's connection and cookies; redirects are not followed, so 302s are seen."""

    def __init__(self, port: int, tally: Tally):
        self.port, self.tally = port, tally
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(self, method: str, path: str, *, form=None, body=None, headers=None):
        headers = dict(headers or {})
        payload = None
        if form is not None:
            payload = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        if self.conn is not None and started - self.last_used > IDLE_REUSE:
            self.close()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.conn.request(method, path, payload, headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.tally.count(None, time.monotonic() - started)
            raise Failed(str(error)) from error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        self.last_used = time.monotonic()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        self.tally.count(response.status, time.monotonic() - started)
        return response.status, response.getheader("Location", ""), text

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def csrf(self, path: str) -> str | None:
        status, _, text = self.request("GET", path)
        found = CSRF.search(text) if status == 200 else None
        return found.group(1) if found else None

    def login(self, email: str, password: str) -> bool:
        status, _, text = self.request("GET", "/login")
        if status == 302:
            return True  # still logged in: the session outlived a restart of the server
        token = CSRF.search(text) if status == 200 else None
        if token is None:
            return False
        status, location, _ = self.request(
            "POST",
            "/login",
            form={"csrf_token": token.group(1), "email": email, "password": password},
        )
        return status == 302 and not location.endswith("/login")


# The counts


@dataclasses.dataclass
class Write:
    marker: str
    kind: str  # conversation, demand, api_conversation
    outcome: str  # acknowledged, refused, unanswered


class Tally:
    """Every answer and every write of every practitioner (threads share one)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: collections.Counter = collections.Counter()
        self.writes: list[Write] = []
        self.seconds: list[float] = []
        self.login_failures = 0
        self.logged_in: set[int] = set()
        self.login_seconds = 0.0

    def count(self, status: int | None, seconds: float) -> None:
        with self.lock:
            self.statuses["no answer" if status is None else status] += 1
            self.seconds.append(seconds)

    def restart_counts(self) -> None:
        with self.lock:
            self.statuses.clear()
            self.seconds.clear()

    def acknowledged(self) -> int:
        with self.lock:
            return sum(1 for w in self.writes if w.outcome == "acknowledged")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    def write(self, marker: str, kind: str, outcome: str) -> None:
        with self.lock:
            self.writes.append(Write(marker, kind, outcome))

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if isinstance(s, int) and s >= 500)


def today_parts(name: str) -> dict[str, str]:
    today = dt.date.today()
    return {f"{name}[day]": today.day, f"{name}[month]": today.month, f"{name}[year]": today.year}


class Worker(threading.Thread):
    """One practitioner: logs in, then works their own cases until told to stop."""

    def __init__(self, n: int, who: Practitioner, port: int, run: str, tally, stop, go):
        super().__init__(name=f"practitioner-{n}", daemon=True)
        self.n, self.who, self.run_id, self.tally, self.stop, self.go = n, who, run, tally, stop, go
        self.browser = Browser(port, tally)
        self.seq = 0
        self.random = random.Random(n)  # noqa: S311 (choices, not secrets)

    def marker(self) -> str:
        self.seq += 1
        return f"LOAD-{self.run_id}-{self.n}-{self.seq}"

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if not self.browser.login(self.who.email, self.who.password):
                    with self.tally.lock:
                        self.tally.login_failures += 1
                    self.stop.wait(0.5)
                    continue
                with self.tally.lock:
                    self.tally.logged_in.add(self.n)
                self.go.wait()  # everyone starts work together, once all have logged in
                while not self.stop.is_set():
                    self.step()
            except Failed:
                self.stop.wait(0.2)  # the server may be down: try again, logging in if need be

    def step(self) -> None:
        roll = self.random.random()
        case_id = self.random.choice(self.who.case_ids)
        if roll < 0.4:
            self.web_write(
                "conversation", f"/cases/{case_id}/conversations/new", self.conversation_form
            )
        elif roll < 0.7:
            person_id = self.random.choice(self.who.person_ids)
            self.web_write("demand", f"/people/{person_id}/demands/new", self.demand_form)
        elif roll < 0.85:
            self.browser.request("GET", f"/cases/{case_id}")
        else:
            self.api_conversation(case_id)

    @staticmethod
    def conversation_form(marker: str) -> dict:
        return {
            **today_parts("held_on"),
            "kind": "visit",
            "minutes": "20",
            "notes": f"{marker} Visited at home; talked about what matters.",
        }

    @staticmethod
    def demand_form(marker: str) -> dict:
        return {
            **today_parts("received_on"),
            "source": "GP",
            "channel": "phone",
            "stated_need": f"{marker} Rang again about help at home.",
            "kind": "value",
            "owner_id": "0",
        }

    def web_write(self, kind: str, path: str, make_form) -> None:
        token = self.browser.csrf(path)
        if token is None:
            raise Failed("no form (logged out?)")
        marker = self.marker()
        try:
            status, location, _ = self.browser.request(
                "POST", path, form={"csrf_token": token, **make_form(marker)}
            )
        except Failed:
            self.tally.write(marker, kind, "unanswered")
            raise
        done = status == 302 and CASE_PAGE.match(urllib.parse.urlsplit(location).path)
        outcome = "acknowledged" if done else ("unanswered" if status >= 500 else "refused")
        self.tally.write(marker, kind, outcome)

    def api_conversation(self, case_id: int) -> None:
        marker = self.marker()
        try:
            status, _, _ = self.browser.request(
                "POST",
                f"/api/v1/cases/{case_id}/conversations",
                body={"held_on": dt.date.today().isoformat(), "kind": "phone", "notes": marker},
                headers={"Authorization": f"Bearer {self.who.token}"},
            )
        except Failed:
            self.tally.write(marker, "api_conversation", "unanswered")
            raise
        outcome = (
            "acknowledged" if status == 201 else ("unanswered" if status >= 500 else "refused")
        )
        self.tally.write(marker, "api_conversation", outcome)


def run_load(people, port: int, seconds: float, *, during=None) -> Tally:
    """Every practitioner at once for `seconds` of work; `during(elapsed, tally)` may act on
    the server, and returns the seconds the server was away (added to the run)."""
    tally, stop, go = Tally(), threading.Event(), threading.Event()
    run_id = secrets.token_hex(4)
    workers = [Worker(n, p, port, run_id, tally, stop, go) for n, p in enumerate(people)]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    while len(tally.logged_in) < len(people) and time.monotonic() - started < LOGIN_LIMIT:
        time.sleep(0.05)
    tally.login_seconds = time.monotonic() - started
    tally.restart_counts()  # the figures are of the work; logging in is timed on its own
    go.set()
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if during:
            started += during(elapsed, tally)
        time.sleep(0.05)
    stop.set()
    for worker in workers:
        worker.join(TIMEOUT + 5)
        worker.browser.close()
    return tally


# The database afterwards


@dataclasses.dataclass
class Check:
    acknowledged: int
    lost: list[str]
    duplicated: list[str]
    refused_but_saved: list[str]
    unanswered_saved: int
    unanswered: int
    half_written: list[str]


def check_database(path: Path, tally: Tally) -> Check:
    """Every acknowledged write once; nothing twice; nothing half written."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found: collections.Counter = collections.Counter()
        for (text,) in db.execute(
            "SELECT notes FROM conversations WHERE notes LIKE 'LOAD-%' "
            "UNION ALL SELECT stated_need FROM demands WHERE stated_need LIKE 'LOAD-%'"
        ):
            found[MARKER.match(text).group(0)] += 1
        half = half_written(db)
    finally:
        db.close()
    acknowledged = [w for w in tally.writes if w.outcome == "acknowledged"]
    unanswered = [w for w in tally.writes if w.outcome == "unanswered"]
    return Check(
        acknowledged=len(acknowledged),
        lost=[w.marker for w in acknowledged if found[w.marker] == 0],
        duplicated=[m for m, n in found.items() if n > 1],
        refused_but_saved=[
            w.marker for w in tally.writes if w.outcome == "refused" and found[w.marker]
        ],
        unanswered_saved=sum(1 for w in unanswered if found[w.marker]),
        unanswered=len(unanswered),
        half_written=half,
    )


def half_written(db: sqlite3.Connection) -> list[str]:
    """Rows whose other half is missing, and SQLite's own checks of the file."""
    problems = []
    checks = {
        "demands without their case": "SELECT d.id FROM demands d LEFT JOIN cases c "
        "ON c.id = d.case_id WHERE c.id IS NULL",
        "demands without their audit event": "SELECT d.id FROM demands d WHERE NOT EXISTS "
        "(SELECT 1 FROM audit_events a WHERE a.entity = 'demand' AND a.entity_id = d.id "
        "AND a.action = 'create')",
        "conversations without their audit event": "SELECT v.id FROM conversations v "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.entity = 'conversation' "
        "AND a.entity_id = v.id AND a.action = 'create')",
        "cases without a demand": "SELECT c.id FROM cases c WHERE NOT EXISTS "
        "(SELECT 1 FROM demands d WHERE d.case_id = c.id)",
    }
    for what, sql in checks.items():
        rows = db.execute(sql).fetchall()
        if rows:
            problems.append(f"{len(rows)} {what}")
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        problems.append(f"integrity_check: {integrity}")
    if db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append("foreign_key_check found rows pointing at nothing")
    return problems


# Runs


@dataclasses.dataclass
class Result:
    name: str
    clients: int
    seconds: float
    tally: Tally
    check: Check
    kill: bool = False
    restarts: int = 0
    acknowledged_before_kill: int = 0
    answers_before_kill: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        c = self.check
        return (
            self.tally.server_errors == 0
            and not (c.lost or c.duplicated or c.refused_but_saved or c.half_written)
            and c.acknowledged > 0
            and (not self.kill or (self.restarts == 1 and self.acknowledged_after_kill > 0))
        )

    @property
    def acknowledged_after_kill(self) -> int:
        return self.check.acknowledged - self.acknowledged_before_kill if self.kill else 0

    def rows(self) -> list[tuple[str, str]]:
        t, c = self.tally, self.check
        kinds = collections.Counter(w.kind for w in t.writes if w.outcome == "acknowledged")
        other = {s: n for s, n in t.statuses.items() if s == "no answer" or 400 <= s < 500}
        return [
            ("practitioners", str(self.clients)),
            ("seconds", f"{self.seconds:g}"),
            ("seconds to log everyone in (before the clock)", f"{t.login_seconds:.1f}"),
            ("SIGKILLs and restarts", str(self.restarts)),
            ("writes acknowledged before / after the kill",
             f"{self.acknowledged_before_kill} / {self.acknowledged_after_kill}"
             if self.kill else "-"),
            ("requests", str(t.requests)),
            ("requests per second", f"{t.requests / self.seconds:.0f}"),
            ("answer time, median / 95th centile (ms)",
             f"{t.percentile(0.5) * 1000:.0f} / {t.percentile(0.95) * 1000:.0f}"),
            ("slowest answer (ms)", f"{t.percentile(1.0) * 1000:.0f}"),
            ("5xx answers", str(t.server_errors)),
            ("other errors (4xx, no answer)",
             ", ".join(f"{s}: {n}" for s, n in other.items()) or "0"),
            ("logins refused or failed", str(t.login_failures)),
            ("writes attempted", str(len(t.writes))),
            ("writes acknowledged (302 / 201)", str(c.acknowledged)),
            ("  conversations (web), demands (web), conversations (API)",
             f"{kinds['conversation']}, {kinds['demand']}, {kinds['api_conversation']}"),
            ("writes unanswered (in flight)", f"{c.unanswered} ({c.unanswered_saved} saved)"),
            ("acknowledged writes lost", str(len(c.lost))),
            ("writes duplicated", str(len(c.duplicated))),
            ("refused writes saved anyway", str(len(c.refused_but_saved))),
            ("half-written records", "; ".join(c.half_written) or "0"),
            ("verdict", "PASS" if self.ok else "FAIL"),
        ]  # fmt: skip


def table(results: list[Result]) -> str:
    """The figures side by side, as a Markdown table (docs/performance.md keeps the latest)."""
    columns = [r.rows() for r in results]
    lines = [["", *(r.name for r in results)]]
    lines += [[label, *(col[i][1] for col in columns)] for i, (label, _) in enumerate(columns[0])]
    widths = [max(len(line[k]) for line in lines) for k in range(len(lines[0]))]
    out = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |"
        for line in lines
    ]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def steady_run(database: Path, people, *, seconds, workers, threads, log) -> Result:
    server = Server(database, free_port(), workers=workers, threads=threads, log=log)
    server.start()
    try:
        tally = run_load(people, server.port, seconds)
    finally:
        server.stop()
    return Result("steady", len(people), seconds, tally, check_database(database, tally))


def kill_run(database: Path, people, *, seconds, workers, threads, log, kill_at=None) -> Result:
    """Load, SIGKILL gunicorn (master and workers) in the middle, restart, carry on."""
    server = Server(database, free_port(), workers=workers, threads=threads, log=log)
    server.start()
    kill_at = seconds / 2 if kill_at is None else kill_at
    restarts = []

    def during(elapsed: float, tally: Tally) -> float:
        # In the middle of the work, once the practitioners have written something.
        if elapsed < kill_at or tally.acknowledged() < len(people) or restarts:
            return 0.0
        with tally.lock:
            before = dict(tally.statuses)
        down = time.monotonic()
        server.kill()
        restarts.append((tally.acknowledged(), before))
        server.start()
        return time.monotonic() - down  # the rest of the run is work on the restarted server

    try:
        tally = run_load(people, server.port, seconds, during=during)
    finally:
        server.stop()
    result = Result("SIGKILL", len(people), seconds, tally, check_database(database, tally))
    result.kill, result.restarts = True, len(restarts)
    if restarts:
        result.acknowledged_before_kill, result.answers_before_kill = restarts[0]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="practitioners at once")
    parser.add_argument("--seconds", type=float, default=60, help="length of the steady run")
    parser.add_argument(
        "--kill-seconds",
        type=float,
        default=30,
        help="work in the SIGKILL run, restart not counted (0: none)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database and log")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="casework-load-"))
    database, log = folder / "load.sqlite", folder / "gunicorn.log"
    print(f"Building {database}: {args.teams} teams, {args.clients} practitioners ...", flush=True)
    people = build_database(database, practitioners=args.clients, teams=args.teams)
    options = dict(workers=args.workers, threads=args.threads, log=log)
    print(f"Steady run: {args.clients} practitioners for {args.seconds:g} s on "
          f"{args.workers} workers x {args.threads} threads ...", flush=True)  # fmt: skip
    results = [steady_run(database, people, seconds=args.seconds, **options)]
    if args.kill_seconds:
        print(f"Kill run: {args.kill_seconds:g} s, SIGKILL at half time, restart ...", flush=True)
        results.append(kill_run(database, people, seconds=args.kill_seconds, **options))
    print(table(results))
    for result in results:
        for name in ("lost", "duplicated", "refused_but_saved"):
            if getattr(result.check, name):
                print(f"{result.name} {name}: {getattr(result.check, name)[:10]}")
    if args.keep or not all(r.ok for r in results):
        print(f"Database and gunicorn log kept in {folder}")
    else:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
