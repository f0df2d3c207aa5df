"""Who has looked at a person's record, and the record exported for a subject access request.

Access is policy's: whoever may see the person sees who has looked; the export is for the
managers of a team that knows them (ADR 0011)."""

from __future__ import annotations

import json

from flask import Response, render_template
from flask_login import current_user

from .. import clock, policy
from ..audit_trail import load_names, person_trail, who
from ..extensions import db
from ..pagination import counted_page, page_count, page_number
from . import bp

PAGE_SIZE = 50


@bp.route("/<int:person_id>/audit")
def audit(person_id: int):
    """The whole list of reads, changes and refusals of the person's record, newest first."""
    person = policy.get_person_for(current_user, person_id)
    page = page_number()
    events, total = person_trail(db.session, person, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "people/audit.html",
        person=person,
        events=events,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        listing=counted_page(events, page, total, PAGE_SIZE),
        describe=load_names(db.session, events).describe,
        who=who,
    )


@bp.route("/<int:person_id>/export.json")
def export(person_id: int):
    from .subject_access import export_person  # it reads through the API's shapes

    person = policy.get_person_to_export(current_user, person_id)
    record = export_person(db.session, person, viewer=current_user)
    db.session.commit()
    name = f"subject-access-person-{person.id}-{clock.today().isoformat()}.json"
    return Response(
        json.dumps(record, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
