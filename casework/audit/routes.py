"""The audit trail's pages: the administrators' (filter, read in plain English, download as
CSV) and a person's "who has looked at this record".

Looking (and downloading) on the administrators' page is itself audited. The trail is read
here, never changed: the database refuses it (migration 0005). Access is policy's: only
administrators see the whole trail; whoever may see a person sees who has looked."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from .. import audit, clock, policy
from ..exceptions import InvalidValue
from ..extensions import db
from ..measures.table import csv_download
from ..models import Person, User
from ..pagination import counted_page, page_count, page_number
from ..people.service import normalise_nhs_number
from .forms import AuditFilterForm
from .trail import (
    ACTIONS,
    CSV_HEADER,
    ENTITIES,
    AuditFilters,
    csv_rows,
    find_events,
    load_names,
    person_trail,
    record_ids,
    who,
)

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50
CSV_LIMIT = 100_000  # rows in one download: narrow the filters for more


def _require_administrator() -> None:
    if not policy.can_administer(current_user):
        abort(403)


def _paged(events, total: int, page: int) -> dict:
    """What a page of the trail shows: its events, in words, and the pager."""
    names = load_names(db.session, events)
    return {
        "events": events,
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "listing": counted_page(events, page, total, PAGE_SIZE),
        "describe": names.describe,
        "person_named": names.person,
        "who": who,
    }


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    users = db.session.scalars(select(User).order_by(User.name, User.id))
    form.user.choices = [("", "Anyone")] + [(str(u.id), f"{u.name} ({u.email})") for u in users]
    form.action.choices = [("", "Anything")] + list(ACTIONS.items())
    form.entity.choices = [("", "Any kind")] + list(ENTITIES.items())
    return form


def _person_ids(form: AuditFilterForm) -> tuple[int, ...] | None:
    raw = (form.person.data or "").replace(" ", "").replace("-", "")
    if not raw:
        return None
    person = None
    if len(raw) == 10 and raw.isdigit():
        try:
            nhs_number = normalise_nhs_number(raw)
        except InvalidValue as error:
            form.person.errors = [*form.person.errors, error.fields["nhs_number"]]
            return None
        person = db.session.scalar(select(Person).where(Person.nhs_number == nhs_number))
    elif raw.isascii() and raw.isdigit():
        person = policy.fetch(Person, int(raw))
    else:
        form.person.errors = [*form.person.errors, "Enter a record's id or an NHS number"]
        return None
    if person is None:
        form.person.errors = [*form.person.errors, "Nobody on record has this id or NHS number"]
        return None
    return record_ids(db.session, person)


def _choice(field, allowed) -> str | None:
    value = (field.data or "").strip()
    if value and value not in allowed:
        field.errors = [*field.errors, "Choose from the list"]
        return None
    return value or None


def read_filters() -> tuple[AuditFilterForm, AuditFilters | None]:
    """The form as typed (kept on error) and the filters it gives, when they are valid."""
    form = _form()
    form.validate()
    user = _choice(form.user, {str(value) for value, _ in form.user.choices})
    filters = AuditFilters(
        user_id=int(user) if user else None,
        person_ids=_person_ids(form),
        action=_choice(form.action, ACTIONS),
        entity=_choice(form.entity, ENTITIES),
        start=form.start.data,
        end=form.end.data,
        address=(form.address.data or "").strip() or None,
    )
    if filters.start and filters.end and filters.end < filters.start:
        form.end.errors = [*form.end.errors, "To must be the same as or after From"]
    if any(field.errors for field in form):
        return form, None
    return form, filters


@bp.route("/admin/audit")
def trail():
    _require_administrator()
    form, f = read_filters()
    if f is None:
        return render_template("audit/trail.html", form=form, f=None), 400
    page = page_number()
    events, total = find_events(db.session, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    audit.record("view", "audit", None, filters=f.as_detail(), page=page, shown=len(events))
    audit.commit_read()
    return render_template(
        "audit/trail.html",
        form=form,
        f=f,
        args={k: v for k, v in request.args.items() if k != "page"},
        **_paged(events, total, page),
    )


@bp.route("/admin/audit.csv")
def trail_csv():
    _require_administrator()
    form, f = read_filters()
    if f is None:
        abort(400, "Check the filters: " + "; ".join(e for field in form for e in field.errors))
    events, total = find_events(db.session, f, limit=CSV_LIMIT)
    audit.record("export", "audit", None, filters=f.as_detail(), rows=len(events), total=total)
    db.session.commit()
    name = f"audit-{clock.today().isoformat()}.csv"
    return csv_download(CSV_HEADER, csv_rows(db.session, events), name)


@bp.route("/admin/relationships")
def relationships():
    """Every time a team started working with someone other teams already knew, newest
    first (casework/demands/routing.py): for administrators, who watch how the locality
    shares its people."""
    _require_administrator()
    page = page_number()
    events, total = find_events(
        db.session,
        AuditFilters(action="relationship_started"),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    audit.record_list("view", "relationships", [e.person_id for e in events if e.person_id])
    audit.commit_read()
    return render_template("audit/relationships.html", **_paged(events, total, page))


@bp.route("/people/<int:person_id>/audit")
def person(person_id: int):
    """The whole list of reads, changes and refusals of the person's record, newest first."""
    person = policy.get_person_for(current_user, person_id)
    page = page_number()
    events, total = person_trail(db.session, person, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("audit/person.html", person=person, **_paged(events, total, page))
