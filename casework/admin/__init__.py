from flask import Blueprint, abort
from flask_login import current_user

from .. import policy

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_administrator():
    if not policy.can_administer(current_user):
        abort(403, policy.ONLY_ADMINISTRATORS)


from . import routes  # noqa: E402,F401
