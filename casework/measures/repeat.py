"""The repeat-demand rule (measures.md), written once.

A demand is a repeat when its person had at least one earlier demand to the
same team received in the look-back (default 365) days before it. An earlier
demand on the same day counts as earlier when it was recorded first; demand
ids are given in recording order, so "recorded first" is "smaller id".

The rule is written once (`within_lookback`, "earlier" as (received_on, id)) and read two
ways: `had_earlier_demand`, a search per demand, and `had_earlier_demand_among`, the same
for every demand of a select (on PostgreSQL by one window pass instead of a search apiece).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Boolean, ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import FunctionElement

from ..models import Demand
from .sql import any_row, days_before


def lookback_days() -> int:
    return int(current_app.config["REPEAT_LOOKBACK_DAYS"])


def within_lookback(earlier_on, on, days: int | None = None) -> ColumnElement[bool]:
    """SQL: a demand received on `earlier_on` is within the look-back of one received on `on`."""
    days = lookback_days() if days is None else days
    return earlier_on >= days_before(on, days)


class had_earlier_demand_among(FunctionElement):  # noqa: N801 - reads like SQL
    """SQL, as a column of a select of demands: `had_earlier_demand`, for many at once.

    PostgreSQL: the previous demand of the person to the team in recording order, by lag()
    over the demands selected (one sorted pass; select every demand from the look-back
    before the first one you ask about), `within_lookback` of this one; NULL (not a
    repeat) for their first. SQLite, whose window functions cost more than a search of
    the (person, team, received_on) index apiece: `had_earlier_demand` itself."""

    type = Boolean()
    inherit_cache = True
    name = "had_earlier_demand_among"

    def __init__(self, days: int):
        super().__init__(
            Demand.person_id, Demand.team_id, Demand.received_on, Demand.id, literal(days)
        )


@compiles(had_earlier_demand_among)
def _by_window(element, compiler, **kw):
    person, team, on, demand_id, days = element.clauses
    previous_on = func.lag(on).over(partition_by=(person, team), order_by=(on, demand_id))
    return compiler.process(within_lookback(previous_on, on, days), **kw)


@compiles(had_earlier_demand_among, "sqlite")
def _by_search(element, compiler, **kw):
    # The look-back goes in as the statement's own parameter, not its value at the first
    # compilation: a cached compilation would otherwise keep the first look-back it saw.
    return compiler.process(had_earlier_demand(Demand, element.clauses.clauses[-1]), **kw)


def had_earlier_demand(demand=Demand, days: int | None = None) -> ColumnElement[bool]:
    """SQL: the person of `demand` (the Demand entity or an alias of it) had an
    earlier demand to the same team within the look-back."""
    earlier = aliased(Demand)
    return any_row(
        earlier.person_id == demand.person_id,
        earlier.team_id == demand.team_id,
        earlier.entered_in_error_at.is_(None),  # a demand entered in error never was one
        within_lookback(earlier.received_on, demand.received_on, days),
        or_(
            earlier.received_on < demand.received_on,
            and_(earlier.received_on == demand.received_on, earlier.id < demand.id),
        ),
    )


def is_repeat(session: Session, demand: Demand) -> bool:
    """Whether this recorded demand is a repeat by the measures.md rule."""
    session.flush()
    return bool(session.scalar(select(had_earlier_demand()).where(Demand.id == demand.id)))
