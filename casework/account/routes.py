from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth import tokens
from ..exceptions import InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors
from ..policy import get_own_token
from . import bp
from .forms import NewTokenForm, RevokeTokenForm


def render_account(form=None, new_token=None, status=200):
    return (
        render_template(
            "account/index.html",
            form=form or NewTokenForm(),
            revoke_form=RevokeTokenForm(),
            tokens=tokens.tokens_of(db.session, current_user),
            new_token=new_token,
        ),
        status,
    )


@bp.route("/account")
def index():
    return render_account()


@bp.route("/account/tokens", methods=["POST"])
def new_token():
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            _, token = tokens.issue_token(db.session, current_user, form.label.data)
        except InvalidValue as error:
            db.session.rollback()
            apply_domain_errors(form, error)
            return render_account(form, status=422)
        db.session.commit()
        # Shown on this response only: never stored, never put in the session.
        return render_account(NewTokenForm(formdata=None), new_token=token, status=201)
    return render_account(form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    record = get_own_token(current_user, token_id)
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke_token(db.session, record, current_user)
        db.session.commit()
        flash(f"Token {record.label or 'without a label'} revoked: it no longer works.", "success")
    return redirect(url_for("account.index"))
