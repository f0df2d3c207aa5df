"""The user's own account: their API tokens (made, seen, revoked) and nothing else yet."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from . import routes  # noqa: E402,F401
