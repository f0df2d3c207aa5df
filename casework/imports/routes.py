"""The upload page: choose a file, team and cohort, see a preview, confirm. Nothing is saved
before the confirmation, and the confirmed import is exactly the one previewed.

Between preview and confirmation the file and the preview's findings wait in
instance/imports/ (imports.pending), so the list of who each row is about can be paged.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import audit, once, policy
from ..extensions import db
from ..models import COHORTS, Team
from ..pagination import PER_PAGE, counted_page, page_count, page_number
from ..rules import CHOOSE_A_TEAM
from ..web import moved_to
from . import bp
from .forms import ConfirmImportForm, UploadForm
from .pending import PENDING, forget, keep, keep_preview, path, preview_of
from .service import COLUMNS, ImportRefused, ImportReport, Limits, import_demands

PREVIEW_EXPIRED = "That preview has expired. Choose the file again to see a new preview."

# The duplicates and merge pages live with people (people.merge_routes): old bookmarks and
# forms still arrive.
for old, endpoint, new in (
    ("/duplicates", "old_duplicates", "duplicates.index"),
    ("/duplicates/merge", "old_merge", "duplicates.merge_records"),
    ("/merges/<int:event_id>", "old_merge_entry", "duplicates.merge_entry"),
):
    bp.add_url_rule(old, endpoint, moved_to(new), methods=["GET", "POST"])


@bp.before_request
def require_importer():
    if not policy.can_import(current_user):
        abort(403, policy.ONLY_IMPORTERS)


def _teams() -> list[Team]:
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return [t for t in teams if policy.can_import_into(current_user, t.id)]


def _upload_form() -> UploadForm:
    form = UploadForm()
    teams = _teams()
    choices = {t.id: t.name for t in teams}
    form.team_id.choices = choices if len(teams) == 1 else {0: "Choose a team"} | choices
    if not form.is_submitted() and len(teams) == 1:
        form.team_id.data = teams[0].id
    return form


@bp.route("/demands", methods=["GET", "POST"])
def upload():
    form = _upload_form()
    if form.validate_on_submit():
        team = policy.fetch(Team, form.team_id.data)
        upload = form.file.data
        if team is None or not policy.can_import_into(current_user, team.id):
            form.team_id.errors.append(CHOOSE_A_TEAM)
        if form.cohort.data not in COHORTS:
            form.cohort.errors.append("Choose how the team worked")
        if not upload or not upload.filename:
            form.file.errors.append("Choose a CSV or TSV file of referrals")
        if not form.errors:
            data = upload.read()
            name = Path(upload.filename).name[:200]
            report = _dry_run(form, data, name, team, form.cohort.data)
            if report is not None:
                token = keep(data)
                keep_preview(token, report)
                session[PENDING] = {
                    "token": token,
                    "sha256": report.sha256,
                    "fingerprint": report.fingerprint(),
                    "team_id": team.id,
                    "cohort": form.cohort.data,
                    "file_name": name,
                }
                return _preview_page(report, ConfirmImportForm(token=token))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "imports/upload.html",
        form=form,
        columns=COLUMNS,
    ), status


def _preview_page(report: ImportReport, confirm, *, changed=False, status=200):
    """One page of the preview: the figures, who each row on this page is about, the rejects."""
    people = report.people
    number = min(page_number(), page_count(len(people)))
    start = (number - 1) * PER_PAGE
    page = counted_page(people[start : start + PER_PAGE], number, len(people))
    return render_template(
        "imports/preview.html", report=report, confirm=confirm, people=page, changed=changed
    ), status


@bp.route("/demands/preview")
def preview():
    """Another page of the preview, from what was kept: nothing is read or saved again."""
    pending = session.get(PENDING)
    report = preview_of(pending["token"]) if pending else None
    if report is None or not policy.can_import_into(current_user, pending["team_id"]):
        flash(PREVIEW_EXPIRED)
        return redirect(url_for("imports.upload"))
    return _preview_page(report, ConfirmImportForm(token=pending["token"]))


def _dry_run(form, data: bytes, name: str, team: Team, cohort: str):
    """The import as it would be, rolled back; None (with the reason on the form) if refused."""
    try:
        report = import_demands(
            db.session,
            data=data,
            file_name=name,
            team=team,
            cohort=cohort,
            user=current_user,
            limits=Limits.from_config(current_app.config),
        )
    except ImportRefused as error:
        db.session.rollback()
        form.file.errors.append(error.message)
        return None
    db.session.rollback()
    # The preview's pages name the people matched: a list read of each of their records.
    audit.record_list(
        "preview",
        "import",
        report.matched_ids,
        file_name=name,
        sha256=report.sha256,
        **report.counts(),
    )
    db.session.commit()
    return report


@bp.route("/demands/confirm", methods=["POST"])
def confirm():
    form = ConfirmImportForm()
    pending = session.get(PENDING)
    if (
        not form.validate_on_submit()
        or not pending
        or not secrets.compare_digest(str(form.token.data or ""), pending["token"])
    ):
        flash(PREVIEW_EXPIRED)
        return redirect(url_for("imports.upload"))
    team = policy.fetch(Team, pending["team_id"])
    try:
        data = path(pending["token"]).read_bytes()
    except OSError:
        data = b""
    if (
        team is None
        or not policy.can_import_into(current_user, team.id)
        or hashlib.sha256(data).hexdigest() != pending["sha256"]
    ):
        forget(pending)
        flash(PREVIEW_EXPIRED)
        return redirect(url_for("imports.upload"))
    if not once.spend():  # sent again, imported once: the second goes where the first went
        return redirect(url_for("imports.preview"))
    try:
        report = import_demands(
            db.session,
            data=data,
            file_name=pending["file_name"],
            team=team,
            cohort=pending["cohort"],
            user=current_user,
            limits=Limits.from_config(current_app.config),
        )
    except (ImportRefused, IntegrityError, OperationalError):
        db.session.rollback()
        forget(pending)
        flash(
            "The import could not be completed because the records changed at the same "
            "moment. Nothing was imported. Choose the file again to see a new preview."
        )
        return redirect(url_for("imports.upload"))
    if report.fingerprint() != pending["fingerprint"]:
        # Someone changed the records since the preview: show what it would do now.
        db.session.rollback()
        pending["fingerprint"] = report.fingerprint()
        session[PENDING] = pending
        keep_preview(pending["token"], report)
        return _preview_page(report, form, changed=True, status=409)
    once.settle(url_for("imports.upload"))
    db.session.commit()
    forget(pending)
    flash(
        f"Imported {report.demands_added} referrals from {report.file_name} into "
        f"{report.team}: {report.people_matched} people matched, "
        f"{report.people_created} people added, "
        f"{len(report.already_present)} rows already present, "
        f"{len(report.rejected)} rows rejected.",
        "success",
    )
    return redirect(url_for("imports.upload"))


@bp.route("/demands/cancel", methods=["POST"])
def cancel():
    form = ConfirmImportForm()
    pending = session.get(PENDING)
    if form.validate_on_submit() and pending:
        forget(pending)
    flash("Nothing was imported.")
    return redirect(url_for("imports.upload"))
