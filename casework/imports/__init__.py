"""Legacy baseline import: upload, preview and confirm a file of referrals."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from . import routes  # noqa: E402,F401
