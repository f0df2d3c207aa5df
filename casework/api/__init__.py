"""The public API v1 (api.md): JSON over bearer tokens, one module per resource, each
operation declared once (casework/api/base.py) for its checks and its OpenAPI document."""

from . import (  # noqa: F401 - each module's operations join the blueprint
    actions,
    asks,
    auth,
    barriers,
    cases,
    consents,
    conversations,
    demands,
    flags,
    involvement,
    measures,
    network,
    people,
    plans,
    transfers,
    trials,
)
from .base import bp  # noqa: F401
