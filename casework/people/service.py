"""People: NHS numbers, the duplicate rule, finding and registering a person."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import audit, clock, policy
from ..exceptions import DuplicateNhsNumber, InvalidValue, MergedRecord
from ..locking import apply_changes, check_version
from ..models import Person, User
from ..pagination import Page, paginate
from ..rules import (
    EARLIEST_BIRTH,
    NAME,
    NHS_NUMBER_INVALID,
    NHS_NUMBER_SHAPE,
    NO_FAMILY_NAME,
    NO_GIVEN_NAME,
    PHONE,
    POSTCODE,
    too_long,
)
from .names import name_matches

# Common short forms, so "Bob Smith" and "Robert Smith" born the same day are
# flagged as possible duplicates (measures.md, Duplicates).
SHORT_FORMS = {
    "alex": "alexander",
    "andy": "andrew",
    "bert": "albert",
    "bill": "william",
    "billy": "william",
    "bob": "robert",
    "bobby": "robert",
    "cath": "catherine",
    "kath": "catherine",
    "kathy": "catherine",
    "kate": "catherine",
    "katie": "catherine",
    "chris": "christopher",
    "dan": "daniel",
    "danny": "daniel",
    "dave": "david",
    "debbie": "deborah",
    "di": "diana",
    "ed": "edward",
    "eddie": "edward",
    "fred": "frederick",
    "jim": "james",
    "jimmy": "james",
    "jen": "jennifer",
    "jenny": "jennifer",
    "jo": "joanne",
    "joe": "joseph",
    "john": "john",
    "jon": "jonathan",
    "ken": "kenneth",
    "liz": "elizabeth",
    "lizzie": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "maggie": "margaret",
    "meg": "margaret",
    "peggy": "margaret",
    "matt": "matthew",
    "mike": "michael",
    "mick": "michael",
    "nick": "nicholas",
    "pat": "patricia",
    "patsy": "patricia",
    "pete": "peter",
    "rob": "robert",
    "robbie": "robert",
    "ron": "ronald",
    "sam": "samuel",
    "sandy": "sandra",
    "steve": "stephen",
    "sue": "susan",
    "susie": "susan",
    "ted": "edward",
    "terry": "terence",
    "tom": "thomas",
    "tommy": "thomas",
    "tony": "anthony",
    "val": "valerie",
    "vicky": "victoria",
    "will": "william",
    "jack": "john",
    "harry": "henry",
    "peg": "margaret",
}

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "phone",
    "address",
    "postcode",
    "preferred_contact",
)


def normalise_nhs_number(raw: str | None) -> str | None:
    """Ten digits without spaces, or None when blank; InvalidValue when it fails modulus 11."""
    if raw is None or not str(raw).strip():
        return None
    digits = re.sub(r"[\s-]", "", str(raw))
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise InvalidValue("Enter an NHS number with 10 digits", {"nhs_number": NHS_NUMBER_SHAPE})
    if not nhs_number_checks(digits):
        raise InvalidValue("That NHS number is not valid", {"nhs_number": NHS_NUMBER_INVALID})
    return digits


def nhs_number_checks(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def normalise_name(name: str | None) -> str:
    """A name for matching: lower case, no spaces, hyphens or apostrophes, short forms expanded."""
    words = re.split(r"[\s\-']+", (name or "").strip().lower())
    return "".join(SHORT_FORMS.get(w, w) for w in words if w)


def name_key(given_name: str | None, family_name: str | None) -> tuple[str, str]:
    """Two people born the same day whose name keys are equal are possible duplicates."""
    return normalise_name(given_name), normalise_name(family_name)


def possible_duplicates(
    session: Session,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str | None = None,
    exclude_id: int | None = None,
) -> list[Person]:
    """People who may be the same human being: same NHS number, or same birth date and names."""
    conditions = []
    if nhs_number:
        conditions.append(Person.nhs_number == nhs_number)
    if date_of_birth:
        conditions.append(Person.date_of_birth == date_of_birth)
    if not conditions:
        return []
    # A record merged into another stays only so the merge can be undone.
    query = select(Person).where(or_(*conditions), Person.merged_into_id.is_(None))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    key = name_key(given_name, family_name)
    return [
        p
        for p in session.scalars(query.order_by(Person.id))
        if (nhs_number and p.nhs_number == nhs_number)
        or (p.date_of_birth == date_of_birth and name_key(p.given_name, p.family_name) == key)
    ]


def validate_person(data: dict) -> dict:
    """Clean the person's details or raise InvalidValue naming each field to fix."""
    errors: dict[str, str] = {}
    clean: dict = {}
    for field in ("given_name", "family_name"):
        value = (data.get(field) or "").strip()
        if not value:
            errors[field] = NO_GIVEN_NAME if field == "given_name" else NO_FAMILY_NAME
        elif len(value) > NAME:
            errors[field] = too_long(NAME, "Names must be")
        clean[field] = value
    dob = data.get("date_of_birth")
    if dob is not None and dob > clock.today():
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif dob is not None and dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = "Date of birth must be after 1 January 1900: check the year"
    clean["date_of_birth"] = dob
    try:
        clean["nhs_number"] = normalise_nhs_number(data.get("nhs_number"))
    except InvalidValue as error:
        errors.update(error.fields)
    for field in ("phone", "address", "postcode", "preferred_contact"):
        value = (data.get(field) or "").strip()
        clean[field] = value or None
    if clean["postcode"]:
        clean["postcode"] = clean["postcode"].upper()
        if len(clean["postcode"]) > POSTCODE:
            errors["postcode"] = "Enter a real postcode, like LS1 4AP"
    if clean["phone"] and len(clean["phone"]) > PHONE:
        errors["phone"] = too_long(PHONE, "Phone numbers must be")
    if errors:
        raise InvalidValue("Check the person's details", errors)
    return clean


def require_not_merged(person: Person) -> None:
    """Refuse new work on a record merged into another: it lives on under the kept id."""
    if person.merged_into_id is not None:
        raise MergedRecord(
            f"This record was merged into person {person.merged_into_id}: "
            "record on that one instead",
            person.merged_into_id,
        )


def duplicates_for(session: Session, data: dict) -> list[Person]:
    """Check the details (InvalidValue naming each field) and list who they may already be."""
    clean = validate_person(data)
    return possible_duplicates(
        session,
        given_name=clean["given_name"],
        family_name=clean["family_name"],
        date_of_birth=clean["date_of_birth"],
        nhs_number=clean["nhs_number"],
    )


def create_person(
    session: Session,
    user: User | None,
    data: dict,
    *,
    team_id: int | None = None,
    **audit_detail,
) -> Person:
    """Register a person; refuses an NHS number already on record.

    `user` is None for a command run by the operator; `team_id` is the team
    that registers them (by default the user's own)."""
    clean = validate_person(data)
    if clean["nhs_number"]:
        existing = session.scalar(select(Person).where(Person.nhs_number == clean["nhs_number"]))
        if existing is not None:
            raise DuplicateNhsNumber(
                "A person with this NHS number is already on record", existing.id
            )
    if team_id is None and user is not None:
        team_id = user.team_id
    person = Person(**clean, created_by_id=user.id if user else None, registered_by_team_id=team_id)
    session.add(person)
    session.flush()
    audit.record("create", "person", person.id, person_id=person.id, user=user, **audit_detail)
    return person


def update_person(
    session: Session, user: User, person: Person, data: dict, version: int | None = None
) -> Person:
    """Change a person's details; an NHS number already on another record is refused."""
    require_not_merged(person)
    check_version(person, version, "these details")
    clean = validate_person(data)
    if clean["nhs_number"]:
        existing = session.scalar(
            select(Person).where(Person.nhs_number == clean["nhs_number"], Person.id != person.id)
        )
        if existing is not None:
            raise DuplicateNhsNumber("Another person on record has this NHS number", existing.id)
    changed = apply_changes(session, person, clean, "these details")
    if changed:
        audit.record("update", "person", person.id, person_id=person.id, user=user, fields=changed)
    return person


@dataclass
class SearchResult:
    person: Person
    visible: bool  # False: only identity may be shown (another team's person)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def parse_date_query(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _search_query(session: Session, user: User, q: str):
    """People found by any part of the name, NHS number (spaces optional) or date of birth,
    in name order, each with whether the user may read their record; None for no query."""
    q = (q or "").strip()[:100]
    if not q:
        return None
    digits = re.sub(r"\s", "", q)
    when = parse_date_query(q)
    if re.fullmatch(r"[0-9]{10}", digits):
        condition = Person.nhs_number == digits
    elif when is not None:
        condition = Person.date_of_birth == when
    else:
        words = [w for w in q.lower().split() if w][:5]
        condition = name_matches(session.get_bind().dialect.name, words)
    visible = policy.person_visible_clause(user).label("visible")
    return (
        select(Person, visible)
        .where(condition, Person.merged_into_id.is_(None))
        .order_by(Person.family_name, Person.given_name, Person.id)
    )


def _result(row) -> SearchResult:
    person, is_visible = row
    return SearchResult(person, bool(is_visible))


def search_people(session: Session, user: User, q: str, limit: int = 50) -> list[SearchResult]:
    """Find people by any part of the name, NHS number (spaces optional) or date of birth.

    Search reaches across teams so that nobody registers a person twice, but
    for people outside the user's reach it returns identity only.
    """
    query = _search_query(session, user, q)
    if query is None:
        return []
    return [_result(row) for row in session.execute(query.limit(limit))]


def search_page(session: Session, user: User, q: str, page: int = 1) -> Page | None:
    """One page of search_people's results (None for no query)."""
    query = _search_query(session, user, q)
    if query is None:
        return None
    return paginate(session, query, page, item=_result)
