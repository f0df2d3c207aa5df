"""Reading the audit trail: finding events by filters, a person's trail, plain-English words.

Writing is `audit.record`; the database refuses any change or deletion of an event
(migration 0005, ADR 0011). Nothing here changes an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .formatting import label, uk_date
from .models import AuditEvent, Person, User

UK = ZoneInfo("Europe/London")

# What each action and kind of record is called in the viewer's filters.
ACTIONS = {
    "view": "Viewed",
    "refused": "Refused access",
    "search": "Searched",
    "create": "Created",
    "update": "Changed",
    "close": "Closed",
    "merge": "Merged",
    "unmerge": "Undid a merge",
    "export": "Exported",
    "import": "Imported",
    "preview": "Previewed an import",
    "login": "Logged in",
    "login_failed": "Failed to log in",
    "oidc_login_failed": "Failed to log in with single sign-on",
    "logout": "Logged out",
    "deactivate": "Deactivated",
    "reactivate": "Reactivated",
    "reset_password": "Reset a password",
    "revoke": "Revoked",
}
ENTITIES = {
    "person": "Person",
    "case": "Case",
    "action": "Action",
    "demand": "Demand",
    "conversation": "Conversation",
    "demands": "Imported demands",
    "import": "Import",
    "duplicates": "Possible duplicates",
    "measures_list": "Measures list",
    "analysis": "Analysis export",
    "audit": "Audit trail",
    "user": "User",
    "team": "Team",
    "api_token": "API token",
    "ask": "Ask of the manager",
    "team_purpose": "Team's purpose",
}


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    person_ids: tuple[int, ...] | None = None  # a person and the records merged into them
    action: str | None = None
    entity: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    address: str | None = None

    def as_detail(self) -> dict:
        """What the viewer looked for, for the audit event of looking."""
        return {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in vars(self).items()
            if value not in (None, "")
        }


def _uk_midnight(day: dt.date) -> dt.datetime:
    """The start of a UK day as a UTC moment (the database stores UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=UK).astimezone(dt.UTC)


def _where(query, f: AuditFilters):
    if f.user_id is not None:
        query = query.where(AuditEvent.user_id == f.user_id)
    if f.person_ids is not None:
        query = query.where(AuditEvent.person_id.in_(f.person_ids))
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.entity:
        query = query.where(AuditEvent.entity == f.entity)
    if f.start:
        query = query.where(AuditEvent.at >= _uk_midnight(f.start))
    if f.end:
        query = query.where(AuditEvent.at < _uk_midnight(f.end + dt.timedelta(days=1)))
    if f.address:
        escaped = f.address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.remote_addr.like(escaped + "%", escape="\\"))
    return query


def find_events(
    session: Session, f: AuditFilters, *, limit: int | None = None, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """The events matching the filters, newest first, and how many match in all."""
    total = session.scalar(_where(select(func.count(AuditEvent.id)), f)) or 0
    query = (
        _where(select(AuditEvent), f)
        .options(selectinload(AuditEvent.user).selectinload(User.team))
        .order_by(AuditEvent.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query)), total


def record_ids(session: Session, person: Person) -> tuple[int, ...]:
    """The person's id and those of records merged into theirs: their trail is all of them."""
    ids, frontier = {person.id}, {person.id}
    while frontier:
        frontier = (
            set(session.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier)))) - ids
        )
        ids |= frontier
    return tuple(sorted(ids))


def person_trail(
    session: Session, person: Person, *, limit: int | None = None, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Every read, change and refusal of the person's record, newest first."""
    return find_events(
        session, AuditFilters(person_ids=record_ids(session, person)), limit=limit, offset=offset
    )


def who(event: AuditEvent) -> str:
    """The user, their role and team (as they are now: users keep no history of teams)."""
    user = event.user
    if user is None:
        return "A command on the server" if event.remote_addr == "cli" else "Nobody logged in"
    team = user.team.name if user.team else "no team"
    return f"{user.name} ({label(user.role)}, {team})"


def _record(entity: str, ident) -> str:
    name = ENTITIES.get(entity, label(entity)).lower()
    return f"{name} {ident}" if ident is not None else name


def describe(event: AuditEvent) -> str:
    """What happened, in a sentence a records officer can read."""
    d = event.detail or {}
    entity, ident, action = event.entity, event.entity_id, event.action
    record = _record(entity, ident)
    case = f" in case {d['case_id']}" if d.get("case_id") else ""
    if action == "view":
        return _viewed(event, d, record)
    if action == "refused":
        status = d.get("status")
        if status == 404:
            return f"Asked for {record}, which does not exist (refused, not found)"
        return f"Was refused {record} ({d.get('method', 'GET')}, not allowed)"
    if action == "search":
        found = d.get("results")
        return f"Searched for people: “{d.get('query', '')}” ({found} found)"
    if action == "create":
        return {
            "person": "Registered the person",
            "demand": f"Recorded demand {ident}{case}"
            + (" (imported)" if d.get("imported") else ""),
            "case": f"Opened case {ident}",
            "conversation": f"Logged conversation {ident}{case}",
            "action": f"Agreed action {ident}{case}",
        }.get(entity, f"Created {record}")
    if action == "update":
        return _changed(entity, ident, d, record)
    if action == "close":
        return f"Closed case {ident} on {uk_date(_date(d.get('closed_on')))}"
    if action == "merge":
        return f"Merged record {d.get('merged_id')} into record {d.get('kept_id')}"
    if action == "unmerge":
        return f"Undid the merge of record {ident} from record {d.get('kept_id')}"
    if action == "export":
        return _exported(entity, d, record)
    if action == "import":
        return f"Imported {d.get('demands_added', 0)} demands from {d.get('file_name')}"
    if action == "preview":
        return f"Previewed an import of {d.get('file_name')}"
    if action == "login_failed":
        return f"Failed to log in as {d.get('email')}"
    if action == "oidc_login_failed":
        who = f" as {d['email']}" if d.get("email") else ""
        why = label(d.get("reason") or "unknown").lower()
        return f"Failed to log in with single sign-on{who} ({why})"
    if action in ("login", "logout"):
        return ACTIONS[action]
    if action == "reset_password":
        return f"Reset the password of {record}"
    return f"{ACTIONS.get(action, label(action))} {record}"


def _viewed(event: AuditEvent, d: dict, record: str) -> str:
    if event.entity in ("person", "case", "action"):
        where = d.get("path") or ""
        if where.endswith("/audit"):
            return "Looked at who has looked at the record"
        return f"Viewed {record}"
    if event.entity == "measures_list":
        shown = len(d.get("person_ids") or [])
        return f"Viewed a measures list ({d.get('figure')}, {d.get('part')}): {shown} people"
    if event.entity == "duplicates":
        return f"Viewed possible duplicates: {len(d.get('person_ids') or [])} people"
    if event.entity == "audit":
        return "Looked at the audit trail"
    return f"Viewed {record}"


def _changed(entity: str, ident, d: dict, record: str) -> str:
    if entity == "person":
        fields = ", ".join(label(f).lower() for f in d.get("fields", []))
        return "Changed the person's details" + (f": {fields}" if fields else "")
    if entity == "case" and "owner_to" in d:
        return f"Changed the owner of case {ident}"
    if entity == "case":
        return f"Recorded whether the referral described the real problem (case {ident})"
    if entity == "action":
        status = (d.get("after") or {}).get("status")
        return f"Marked action {ident} {status}" if status else f"Changed action {ident}"
    return f"Changed {record}"


def _exported(entity: str, d: dict, record: str) -> str:
    if entity == "person":
        return "Exported the whole record for a subject access request"
    if entity == "measures_list":
        return f"Downloaded a measures list ({d.get('figure')}, {d.get('part')})"
    if entity == "audit":
        return "Downloaded the audit trail"
    return f"Exported {record}"


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


CSV_HEADER = [
    "Event",
    "When (UTC)",
    "User id",
    "Who",
    "Action",
    "Record",
    "Record id",
    "Person id",
    "Address",
    "What happened",
]


def csv_rows(events):
    for e in events:
        yield [
            e.id,
            e.at,
            e.user_id,
            who(e),
            e.action,
            e.entity,
            e.entity_id,
            e.person_id,
            e.remote_addr,
            describe(e),
        ]
