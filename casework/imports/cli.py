"""`casework import-demands`: the command translates, the service decides."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db
from ..formatting import nhs_number, uk_date
from ..models import COHORTS
from .service import ImportRefused, ImportReport, Limits, RowPerson, import_demands


def register(app) -> None:
    app.cli.add_command(import_demands_command)


@click.command("import-demands")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", "team_name", required=True, help="The team's name.")
@click.option(
    "--cohort",
    type=click.Choice(COHORTS),
    default="usual",
    show_default=True,
    help="The way of working the referrals were handled under.",
)
@click.option("--dry-run", is_flag=True, help="Check and count, then save nothing.")
@with_appcontext
def import_demands_command(file: Path, team_name: str, cohort: str, dry_run: bool) -> None:
    """Import legacy referrals from a CSV or TSV file, as one transaction."""
    from ..admin.service import find_team

    team = find_team(db.session, team_name)
    if team is None:
        _refuse(f"there is no team called {team_name}")
    limits = Limits.from_config(current_app.config)
    try:
        limits.refuse_if_larger(os.path.getsize(file))
        data = file.read_bytes()
    except OSError as error:
        _refuse(f"cannot read {file}: {error.strerror or error}")
    except ImportRefused as error:
        _refuse(error.message)
    try:
        report = import_demands(
            db.session, data=data, file_name=file.name, team=team, cohort=cohort, limits=limits
        )
    except ImportRefused as error:
        db.session.rollback()
        _refuse(error.message)
    except (IntegrityError, OperationalError):
        db.session.rollback()
        _refuse(
            "the records changed while importing (someone else was saving at the same "
            "moment). Nothing was imported; run the import again."
        )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(describe(report, dry_run=dry_run))


def _refuse(message: str):
    click.echo(f"Error: {message} Nothing was imported.", err=True)
    sys.exit(1)


def row_person(person: RowPerson) -> str:
    """One row of the preview's list in a line: the person, what the import does, and why."""
    born = f"born {uk_date(person.date_of_birth)}" if person.date_of_birth else "no date of birth"
    number = f"NHS number {nhs_number(person.nhs_number)}" if person.nhs_number else "no NHS number"
    if person.new:
        does = "new person"
    elif person.person_id:
        does = f"matches record {person.person_id}"
    else:
        does = "matches a person this import adds"
    line = f"{person.given_name} {person.family_name}, {born}, {number}: {does} ({person.why})"
    if person.already_present:
        line += f"; referral not added again ({person.already_present})"
    return line


def describe(report: ImportReport, *, dry_run: bool = False) -> str:
    """The report in plain words, one figure a line, then every row not imported."""
    verb = "would be" if dry_run else "were"
    lines = [
        f"{'Dry run, nothing saved: ' if dry_run else ''}{report.file_name} "
        f"into {report.team} ({report.cohort})",
        f"Rows read: {report.rows_read}",
        f"People matched: {report.people_matched}",
        f"People created: {report.people_created}" + (" (would be)" if dry_run else ""),
        f"Demands added: {report.demands_added}" + (" (would be)" if dry_run else ""),
        f"Rows already present: {len(report.already_present)}",
        f"Rows rejected: {len(report.rejected)}",
    ]
    if report.nhs_number_added_ids:
        lines.append(
            f"NHS numbers added to people matched by name and date of birth: "
            f"{len(report.nhs_number_added_ids)}"
        )
    lines += [f"Note: {note}" for note in report.notes]
    if dry_run and report.people:
        lines.append("Who each row is about:")
        lines += [f"Row {p.row}: {row_person(p)}" for p in report.people]
    lines += [f"Row {r.row} rejected: {r.reason}" for r in report.rejected]
    inside = [f"{a.row} (as row {a.same_as_row})" for a in report.already_present if a.same_as_row]
    on_record = [str(a.row) for a in report.already_present if not a.same_as_row]
    if on_record:
        lines.append("Already on record, not added again: rows " + ", ".join(on_record))
    if inside:
        lines.append("Repeated within the file, added once: rows " + ", ".join(inside))
    if not dry_run and report.rejected:
        lines.append(f"The rejected rows {verb} not imported; fix them and import the file again.")
    return "\n".join(lines)
