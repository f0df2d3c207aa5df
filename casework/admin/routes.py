"""The administrator's pages: users and teams. The rules are in admin.service."""

from flask import render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import sessions
from ..exceptions import InvalidValue
from ..extensions import db
from ..models import Team, User
from ..pagination import page_number
from ..web import back_to, save_form
from . import bp, service
from .forms import (
    NO_TEAM,
    ConfirmForm,
    EditUserForm,
    NewUserForm,
    ResetPasswordForm,
    TeamForm,
)

HANDOVER_ADVICE = (
    "Pass it on to them securely, for example by phone, not by email. It will not be shown again."
)


def _all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _chosen_team(team_id: int | None) -> Team | None:
    return db.session.get(Team, team_id) if team_id and team_id != NO_TEAM else None


def _page(template: str, **context):
    """`show` for save_form: the page, and after a refusal the form again with the errors and
    what was typed (never a password), as 422."""

    def show(status: int):
        form = context["form"]
        if status != 200 and "password" in form:
            form.password.data = None
        return render_template(template, **context), status

    return show


def _save(form, change, *, saved, show, to=None):
    """An administrator's form: refusals are the service's InvalidValue, always 422."""
    to = to or url_for("admin.users")
    return save_form(
        form, change, saved=saved, to=to, show=show, refused=InvalidValue, refused_status=422
    )


def _added(user, generated) -> str:
    if generated:
        return f"{user.name} has been added. Their password is {generated} – {HANDOVER_ADVICE}"
    return f"{user.name} has been added. They can log in with the password you chose."


@bp.route("/users")
def users():
    return render_template(
        "admin/users.html",
        users=service.users_by_name(db.session, page_number("page")),
        teams=service.teams_with_active_counts(db.session),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm(teams=_all_teams())
    return _save(
        form,
        lambda: service.create_user(
            db.session,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            team=_chosen_team(form.team_id.data),
            password=form.password.data or None,
            actor=current_user,
            profile=form.profile(),
        ),
        saved=lambda added: _added(*added),
        show=_page("admin/user_new.html", form=form),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    # What was posted wins over these; a GET shows the user as they are.
    form = EditUserForm(
        data={"name": user.name, "role": user.role, "team_id": user.team_id or NO_TEAM}
        | {name: getattr(user, name) for name in service.PROFILE},
        teams=_all_teams(),
    )
    return _save(
        form,
        lambda: service.update_user(
            db.session,
            user,
            name=form.name.data,
            role=form.role.data,
            team=_chosen_team(form.team_id.data),
            actor=current_user,
            profile=form.profile(),
        ),
        saved=lambda _: f"{user.name}'s details have been saved.",
        show=_page("admin/user_edit.html", form=form, user=user, confirm=ConfirmForm()),
    )


def _button(user_id: int, change, saved):
    """A button on the user's page (confirmed there): the change, then back to the page."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    back = url_for("admin.edit_user", user_id=user.id, _anchor="sign-in")
    return save_form(
        form,
        lambda: change(db.session, user, current_user),
        saved=lambda result: saved(user, result),
        to=back,
        show=back_to(form, back),
        refused=(),
    )


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
def sign_out_everywhere(user_id: int):
    """End every session of the worker at once (a lost phone, a shared computer)."""
    return _button(
        user_id,
        service.sign_out_everywhere,
        lambda user, count: (
            f"{user.name} has been logged out everywhere ({count} "
            f"session{'s' if count != 1 else ''} ended)."
        ),
    )


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    """Clear a worker's second factor (a lost or new phone); they set it up again."""
    return _button(
        user_id,
        service.reset_two_factor,
        lambda user, _: (
            f"{user.name}'s two-factor sign-in has been reset and they have been logged out. "
            "They set it up again when they next log in."
        ),
    )


def _confirmed(user_id: int, change, template: str, saved: str):
    """A page that asks the administrator to confirm a change to a user, then makes it."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    return _save(
        form,
        lambda: change(db.session, user, current_user),
        saved=lambda _: saved.format(name=user.name),
        show=_page(template, form=form, user=user),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate_user(user_id: int):
    deactivated = "{name} has been deactivated and can no longer log in."
    return _confirmed(user_id, service.deactivate_user, "admin/user_deactivate.html", deactivated)


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
def reactivate_user(user_id: int):
    reactivated = "{name} has been reactivated and can log in again."
    return _confirmed(user_id, service.reactivate_user, "admin/user_reactivate.html", reactivated)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()

    def reset():
        generated = service.reset_password(
            db.session, user, current_user, password=form.password.data or None
        )
        if user.id == current_user.id:
            # The reset ended every session of the user, this one included.
            sessions.begin(user, sessions.current().method)
        return generated

    # Sent again, reset once: a second send would make (and show) a second password.
    return _save(
        form,
        reset,
        saved=lambda generated: _password_reset(user, generated),
        show=_page("admin/user_password.html", form=form, user=user),
    )


def _password_reset(user: User, generated: str | None) -> str:
    if generated:
        return (
            f"{user.name}'s password has been reset. Their new password is {generated} "
            f"– {HANDOVER_ADVICE}"
        )
    return (
        f"{user.name}'s password has been reset. They have been logged out "
        "everywhere and can log in with the new password."
    )


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():
    form = TeamForm()
    return _save(
        form,
        lambda: service.create_team(
            db.session, form.name.data, form.cohort.data, actor=current_user
        ),
        saved=lambda team: f"The {team.name} team has been added.",
        to=url_for("admin.users", _anchor="teams"),
        show=_page("admin/team_form.html", form=form, team=None),
    )


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = TeamForm(obj=team)
    return _save(
        form,
        lambda: service.update_team(
            db.session, team, form.name.data, form.cohort.data, actor=current_user
        ),
        saved=lambda _: f"The {team.name} team's details have been saved.",
        to=url_for("admin.users", _anchor="teams"),
        show=_page("admin/team_form.html", form=form, team=team),
    )
