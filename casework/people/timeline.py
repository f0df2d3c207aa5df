"""The person's whole story on one timeline: the page that joins the dots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import policy
from ..clock import uk_day
from ..formatting import label, uk_datetime
from ..models import (
    Action,
    AuditEvent,
    Case,
    Conversation,
    Demand,
    LateNote,
    OwnershipChange,
    Person,
    Team,
    User,
    as_utc,
)
from ..rules import CLOSURE_OUTCOMES


@dataclass
class Event:
    on: dt.date
    order: tuple
    kind: str  # demand, case_opened, conversation, action, owner, closure, late_note
    title: str
    text: str | None = None
    case: Case | None = None
    detail: list[str] = field(default_factory=list)
    # Entered in error: "2 December 2026 at 2:05pm: logged twice" (struck through, kept).
    in_error: str | None = None


def _marked(event: Event, record) -> Event:
    """The event of a record entered in error says so, with when and why (ADR 0037)."""
    if record.in_error:
        event.in_error = (
            f"{uk_datetime(record.entered_in_error_at)}: {record.entered_in_error_reason}"
        )
    return event


def visible_record(
    session: Session, user: User, person: Person
) -> tuple[list[Case], list[Demand], set[int]]:
    """The person's cases the user may see, the demands to those cases' teams and the user's
    own team (oldest first), and those teams' ids: what the page and the API both show."""
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.person_id == person.id, policy.case_visible_clause(user))
            # Collections one query each; the one record each row points to (an owner, a
            # team, a colleague) in the same query as the row, not a query of its own.
            .options(
                selectinload(Case.conversations),
                selectinload(Case.late_notes),
                selectinload(Case.actions).joinedload(Action.assignee),
                selectinload(Case.ownership_changes).joinedload(OwnershipChange.to_user),
                selectinload(Case.ownership_changes).joinedload(OwnershipChange.from_user),
                joinedload(Case.owner),
                joinedload(Case.team),
            )
            .order_by(Case.opened_on, Case.id)
        )
    )
    case_ids = {c.id for c in cases}
    team_ids = {c.team_id for c in cases} | ({user.team_id} if user.team_id else set())
    demands = list(
        session.scalars(
            select(Demand)
            .where(Demand.person_id == person.id)
            .where((Demand.team_id.in_(team_ids)) | (Demand.case_id.in_(case_ids)))
            .options(joinedload(Demand.team))
            .order_by(Demand.received_on, Demand.id)
        )
    )
    return cases, demands, team_ids


def person_timeline(session: Session, user: User, person: Person) -> tuple[list[Event], list[Team]]:
    """Every demand, case, conversation, action, change of owner and closure the user may see,
    newest first; and the other teams that know the person (names only)."""
    cases, demands, team_ids = visible_record(session, user, person)
    closed_at = _closure_moments(session, person, [c.id for c in cases if c.closed_on])
    events = [_marked(_demand_event(d, cases), d) for d in demands]
    for c in cases:
        events.extend(_case_events(c, demands, closed_at.get(c.id)))
    return newest_first(events), _other_teams(session, person, team_ids)


def newest_first(events: list[Event]) -> list[Event]:
    """The timeline's one order: by day, newest first; a day's events by the moment each was
    recorded, newest first; at one moment, what followed from what (a case opens from its
    demand, and is then given an owner), and then by id."""
    return sorted(
        events, key=lambda e: (e.on, as_utc(e.order[0]), e.order[1], e.order[2]), reverse=True
    )


def _closure_moments(session: Session, person: Person, case_ids: list[int]) -> dict:
    """When each closed case's closure was recorded: the moment of its audited closing (a case
    keeps only the day). One query, by the person's index, and none when nothing is closed."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.person_id == person.id,
            AuditEvent.entity == "case",
            AuditEvent.action == "close",
            AuditEvent.entity_id.in_(case_ids),
        )
        .group_by(AuditEvent.entity_id)
    )
    return {case_id: as_utc(at) for case_id, at in rows}


def _demand_event(d: Demand, cases: list[Case]) -> Event:
    return Event(
        d.received_on,
        (d.recorded_at, 0, d.id),
        "demand",
        f"Demand from {d.source} ({label(d.channel).lower()})",
        d.stated_need,
        case=next((c for c in cases if c.id == d.case_id), None),
        detail=[
            x
            for x in (
                label(d.kind) if d.kind else "Not classified",
                "Imported from the legacy system" if d.imported else label(d.routed_by),
                d.team.name,
            )
            if x
        ],
    )


def _case_events(c: Case, demands: list[Demand], closed_at: dt.datetime | None) -> list[Event]:
    """The case's opening, conversations, actions, changes of owner and closure."""
    opened = _opened_event(c, demands)
    events = [opened]
    events += [_marked(_conversation_event(c, conv), conv) for conv in c.conversations]
    events += [_marked(_action_event(c, a), a) for a in c.actions]
    events += [_late_note_event(c, n) for n in c.late_notes]
    events += [_owner_event(c, ch, opened.order[0]) for ch in c.ownership_changes]
    if c.closed_on:
        # A closure not in the audit trail (a merged record's, say) follows the case's own work.
        latest = max(as_utc(e.order[0]) for e in events)
        events.append(_closure_event(c, closed_at or latest))
    return events


def _opened_event(c: Case, demands: list[Demand]) -> Event:
    # A case opens because of its first demand: show it just above that demand.
    first = min(
        (d for d in demands if d.case_id == c.id and not d.in_error),
        key=lambda d: (d.received_on, d.id),
        default=None,
    )
    return Event(
        c.opened_on,
        (first.recorded_at if first else c.created_at, 1, c.id),
        "case_opened",
        f"Case opened in {c.team.name}",
        case=c,
    )


def _conversation_event(c: Case, conv: Conversation) -> Event:
    return Event(
        conv.held_on,
        (conv.recorded_at, 2, conv.id),
        "conversation",
        f"{label(conv.kind)}" + (f" with {conv.with_whom}" if conv.with_whom else ""),
        conv.notes,
        case=c,
        detail=([f"With: {', '.join(m.named for m in conv.attendees)}"] if conv.attendees else [])
        + ([f"What matters: “{conv.what_matters}”"] if conv.what_matters else []),
    )


def _action_event(c: Case, a: Action) -> Event:
    who = "The person" if a.by == "person" else (a.assignee.name if a.assignee else "The team")
    return Event(
        uk_day(a.created_at),
        (a.created_at, 3, a.id),
        "action",
        f"Action agreed: {a.description}",
        case=c,
        detail=[f"By: {who}", f"Status: {label(a.status)}"]
        + ([f"Outcome: {a.outcome}"] if a.outcome else []),
    )


def _late_note_event(c: Case, n: LateNote) -> Event:
    return Event(
        n.written_on,
        (n.written_at, 6, n.id),
        "late_note",
        "Late note on the closed case",
        n.note,
        case=c,
        detail=[f"By: {n.author.name}"] if n.author else [],
    )


def _owner_event(c: Case, ch: OwnershipChange, opened_at: dt.datetime) -> Event:
    to = ch.to_user.name if ch.to_user else "awaiting allocation"
    title = (
        f"Owner changed from {ch.from_user.name} to {to}"
        if ch.from_user
        else f"{to} became the owner"
    )
    # The first owner, given as the case opened (a moment before its demand was written),
    # shares the opening's moment and follows it; later changes are at their own moments.
    at = as_utc(ch.at)
    moment = as_utc(opened_at) if ch.from_id is None and at <= as_utc(opened_at) else at
    return Event(uk_day(ch.at), (moment, 4, ch.id), "owner", title, ch.reason, case=c)


def _closure_event(c: Case, closed_at: dt.datetime) -> Event:
    outcome = c.closure_outcome or "agreed"
    if outcome == "agreed":
        title = "Case closed by agreement with the person" if c.closure_agreed else "Case closed"
        said = "How it was agreed"
    else:
        title = f"Case closed: {CLOSURE_OUTCOMES[outcome].lower()}"
        said = "What happened"
    return Event(
        c.closed_on,
        (closed_at, 5, c.id),
        "closure",
        title,
        c.closure_summary,
        case=c,
        detail=[f"{said}: {c.closure_agreement_note}"] if c.closure_agreement_note else [],
    )


def _other_teams(session: Session, person: Person, team_ids: set[int]) -> list[Team]:
    """The teams that know the person, other than those whose records the user sees."""
    return list(
        session.scalars(
            select(Team)
            .where(
                Team.id.not_in(team_ids),
                Team.id.in_(select(Demand.team_id).where(Demand.person_id == person.id))
                | Team.id.in_(select(Case.team_id).where(Case.person_id == person.id)),
            )
            .order_by(Team.name)
        )
    )
