"""Safety and the people around the person: raise, review and end caution flags; keep the
person's network; record their decisions about sharing. Plain functions shared by the
pages, the API and the demo; each change audited; nothing commits."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .. import MAX_ID, audit, clock
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..locking import apply_changes, check_version
from ..models import Case, CautionFlag, ConsentDecision, NetworkMember, Person, User
from ..rules import (
    CONSENT_DECISIONS,
    CONSENT_SCOPE,
    EMAIL,
    EMAIL_PATTERN,
    EMAIL_SHAPE,
    FLAG_CATEGORIES,
    FLAG_TEXT,
    LONGEST_REVIEW_DAYS,
    MEMBER_NAME,
    MEMBER_NOTES,
    MEMBER_ROLE,
    NO_DECISION,
    NO_END_REASON,
    NO_FLAG_CATEGORY,
    NO_FLAG_TEXT,
    NO_MAY_CONTACT,
    NO_MEMBER_NAME,
    NO_RELATIONSHIP,
    NO_REVIEW_ON,
    NO_SCOPE,
    ORGANISATION,
    PHONE,
    RELATIONSHIPS,
    SHORT_TEXT,
    clean_text,
)
from ..text import CONTROL_CHARACTER_MESSAGE, has_control_character

NETWORK_FIELDS = (
    "name",
    "relationship",
    "role",
    "organisation",
    "phone",
    "email",
    "may_contact",
    "notes",
)
_EMAIL = re.compile(EMAIL_PATTERN)
NO_DECISION_DATE = "Enter the date the person decided"


class FlagAlreadyEnded(Conflict):
    """An ended flag stays ended: its end is never silently replaced."""

    code = "flag_already_ended"


def _text(value, field: str, errors: dict, limit: int, required: str | None = None):
    """Stripped text or None (rules.clean_text), and never a control character."""
    value = clean_text(value, field, errors, required=required, limit=limit)
    if value and field not in errors and has_control_character(value):
        errors[field] = CONTROL_CHARACTER_MESSAGE
    return value


def _choice(value, field: str, errors: dict, choices, message: str):
    if value not in choices:
        errors[field] = message
        return None
    return value


# Caution flags


def _review_date(value, errors: dict, today: dt.date):
    if value is None:
        errors["review_on"] = NO_REVIEW_ON
    elif not isinstance(value, dt.date):
        errors["review_on"] = "Enter a real date"
    elif value < today:
        errors["review_on"] = "The review date must be today or in the future"
    elif value > today + dt.timedelta(days=LONGEST_REVIEW_DAYS):
        errors["review_on"] = "The review date must be within two years"
    return value


def raise_flag(
    session: Session,
    user: User | None,
    person: Person,
    *,
    category,
    text,
    review_on,
    today: dt.date | None = None,
    team_id: int | None = None,
) -> CautionFlag:
    """Put a caution on the person's record, for everyone who visits; InvalidValue naming
    each field to fix. The raising team's manager reviews it by `review_on`."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    category = _choice(category, "category", errors, FLAG_CATEGORIES, NO_FLAG_CATEGORY)
    text = _text(text, "text", errors, FLAG_TEXT, NO_FLAG_TEXT)
    review_on = _review_date(review_on, errors, today)
    if errors:
        raise InvalidValue("Check the caution's details", errors)
    flag = CautionFlag(
        person_id=person.id,
        team_id=team_id if team_id is not None else (user.team_id if user else None),
        category=category,
        text=text,
        review_on=review_on,
        raised_by_id=user.id if user else None,
    )
    session.add(flag)
    session.flush()
    audit.record("create", "flag", flag.id, person_id=person.id, user=user, category=category)
    return flag


def end_flag(session: Session, user: User, flag: CautionFlag, *, reason) -> CautionFlag:
    """End a flag that no longer applies: with a reason, kept on record."""
    if not flag.active:
        raise FlagAlreadyEnded("This caution was already ended.")
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, SHORT_TEXT)
    if reason is None and not errors:
        raise ReasonRequired(NO_END_REASON, {"reason": NO_END_REASON})
    if errors:
        raise InvalidValue("Check the reason", errors)
    flag.ended_at, flag.ended_by_id, flag.end_reason = clock.now(), user.id, reason
    session.flush()
    audit.record("end", "flag", flag.id, person_id=flag.person_id, user=user)
    return flag


def review_flag(
    session: Session, user: User, flag: CautionFlag, *, review_on, today: dt.date | None = None
) -> CautionFlag:
    """The flag was looked at and still applies: the next review date."""
    if not flag.active:
        raise FlagAlreadyEnded("This caution was ended, so it needs no review.")
    errors: dict[str, str] = {}
    review_on = _review_date(review_on, errors, today or clock.today())
    if errors:
        raise InvalidValue("Check the review date", errors)
    flag.review_on = review_on
    session.flush()
    audit.record(
        "review", "flag", flag.id, person_id=flag.person_id, user=user, review_on=str(review_on)
    )
    return flag


def flags_by_person(session: Session, person_ids) -> dict[int, list[CautionFlag]]:
    """The active flags of each person, in one query: every page that shows people."""
    ids = sorted(set(person_ids))
    found: dict[int, list[CautionFlag]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(CautionFlag)
        .where(CautionFlag.person_id.in_(ids), CautionFlag.ended_at.is_(None))
        .order_by(CautionFlag.raised_at, CautionFlag.id)
    )
    for flag in session.scalars(query):
        found[flag.person_id].append(flag)
    return found


def active_flags(session: Session, person: Person) -> list[CautionFlag]:
    return flags_by_person(session, [person.id])[person.id]


def all_flags(session: Session, person: Person) -> list[CautionFlag]:
    """Every flag the person has had, ended ones included (the record, the export)."""
    return list(
        session.scalars(
            select(CautionFlag)
            .options(joinedload(CautionFlag.raised_by))
            .where(CautionFlag.person_id == person.id)
            .order_by(CautionFlag.raised_at, CautionFlag.id)
        )
    )


def flags_due_for_review(session: Session, team_id: int, today: dt.date | None = None):
    """The team's active flags whose review date has come, longest overdue first."""
    today = today or clock.today()
    return list(
        session.scalars(
            select(CautionFlag)
            .options(joinedload(CautionFlag.person))
            .where(
                CautionFlag.team_id == team_id,
                CautionFlag.ended_at.is_(None),
                CautionFlag.review_on <= today,
            )
            .order_by(CautionFlag.review_on, CautionFlag.id)
        )
    )


# The person's network


def _clean_member(data: dict) -> dict:
    errors: dict[str, str] = {}
    clean = {
        "name": _text(data.get("name"), "name", errors, MEMBER_NAME, NO_MEMBER_NAME),
        "relationship": _choice(
            data.get("relationship"),
            "relationship",
            errors,
            RELATIONSHIPS,
            NO_RELATIONSHIP,
        ),
        "role": _text(data.get("role"), "role", errors, MEMBER_ROLE),
        "organisation": _text(data.get("organisation"), "organisation", errors, ORGANISATION),
        "phone": _text(data.get("phone"), "phone", errors, PHONE),
        "email": _text(data.get("email"), "email", errors, EMAIL),
        "notes": _text(data.get("notes"), "notes", errors, MEMBER_NOTES),
    }
    if clean["email"] and "email" not in errors and not _EMAIL.fullmatch(clean["email"]):
        errors["email"] = EMAIL_SHAPE
    may_contact = data.get("may_contact", False)
    if not isinstance(may_contact, bool):
        errors["may_contact"] = NO_MAY_CONTACT
    clean["may_contact"] = may_contact is True
    if errors:
        raise InvalidValue("Check the details of the person in the circle", errors)
    return clean


def add_member(session: Session, user: User | None, person: Person, data: dict) -> NetworkMember:
    """Add someone to the person's circle; InvalidValue naming each field to fix."""
    clean = _clean_member(data)
    member = NetworkMember(person_id=person.id, created_by_id=user.id if user else None, **clean)
    session.add(member)
    session.flush()
    audit.record(
        "create",
        "network_member",
        member.id,
        person_id=person.id,
        user=user,
        relationship=clean["relationship"],
    )
    return member


def update_member(
    session: Session, user: User, member: NetworkMember, data: dict, version: int | None = None
) -> NetworkMember:
    """Change what is known of someone in the circle; the fields not given stay as they are."""
    check_version(member, version, "these details")
    current = {name: getattr(member, name) for name in NETWORK_FIELDS}
    clean = _clean_member({**current, **{k: v for k, v in data.items() if k in NETWORK_FIELDS}})
    changed = apply_changes(session, member, clean, "these details")
    if changed:
        audit.record(
            "update",
            "network_member",
            member.id,
            person_id=member.person_id,
            user=user,
            fields=changed,
        )
    return member


def network(session: Session, person: Person) -> list[NetworkMember]:
    """The person's circle: family and friends first, professionals last, by name."""
    order = {kind: i for i, kind in enumerate(RELATIONSHIPS)}
    members = session.scalars(select(NetworkMember).where(NetworkMember.person_id == person.id))
    return sorted(members, key=lambda m: (order[m.relationship], m.name.lower(), m.id))


def member_for_action(session: Session, case: Case, member_id) -> NetworkMember | None:
    """The circle member an action names: one of this case's person's, else InvalidValue."""
    if member_id in (None, "", 0):
        return None
    member = session.get(NetworkMember, member_id) if isinstance(member_id, int) else None
    if member is None or member.person_id != case.person_id:
        raise InvalidValue(
            "Check who will do it",
            {"network_member_id": "Choose someone from this person's circle"},
        )
    return member


def members_present(session: Session, case: Case, member_ids, errors: dict) -> list[NetworkMember]:
    """The circle members a conversation names as there, by name: each must be one of this
    case's person's, else the field's error (in `errors`) and nobody."""
    if not member_ids:
        return []
    given = list(member_ids) if isinstance(member_ids, list | tuple | set) else [member_ids]
    ids = set(given)  # (after the check below: a set would take true for 1)
    if all(type(i) is int and 0 < i <= MAX_ID for i in given):
        members = session.scalars(
            select(NetworkMember)
            .where(NetworkMember.id.in_(ids), NetworkMember.person_id == case.person_id)
            .order_by(NetworkMember.name, NetworkMember.id)
        ).all()
        if len(members) == len(ids):
            return list(members)
    errors["network_member_ids"] = "Choose who was there from this person's circle"
    return []


# Consent to share


def record_consent(
    session: Session,
    user: User | None,
    person: Person,
    *,
    decision,
    scope,
    recorded_on,
    expires_on=None,
    today: dt.date | None = None,
) -> ConsentDecision:
    """Record the person's decision about sharing: what, with whom, given or refused."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    decision = _choice(decision, "decision", errors, CONSENT_DECISIONS, NO_DECISION)
    scope = _text(scope, "scope", errors, CONSENT_SCOPE, NO_SCOPE)
    if not isinstance(recorded_on, dt.date):
        errors["recorded_on"] = NO_DECISION_DATE
    elif recorded_on > today:
        errors["recorded_on"] = "The date they decided must be today or in the past"
    if expires_on is not None and not isinstance(expires_on, dt.date):
        errors["expires_on"] = "Enter a real date"
    elif expires_on is not None and isinstance(recorded_on, dt.date) and expires_on < recorded_on:
        errors["expires_on"] = "The decision cannot end before it was made"
    if errors:
        raise InvalidValue("Check the decision's details", errors)
    consent = ConsentDecision(
        person_id=person.id,
        decision=decision,
        scope=scope,
        recorded_on=recorded_on,
        expires_on=expires_on,
        recorded_by_id=user.id if user else None,
    )
    session.add(consent)
    session.flush()
    audit.record("create", "consent", consent.id, person_id=person.id, user=user, decision=decision)
    return consent


def consents(session: Session, person: Person) -> list[ConsentDecision]:
    """The person's decisions about sharing, the latest first."""
    return list(
        session.scalars(
            select(ConsentDecision)
            .where(ConsentDecision.person_id == person.id)
            .order_by(ConsentDecision.recorded_on.desc(), ConsentDecision.id.desc())
        )
    )


@dataclass
class PersonSafety:
    """What the person's page shows of safety and the circle: three queries, however many."""

    flags: list[CautionFlag]
    ended_flags: list[CautionFlag]
    network: list[NetworkMember]
    consents: list[ConsentDecision]
    today: dt.date

    @property
    def expired_consents(self) -> list[ConsentDecision]:
        return [c for c in self.consents if c.expired(self.today)]


def person_safety(session: Session, person: Person, today: dt.date | None = None) -> PersonSafety:
    flags = all_flags(session, person)
    return PersonSafety(
        flags=[f for f in flags if f.active],
        ended_flags=[f for f in flags if not f.active],
        network=network(session, person),
        consents=consents(session, person),
        today=today or clock.today(),
    )
