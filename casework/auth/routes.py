from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..extensions import db
from . import bp
from .forms import LoginForm
from .service import authenticate


def safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site: no open redirect."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("caseload.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(
                "The email address or password is not right. Check them and try again."
            )
            audit.record("login_failed", "user", None, email=form.email.data[:254])
            db.session.commit()
        else:
            login_user(user)
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, status=200)


@bp.route("/logout", methods=["POST"])
def logout():
    audit.record("logout", "user", current_user.id)
    db.session.commit()
    logout_user()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))
