"""`Idempotency-Key` on every API POST (api.md "Idempotency", ADR 0036), once, for all.

A POST carrying the header is claimed before its work: a row (user, key, a hash of the
request) committed in its own transaction, unique per (user, key) in the database that every
app server shares, so of two requests racing with one key only one claims it; the other
finds the claim. After the work, the answer (status, body) is kept on the row:

- the same key and request from the same user within 24 hours → that answer again, with
  the header `Idempotent-Replayed: true`, and nothing changed;
- the same key with another request (body, address or method) → 422;
- the same key while the first is still being worked on → 409 (send it again shortly);
- an answer of 500 or more is not kept: the claim is released so a retry does the work.

The key, its claim and the answer belong to the API layer; the operations know nothing of
it. Old keys are removed by `casework maintain` (casework/maintenance.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from flask import Response, current_app, g, request
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .. import clock, rules
from ..exceptions import Conflict, DomainError
from ..extensions import commit_keeping_loaded, db
from ..models import IdempotencyKey, as_utc
from . import auth  # noqa: F401 - its hook first: a key belongs to the authenticated user
from .base import bp

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_SHAPE = re.compile(rules.IDEMPOTENCY_KEY_PATTERN)


class KeyReused(DomainError):
    """The key already stands for another request: 422."""

    code = "idempotency_key_reused"


class KeyInProgress(Conflict):
    """The first request with this key has not answered yet: 409."""

    code = "idempotency_key_in_progress"


class KeyShape(DomainError):
    """A key that is empty, too long or not visible ASCII: 422, like any field's shape."""

    code = "invalid_fields"


def fingerprint() -> str:
    """A hash of what the request asks: method, address and canonical body (the JSON read
    with its keys sorted and no spacing, so the same object written differently is the same
    request; a body that is not JSON counts byte for byte)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(
            json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def expired_before() -> dt.datetime:
    return clock.now() - dt.timedelta(hours=rules.IDEMPOTENCY_HOURS)


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )


def _claim(user_id: int, key: str, hashed: str) -> IdempotencyKey | None:
    """Claim the key, committed at once so every server sees it; None when another request
    holds it (found again by the caller). An expired claim of the same key is removed first."""
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < expired_before(),
        )
    )
    claim = IdempotencyKey(user_id=user_id, key=key, fingerprint=hashed, created_at=clock.now())
    db.session.add(claim)
    try:
        commit_keeping_loaded()
    except IntegrityError:  # another request, here or on another server, claimed it first
        db.session.rollback()
        return None
    return claim


@bp.before_request
def replay_or_claim():
    """Before the operation (and after authentication): the kept answer, a refusal, or a
    fresh claim noted in `g` for `keep_answer`."""
    if request.method != "POST" or HEADER not in request.headers:
        return None
    if not current_user.is_authenticated:  # a public operation: no user to keep keys for
        return None
    key = request.headers[HEADER]
    if not _SHAPE.fullmatch(key):
        raise KeyShape(rules.IDEMPOTENCY_KEY_SHAPE, {HEADER: rules.IDEMPOTENCY_KEY_SHAPE})
    hashed = fingerprint()
    found = _find(current_user.id, key)
    if found is not None and as_utc(found.created_at) < expired_before():
        found = None  # older than 24 hours: the key may stand for a new request
    if found is None:
        claim = _claim(current_user.id, key, hashed)
        if claim is not None:
            g.idempotency_claim = claim.id
            return None
        found = _find(current_user.id, key)
    if found is None:  # claimed and released (it failed) in between: the client may retry
        raise KeyInProgress(rules.IDEMPOTENCY_IN_PROGRESS, {HEADER: rules.IDEMPOTENCY_IN_PROGRESS})
    if found.fingerprint != hashed:
        raise KeyReused(rules.IDEMPOTENCY_KEY_REUSED, {HEADER: rules.IDEMPOTENCY_KEY_REUSED})
    if found.status is None:
        raise KeyInProgress(rules.IDEMPOTENCY_IN_PROGRESS, {HEADER: rules.IDEMPOTENCY_IN_PROGRESS})
    db.session.rollback()
    answer = Response(found.body, status=found.status, mimetype=found.mimetype)
    answer.headers[REPLAYED] = "true"
    return answer


@bp.after_request
def keep_answer(response: Response) -> Response:
    """Keep the answer on the claim (or release the claim after a server-side failure)."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return response
    try:
        db.session.rollback()  # whatever the operation left unfinished is not ours to commit
        if response.status_code >= 500:
            db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
        else:
            db.session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == claim_id)
                .values(
                    status=response.status_code,
                    body=response.get_data(as_text=True),
                    mimetype=response.mimetype,
                )
            )
        db.session.commit()
    except SQLAlchemyError:  # the claim stays "in progress" until it expires: never a repeat
        db.session.rollback()
        current_app.logger.exception("Could not keep the answer for an Idempotency-Key")
    return response
