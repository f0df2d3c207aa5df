"""Asks of the manager: a resource or a permission for a case, answered yes or no."""

from flask import Blueprint

bp = Blueprint("asks", __name__)

from . import routes  # noqa: E402,F401
