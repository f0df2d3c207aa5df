"""Duplicates and merging: one human being, one record (measures.md, Duplicates).

- Possible duplicates are found by the intake's own rule (people.service.name_key:
  same date of birth and names equal after normalising; equal NHS numbers cannot
  exist twice, the database refuses them). The list streams people ordered by date
  of birth and groups each day's people by name key, so it reads each person once.
- A merge moves every demand and case (and with the cases their conversations,
  actions and changes of owner), and the records that belong to the person rather than to
  a case (cautions, the people in their circle, their decisions about sharing), from the
  merged record to the kept one, fills the
  kept record's blank details from the other, and marks the other `merged_into_id`.
  The audit trail is not rewritten: it is append-only, and the merge's own audit
  entry lists exactly what moved, which is what makes the merge undoable.
- Refused: two different NHS numbers (two people), or both with an open case in the
  same team (the database allows one; a worker must close or reconcile one first).
- Undo moves exactly those records back, refusing when that is no longer safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import audit, clock
from ..exceptions import Conflict
from ..locking import check_version, flush_checked
from ..measures import facts
from ..models import (
    AuditEvent,
    Case,
    CautionFlag,
    ConsentDecision,
    Demand,
    NetworkMember,
    Person,
    Team,
    User,
)
from .service import name_key

# What belongs to the person rather than to one of their cases: moved with them, each listed
# by id in the merge's audit entry under its key (so undo moves exactly those back).
OWN_RECORDS = {
    "flag_ids": CautionFlag,
    "network_member_ids": NetworkMember,
    "consent_ids": ConsentDecision,
}

# Details the kept record may take from the other when its own are blank.
FILLABLE = ("date_of_birth", "nhs_number", "phone", "address", "postcode", "preferred_contact")
ALREADY_UNDONE = "This merge has already been undone."


class MergeRefused(Conflict):
    code = "merge_refused"


# Finding possible duplicates


def duplicate_groups(
    session: Session, person_ids: set[int] | None = None
) -> Iterator[list[Person]]:
    """Groups of two or more live records that may be the same human being, by birth date.

    With `person_ids`, only the groups holding at least one of them (a manager's team).
    """
    rows = session.execute(
        select(Person.id, Person.given_name, Person.family_name, Person.date_of_birth)
        .where(Person.merged_into_id.is_(None), Person.date_of_birth.is_not(None))
        .order_by(Person.date_of_birth, Person.id)
        .execution_options(yield_per=1000)
    )
    day, buckets = None, {}
    for row in rows:
        if row.date_of_birth != day:
            yield from _groups(session, buckets, person_ids)
            day, buckets = row.date_of_birth, {}
        buckets.setdefault(name_key(row.given_name, row.family_name), []).append(row.id)
    yield from _groups(session, buckets, person_ids)


def _groups(session, buckets: dict, person_ids: set[int] | None) -> Iterator[list[Person]]:
    for ids in buckets.values():
        if len(ids) > 1 and (person_ids is None or person_ids.intersection(ids)):
            yield [session.get(Person, i) for i in ids]


@dataclass
class Summary:
    """What a merge page shows about each record."""

    person: Person
    demands: int
    cases: int
    open_cases: list[Case]


def summarise(session: Session, person: Person) -> Summary:
    demands = session.scalar(select(func.count(Demand.id)).where(Demand.person_id == person.id))
    cases = list(session.scalars(select(Case).where(Case.person_id == person.id)))
    return Summary(person, demands or 0, len(cases), [c for c in cases if c.is_open])


# Merging


def check_merge(session: Session, keep: Person, other: Person) -> None:
    """Raise MergeRefused, in plain words, when the two records must not be merged."""
    if keep.id == other.id:
        raise MergeRefused("Choose two different records to merge.")
    for person in (keep, other):
        if person.merged_into_id is not None:
            raise MergeRefused(
                f"{person.name}'s record (id {person.id}) has already been merged into "
                f"another record."
            )
    if keep.nhs_number and other.nhs_number and keep.nhs_number != other.nhs_number:
        raise MergeRefused(
            "These records have different NHS numbers, so they are two people. "
            "If one NHS number is wrong, correct it first."
        )
    clash = session.scalars(
        select(Team.name)
        .join(Case, Case.team_id == Team.id)
        .where(Case.person_id == keep.id, Case.closed_on.is_(None))
        .where(
            Case.team_id.in_(
                select(Case.team_id).where(Case.person_id == other.id, Case.closed_on.is_(None))
            )
        )
    ).all()
    if clash:
        raise MergeRefused(
            f"Both records have an open case in {', '.join(clash)}. A person can have only "
            "one open case in a team: ask the team to close or reconcile one of them first."
        )


def merge_people(
    session: Session,
    admin: User,
    *,
    keep: Person,
    other: Person,
    keep_version: int | None = None,
    other_version: int | None = None,
    fill_blanks: bool = True,
) -> AuditEvent:
    """Move everything of `other` to `keep`; returns the audit entry that can undo it."""
    check_version(keep, keep_version, f"{keep.name}'s record")
    check_version(other, other_version, f"{other.name}'s record")
    check_merge(session, keep, other)
    filled = {}
    if fill_blanks:
        filled = {
            f: getattr(other, f)
            for f in FILLABLE
            if getattr(keep, f) in (None, "") and getattr(other, f) not in (None, "")
        }
    demand_ids = list(session.scalars(select(Demand.id).where(Demand.person_id == other.id)))
    case_ids = list(session.scalars(select(Case.id).where(Case.person_id == other.id)))
    own = {
        key: list(session.scalars(select(model.id).where(model.person_id == other.id)))
        for key, model in OWN_RECORDS.items()
    }
    if "nhs_number" in filled:  # unique: leave the other record before joining this one
        other.nhs_number = None
        flush_checked(session, f"{other.name}'s record")
    for name, value in filled.items():
        setattr(keep, name, value)
    other.merged_into_id = keep.id
    keep.updated_at = other.updated_at = _now()  # bumps both versions: a racing edit is refused
    flush_checked(session, "these records")
    _move(session, demand_ids, case_ids, keep.id, own)
    return audit.record(
        "merge",
        "person",
        other.id,
        person_id=keep.id,
        user=admin,
        kept_id=keep.id,
        merged_id=other.id,
        demand_ids=demand_ids,
        case_ids=case_ids,
        **own,
        filled={k: _json(v) for k, v in filled.items()},
    )


def _move(
    session: Session,
    demand_ids: list[int],
    case_ids: list[int],
    person_id: int,
    own: dict[str, list[int]],
) -> None:
    if demand_ids:  # a bulk update, unseen by the unit of work: the measures' facts are told
        moved_from = select(Demand.person_id).where(Demand.id.in_(demand_ids)).distinct()
        facts.mark(session, people=[person_id, *session.scalars(moved_from)])
        session.execute(
            update(Demand).where(Demand.id.in_(demand_ids)).values(person_id=person_id),
            execution_options={"synchronize_session": False},
        )
    for case in session.scalars(select(Case).where(Case.id.in_(case_ids))):
        case.person_id = person_id  # through the ORM: the case's version moves on
    for key, model in OWN_RECORDS.items():
        for record in session.scalars(select(model).where(model.id.in_(own.get(key, [])))):
            record.person_id = person_id  # through the ORM: a circle member's version moves on
    session.flush()
    session.expire_all()


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _now() -> dt.datetime:
    return clock.now()


# Undoing a merge


def merge_event(session: Session, event_id: int) -> AuditEvent | None:
    event = session.get(AuditEvent, event_id)
    return event if event is not None and event.action == "merge" else None


def latest_merge_of(session: Session, merged: Person) -> AuditEvent | None:
    return session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "merge", AuditEvent.entity_id == merged.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def check_undo(session: Session, event: AuditEvent) -> tuple[Person, Person]:
    """The (kept, merged) records, or MergeRefused saying why undoing is no longer safe."""
    detail = event.detail or {}
    keep = session.get(Person, detail.get("kept_id"))
    other = session.get(Person, detail.get("merged_id"))
    if keep is None or other is None:
        raise MergeRefused(ALREADY_UNDONE)
    latest = latest_merge_of(session, other)
    if latest is not None and latest.id != event.id:
        raise MergeRefused(
            f"{other.name}'s record was merged again later (audit entry {latest.id}). "
            "Only the latest merge can be undone: open that entry instead."
        )
    undone = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "unmerge",
            AuditEvent.entity_id == other.id,
            AuditEvent.id > event.id,
        )
    )
    if undone is not None or other.merged_into_id != keep.id:
        raise MergeRefused(ALREADY_UNDONE)
    if keep.merged_into_id is not None:
        raise MergeRefused(
            f"{keep.name}'s record has since been merged into another record. "
            "Undo that merge first."
        )
    demand_ids, case_ids = detail.get("demand_ids", []), detail.get("case_ids", [])
    moved = {"demand_ids": Demand, "case_ids": Case, **OWN_RECORDS}
    moved_on = sum(
        session.scalar(
            select(func.count(model.id)).where(
                model.id.in_(detail.get(key, [])), model.person_id != keep.id
            )
        )
        for key, model in moved.items()
    )
    if moved_on:
        raise MergeRefused("Some of the records this merge moved now belong to someone else.")
    joined = session.scalar(
        select(func.count(Demand.id)).where(
            Demand.case_id.in_(case_ids), Demand.id.not_in(demand_ids)
        )
    )
    if joined:
        raise MergeRefused(
            f"{joined} new demand(s) joined a case that came from the merged record after the "
            "merge. Undoing would split them from their case; the merge has to stay."
        )
    return keep, other


def undo_merge(session: Session, admin: User, event: AuditEvent) -> AuditEvent:
    """Move exactly what the merge moved back, and give back the details it filled in."""
    keep, other = check_undo(session, event)
    detail = event.detail
    restored, kept_as_changed = [], []
    for name, value in detail.get("filled", {}).items():
        if _json(getattr(keep, name)) == value:
            setattr(keep, name, None)
            restored.append(name)
        else:
            kept_as_changed.append(name)
    flush_checked(session, f"{keep.name}'s record")
    nhs_number = detail.get("filled", {}).get("nhs_number")
    if nhs_number and not session.scalar(select(Person.id).where(Person.nhs_number == nhs_number)):
        other.nhs_number = nhs_number  # it was the merged record's: give it back
    other.merged_into_id = None
    keep.updated_at = other.updated_at = _now()
    flush_checked(session, "these records")
    own = {key: detail.get(key, []) for key in OWN_RECORDS}
    _move(session, detail.get("demand_ids", []), detail.get("case_ids", []), other.id, own)
    return audit.record(
        "unmerge",
        "person",
        other.id,
        person_id=other.id,
        user=admin,
        merge_event_id=event.id,
        kept_id=keep.id,
        demand_ids=detail.get("demand_ids", []),
        case_ids=detail.get("case_ids", []),
        **own,
        restored=restored,
        left_as_changed=kept_as_changed,
    )


def live_record_id(session: Session, person_id: int) -> int | None:
    """For a merged-away record, the live record it now lives in (following later merges)."""
    seen = set()
    current = session.get(Person, person_id)
    while current is not None and current.merged_into_id is not None and current.id not in seen:
        seen.add(current.id)
        current = session.get(Person, current.merged_into_id)
    return current.id if current is not None and current.id != person_id else None
