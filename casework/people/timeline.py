"""The person's whole story on one timeline: the page that joins the dots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import policy
from ..clock import uk_day
from ..formatting import label
from ..models import Action, Case, Conversation, Demand, OwnershipChange, Person, Team, User, as_utc
from ..rules import CLOSURE_OUTCOMES


@dataclass
class Event:
    on: dt.date
    order: tuple
    kind: str  # demand, case_opened, conversation, action, owner, closure
    title: str
    text: str | None = None
    case: Case | None = None
    detail: list[str] = field(default_factory=list)


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
    events = [_demand_event(d, cases) for d in demands]
    for c in cases:
        events.extend(_case_events(c, demands))
    events.sort(key=lambda e: (e.on, as_utc(e.order[0]), e.order[1], e.order[2]), reverse=True)
    return events, _other_teams(session, person, team_ids)


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


def _case_events(c: Case, demands: list[Demand]) -> list[Event]:
    """The case's opening, conversations, actions, changes of owner and closure."""
    events = [_opened_event(c, demands)]
    events += [_conversation_event(c, conv) for conv in c.conversations]
    events += [_action_event(c, a) for a in c.actions]
    events += [_owner_event(c, ch) for ch in c.ownership_changes]
    if c.closed_on:
        events.append(_closure_event(c))
    return events


def _opened_event(c: Case, demands: list[Demand]) -> Event:
    # A case opens because of its first demand: show it just above that demand.
    first = min(
        (d for d in demands if d.case_id == c.id),
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


def _owner_event(c: Case, ch: OwnershipChange) -> Event:
    to = ch.to_user.name if ch.to_user else "awaiting allocation"
    title = (
        f"Owner changed from {ch.from_user.name} to {to}"
        if ch.from_user
        else f"{to} became the owner"
    )
    return Event(uk_day(ch.at), (ch.at, 4, ch.id), "owner", title, ch.reason, case=c)


def _closure_event(c: Case) -> Event:
    outcome = c.closure_outcome or "agreed"
    if outcome == "agreed":
        title = "Case closed by agreement with the person" if c.closure_agreed else "Case closed"
        said = "How it was agreed"
    else:
        title = f"Case closed: {CLOSURE_OUTCOMES[outcome].lower()}"
        said = "What happened"
    return Event(
        c.closed_on,
        (dt.datetime.max.replace(tzinfo=dt.UTC), 5, c.id),  # nothing follows a closure that day
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
