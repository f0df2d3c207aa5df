"""The analysts' export: a standalone SQLite file, built with sqlite-utils and ready to open
in Datasette (the command is `casework export-analysis FILE.sqlite [--pseudonymise]`).

What goes in (one table each, with foreign keys and indexes): teams, workers,
people, demands (with `is_repeat` by the one repeat rule), cases, actions,
conversations, ownership_changes, export_info, and `measures` when the measures
module is installed. Records merged into another person are left out; their
demands and cases are already on the kept record. Demands, actions and conversations
entered in error are kept, with `entered_in_error_at` set: leave them out of any count.

Contact details (phone, address, how to contact) never leave the application.
With --pseudonymise:
- a person's id becomes a pseudonym, HMAC-SHA256 of the id under a key kept in
  instance/pseudonym_key (or CASEWORK_PSEUDONYM_KEY): the same person has the
  same pseudonym in every export from this installation, and nobody without the
  key can reverse it; NHS numbers likewise become `nhs_number_pseudonym`;
- names are dropped, the date of birth becomes an age band at the export date,
  the postcode is dropped;
- every free-text column (stated need, notes, what matters, reasons, summaries,
  action descriptions and outcomes, who a conversation was with) is dropped,
  because free text written about a person names them; workers' names go too.
Rows are streamed from the database, so the export stays flat in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..clitools import already_exists
from ..measures import had_earlier_demand
from ..models import Action, Case, Conversation, Demand, OwnershipChange, Person, Team, User
from ..text import without_control_characters

KEY_ENV = "CASEWORK_PSEUDONYM_KEY"
AGE_BANDS = ((0, 17), (18, 39), (40, 64), (65, 74), (75, 84), (85, None))


class ExportRefused(Exception):
    pass


def pseudonym_key(instance_path: str | Path) -> bytes:
    """The key pseudonyms are made with: from the environment, or made once and kept."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    path = Path(instance_path) / "pseudonym_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def pseudonym(key: bytes, kind: str, value) -> str | None:
    if value is None or value == "":
        return None
    digest = hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:20]


def age_band(born: dt.date | None, on: dt.date) -> str | None:
    if born is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    return None  # pragma: no cover - the last band is open


PERSON = "person"  # a person's id, or their pseudonym
WORKER = ("workers", "id")


@dataclass
class Table:
    """One table of the export: the model's columns it copies, which are free text."""

    name: str
    model: type
    columns: dict[str, object]  # column: Python type, or PERSON
    free_text: tuple[str, ...] = ()
    foreign_keys: tuple = ()
    indexes: tuple = ()
    extra: dict[str, Callable] = field(default_factory=dict)  # computed columns


TABLES = (
    Table("teams", Team, {"id": int, "name": str, "cohort": str}),
    Table(
        "workers",
        User,
        {"id": int, "name": str, "role": str, "team_id": int, "active": bool},
        free_text=("name",),
        foreign_keys=(("team_id", "teams", "id"),),
    ),
    Table(
        "cases",
        Case,
        {
            "id": int,
            "person_id": PERSON,
            "team_id": int,
            "cohort": str,
            "owner_id": int,
            "opened_on": dt.date,
            "referral_match": str,
            "real_problem": str,
            "closed_on": dt.date,
            "closure_agreed": bool,
            "closure_outcome": str,
            "transferred_from_case_id": int,
            "closure_agreement_note": str,
            "closure_summary": str,
            "closed_by_id": int,
        },
        free_text=("real_problem", "closure_agreement_note", "closure_summary"),
        foreign_keys=(
            ("person_id", "people", "id"),
            ("team_id", "teams", "id"),
            ("owner_id", *WORKER),
            ("closed_by_id", *WORKER),
        ),
        indexes=(("person_id",), ("team_id", "opened_on"), ("team_id", "closed_on")),
    ),
    Table(
        "demands",
        Demand,
        {
            "id": int,
            "person_id": PERSON,
            "team_id": int,
            "case_id": int,
            "cohort": str,
            "received_on": dt.date,
            "source": str,
            "channel": str,
            "stated_need": str,
            "kind": str,
            "routed_by": str,
            "imported": bool,
            "is_repeat": bool,
            "recorded_by_id": int,
            "recorded_at": dt.datetime,
            "entered_in_error_at": dt.datetime,  # kept, but in no figure (ADR 0037)
        },
        # source is free text too ("Son (David Jenkins)"): dropped when pseudonymising
        free_text=("source", "stated_need"),
        foreign_keys=(
            ("person_id", "people", "id"),
            ("team_id", "teams", "id"),
            ("case_id", "cases", "id"),
            ("recorded_by_id", *WORKER),
        ),
        indexes=(("person_id", "team_id", "received_on"), ("team_id", "received_on"), ("case_id",)),
        extra={"is_repeat": lambda: had_earlier_demand()},
    ),
    Table(
        "actions",
        Action,
        {
            "id": int,
            "case_id": int,
            "description": str,
            "by": str,
            "assignee_id": int,
            "due_on": dt.date,
            "status": str,
            "outcome": str,
            "created_at": dt.datetime,
            "updated_at": dt.datetime,
            "entered_in_error_at": dt.datetime,
        },
        free_text=("description", "outcome"),
        foreign_keys=(("case_id", "cases", "id"), ("assignee_id", *WORKER)),
        indexes=(("case_id",), ("assignee_id",)),
    ),
    Table(
        "conversations",
        Conversation,
        {
            "id": int,
            "case_id": int,
            "held_on": dt.date,
            "kind": str,
            "with_whom": str,
            "minutes": int,
            "states_what_matters": bool,
            "what_matters": str,
            "notes": str,
            "recorded_by_id": int,
            "entered_in_error_at": dt.datetime,
        },
        free_text=("with_whom", "what_matters", "notes"),
        foreign_keys=(("case_id", "cases", "id"), ("recorded_by_id", *WORKER)),
        indexes=(("case_id",),),
        extra={"states_what_matters": lambda: Conversation.what_matters.is_not(None)},
    ),
    Table(
        "ownership_changes",
        OwnershipChange,
        {
            "id": int,
            "case_id": int,
            "from_id": int,
            "to_id": int,
            "reason": str,
            "by_id": int,
            "at": dt.datetime,
        },
        free_text=("reason",),
        foreign_keys=(
            ("case_id", "cases", "id"),
            ("from_id", *WORKER),
            ("to_id", *WORKER),
            ("by_id", *WORKER),
        ),
        indexes=(("case_id",),),
    ),
)

PEOPLE_COLUMNS = {
    "id": int,
    "given_name": str,
    "family_name": str,
    "date_of_birth": dt.date,
    "nhs_number": str,
    "postcode": str,
    "registered_by_team_id": int,
    "created_on": dt.date,
}
PSEUDONYMISED_PEOPLE_COLUMNS = {
    "id": str,
    "nhs_number_pseudonym": str,
    "age_band": str,
    "registered_by_team_id": int,
    "created_on": dt.date,
}


class _Writer:
    """Copies the tables into the export, pseudonymised when there is a key."""

    def __init__(self, session: Session, out: sqlite_utils.Database, key, today: dt.date):
        self.session, self.out, self.key, self.today = session, out, key, today

    def person(self, person_id):
        return pseudonym(self.key, PERSON, person_id) if self.key else person_id

    def people(self) -> int:
        columns = PSEUDONYMISED_PEOPLE_COLUMNS if self.key else PEOPLE_COLUMNS
        query = select(Person).where(Person.merged_into_id.is_(None)).order_by(Person.id)
        rows = (self._person_row(p) for p in self.session.scalars(query))
        return self._write("people", columns, rows, (("registered_by_team_id", "teams", "id"),))

    def _person_row(self, p: Person) -> dict:
        common = {
            "registered_by_team_id": p.registered_by_team_id,
            "created_on": clock.uk_day(p.created_at),
        }
        if self.key:
            return {
                "id": self.person(p.id),
                "nhs_number_pseudonym": pseudonym(self.key, "nhs_number", p.nhs_number),
                "age_band": age_band(p.date_of_birth, self.today),
                **common,
            }
        return {c: getattr(p, c) for c in PEOPLE_COLUMNS if hasattr(p, c)} | common

    def table(self, table: Table) -> int:
        kept = [c for c in table.columns if not (self.key and c in table.free_text)]
        stored = [c for c in kept if c not in table.extra]
        extra = [table.extra[c]().label(c) for c in kept if c in table.extra]
        query = select(*(getattr(table.model, c) for c in stored), *extra)
        rows = (
            {
                c: self.person(v) if table.columns[c] == PERSON else v
                for c, v in row._mapping.items()
            }
            for row in self.session.execute(
                query.order_by(table.model.id).execution_options(yield_per=1000)
            )
        )
        person = str if self.key else int
        types = {c: person if table.columns[c] == PERSON else table.columns[c] for c in kept}
        return self._write(table.name, types, rows, table.foreign_keys, table.indexes)

    def _write(self, name, columns, rows, foreign_keys=(), indexes=()) -> int:
        self.out[name].create(columns, pk="id", foreign_keys=list(foreign_keys) or None)
        # Text stored before control characters were refused leaves without them.
        self.out[name].insert_all(map(without_control_characters, rows), batch_size=1000)
        for index in indexes:
            self.out[name].create_index(list(index))
        return self.out[name].count


# Measures: one row per figure, month, cohort and team, when the measures module is installed.


def measures_compute() -> Callable | None:
    try:
        from ..measures.figures import compute
    except ImportError:
        return None
    return compute


def flatten(value, prefix: str = "") -> Iterator[tuple[str, object]]:
    """("repeat_demand.rate", 0.63) pairs from the nested JSON of the measures."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}[{i}]")
    elif isinstance(value, (int, float, str)) or value is None:
        yield prefix, value


def months(first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    start = first.replace(day=1)
    while start <= last:
        following = (start + dt.timedelta(days=32)).replace(day=1)
        yield start, following - dt.timedelta(days=1)
        start = following


SKIPPED_KEYS = ("from", "to", "cohort", "team")


def measure_rows(session: Session, compute: Callable) -> Iterator[dict]:
    first, last = session.execute(
        select(func.min(Demand.received_on), func.max(Demand.received_on))
    ).one()
    if first is None:
        return
    teams = [(None, "All teams")] + [
        (t.id, t.name) for t in session.scalars(select(Team).order_by(Team.name))
    ]
    for start, end in months(first, last):
        for cohort in ("all", "pilot", "usual"):
            for team_id, team_name in teams:
                figures = compute(session, start=start, end=end, cohort=cohort, team_id=team_id)
                for figure, value in flatten(figures):
                    if figure in SKIPPED_KEYS:
                        continue
                    yield {
                        "month": start,
                        "period_from": start,
                        "period_to": end,
                        "cohort": cohort,
                        "team_id": team_id,
                        "team": team_name,
                        "figure": figure,
                        "value": value,
                    }


# Writing the file


def export_analysis(
    session: Session,
    path: Path,
    *,
    key: bytes | None = None,
    force: bool = False,
    compute: Callable | None = None,
    today: dt.date | None = None,
) -> dict:
    """Write the export; returns {table: rows}. With a key, pseudonymised.

    The file is built beside the target and renamed into place, so a failed
    export never leaves a half-written file where the analyst expects one.
    """
    path = Path(path)
    if path.exists() and not force:
        raise ExportRefused(already_exists(path))
    if not path.parent.is_dir():
        raise ExportRefused(f"There is no folder {path.parent}.")
    today = today or clock.today()
    building = path.with_name(f".{path.name}.{secrets.token_hex(4)}.building")
    counts: dict[str, int] = {}
    try:
        out = sqlite_utils.Database(building)
        writer = _Writer(session, out, key, today)
        for table in TABLES:
            if table.name == "cases":  # people first: cases and demands point at them
                counts["people"] = writer.people()
            counts[table.name] = writer.table(table)
        if compute is not None:
            out["measures"].create(
                {
                    "month": dt.date,
                    "period_from": dt.date,
                    "period_to": dt.date,
                    "cohort": str,
                    "team_id": int,
                    "team": str,
                    "figure": str,
                    "value": float,
                },
                foreign_keys=[("team_id", "teams", "id")],
            )
            rows = map(without_control_characters, measure_rows(session, compute))
            out["measures"].insert_all(rows, batch_size=1000)
            out["measures"].create_index(["figure", "cohort", "team_id", "month"])
            counts["measures"] = out["measures"].count
        out["export_info"].insert_all(
            [
                {"key": "exported_on", "value": today.isoformat()},
                {"key": "pseudonymised", "value": "yes" if key else "no"},
                {
                    "key": "measures",
                    "value": "included" if compute else "not available in this installation",
                },
            ],
            pk="key",
        )
        out.close()
        if force:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        building.replace(path)
    finally:
        building.unlink(missing_ok=True)
    return counts
