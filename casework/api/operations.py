"""How an API operation is declared, authenticated and answered.

`@operation(...)` registers the Flask route AND its OpenAPI entry from the same
arguments, and validates the body and query with the same specs the description
shows. Tokens authenticate every operation except the public ones; a browser's
session cookie never does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from ..auth.tokens import user_for_token
from ..errors import json_error
from ..exceptions import DomainError, DuplicateNhsNumber, MergedRecord, StaleVersion
from ..extensions import commit_keeping_loaded, db
from ..models import Action, Ask, Barrier, Case
from . import bp
from .validation import Body, Field, query_values, read_json

PUBLIC = {"api.openapi"}


@dataclass
class Operation:
    """One operation of the API, as the OpenAPI description tells it."""

    method: str
    path: str
    operation_id: str
    summary: str
    response: tuple[int, str]  # status, component schema name
    errors: tuple[int, ...]
    tag: str
    description: str = ""
    body: Body | None = None
    query: dict[str, Field] = field(default_factory=dict)
    public: bool = False


OPERATIONS: list[Operation] = []


def operation(
    method: str,
    rule: str,
    *,
    summary: str,
    response: tuple[int, str],
    errors: tuple[int, ...] = (),
    tag: str,
    description: str = "",
    body: Body | None = None,
    query: dict[str, Field] | None = None,
):
    """Declare an API operation: its route, its OpenAPI entry and its input validation."""

    def decorate(view):
        path = re.sub(r"<id:(\w+)>", r"{\1}", bp.url_prefix + rule)
        endpoint = view.__name__
        OPERATIONS.append(
            Operation(
                method=method.lower(),
                path=path,
                operation_id=endpoint,
                summary=summary,
                response=response,
                errors=errors,
                tag=tag,
                description=description,
                body=body,
                query=query or {},
                public=f"api.{endpoint}" in PUBLIC,
            )
        )

        @functools.wraps(view)
        def validated(**kwargs):
            if body is not None:
                kwargs["body"] = body.check(read_json())
            if query:
                kwargs["query"] = Body(query).check(query_values(query, request.args))
            return view(**kwargs)

        bp.add_url_rule(rule, endpoint, validated, methods=[method])
        return validated

    return decorate


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
    from ..asks.api import ask_json
    from ..barriers.api import barrier_detail_json
    from .schemas import action_json, case_json

    if isinstance(record, Ask):
        return ask_json(record)
    if isinstance(record, Barrier):
        return barrier_detail_json(record)
    if isinstance(record, Case):
        return case_json(session, record)
    if isinstance(record, Action):
        return action_json(record)
    return None


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
