"""Agreed actions that change: reworded, re-dated, handed to a colleague, and the actions of
workers who have gone, handed on by the team's manager."""

from flask import Blueprint

bp = Blueprint("actions", __name__)

from . import routes  # noqa: E402,F401
