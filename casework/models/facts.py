"""Facts the measures count, kept at write time (casework/measures/facts.py, ADR 0020)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

PERSON_DEMANDS_INDEX = ("person_id", "received_on", "cohort", "team_id")
# The cases of the people with cases in two or more teams, by person (measures/split.py).
SPLIT_INDEX = (
    "ix_case_facts_in_two_teams",
    "in_two_teams",
    "person_id",
    "team_id",
    "opened_on",
    "closed_on",
)


class Counted:
    """What every measure fact is counted by: the person it is about, the team and the
    team's cohort (pilot or usual practice). Plain integers, not foreign keys: facts are
    derived and rebuilt (measures/facts.py), never the record itself."""

    person_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(10))


class DemandFact(Counted, db.Model):
    """A demand as the measures count it: its period, cohort, team, kind and part of the
    repeat-demand figure. Derived from demands and cases; rebuilt, never edited by hand."""

    __tablename__ = "demand_facts"

    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True
    )
    received_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # value | failure | unclassified
    repeat: Mapped[str] = mapped_column(String(14))  # first | while_open | after_closure | no_case
    # The day of the person's demand before this one (none: this is the first), of any team
    # and of this cohort: a person's first demand of a period is the one whose previous
    # demand is before it, so the people with a demand are counted without a sort.
    previous_on: Mapped[dt.date | None] = mapped_column(Date)
    previous_in_cohort_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        # Each figure is counted from one of these alone, in day order (figures._grouped):
        # all teams, or one team.
        Index(
            "ix_demand_facts_period",
            "received_on",
            "repeat",
            "kind",
            "cohort",
            "team_id",
            "person_id",
            "previous_on",
            "previous_in_cohort_on",
        ),
        # A person's demands, by day, with what the filters ask (split.py: had a demand).
        Index("ix_demand_facts_person", *PERSON_DEMANDS_INDEX),
        Index(
            "ix_demand_facts_team_period",
            "team_id",
            "received_on",
            "repeat",
            "kind",
            "cohort",
            "person_id",
        ),
    )


class CaseFact(Counted, db.Model):
    """A case as the measures count it: who owned it first, the person's previous closed case
    in the team and its owner, changes of owner, agreement, days end to end and whether the
    person came back within 90 days of the closure. Derived; rebuilt, never edited by hand."""

    __tablename__ = "case_facts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    referral_match: Mapped[str | None] = mapped_column(String(10))
    first_owner_id: Mapped[int | None] = mapped_column(Integer)
    previous_case_id: Mapped[int | None] = mapped_column(Integer)
    previous_owner_id: Mapped[int | None] = mapped_column(Integer)
    handoffs: Mapped[int] = mapped_column(Integer)
    agreed: Mapped[bool] = mapped_column(Boolean)
    days: Mapped[int | None] = mapped_column(Integer)  # first demand to closure; open: NULL
    returned: Mapped[bool | None] = mapped_column(Boolean)  # within 90 days; open: NULL
    # How it ended (rules.CLOSURE_OUTCOMES; open: NULL): ADR 0033 says what each counts for.
    outcome: Mapped[str | None] = mapped_column(String(20))
    # Its agreed actions, by who does them and by status now.
    actions_person: Mapped[int] = mapped_column(Integer)
    actions_team: Mapped[int] = mapped_column(Integer)
    actions_done: Mapped[int] = mapped_column(Integer)
    actions_dropped: Mapped[int] = mapped_column(Integer)
    actions_open: Mapped[int] = mapped_column(Integer)
    # The person has cases in two or more teams (any time): the few people who can be split
    # across teams (measures/split.py), found by the index below without a pass over all.
    in_two_teams: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index(
            "ix_case_facts_opened",
            "opened_on",
            "referral_match",
            "previous_case_id",
            "first_owner_id",
            "previous_owner_id",
            "cohort",
            "team_id",
        ),
        # Closed in the period, and (from closed_on and opened_on) active in it.
        Index(
            "ix_case_facts_closed",
            "closed_on",
            "days",
            "handoffs",
            "agreed",
            "returned",
            "outcome",
            "cohort",
            "team_id",
            "opened_on",
            "actions_person",
            "actions_team",
            "actions_done",
            "actions_dropped",
            "actions_open",
        ),
        Index("ix_case_facts_person", "person_id"),
        Index("ix_case_facts_team_opened", "team_id", "opened_on"),
        Index("ix_case_facts_team_closed", "team_id", "closed_on"),
        Index(*SPLIT_INDEX),
    )


class MeasureFactsState(db.Model):
    """One row: the look-back the facts were built with, and their format. Another look-back
    configured, another format (or no row, after a migration that changes the facts) means
    every fact is built again."""

    __tablename__ = "measure_facts_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    lookback_days: Mapped[int] = mapped_column(Integer)
    # What the rows hold (measures.facts.FACTS_FORMAT): a build by code of another format,
    # an old app server's during an upgrade say, is built again.
    format: Mapped[int] = mapped_column(Integer, server_default="0")
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
