from flask import Blueprint

bp = Blueprint("caseload", __name__)

from . import routes  # noqa: E402,F401
