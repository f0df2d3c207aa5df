"""Reading the audit trail: finding events by filters, a person's trail, plain-English words.

Writing is `audit.record`; the database refuses any change or deletion of an event
(migration 0005, ADR 0011). Nothing here changes an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, selectinload

from ..clock import uk_midnight
from ..formatting import label, uk_date
from ..models import AuditEvent, AuditEventPerson, Case, Person, User
from ..rules import CLOSURE_OUTCOMES
from .write import LISTED

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
    "relationship_started": "Started a relationship",
    "entered_in_error": "Marked entered in error",
    "accept": "Accepted",
    "decline": "Declined",
}
ENTITIES = {
    "person": "Person",
    "case": "Case",
    "action": "Action",
    "demand": "Demand",
    "conversation": "Conversation",
    "late_note": "Late note",
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
    "plan": "Planned contact",
    "diary": "Diary",
    "relationships": "Relationships started",
    "transfer": "Transfer",
    "transfer_list": "Transfers between teams",
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


def about_people(dialect: str, person_ids) -> object:
    """Events about any of these records: reading or changing one (by the events' person
    index), or a list that showed one (by audit_event_people's, ADR 0025). One set of ids
    from the two indexes: an OR of the two conditions made PostgreSQL read the whole table."""
    ids = sorted(set(person_ids))
    about = union(
        select(AuditEvent.id).where(AuditEvent.person_id.in_(ids)),
        select(AuditEventPerson.event_id).where(AuditEventPerson.person_id.in_(ids)),
    )
    return AuditEvent.id.in_(about)


def _where(query, f: AuditFilters, dialect: str):
    if f.user_id is not None:
        query = query.where(AuditEvent.user_id == f.user_id)
    if f.person_ids is not None:
        query = query.where(about_people(dialect, f.person_ids))
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.entity:
        query = query.where(AuditEvent.entity == f.entity)
    if f.start:
        query = query.where(AuditEvent.at >= uk_midnight(f.start))
    if f.end:
        query = query.where(AuditEvent.at < uk_midnight(f.end + dt.timedelta(days=1)))
    if f.address:
        escaped = f.address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.remote_addr.like(escaped + "%", escape="\\"))
    return query


def find_events(
    session: Session, f: AuditFilters, *, limit: int | None = None, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """The events matching the filters, newest first, and how many match in all."""
    dialect = session.get_bind().dialect.name
    total = session.scalar(_where(select(func.count(AuditEvent.id)), f, dialect)) or 0
    query = (
        _where(select(AuditEvent), f, dialect)
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
    """Every read, change and refusal of the person's record, and every list that showed
    them, newest first."""
    return find_events(
        session, AuditFilters(person_ids=record_ids(session, person)), limit=limit, offset=offset
    )


@dataclass(frozen=True)
class Names:
    """The people, cases and users a page of events names by id, loaded for the whole page
    at once (a constant number of queries, never one per event)."""

    people: dict[int, Person] = field(default_factory=dict)
    cases: dict[int, int] = field(default_factory=dict)  # case id: its person's id
    users: dict[int, User] = field(default_factory=dict)

    def person(self, person_id: int | None) -> str:
        """ "Ada Lovell (record 41)", saying where a merged-away record went; the id alone
        when no record has it."""
        if person_id is None:
            return "None"
        person = self.people.get(person_id)
        if person is None:
            return f"Record {person_id}"
        if person.merged_into_id is not None:
            return f"{person.name} (record {person_id}, merged into record {person.merged_into_id})"
        return f"{person.name} (record {person_id})"

    def case(self, case_id: int) -> str:
        """ "the case of Irene Thomas (case 73)", or "case 73" when no case has the id."""
        person = self.people.get(self.cases.get(case_id))
        return f"the case of {person.name} (case {case_id})" if person else f"case {case_id}"

    def user(self, user_id: int) -> str:
        user = self.users.get(user_id)
        return f"{user.name} (user {user_id})" if user else f"user {user_id}"

    def describe(self, event: AuditEvent) -> str:
        """`describe`, in names."""
        return describe(event, self)


NO_NAMES = Names()


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_names(session: Session, events) -> Names:
    """The names of everyone and every case `events` mention: at most three queries."""
    person_ids, case_ids, user_ids = set(), set(), set()
    by_entity = {"person": person_ids, "case": case_ids, "user": user_ids}
    for event in events:
        d = event.detail if isinstance(event.detail, dict) else {}
        if event.person_id is not None:
            person_ids.add(event.person_id)
        if event.entity_id is not None and event.entity in by_entity:
            by_entity[event.entity].add(event.entity_id)
        person_ids.update(i for i in map(_int, (d.get("kept_id"), d.get("merged_id"))) if i)
        case_ids.update(i for i in (_int(d.get("case_id")),) if i)
    cases = {}
    if case_ids:
        found = session.execute(select(Case.id, Case.person_id).where(Case.id.in_(case_ids)))
        cases = {case_id: person_id for case_id, person_id in found}
    person_ids |= set(cases.values())
    people = session.scalars(select(Person).where(Person.id.in_(person_ids))) if person_ids else []
    users = session.scalars(select(User).where(User.id.in_(user_ids))) if user_ids else []
    return Names(people={p.id: p for p in people}, cases=cases, users={u.id: u for u in users})


def who(event: AuditEvent) -> str:
    """The user, their role and team (as they are now: users keep no history of teams)."""
    user = event.user
    if user is None and event.user_id is not None:
        return f"User {event.user_id} (no longer on record)"
    if user is None:
        return "A command on the server" if event.remote_addr == "cli" else "Nobody logged in"
    team = user.team.name if user.team else "no team"
    return f"{user.name} ({label(user.role)}, {team})"


def _record(entity: str, ident, names: Names) -> str:
    if entity == "person" and ident in names.people:
        return "the record of " + names.person(ident)
    if entity == "case" and ident in names.cases:
        return names.case(ident)
    if entity == "user" and ident in names.users:
        return names.user(ident)
    name = ENTITIES.get(entity, label(entity)).lower()
    return f"{name} {ident}" if ident is not None else name


def describe(event: AuditEvent, names: Names = NO_NAMES) -> str:
    """What happened, in a sentence a records officer can read: people, cases and users by
    name where `names` has them, each with its number."""
    d = event.detail if isinstance(event.detail, dict) else {}
    entity, ident, action = event.entity, event.entity_id, event.action
    record = _record(entity, ident, names)
    case = f" in {names.case(d['case_id'])}" if d.get("case_id") else ""
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
            "case": f"Opened {record}",
            "conversation": f"Logged conversation {ident}{case}",
            "action": f"Agreed action {ident}{case}",
            "transfer": f"Asked {d.get('to_team')} to take the case on (transfer {ident}){case}",
        }.get(entity, f"Created {record}")
    if action == "update":
        return _changed(entity, ident, d, record)
    if action == "close":
        ended = d.get("outcome")
        how = f": {CLOSURE_OUTCOMES[ended].lower()}" if ended in CLOSURE_OUTCOMES else ""
        return f"Closed {record} on {uk_date(_date(d.get('closed_on')))}{how}"
    if action == "merge":
        merged, kept = _int(d.get("merged_id")), _int(d.get("kept_id"))
        return f"Merged {_named_record(names, merged)} into {_named_record(names, kept)}"
    if action == "unmerge":
        kept = _int(d.get("kept_id"))
        return f"Undid the merge of {_named_record(names, ident)} from {_named_record(names, kept)}"
    if action == "export":
        return _exported(entity, d, record)
    if action == "import":
        return f"Imported {d.get('demands_added', 0)} demands from {d.get('file_name')}"
    if action == "preview":
        return f"Previewed an import of {d.get('file_name')}"
    if action == "relationship_started":
        return _relationship(d, names)
    if action == "login_failed":
        return f"Failed to log in as {d.get('email')}"
    if action == "oidc_login_failed":
        who = f" as {d['email']}" if d.get("email") else ""
        why = label(d.get("reason") or "unknown").lower()
        return f"{ACTIONS['oidc_login_failed']}{who} ({why})"
    if action in ("login", "logout"):
        return ACTIONS[action]
    if action == "reset_password":
        return f"Reset the password of {record}"
    return f"{ACTIONS.get(action, label(action))} {record}"


def _relationship(d: dict, names: Names) -> str:
    """A team's first case with someone other teams already knew (casework/demands/routing)."""
    known = ", ".join(str(t) for t in d.get("known_to") or []) or "other teams"
    case = f" ({names.case(d['case_id'])})" if d.get("case_id") else ""
    return f"Started working with the person in {d.get('team')}{case}: known before to {known}"


def _named_record(names: Names, person_id) -> str:
    """A record in a merge: "Ada Lovell (record 41)", or "record 41" unnamed (the sentence
    itself says which was merged into which)."""
    person = names.people.get(person_id)
    return f"{person.name} (record {person_id})" if person else f"record {person_id}"


def _viewed(event: AuditEvent, d: dict, record: str) -> str:
    if event.entity in ("person", "case", "action"):
        where = d.get("path") or ""
        if where.endswith("/audit"):
            return "Looked at who has looked at the record"
        return f"Viewed {record}"
    if event.entity == "measures_list":
        return f"Viewed a measures list ({d.get('figure')}, {d.get('part')}): {_people(d)}"
    if event.entity == "duplicates":
        return f"Viewed possible duplicates: {len(d.get('person_ids') or [])} people"
    if event.entity == "audit":
        return "Looked at the audit trail"
    if event.entity in LIST_READS:
        return f"{LIST_READS[event.entity].get(d.get('list'), 'Viewed a list')}: {_people(d)}"
    return f"Viewed {record}"


# Lists of people read in one event (audit.record_list): what each showed, by its `list`.
LIST_READS = {
    "caseload": {"mine": "Viewed their caseload", "team": "Viewed the team's caseload"},
    "ask_list": {None: "Viewed the asks of the manager"},
    "story_list": {None: "Viewed the team's stories"},
    "registration": {None: "Was shown possible duplicates while registering a person"},
    "relationships": {None: "Viewed the relationships started"},
    "transfer_list": {None: "Viewed the transfers between teams"},
}


def _people(d: dict) -> str:
    shown = len(d.get(LISTED) or [])
    return f"{shown} {'person' if shown == 1 else 'people'}"


def _changed(entity: str, ident, d: dict, record: str) -> str:
    if entity == "person":
        fields = ", ".join(label(f).lower() for f in d.get("fields", []))
        return "Changed the person's details" + (f": {fields}" if fields else "")
    if entity == "case" and "owner_to" in d:
        return f"Changed the owner of {record}"
    if entity == "case":
        return f"Recorded whether the referral described the real problem in {record}"
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


CSV_BATCH = 1000  # events named together: a few queries a thousand rows, short IN lists


def csv_rows(session: Session, events):
    """The download's rows, in words: names loaded a batch of events at a time."""
    events = list(events)
    for start in range(0, len(events), CSV_BATCH):
        batch = events[start : start + CSV_BATCH]
        names = load_names(session, batch)
        for e in batch:
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
                describe(e, names),
            ]
