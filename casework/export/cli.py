"""`casework export-analysis`: the command translates, export.analysis decides."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import audit
from ..clitools import force_option
from ..extensions import db
from .analysis import ExportRefused, export_analysis, measures_compute, pseudonym_key


def register(app) -> None:
    app.cli.add_command(export_analysis_command)


@click.command("export-analysis")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace names and NHS numbers with stable pseudonyms and drop free text.",
)
@force_option
@with_appcontext
def export_analysis_command(file: Path, pseudonymise: bool, force: bool) -> None:
    """Write a standalone SQLite file for analysts (open it with Datasette)."""
    key = pseudonym_key(current_app.instance_path) if pseudonymise else None
    compute = measures_compute()
    try:
        counts = export_analysis(db.session, file, key=key, force=force, compute=compute)
    except ExportRefused as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    audit.record("export", "analysis", None, file=str(file), pseudonymised=pseudonymise, **counts)
    db.session.commit()
    click.echo(f"Wrote {file}{' (pseudonymised)' if pseudonymise else ''}:")
    for name, rows in counts.items():
        click.echo(f"  {name}: {rows} rows")
    if compute is None:
        click.echo("  measures: not included (the measures module is not installed)")
