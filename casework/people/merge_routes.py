"""Possible duplicates, an administrator's merge of two records, and undoing it, under
/people/ (before issue 20 under /imports/, which still redirects here).

The rules are in people.merge; access in policy.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit, policy
from ..exceptions import InvalidValue, StaleVersion
from ..extensions import db
from ..forms import form_version
from ..models import AuditEvent, Person
from ..web import save_form
from . import merge
from .forms import MergeForm, UndoMergeForm

bp = Blueprint("duplicates", __name__, url_prefix="/people")

LIST_LIMIT = 200  # groups shown at once: merge some, then look again


@bp.route("/duplicates")
def index():
    if not policy.can_see_duplicates(current_user):
        abort(403, policy.ONLY_IMPORTERS)
    groups = []
    for group in merge.duplicate_groups(db.session, policy.duplicates_scope(current_user)):
        groups.append(group)
        if len(groups) == LIST_LIMIT:
            break
    shown = [p.id for g in groups for p in g]
    audit.record("view", "duplicates", None, person_ids=shown)
    db.session.commit()
    recent = []
    if policy.can_merge_people(current_user):
        recent = list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(("merge", "unmerge")))
                .order_by(AuditEvent.id.desc())
                .limit(20)
            )
        )
    return render_template(
        "people/duplicates.html",
        groups=groups,
        limit=LIST_LIMIT,
        visible=_visible(shown),
        can_merge=policy.can_merge_people(current_user),
        recent=recent,
        people={p.id: p for p in _people_of(recent)},
    )


def _visible(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Person.id).where(Person.id.in_(ids), policy.person_visible_clause(current_user))
        )
    )


def _people_of(events: list[AuditEvent]) -> list[Person]:
    ids = {i for e in events for i in ((e.detail or {}).get("kept_id"), e.entity_id) if i}
    return list(db.session.scalars(select(Person).where(Person.id.in_(ids)))) if ids else []


@bp.route("/duplicates/merge", methods=["GET", "POST"])
def merge_records():
    a = policy.get_person_to_merge(current_user, request.args.get("a", type=int))
    b = policy.get_person_to_merge(current_user, request.args.get("b", type=int))
    form = MergeForm()
    form.keep.choices = {a.id: f"Keep record {a.id}", b.id: f"Keep record {b.id}"}
    if not form.is_submitted():
        form.version_a.data, form.version_b.data = str(a.version), str(b.version)

    def merged():
        if form.keep.data not in (a.id, b.id):
            choose = "Choose which record to keep"
            raise InvalidValue(choose, {"keep": choose})
        keep, other = (a, b) if form.keep.data == a.id else (b, a)
        versions = {
            a.id: form_version(SimpleNamespace(version=form.version_a)),
            b.id: form_version(SimpleNamespace(version=form.version_b)),
        }
        event = merge.merge_people(
            db.session,
            current_user,
            keep=keep,
            other=other,
            keep_version=versions[keep.id],
            other_version=versions[other.id],
            fill_blanks=bool(form.fill_blanks.data),
        )
        return event, keep, other

    def stale(form, error: StaleVersion) -> int:
        form.form_errors.append(error.message)
        form.version_a.data, form.version_b.data = str(a.version), str(b.version)
        return 409

    def show(status: int):
        refusal = None
        try:
            merge.check_merge(db.session, a, b)
        except merge.MergeRefused as error:
            refusal = error.message
        return render_template(
            "people/merge.html",
            form=form,
            a=merge.summarise(db.session, a),
            b=merge.summarise(db.session, b),
            refusal=refusal,
            fillable=merge.FILLABLE,
        ), status

    return save_form(
        form,
        merged,
        saved=lambda done: f"Record {done[2].id} has been merged into record {done[1].id}.",
        to=lambda done: url_for("duplicates.merge_entry", event_id=done[0].id),
        show=show,
        stale=stale,
        refused=(merge.MergeRefused, InvalidValue),
    )


@bp.route("/merges/<int:event_id>", methods=["GET", "POST"])
def merge_entry(event_id: int):
    if not policy.can_merge_people(current_user):
        abort(403, policy.ONLY_ADMINISTRATORS_MERGE)
    event = merge.merge_event(db.session, event_id)
    if event is None:
        abort(404)
    form = UndoMergeForm()
    return save_form(
        form,
        lambda: merge.undo_merge(db.session, current_user, event),
        saved="The merge has been undone: both records are back as they were.",
        to=url_for("duplicates.merge_entry", event_id=event.id),
        show=lambda status: _merge_entry_page(event, form, status),
        refused=(merge.MergeRefused, StaleVersion),
        refused_status=409,
    )


def _merge_entry_page(event: AuditEvent, form: UndoMergeForm, status: int):
    undone = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "unmerge", AuditEvent.entity_id == event.entity_id)
        .where(AuditEvent.id > event.id)
        .order_by(AuditEvent.id)
        .limit(1)
    )
    blocked = None
    if undone is None and not form.form_errors:
        try:
            merge.check_undo(db.session, event)
        except merge.MergeRefused as error:
            blocked = error.message
    detail = event.detail or {}
    return render_template(
        "people/merge_entry.html",
        event=event,
        detail=detail,
        kept=db.session.get(Person, detail.get("kept_id")),
        merged=db.session.get(Person, detail.get("merged_id")),
        undone=undone,
        blocked=blocked,
        form=form,
    ), status
