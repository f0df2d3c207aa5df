"""The records of test and learn (issue 19): trials and their draws, the teams' cost
catalogues, what the usual system would have done for a person, and each case's cost facts.

Kept apart from casework/models/ (migration f7c3b9d10014, after 0013); the same `db` and
conventions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Case, Demand, Team, User, utcnow
from ..models.facts import Counted
from ..rules import ALLOCATIONS, COST_SERVICE, COST_UNITS, TRIAL_NAME, TRIAL_STATUSES

PRACTITIONER_HOUR = "practitioner-hour"  # the catalogue's price of an hour of a worker's time


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Trial(db.Model):
    """A randomised comparison of a pilot team with a usual-practice team."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TRIAL_NAME), unique=True)
    pilot_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    usual_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    share: Mapped[float] = mapped_column(Float)  # the chance of the pilot arm, 0 < share < 1
    start_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="running")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)

    pilot_team: Mapped[Team] = relationship(foreign_keys=[pilot_team_id])
    usual_team: Mapped[Team] = relationship(foreign_keys=[usual_team_id])

    __table_args__ = (
        CheckConstraint(_in("status", TRIAL_STATUSES), name="status"),
        CheckConstraint("share > 0 AND share < 1", name="share"),
        CheckConstraint("pilot_team_id <> usual_team_id", name="two_teams"),
    )

    @property
    def team_ids(self) -> tuple[int, int]:
        return (self.pilot_team_id, self.usual_team_id)


class TrialAllocation(db.Model):
    """How one demand entered a trial: routed by the rule (not_randomised) or drawn. One per
    demand (the unique demand_id is what makes a draw unrepeatable); never changed. The
    person and the day received are the demand's (a merge of people moves the demand)."""

    __tablename__ = "trial_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id"), unique=True)
    allocation: Mapped[str] = mapped_column(String(15))
    draw: Mapped[float | None] = mapped_column(Float)  # the number drawn; None: not drawn
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trial: Mapped[Trial] = relationship()
    demand: Mapped[Demand] = relationship()

    __table_args__ = (
        CheckConstraint(_in("allocation", ALLOCATIONS), name="allocation"),
        Index("ix_trial_allocations_trial", "trial_id", "allocation"),
    )


class CostItem(db.Model):
    """One line of a team's cost catalogue: a service and its unit cost, with its source."""

    __tablename__ = "cost_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    service: Mapped[str] = mapped_column(String(COST_SERVICE))
    unit_pence: Mapped[int] = mapped_column(Integer)
    per: Mapped[str] = mapped_column(String(5), default="item")
    source: Mapped[str | None] = mapped_column(Text)
    example: Mapped[bool] = mapped_column(Boolean, default=False)  # demo values, labelled
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    team: Mapped[Team] = relationship()

    __table_args__ = (
        UniqueConstraint("team_id", "service", name="one_price"),
        CheckConstraint(_in("per", COST_UNITS), name="per"),
        CheckConstraint("unit_pence >= 0", name="not_negative"),
    )


class Counterfactual(db.Model):
    """What the usual system would have done for the person of a case (one per case)."""

    __tablename__ = "counterfactuals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    items: Mapped[list[CounterfactualItem]] = relationship(
        back_populates="counterfactual",
        cascade="all, delete-orphan",
        order_by="CounterfactualItem.id",
    )


class CounterfactualItem(db.Model):
    __tablename__ = "counterfactual_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    counterfactual_id: Mapped[int] = mapped_column(ForeignKey("counterfactuals.id"), index=True)
    cost_item_id: Mapped[int] = mapped_column(ForeignKey("cost_items.id"))
    count: Mapped[int] = mapped_column(Integer)

    counterfactual: Mapped[Counterfactual] = relationship(back_populates="items")
    cost_item: Mapped[CostItem] = relationship()

    __table_args__ = (CheckConstraint("count > 0", name="count"),)


class CaseCostFact(Counted, db.Model):
    """A case's cost facts, kept at write time with the other measure facts (ADR 0020,
    casework/measures/facts.py): practitioner minutes recorded and the costs of the asks
    granted. Priced at the time of asking from the team's catalogue (ADR 0032)."""

    __tablename__ = "case_cost_facts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    asks_pence: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_case_cost_facts_person", "person_id"),
        Index(
            "ix_case_cost_facts_closed",
            "closed_on",
            "cohort",
            "team_id",
            "minutes",
            "asks_pence",
        ),
    )
