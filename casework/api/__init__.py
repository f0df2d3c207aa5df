"""The public API v1 (api.md): JSON over bearer tokens, described by its own OpenAPI."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401
