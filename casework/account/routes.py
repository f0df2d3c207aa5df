from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import once
from ..admin.service import update_own_details
from ..auth import sessions, throttle, tokens, two_factor
from ..auth.forms import ButtonForm, CodeForm
from ..auth.service import MIN_PASSWORD_LENGTH, change_own_password
from ..exceptions import InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors
from ..policy import get_own_token
from ..web import back_to, save_form
from . import bp
from .forms import ChangePasswordForm, DetailsForm, NewTokenForm, RevokeTokenForm


def _details_form() -> DetailsForm:
    """The worker's own details as they are now."""
    user = current_user
    data = {name: getattr(user, name) for name in ("profession", "phone", "working_hours")}
    return DetailsForm(
        formdata=None, data=data | {"email_digest": "yes" if user.email_digest else "no"}
    )


def render_account(
    form=None, new_token=None, status=200, password_form=None, headers=None, details_form=None
):
    return (
        render_template(
            "account/index.html",
            details_form=details_form or _details_form(),
            form=form or NewTokenForm(formdata=None),
            password_form=password_form or ChangePasswordForm(formdata=None),
            revoke_form=RevokeTokenForm(),
            tokens=tokens.tokens_of(db.session, current_user),
            is_live=tokens.is_live,
            token_days=current_app.config["TOKEN_DAYS"],
            new_token=new_token,
            min_password_length=MIN_PASSWORD_LENGTH,
            code_form=CodeForm(formdata=None),
            sign_out_form=ButtonForm(formdata=None),
            two_factor_required=two_factor.required_for(current_user),
            recovery_codes_left=two_factor.recovery_codes_left(current_user),
            live_sessions=sessions.live_sessions(current_user),
            this_session=sessions.current(),
            browser_name=sessions.browser_name,
        ),
        status,
        headers or {},
    )


@bp.route("/account")
def index():
    return render_account()


@bp.route("/account/details", methods=["POST"])
def change_details():
    """Profession, direct phone, working hours and the daily email: the worker's own."""
    form = DetailsForm()
    user = current_user._get_current_object()
    return save_form(
        form,
        lambda: update_own_details(db.session, user, form.changes(), actor=user),
        saved="Your details have been saved.",
        to=url_for("account.index"),
        show=lambda status: render_account(details_form=form, status=status),
        refused=InvalidValue,
        refused_status=422,
    )


@bp.route("/account/password", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_account(password_form=form, status=422)
    # Guessing the current password here counts against the same limits as logging in.
    refusal = throttle.check(db.session, current_user.email)
    if refusal is not None:
        form.form_errors.append(refusal.message)
        throttle.record_refusal(db.session, current_user.email, refusal)
        db.session.commit()
        headers = {"Retry-After": str(refusal.retry_after)}
        return render_account(password_form=form, status=429, headers=headers)
    user = current_user._get_current_object()
    if not once.spend(form):
        return render_account(password_form=form, status=422)
    try:
        change_own_password(user, form.current.data, form.new.data, form.confirm.data)
    except InvalidValue as error:
        db.session.rollback()
        if "current" in error.fields:
            throttle.record_failure(user.email, where="change_password")
            db.session.commit()
        apply_domain_errors(form, error.fields)
        return render_account(password_form=form, status=422)
    # The change ended every session of the user and revoked their API tokens; this browser
    # carries on in a new session.
    sessions.begin(user, sessions.current().method)
    once.settle(url_for("account.index"))
    db.session.commit()
    flash(
        "Your password has been changed. You have been logged out everywhere else, and your "
        "API tokens no longer work: make new ones if you need them.",
        "success",
    )
    return redirect(url_for("account.index"))


@bp.route("/account/tokens", methods=["POST"])
def new_token():
    form = NewTokenForm()
    if form.validate_on_submit() and once.spend(form):
        try:
            _, token = tokens.issue_token(db.session, current_user, form.label.data)
        except InvalidValue as error:
            db.session.rollback()
            apply_domain_errors(form, error)
            return render_account(form, status=422)
        # Sent again, no second token: the account page, where this one is listed.
        once.settle(url_for("account.index"))
        db.session.commit()
        # Shown on this response only: never stored, never put in the session.
        return render_account(NewTokenForm(formdata=None), new_token=token, status=201)
    return render_account(form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    record = get_own_token(current_user, token_id)
    form = RevokeTokenForm()
    back = url_for("account.index")
    return save_form(
        form,
        lambda: tokens.revoke_token(db.session, record, current_user),
        saved=lambda _: f"Token {record.label or 'without a label'} revoked: it no longer works.",
        to=back,
        show=back_to(form, back),
        refused=(),
    )
