"""The worker's notifications: the list (newest first, a page at a time), marking one or all
read, and the header's count. Each worker sees only their own (policy.get_own_notification)."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .. import policy
from ..extensions import db
from ..forms import FlaskForm
from ..pagination import page_number
from ..rules import NOTIFICATION_KINDS
from ..web import back_to, save_form
from . import service

bp = Blueprint("notifications", __name__)


class MarkReadForm(FlaskForm):
    """Nothing to fill in: the button marks read, and the CSRF token guards against forgery."""


@bp.app_context_processor
def notification_helpers():
    """The header's count of unread notifications: one cheap count, only when a page that
    shows the header asks for it."""

    def notifications_label() -> str:
        if not current_user.is_authenticated:
            return "Notifications"
        try:
            unread = service.unread_count(db.session, current_user)
        except SQLAlchemyError:  # an error page while the database fails: no count, no crash
            db.session.rollback()
            return "Notifications"
        return f"Notifications ({unread} unread)" if unread else "Notifications"

    return {"notifications_label": notifications_label}


def _back() -> str:
    """Where a marking form returns to: the list, on the page and filter it was sent from."""
    args = {}
    if request.form.get("unread") == "1":
        args["unread"] = "1"
    page = request.form.get("page", type=int)
    if page and page > 1:
        args["page"] = page
    return url_for("notifications.index", **args)


@bp.route("/notifications")
def index():
    unread_only = request.args.get("unread") == "1"
    told = service.listing(db.session, current_user, page_number("page"), unread_only=unread_only)
    return render_template(
        "notifications/index.html",
        told=told,
        unread=service.unread_count(db.session, current_user),
        unread_only=unread_only,
        kinds=NOTIFICATION_KINDS,
        form=MarkReadForm(),
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int):
    notification = policy.get_own_notification(current_user, notification_id)
    form = MarkReadForm()
    return save_form(
        form,
        lambda: service.mark_read(db.session, notification),
        saved="Notification marked as read.",
        to=_back(),
        show=back_to(form, _back()),
        refused=(),
    )


def _marked(count: int) -> str:
    if count:
        return f"{count} notification{'s' if count != 1 else ''} marked as read."
    return "You had no unread notifications: nothing changed."


@bp.route("/notifications/read", methods=["POST"])
def mark_all_read():
    form = MarkReadForm()
    return save_form(
        form,
        lambda: service.mark_all_read(db.session, current_user),
        saved=_marked,
        to=_back(),
        show=back_to(form, _back()),
        refused=(),
    )
