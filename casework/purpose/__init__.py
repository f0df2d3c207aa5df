"""The team's own purpose, principles and rules: what it works by, written by its manager."""

from flask import Blueprint

bp = Blueprint("purpose", __name__)

from . import routes  # noqa: E402,F401
