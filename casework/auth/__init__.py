from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import oidc, routes  # noqa: E402,F401
