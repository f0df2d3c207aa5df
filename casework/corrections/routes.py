"""Pages: mark a demand, conversation or action entered in error; add a late note to a
closed case."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import policy
from ..extensions import db
from ..web import save_form
from . import bp, service
from .forms import InErrorForm, LateNoteForm


def _mark(entity: str, ident: int):
    record = policy.get_record_in_error_for(current_user, entity, ident)
    case = record.case
    form = InErrorForm()
    back = (
        url_for("cases.detail", case_id=case.id, _anchor="in-error")
        if case is not None
        else url_for("people.detail", person_id=record.person_id)
    )
    return save_form(
        form,
        lambda: service.mark_entered_in_error(
            db.session, entity, record, current_user, reason=form.reason.data
        ),
        saved=f"The {entity} is marked entered in error. It stays in the history, struck through.",
        to=back,
        show=lambda status: (
            render_template(
                "corrections/in_error.html",
                form=form,
                entity=entity,
                record=record,
                case=case,
                person=case.person if case is not None else record.person,
                back=back,
            ),
            status,
        ),
    )


@bp.route("/conversations/<int:conversation_id>/entered-in-error", methods=["GET", "POST"])
def conversation(conversation_id: int):
    return _mark("conversation", conversation_id)


@bp.route("/actions/<int:action_id>/entered-in-error", methods=["GET", "POST"])
def action(action_id: int):
    return _mark("action", action_id)


@bp.route("/demands/<int:demand_id>/entered-in-error", methods=["GET", "POST"])
def demand(demand_id: int):
    return _mark("demand", demand_id)


@bp.route("/cases/<int:case_id>/notes/new", methods=["GET", "POST"])
def late_note(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if case.is_open:  # nothing to type in vain: an open case records a conversation
        flash("This case is open: record a conversation instead of a late note.", "info")
        return redirect(url_for("cases.log_conversation", case_id=case_id))
    form = LateNoteForm()
    return save_form(
        form,
        lambda: service.add_late_note(db.session, case, current_user, note=form.note.data),
        saved="Late note added. The case stays closed.",
        to=url_for("cases.detail", case_id=case_id, _anchor="late-notes"),
        show=lambda status: (
            render_template("corrections/late_note.html", form=form, case=case, person=case.person),
            status,
        ),
    )
