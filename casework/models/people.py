"""The people the service helps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Recorded

MERGED_AWAY = "merged_into_id IS NOT NULL"  # the condition of the partial index below


class Person(Recorded, db.Model):
    """One human being the service helps. Never twice: duplicates are merged."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, index=True)
    nhs_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    preferred_contact: Mapped[str | None] = mapped_column(Text)
    # The team that first registered the person, so its members can see the
    # record before any demand is logged.
    registered_by_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # Set when an administrator merged this record into another: everything it
    # held moved there, and it stays only so the merge can be undone.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    # Its demands and cases (person.demands, person.cases, oldest first) are declared with
    # them, in cases.py: a person is known before any demand, so this module needs neither.

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_people_names", "family_name", "given_name"),
        # Only the few merged-away records: indexed whole, the column is almost all NULL and
        # SQLite's statistics (ANALYZE) then call the index useless and scan every person.
        Index(
            "ix_people_merged_into_id",
            "merged_into_id",
            sqlite_where=text(MERGED_AWAY),
            postgresql_where=text(MERGED_AWAY),
        ),
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"
