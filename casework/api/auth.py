"""Who is asking, and what a refusal looks like: tokens authenticate every operation but
the public ones (a browser's session cookie never does); a rule's refusal answers in the
contract's error shape, with the record as it is now when the change was stale."""

from __future__ import annotations

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ..auth.tokens import user_for_token
from ..errors import json_error
from ..exceptions import DomainError, DuplicateNhsNumber, MergedRecord, StaleVersion
from ..extensions import commit_keeping_loaded, db
from ..models import Action, Ask, Barrier, Case
from .actions import action_json
from .asks import ask_json
from .barriers import barrier_detail_json
from .base import bp
from .cases import case_json

PUBLIC = {"api.openapi"}


@bp.before_request
def authenticate():
    """Only a live bearer token authenticates the API; it acts as its user."""
    if request.endpoint in PUBLIC:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = user_for_token(db.session, token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        db.session.rollback()
        raise Unauthorized(
            "Send a valid API token in the header 'Authorization: Bearer <token>'. "
            "Tokens come from 'casework users token EMAIL' or your account page.",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "casework"}),
        )
    user, _ = found
    if db.session.dirty:  # when the token was last used (noted at most once a minute)
        commit_keeping_loaded()  # the user stays loaded for the operation
    # Flask-Login's request-scoped user: the token's user for this request only, so
    # policy, audit and services see them as current_user; no session is read or written.
    g._login_user = user


def current_state(session, record) -> dict | None:
    """The record as it is now, so a refused stale change loses nothing silently."""
    if isinstance(record, Ask):
        shown = ask_json(record)
    elif isinstance(record, Barrier):
        shown = barrier_detail_json(record)
    elif isinstance(record, Case):
        shown = case_json(session, record)
    elif isinstance(record, Action):
        shown = action_json(record)
    else:
        return None
    return shown.model_dump(mode="json")


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    """A rule said no: the contract's error shape, with the status the rule carries."""
    db.session.rollback()
    extra = {}
    if isinstance(error, DuplicateNhsNumber):
        extra["existing_id"] = error.existing_id
    if isinstance(error, MergedRecord):
        extra["merged_into_id"] = error.merged_into_id
    if isinstance(error, StaleVersion) and error.current is not None:
        extra["current"] = current_state(db.session, error.current)
    return json_error(error.status, error.code, error.message, error.fields, **extra)
