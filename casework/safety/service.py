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

from .. import audit
from ..exceptions import DomainError, InvalidValue, ReasonRequired
from ..locking import check_version, flush_checked
from ..models import Case, Person, User, utcnow
from ..text import CONTROL_CHARACTER_MESSAGE, has_control_character
from .models import (
    CONSENT_DECISIONS,
    FLAG_CATEGORIES,
    RELATIONSHIPS,
    CautionFlag,
    ConsentDecision,
    NetworkMember,
)

# Plain words for the stored code words: the forms' choices and the flags' headings.
CATEGORY_LABELS = {
    "lone_working": "Risk to a worker on their own",
    "animal": "Animal",
    "infection": "Infection risk",
    "safeguarding": "Safeguarding",
    "access": "Getting in",
    "other": "Other",
}
RELATIONSHIP_LABELS = {
    "family": "Family",
    "friend": "Friend",
    "neighbour": "Neighbour",
    "carer": "Carer",
    "professional": "Professional",
    "community": "Community group",
    "other": "Other",
}
DECISION_LABELS = {"given": "Agreed to share", "refused": "Refused to share"}

# Limits: one constant each, used by the forms, the API and the rules here.
FLAG_TEXT_LIMIT = 1000
REASON_LIMIT = 2000
NAME_LIMIT = 200
ROLE_LIMIT = 200
ORGANISATION_LIMIT = 200
PHONE_LIMIT = 50
EMAIL_LIMIT = 254
NOTES_LIMIT = 5000
SCOPE_LIMIT = 2000
LONGEST_REVIEW_DAYS = 2 * 366  # a flag is looked at again within two years
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
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class FlagAlreadyEnded(DomainError):
    """An ended flag stays ended: its end is never silently replaced."""

    status = 409
    code = "flag_already_ended"


def _text(value, field: str, errors: dict, limit: int, required: str | None = None):
    """Stripped text or None; each problem in plain words under its field's name."""
    if value is not None and not isinstance(value, str):
        errors[field] = "Enter text"
        return None
    value = (value or "").strip()
    if not value:
        if required:
            errors[field] = required
        return None
    if has_control_character(value):
        errors[field] = CONTROL_CHARACTER_MESSAGE
    elif len(value) > limit:
        errors[field] = f"Must be {limit:,} characters or fewer"
    return value


def _choice(value, field: str, errors: dict, choices, message: str):
    if value not in choices:
        errors[field] = message
        return None
    return value


# Caution flags


def _review_date(value, errors: dict, today: dt.date):
    if value is None:
        errors["review_on"] = "Enter the date by which the flag should be looked at again"
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
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    category = _choice(
        category, "category", errors, FLAG_CATEGORIES, "Choose what kind of caution it is"
    )
    text = _text(text, "text", errors, FLAG_TEXT_LIMIT, "Say, in plain words, what to know")
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
    reason = _text(reason, "reason", errors, REASON_LIMIT)
    if reason is None and not errors:
        raise ReasonRequired(
            "Say why the caution no longer applies",
            {"reason": "Say why the caution no longer applies"},
        )
    if errors:
        raise InvalidValue("Check the reason", errors)
    flag.ended_at, flag.ended_by_id, flag.end_reason = utcnow(), user.id, reason
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
    review_on = _review_date(review_on, errors, today or dt.date.today())
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
    today = today or dt.date.today()
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
        "name": _text(data.get("name"), "name", errors, NAME_LIMIT, "Enter their name"),
        "relationship": _choice(
            data.get("relationship"),
            "relationship",
            errors,
            RELATIONSHIPS,
            "Choose how they are connected to the person",
        ),
        "role": _text(data.get("role"), "role", errors, ROLE_LIMIT),
        "organisation": _text(data.get("organisation"), "organisation", errors, ORGANISATION_LIMIT),
        "phone": _text(data.get("phone"), "phone", errors, PHONE_LIMIT),
        "email": _text(data.get("email"), "email", errors, EMAIL_LIMIT),
        "notes": _text(data.get("notes"), "notes", errors, NOTES_LIMIT),
    }
    if clean["email"] and "email" not in errors and not _EMAIL.fullmatch(clean["email"]):
        errors["email"] = "Enter an email address like name@example.org"
    may_contact = data.get("may_contact", False)
    if not isinstance(may_contact, bool):
        errors["may_contact"] = "Say whether the person agrees they may be contacted"
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
    changed = {k: v for k, v in clean.items() if current[k] != v}
    for key, value in changed.items():
        setattr(member, key, value)
    if changed:
        flush_checked(session, "these details")
        audit.record(
            "update",
            "network_member",
            member.id,
            person_id=member.person_id,
            user=user,
            fields=sorted(changed),
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
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    decision = _choice(
        decision, "decision", errors, CONSENT_DECISIONS, "Choose whether they agreed or refused"
    )
    scope = _text(scope, "scope", errors, SCOPE_LIMIT, "Say what may be shared, and with whom")
    if not isinstance(recorded_on, dt.date):
        errors["recorded_on"] = "Enter the date the person decided"
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
        today=today or dt.date.today(),
    )
