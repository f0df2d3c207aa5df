"""Signing in and out: the password, the second factor (or setting it up), logging out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from .. import audit, once
from ..exceptions import InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors
from . import bp, sessions, throttle, two_factor
from .forms import ButtonForm, CodeForm, LoginForm
from .service import authenticate
from .two_factor import CODE_FIELD

NEXT = "_next"  # where to go once the second factor is done, kept in the session


def safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site: no open redirect. Browsers drop tabs and
    newlines inside an address (so "/", a tab, "/evil.example" means "//evil.example") and
    read a backslash as "/", so a target with a control character or backslash is refused."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
        ):
            return target
    return url_for("caseload.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "POST" and not current_app.config["LOCAL_PASSWORDS"]:
        form.form_errors.append(
            f"Passwords are switched off here. Log in with {current_app.config['OIDC_NAME']}."
        )
        return _login_page(form, 403)
    if form.validate_on_submit():
        refusal = throttle.check(db.session, form.email.data)
        if refusal is not None:
            return _refused(form, form.email.data, refusal, _login_page)
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(
                "The email address or password is not right. Check them and try again."
            )
            throttle.record_failure(form.email.data)
            db.session.commit()
            return _login_page(form, 200)
        next_url = safe_next(request.args.get("next"))
        if user.has_two_factor:
            return _wait_for_second_factor(user, "code", next_url)
        if two_factor.required_for(user):
            return _wait_for_second_factor(user, "enrol", next_url)
        sessions.begin(user)
        db.session.commit()
        return redirect(next_url)
    return _login_page(form, 200)


def _login_page(form, status, headers=None):
    return render_template("auth/login.html", form=form), status, headers or {}


def _refused(form, email, refusal, render):
    """Too many wrong passwords or codes: 429, saying how long to wait, in words and in
    Retry-After."""
    form.form_errors.append(refusal.message)
    throttle.record_refusal(db.session, email, refusal)
    db.session.commit()
    return render(form, 429, {"Retry-After": str(refusal.retry_after)})


def _wait_for_second_factor(user, stage: str, next_url: str):
    sessions.begin(user, stage=stage)
    session[NEXT] = next_url
    audit.record("password_accepted", "user", user.id, user=user, then=stage)
    db.session.commit()
    if stage == "code":
        return redirect(url_for("auth.second_factor"))
    return redirect(url_for("auth.two_factor_setup"))


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in with a password: a code from the app, or a recovery
    code."""
    row = sessions.waiting("code")
    if row is None:
        return redirect(url_for("auth.login"))
    user = row.user
    form = CodeForm()

    def render(form, status, headers=None):
        page = render_template("auth/code.html", form=form)
        return page, status, headers or {}

    if not form.validate_on_submit():
        return render(form, 200 if request.method == "GET" else 422)
    refusal = throttle.check(db.session, user.email)
    if refusal is not None:
        return _refused(form, user.email, refusal, render)
    try:
        passed = two_factor.check(user, form.code.data)
    except InvalidValue as error:
        db.session.rollback()
        throttle.record_failure(user.email, throttle.CODE_FAILED)
        db.session.commit()
        apply_domain_errors(form, error)
        form.code.data = form.code.raw_data = None  # a wrong code is not shown again
        return render(form, 422)
    next_url = session.get(NEXT) or url_for("caseload.index")
    sessions.promote(row)
    db.session.commit()
    if passed.wrong_before:
        flash(
            f"{passed.wrong_before} wrong code{'s were' if passed.wrong_before != 1 else ' was'} "
            "entered for your account since you last logged in. If that was not you, someone "
            "knows your password: change it now on your account page.",
            "info",
        )
    if passed.how == "recovery":
        left = two_factor.recovery_codes_left(user)
        flash(
            f"You used a recovery code: {left} left. If you have lost your phone, set up "
            "two-factor sign-in again on your account page, or ask your administrator.",
            "info",
        )
    return redirect(safe_next(next_url))


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server: its cookie, wherever copied, no longer works."""
    row = sessions.current()
    if row is not None:
        audit.record("logout", "user", row.user_id, user=row.user)
    sessions.end_current("logout")
    db.session.commit()
    session.clear()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Setting up two-factor sign-in: from the account page, or straight after the password
    where the role needs it (the session waits at the "enrol" stage until it is done)."""
    row = sessions.waiting("enrol")
    user = row.user if row is not None else current_user
    if not user.is_authenticated:
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        if row is not None:  # set up meanwhile in another browser: log in again, with a code
            sessions.end_current("set_up_elsewhere")
            db.session.commit()
            return redirect(url_for("auth.login"))
        return redirect(url_for("account.index"))
    form = CodeForm()
    fresh = request.method == "GET" and request.args.get("new") == "1"
    secret = two_factor.secret_for_setup(user, fresh=fresh)
    db.session.commit()
    if form.validate_on_submit() and once.spend(form):
        try:
            codes = two_factor.confirm(user, form.code.data)
        except InvalidValue as error:
            db.session.rollback()
            apply_domain_errors(form, error)
        else:
            next_url = session.get(NEXT)
            if row is not None:
                sessions.promote(row)
            once.settle(url_for("account.index", _anchor="two-factor"))
            db.session.commit()
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                next_url=safe_next(next_url),
                first_time=True,
            )
    uri = two_factor.setup_uri(user, secret)
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_code=two_factor.qr_code(uri),
        secret=two_factor.grouped(secret),
        required=two_factor.required_for(user),
        waiting=row is not None,
        email=user.email,
    )
    return page, status


def _with_a_code(change):
    """A change to the signed-in user's second factor, proved with a code: limited and
    counted like sign-in's codes. Returns change's result, or None (refused, and said why)."""
    user = current_user._get_current_object()
    form = CodeForm()
    if not form.validate_on_submit():
        return None
    refusal = throttle.check(db.session, user.email)
    if refusal is not None:
        throttle.record_refusal(db.session, user.email, refusal)
        db.session.commit()
        flash(refusal.message, "error")
        return None
    if not once.spend():
        return None
    try:
        result = change(user, form.code.data)
    except InvalidValue as error:
        db.session.rollback()
        if CODE_FIELD in error.fields and user.has_two_factor:
            throttle.record_failure(user.email, throttle.CODE_FAILED)
            db.session.commit()
        flash(next(iter(error.fields.values()), error.message), "error")
        return None
    once.settle(url_for("account.index", _anchor="two-factor"))
    db.session.commit()
    return result


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def new_recovery_codes():
    codes = _with_a_code(two_factor.new_recovery_codes)
    if codes is None:
        return redirect(url_for("account.index") + "#two-factor")
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for("account.index")
    )


@bp.route("/account/two-factor/off", methods=["POST"])
def two_factor_off():
    if _with_a_code(two_factor.turn_off) is not None:
        flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("account.index") + "#two-factor")


@bp.route("/account/sign-out-others", methods=["POST"])
def sign_out_others():
    """The user ends every other session of theirs (a computer left signed in)."""
    if ButtonForm().validate_on_submit() and once.spend():
        count = sessions.end_all(current_user, "signed_out_others", keep=sessions.current())
        audit.record("sign_out_others", "user", current_user.id, sessions=count)
        once.settle(url_for("account.index", _anchor="sessions"))
        db.session.commit()
        flash(f"Signed out of {count} other session{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("account.index") + "#sessions")
