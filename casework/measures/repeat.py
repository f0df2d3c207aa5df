"""The repeat-demand rule (measures.md), written once.

A demand is a repeat when its person had at least one earlier demand to the
same team received in the look-back (default 365) days before it. An earlier
demand on the same day counts as earlier when it was recorded first; demand
ids are given in recording order, so "recorded first" is "smaller id".
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Demand
from .sql import any_row, days_before


def lookback_days() -> int:
    return int(current_app.config["REPEAT_LOOKBACK_DAYS"])


def had_earlier_demand(demand=Demand, days: int | None = None) -> ColumnElement[bool]:
    """SQL: the person of `demand` (the Demand entity or an alias of it) had an
    earlier demand to the same team within the look-back."""
    days = lookback_days() if days is None else days
    earlier = aliased(Demand)
    return any_row(
        earlier.person_id == demand.person_id,
        earlier.team_id == demand.team_id,
        earlier.received_on >= days_before(demand.received_on, days),
        or_(
            earlier.received_on < demand.received_on,
            and_(earlier.received_on == demand.received_on, earlier.id < demand.id),
        ),
    )


def is_repeat(session: Session, demand: Demand) -> bool:
    """Whether this recorded demand is a repeat by the measures.md rule."""
    session.flush()
    return bool(session.scalar(select(had_earlier_demand()).where(Demand.id == demand.id)))
