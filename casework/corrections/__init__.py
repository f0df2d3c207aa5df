"""Putting the record right without rewriting it: demands, conversations and actions entered
in error, and late notes on closed cases (ADR 0037)."""

from flask import Blueprint

bp = Blueprint("corrections", __name__)

from . import routes  # noqa: E402,F401
