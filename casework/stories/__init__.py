"""Stories: closed cases told as pseudonymised one-page narratives for leaders (ADR 0017)."""

from flask import Blueprint

bp = Blueprint("stories", __name__)

from . import routes  # noqa: E402,F401
