"""Every figure of measures.md, computed once, for the pages, the API and the CLI."""

from flask import Blueprint

from .repeat import had_earlier_demand, is_repeat

bp = Blueprint("measures", __name__, url_prefix="/measures")

__all__ = ["bp", "had_earlier_demand", "is_repeat"]

from . import compare, cost_routes, routes  # noqa: E402,F401
