"""The public API v1 (api.md): JSON over bearer tokens, described by its own OpenAPI."""

from flask import Blueprint
from werkzeug.routing import BaseConverter

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class AnyIdConverter(BaseConverter):
    """`<id:…>`: any run of digits. Ids no database could hold reach the policy loaders,
    which answer 404; a converter that refused them would let Werkzeug answer 405 when
    another method's rule shares the path."""

    regex = r"[0-9]{1,40}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


bp.record_once(lambda state: state.app.url_map.converters.setdefault("id", AnyIdConverter))

from ..asks import api as asks_api  # noqa: E402,F401 - its operations join this blueprint
from ..barriers import api as barriers_api  # noqa: E402,F401
from ..safety import api as safety_api  # noqa: E402,F401
from . import routes  # noqa: E402,F401
