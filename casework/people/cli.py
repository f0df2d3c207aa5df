"""`casework people export ID`: a person's whole record for a subject access request."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import Flask

from .. import policy
from ..admin.service import find_user
from ..extensions import db
from ..models import Person


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _write_private(path: Path, text: str) -> None:
    """A new file only its owner can read: it holds a person's whole record."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail(f"{path} already exists: choose another file name")
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror}")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def register(app: Flask) -> None:
    people = click.Group("people", help="People's records.")
    app.cli.add_command(people)

    @people.command("export")
    @click.argument("person_id", type=int)
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="A new file.")
    @click.option("--by", "by_email", help="The administrator answering the request.")
    def export_command(person_id: int, out: Path | None, by_email: str | None) -> None:
        """Export a person's whole record as JSON, for a subject access request (audited)."""
        from .subject_access import export_person

        by = None
        if by_email:
            by = find_user(db.session, by_email)
            if by is None or not policy.can_administer(by):
                _fail(f"{by_email} is not an active administrator")
        person = policy.fetch(Person, person_id)
        if person is None:
            _fail(f"there is no person with id {person_id}")
        if person.merged_into_id is not None:
            _fail(
                f"record {person.id} was merged into record {person.merged_into_id}: "
                f"export {person.merged_into_id}, which holds both"
            )
        text = json.dumps(export_person(db.session, person, by=by), indent=2, ensure_ascii=False)
        if out is not None:
            _write_private(out, text + "\n")
        db.session.commit()  # the export is audited once it has been written
        if out is None:
            click.echo(text)
        else:
            click.echo(f"Wrote {person.name}'s record (id {person.id}) to {out}", err=True)
