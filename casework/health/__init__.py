"""GET /healthz for load balancers and monitoring: can the app reach its database?"""

from typing import Literal

from flask import Blueprint, jsonify
from pydantic import BaseModel
from spectree import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..api.base import STATUS_TEXT, spec
from ..extensions import db

bp = Blueprint("health", __name__)


class Health(BaseModel):
    status: Literal["ok", "unavailable"]


@bp.route("/healthz")
@spec.validate(
    resp=Response(HTTP_200=(Health, "The database answers"), HTTP_503=(Health, STATUS_TEXT[503])),
    tags=["Health"],
    security={},
)
def healthz():
    """Can the app reach its database? For load balancers and monitoring"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
