"""Transfers of a case between teams: asked for by the sending team, answered by the
receiving team (casework/transfers/service.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules import TRANSFER_STATUSES
from .base import one_of, utcnow
from .cases import Case
from .staff import Team, User


class Transfer(db.Model):
    """A request to move a case to another team. While pending, the case stays open with its
    owner; accepted, the case closes as transferred and a linked new case opens in the
    receiving team; declined, nothing changes."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    # A named worker of the receiving team who may accept it too (else its managers choose).
    to_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer_reason: Mapped[str | None] = mapped_column(Text)
    new_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    new_case: Mapped[Case | None] = relationship(foreign_keys=[new_case_id])
    from_team: Mapped[Team] = relationship(foreign_keys=[from_team_id])
    to_team: Mapped[Team] = relationship(foreign_keys=[to_team_id])
    to_owner: Mapped[User | None] = relationship(foreign_keys=[to_owner_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    # Two people answering at once: the second's UPDATE finds the version moved on (409).
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("status", TRANSFER_STATUSES), name="status"),
        CheckConstraint("from_team_id <> to_team_id", name="another_team"),
        # At most one pending transfer of a case, enforced by the database.
        Index(
            "uq_transfers_one_pending",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The transfers into and out of a team, newest first (the team page, GET /transfers).
        Index("ix_transfers_to_team", "to_team_id", "status", "requested_at"),
        Index("ix_transfers_from_team", "from_team_id", "status", "requested_at"),
    )

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"
