"""The upload page: choose a file, team and cohort, see a preview, confirm. Nothing is saved
before the confirmation, and the confirmed import is exactly the one previewed.

Between preview and confirmation the file waits in instance/imports/ under a random name
that only this user's (signed) session knows, with its SHA-256; it is deleted on confirm or
cancel, and files older than a day are swept away by the next upload.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import audit, policy
from ..extensions import db
from ..models import COHORTS, Team
from . import bp
from .forms import ConfirmImportForm, UploadForm
from .service import COLUMNS, ImportRefused, Limits, import_demands

PENDING = "pending_import"
STALE_AFTER = 24 * 3600


@bp.before_request
def require_importer():
    if not policy.can_import(current_user):
        abort(403)


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
            form.team_id.errors.append("Choose a team from the list")
        if form.cohort.data not in COHORTS:
            form.cohort.errors.append("Choose how the team worked")
        if not upload or not upload.filename:
            form.file.errors.append("Choose a CSV or TSV file of referrals")
        if not form.errors:
            data = upload.read()
            name = Path(upload.filename).name[:200]
            report = _dry_run(form, data, name, team, form.cohort.data)
            if report is not None:
                token = _keep(data)
                session[PENDING] = {
                    "token": token,
                    "sha256": report.sha256,
                    "fingerprint": report.fingerprint(),
                    "team_id": team.id,
                    "cohort": form.cohort.data,
                    "file_name": name,
                }
                confirm = ConfirmImportForm(token=token)
                return render_template("imports/preview.html", report=report, confirm=confirm)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "imports/upload.html",
        form=form,
        columns=COLUMNS,
    ), status


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
    audit.record("preview", "import", None, file_name=name, sha256=report.sha256, **report.counts())
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
        flash("That preview has expired. Choose the file again to see a new preview.")
        return redirect(url_for("imports.upload"))
    path = _path(pending["token"])
    team = policy.fetch(Team, pending["team_id"])
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if (
        team is None
        or not policy.can_import_into(current_user, team.id)
        or hashlib.sha256(data).hexdigest() != pending["sha256"]
    ):
        _forget(pending)
        flash("That preview has expired. Choose the file again to see a new preview.")
        return redirect(url_for("imports.upload"))
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
        _forget(pending)
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
        return render_template(
            "imports/preview.html", report=report, confirm=form, changed=True
        ), 409
    db.session.commit()
    _forget(pending)
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
        _forget(pending)
    flash("Nothing was imported.")
    return redirect(url_for("imports.upload"))


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    if not token.isalnum():  # never a path of the client's making
        abort(400)
    return _folder() / f"{token}.upload"


def _keep(data: bytes) -> str:
    """Keep the uploaded file until it is confirmed; sweep away forgotten ones."""
    now = time.time()
    for old in _folder().glob("*.upload"):
        if now - old.stat().st_mtime > STALE_AFTER:
            old.unlink(missing_ok=True)
    previous = session.get(PENDING)
    if previous:
        _forget(previous)
    token = secrets.token_hex(16)
    path = _path(token)
    path.write_bytes(data)
    path.chmod(0o600)
    return token


def _forget(pending: dict) -> None:
    _path(pending["token"]).unlink(missing_ok=True)
    session.pop(PENDING, None)
