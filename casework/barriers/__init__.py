"""Barriers: what got in the way of helping people, gathered from the cases where it was met."""

from flask import Blueprint

bp = Blueprint("barriers", __name__)

from . import routes  # noqa: E402,F401
