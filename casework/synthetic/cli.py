"""`casework generate --people N [--seed S]`: synthetic history into an empty database."""

from __future__ import annotations

import sys
import time
from collections import Counter

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..auth.service import hash_password, random_password
from ..extensions import db
from ..measures import facts
from ..models import Person, Team, User
from ..rules import CLOSURE_OUTCOMES, TRANSFER_STATUSES
from . import trial
from .history import COLUMNS, generate
from .write import after_bulk_write, foreign_keys_checked_at_the_end, write_rows


def register(app) -> None:
    app.cli.add_command(generate_command)


def _endings(rows: dict) -> str:
    """How the closed cases ended and how the transfers were answered, in words."""
    outcome = COLUMNS["cases"].index("closure_outcome")
    ended = Counter(row[outcome] for row in rows["cases"] if row[outcome] is not None)
    status = Counter(row[COLUMNS["transfers"].index("status")] for row in rows["transfers"])
    closures = ", ".join(f"{ended[name]:,} {name.replace('_', ' ')}" for name in CLOSURE_OUTCOMES)
    answers = ", ".join(f"{status[name]:,} {name}" for name in TRANSFER_STATUSES)
    return f"cases closed: {closures}; {len(rows['transfers']):,} transfers ({answers})"


def is_empty() -> bool:
    return not any(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Person, Team, User)
    )


@click.command("generate")
@click.option("--people", type=click.IntRange(1, 5_000_000), required=True, help="How many.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same history.")
@with_appcontext
def generate_command(people: int, seed: int) -> None:
    """Generate three years of realistic history (teams of both cohorts, workers, people,
    some known to two teams, demands, a few passed to the worker who knows the person,
    cases, changes of owner, conversations, actions, transfers between teams accepted,
    declined or waiting, closures by agreement or because the person died, moved away or
    declined support; a trial of the first two teams, example cost catalogues, some
    counterfactuals) into an empty database, in bulk. Every generated user gets one
    password, printed once."""
    if not is_empty():
        click.echo(
            "Refusing: the database already holds people, teams or users. "
            "Generated history goes only into an empty database.",
            err=True,
        )
        sys.exit(1)
    began, cpu = time.perf_counter(), time.process_time()
    password = random_password()
    history = generate(people, seed, hash_password(password))
    simulated = time.perf_counter() - began
    history.rows |= trial.trial_and_costs(history)
    tables = COLUMNS | trial.COLUMNS
    connection = db.session.connection()
    with foreign_keys_checked_at_the_end(connection, db.metadata, tables):
        for table, columns in tables.items():
            write_rows(connection, table, columns, history.rows[table])
    after_bulk_write(connection, tables)
    wrote = time.perf_counter()
    facts.rebuild(db.session)  # the measures' facts of the whole history, in one pass
    db.session.commit()
    counts = {table: len(rows) for table, rows in history.rows.items()}
    open_cases = sum(1 for row in history.rows["cases"] if row[8] is None)
    pilot = sum(1 for row in history.rows["teams"] if row[2] == "pilot")
    click.echo(
        f"Generated {counts['people']:,} people, {counts['demands']:,} demands, "
        f"{counts['cases']:,} cases ({open_cases:,} open), {counts['ownership_changes']:,} "
        f"changes of owner, {counts['conversations']:,} conversations and "
        f"{counts['actions']:,} actions, in {counts['teams']} teams ({pilot} pilot) with "
        f"{counts['users']:,} users; {_endings(history.rows)}; "
        f"in {time.perf_counter() - began:.0f} s "
        f"({simulated:.0f} s simulating, {time.perf_counter() - wrote:.0f} s working out the "
        f"measures' facts; {time.process_time() - cpu:.0f} s of this process's CPU)."
    )
    click.echo("Logins: admin@generated.example, lead@generated.example (the service lead),")
    click.echo("manager@<team>.generated.example, worker1@<team>.generated.example ...")
    click.echo("(the team in lower case, spaces as hyphens).")
    click.echo(f"Every generated user's password (shown once): {password}")
