"""The data model: teams, workers, people, demands, cases and what happens in them.

Every write records who and when. Time-dependent defaults are callables.
"""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .extensions import db
from .rules import (  # noqa: F401 - the choices, declared once in rules.py
    ACTION_BY,
    ACTION_STATUSES,
    ASK_KINDS,
    ASK_STATUSES,
    BARRIER_KINDS,
    BARRIER_STATUSES,
    CHANNELS,
    COHORTS,
    CONVERSATION_KINDS,
    DEMAND_KINDS,
    REFERRAL_MATCHES,
    ROLES,
    ROUTES,
)


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment, timezone-aware: SQLite gives back naive datetimes, all of them UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    cohort: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.name")

    __table_args__ = (CheckConstraint(_in("cohort", COHORTS), name="cohort"),)


class User(UserMixin, db.Model):
    """A worker who logs in: a practitioner, a team manager or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Two-factor sign-in (casework/auth/two_factor.py): the TOTP secret (base32), set up
    # when confirmed with a first code; the last time step used, so a code works once;
    # wrong codes since the last right one (the second factor locks at MAX_WRONG_CODES).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    totp_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members")

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class ApiToken(db.Model):
    """A bearer token for the API. Only a hash is kept; the token acts as its user."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


SESSION_STAGES = ("signed_in", "code", "enrol")


class UserSession(db.Model):
    """One signed-in browser, kept on the server (casework/auth/sessions.py, ADR 0022).

    The signed session cookie holds only a random id, of which this row keeps a hash: ending
    the row (logout, timeouts, a new password, deactivation, a change of role or team, an
    administrator's "sign out everywhere") ends the session wherever its cookie is copied.
    `stage` is "signed_in", or a password accepted and waiting for the second factor:
    "code" (typing it) or "enrol" (setting it up, where the role requires one)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))  # "password" or "oidc"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(30))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint(_in("stage", SESSION_STAGES), name="stage"),)


class RecoveryCode(db.Model):
    """One of a user's ten single-use codes for signing in without their authenticator.
    Only a hash is kept: the codes are random, shown once, so SHA-256 is enough."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Person(db.Model):
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
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    demands: Mapped[list[Demand]] = relationship(
        back_populates="person", order_by="(Demand.received_on, Demand.id)"
    )
    cases: Mapped[list[Case]] = relationship(
        back_populates="person", order_by="(Case.opened_on, Case.id)"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_people_names", "family_name", "given_name"),
        # Only the few merged-away records: indexed whole, the column is almost all NULL and
        # SQLite's statistics (ANALYZE) then call the index useless and scan every person.
        Index(
            "ix_people_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Case(db.Model):
    """One stretch of end-to-end work with a person in a team, from first demand to closure."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # The team's way of working when the case opened: measures compare cohorts
    # as they were, even if a team later leaves the pilot.
    cohort: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    referral_match: Mapped[str | None] = mapped_column(String(10))
    real_problem: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closure_agreed: Mapped[bool | None] = mapped_column(Boolean)
    closure_agreement_note: Mapped[str | None] = mapped_column(Text)
    closure_summary: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    person: Mapped[Person] = relationship(back_populates="cases")
    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    demands: Mapped[list[Demand]] = relationship(
        back_populates="case", order_by="(Demand.received_on, Demand.id)"
    )
    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="case", order_by="(Conversation.held_on, Conversation.id)"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="case", order_by="Action.id")
    ownership_changes: Mapped[list[OwnershipChange]] = relationship(
        back_populates="case", order_by="OwnershipChange.id"
    )

    # SQLAlchemy adds "AND version = :old" to every UPDATE and bumps it, so two
    # writers racing past the application's own version check still collide.
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("cohort", COHORTS), name="cohort"),
        CheckConstraint(
            f"referral_match IS NULL OR {_in('referral_match', REFERRAL_MATCHES)}",
            name="referral_match",
        ),
        # A person's cases in a team in order, with their closing dates: routing and the
        # measures look up "the previous (closed) case" from the index alone (ADR 0010, 0011).
        Index("ix_cases_person_team_history", "person_id", "team_id", "opened_on", "closed_on"),
        Index("ix_cases_opened_on", "opened_on"),
        # The open cases of a worker and of a team: the caseload pages (migration 0005).
        Index(
            "ix_cases_open_by_owner",
            "owner_id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index(
            "ix_cases_open_by_team",
            "team_id",
            "owner_id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        # At most one open case per person per team, enforced by the database.
        Index(
            "uq_cases_one_open_per_team",
            "person_id",
            "team_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
    )

    @property
    def status(self) -> str:
        return "closed" if self.closed_on else "open"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def what_matters(self) -> Conversation | None:
        """The conversation holding the current what-matters statement, if any."""
        statements = self.what_matters_history
        return statements[0] if statements else None

    @property
    def what_matters_history(self) -> list[Conversation]:
        """Every what-matters statement, the latest said first (a visit typed up late stays
        in its place)."""
        return sorted(
            (c for c in self.conversations if c.what_matters),
            key=lambda c: (c.held_on, c.id),
            reverse=True,
        )


class Demand(db.Model):
    """A request for help about a person arriving into a team: a referral or a contact."""

    __tablename__ = "demands"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    cohort: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    stated_need: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(10))
    # How the routing rule placed it; null for imported history.
    routed_by: Mapped[str | None] = mapped_column(String(20))
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="demands")
    team: Mapped[Team] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="demands")
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("cohort", COHORTS), name="cohort"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(f"kind IS NULL OR {_in('kind', DEMAND_KINDS)}", name="kind"),
        CheckConstraint(f"routed_by IS NULL OR {_in('routed_by', ROUTES)}", name="routed_by"),
        # The measures' searches ("an earlier demand to the team", "came back after the
        # closure", "the case's first demand") answered from the indexes alone (ADR 0016).
        Index("ix_demands_person_team_history", "person_id", "team_id", "received_on", "case_id"),
        Index("ix_demands_case_received", "case_id", "received_on"),
        Index("ix_demands_team_received", "team_id", "received_on"),
    )


class Conversation(db.Model):
    """A visit, call or meeting inside a case: a contact, not a demand."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    with_whom: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int | None] = mapped_column(Integer)
    # A new statement of what matters, in the person's own words; the latest
    # one is the case's current statement, earlier ones are its history.
    what_matters: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="conversations")
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", CONVERSATION_KINDS), name="kind"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
    )


class Action(db.Model):
    """Something agreed with the person: done by the person (and their network) or the team."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    description: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(10))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="agreed")
    outcome: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    case: Mapped[Case] = relationship(back_populates="actions")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("by", ACTION_BY), name="by"),
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        Index("ix_actions_case_by_status", "case_id", "by", "status"),  # counted from the index
        # A worker's open actions (the caseload page), not every action of their open cases.
        Index("ix_actions_assignee_status", "assignee_id", "status"),
    )


class OwnershipChange(db.Model):
    """A deliberate change of a case's owner, with its reason. The first sets the first owner."""

    __tablename__ = "ownership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="ownership_changes")
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])

    # First owner and handoffs of a case, read from the index alone (ADR 0016).
    __table_args__ = (Index("ix_ownership_changes_case_history", "case_id", "from_id", "to_id"),)


class Ask(db.Model):
    """An ask of the team's manager, for a case: a resource or a permission, answered yes or
    no with a reason. The team has no fixed limits; it asks, and the answer is on record."""

    __tablename__ = "asks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The case's team (a case never changes team): whose manager answers, and whose list
    # of open asks it is on.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[str] = mapped_column(String(10))
    what: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text)
    # Money is kept exactly, in whole pence; None when nobody knows the cost.
    cost_pence: Mapped[int | None] = mapped_column(Integer)
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The manager's answer: yes or no, always with its reason, who gave it and when.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    # The asker took it back before an answer (no longer needed); not a decision.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    case: Mapped[Case] = relationship()
    team: Mapped[Team] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("kind", ASK_KINDS), name="kind"),
        CheckConstraint(_in("status", ASK_STATUSES), name="status"),
        CheckConstraint("cost_pence IS NULL OR cost_pence >= 0", name="cost_pence"),
        # A yes or a no is never without its reason, its manager and its moment.
        CheckConstraint(
            "status NOT IN ('yes', 'no') OR (reason IS NOT NULL AND decided_by_id IS NOT NULL "
            "AND decided_at IS NOT NULL)",
            name="decision",
        ),
        # The team's open asks, oldest first, and its recent decisions (the asks page).
        Index("ix_asks_team_status_asked", "team_id", "status", "asked_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class TeamPurpose(db.Model):
    """One version of a team's own purpose, principles and rules, written by its manager.
    Never changed in place: each edit adds the next version, so the history is the table."""

    __tablename__ = "team_purposes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    version: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    # One principle (or rule) a line, as the manager wrote them.
    principles: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    # Two managers saving at once both write "the next version": the second is refused.
    __table_args__ = (Index("uq_team_purposes_team_version", "team_id", "version", unique=True),)

    @property
    def principle_list(self) -> list[str]:
        return _lines(self.principles)

    @property
    def rule_list(self) -> list[str]:
        return _lines(self.rules)


def _lines(text_value: str | None) -> list[str]:
    """The non-blank lines of a list typed one item a line (a leading '-' or '*' dropped)."""
    lines = (line.strip().lstrip("-*•").strip() for line in (text_value or "").splitlines())
    return [line for line in lines if line]


class AuditEvent(db.Model):
    """Append-only: who read or changed which record, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()

    # The login limits count one action's recent events (casework/auth/throttle.py).
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    # A list read's people (search results, a caseload): found by person, by index.
    listed: Mapped[list[AuditEventPerson]] = relationship(lazy="raise")


class AuditEventPerson(db.Model):
    """One person shown by a list read (an audit event naming many people): each person's
    "who looked at my record" finds the list by this table's index (ADR 0025). Append-only,
    like the events."""

    __tablename__ = "audit_event_people"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_audit_event_people_person", "person_id", "event_id"),)


class Barrier(db.Model):
    """Something that got in the way of helping people: a team's, gathering the cases it hit."""

    __tablename__ = "barriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    owner_org: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="raised")
    # Why it was removed or kept (or opened again): the latest move's reason.
    status_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    team: Mapped[Team] = relationship()
    created_by: Mapped[User | None] = relationship()
    links: Mapped[list[BarrierCase]] = relationship(
        back_populates="barrier", order_by="BarrierCase.id"
    )
    moves: Mapped[list[BarrierMove]] = relationship(
        back_populates="barrier", order_by="BarrierMove.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("kind", BARRIER_KINDS), name="kind"),
        CheckConstraint(_in("status", BARRIER_STATUSES), name="status"),
    )


class BarrierCase(db.Model):
    """A barrier met in a case, and what it cost the person, in their words."""

    __tablename__ = "barrier_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    barrier_id: Mapped[int] = mapped_column(ForeignKey("barriers.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    cost: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    barrier: Mapped[Barrier] = relationship(back_populates="links")
    case: Mapped[Case] = relationship(backref=backref("barrier_links", order_by="BarrierCase.id"))
    recorded_by: Mapped[User | None] = relationship()

    # One barrier is counted once in a case (the board counts cases).
    __table_args__ = (Index("uq_barrier_cases_barrier_case", "barrier_id", "case_id", unique=True),)


class BarrierMove(db.Model):
    """A barrier moved from one status to the next: who, when and why. The first raises it."""

    __tablename__ = "barrier_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    barrier_id: Mapped[int] = mapped_column(ForeignKey("barriers.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    barrier: Mapped[Barrier] = relationship(back_populates="moves")
    by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(_in("to_status", BARRIER_STATUSES), name="to_status"),)


class Story(db.Model):
    """A closed case its team chose to share, pseudonymised, instead of a report (ADR 0017)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(backref=backref("story", uselist=False))
    marked_by: Mapped[User | None] = relationship()


# Facts the measures count, kept at write time (casework/measures/facts.py, ADR 0020) ----------


class DemandFact(db.Model):
    """A demand as the measures count it: its period, cohort, team, kind and part of the
    repeat-demand figure. Derived from demands and cases; rebuilt, never edited by hand."""

    __tablename__ = "demand_facts"

    demand_id: Mapped[int] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # value | failure | unclassified
    repeat: Mapped[str] = mapped_column(String(14))  # first | while_open | after_closure | no_case

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
        ),
        Index("ix_demand_facts_person", "person_id"),
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


class CaseFact(db.Model):
    """A case as the measures count it: who owned it first, the person's previous closed case
    in the team and its owner, changes of owner, agreement, days end to end and whether the
    person came back within 90 days of the closure. Derived; rebuilt, never edited by hand."""

    __tablename__ = "case_facts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    cohort: Mapped[str] = mapped_column(String(10))
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
    # Its agreed actions, by who does them and by status now.
    actions_person: Mapped[int] = mapped_column(Integer)
    actions_team: Mapped[int] = mapped_column(Integer)
    actions_done: Mapped[int] = mapped_column(Integer)
    actions_dropped: Mapped[int] = mapped_column(Integer)
    actions_open: Mapped[int] = mapped_column(Integer)

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
    )


class MeasureFactsState(db.Model):
    """One row: the look-back the facts were built with. Another look-back configured (or no
    row, after the migration that made the tables) means every fact is built again."""

    __tablename__ = "measure_facts_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    lookback_days: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
