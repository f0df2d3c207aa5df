from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..extensions import db
from . import bp, sessions, throttle
from .forms import LoginForm
from .service import authenticate


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
    if form.validate_on_submit():
        refusal = throttle.check(db.session, form.email.data)
        if refusal is not None:
            form.form_errors.append(refusal.message)
            throttle.record_refusal(db.session, form.email.data, refusal)
            db.session.commit()
            return _login_page(form, 429, {"Retry-After": str(refusal.retry_after)})
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(
                "The email address or password is not right. Check them and try again."
            )
            throttle.record_failure(form.email.data)
            db.session.commit()
        else:
            login_user(user)
            sessions.start()
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return _login_page(form, 200)


def _login_page(form, status, headers=None):
    return render_template("auth/login.html", form=form), status, headers or {}


@bp.route("/logout", methods=["POST"])
def logout():
    audit.record("logout", "user", current_user.id)
    db.session.commit()
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))
