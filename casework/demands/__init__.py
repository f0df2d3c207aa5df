from flask import Blueprint

bp = Blueprint("demands", __name__)

from . import routes  # noqa: E402,F401
