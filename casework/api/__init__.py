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
    corrections,
    demands,
    flags,
    idempotency,
    involvement,
    measures,
    network,
    notifications,
    people,
    plans,
    transfers,
    trials,
    users,
)
from .base import bp  # noqa: F401
