"""Stories: a closed case its team chose to share, told as a one-page narrative that names
nobody (ADR 0017). What mattered to the person in their words, what was done, what changed,
and the barriers met, with the person's identity taken out of every piece of free text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import audit
from ..exceptions import Conflict
from ..models import BarrierCase, Case, Person, Story, User
from ..pagination import Page, paginate
from . import identity

# Stand-in names, chosen by the case's id so a story reads the same every time it is shown.
GIVEN = (
    "Rowan",
    "Robin",
    "Frankie",
    "Jordan",
    "Charlie",
    "Riley",
    "Quinn",
    "Avery",
    "Jamie",
    "Ash",
)
FAMILY = ("Ashby", "Brook", "Dale", "Fenwick", "Garner", "Holt", "Lyle", "Marsh", "Noble", "Pryce")

NHS_NUMBER = re.compile(r"\b\d{3}[\s-]{0,3}\d{3}[\s-]{0,3}\d{4}\b")
# 0…, +44 …, and with the area code in brackets: (01632) 960123, +44 (0)1632 960123
PHONE = re.compile(r"(?<!\w)(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s)-]{0,2}\d){8,9}(?!\w)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")

ALREADY_A_STORY = "This case is already a story to share."


class NotClosed(Conflict):
    code = "not_closed"


class AlreadyAStory(Conflict):
    code = "already_a_story"


def mark_story(session: Session, case: Case, user: User) -> Story:
    """Mark a closed case as a story to share."""
    if case.is_open:
        raise NotClosed("Only a closed case can be a story: what changed is not known yet.")
    if case.story is not None:
        raise AlreadyAStory(ALREADY_A_STORY)
    story = Story(case=case, marked_by_id=user.id)
    session.add(story)
    try:
        session.flush()
    except IntegrityError as error:  # marked by someone else (or a double click) just now
        session.rollback()
        raise AlreadyAStory(ALREADY_A_STORY) from error
    audit.record_in_case("create", "story", story.id, case, user=user)
    return story


def unmark_story(session: Session, case: Case, user: User) -> None:
    """Take the case off the stories to share (the audit trail keeps that it was one)."""
    story = case.story
    if story is None:
        return
    audit.record_in_case("delete", "story", story.id, case, user=user)
    session.delete(story)
    session.flush()


def _told() -> tuple:
    """What telling a case as a story reads (narrative()), loaded with the case, so a list
    of stories is a few queries however many there are."""
    return (
        joinedload(Case.person),
        joinedload(Case.team),
        selectinload(Case.demands),
        selectinload(Case.conversations),
        selectinload(Case.actions),
        selectinload(Case.barrier_links).joinedload(BarrierCase.barrier),
    )


def team_stories(session: Session, team_id: int, page: int = 1) -> Page:
    """One page of the team's stories, the latest closed first."""
    query = (
        select(Story)
        .join(Story.case)
        .options(joinedload(Story.case).options(*_told()))
        .where(Case.team_id == team_id)
        .order_by(Case.closed_on.desc(), Story.id.desc())
    )
    count = select(func.count(Story.id)).join(Story.case).where(Case.team_id == team_id)
    return paginate(session, query, page, count=count, item=lambda row: row[0])


# Pseudonymising -----------------------------------------------------------------------


def age_band(born: dt.date | None, on: dt.date) -> str | None:
    """'in their 60s': a decade at most, never an age or a date of birth."""
    if born is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age >= 90:
        return "aged 90 or over"
    if age < 18:
        return "under 18"
    return f"in their {age // 10 * 10}s"


@dataclass(frozen=True)
class Pseudonym:
    given: str
    family: str

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


def _free_text(case: Case) -> str:
    texts = [case.real_problem, case.closure_summary, case.closure_agreement_note]
    texts += [d.stated_need for d in case.demands]
    texts += [t for c in case.conversations for t in (c.notes, c.what_matters, c.with_whom)]
    texts += [t for a in case.actions for t in (a.description, a.outcome)]
    texts += [link.cost for link in case.barrier_links]
    return " ".join(t for t in texts if t).lower()


def pseudonym_for(case: Case) -> Pseudonym:
    """A stand-in name that is neither the person's nor any word already in the case's
    notes (a colleague, a neighbour), so the story never mixes two people up."""
    person = case.person
    words = set(re.findall(r"\w+", _free_text(case))) | {
        person.given_name.lower(),
        person.family_name.lower(),
    }
    given = [g for g in GIVEN if g.lower() not in words] or list(GIVEN)
    family = [f for f in FAMILY if f.lower() not in words] or list(FAMILY)
    return Pseudonym(given[case.id % len(given)], family[case.id % len(family)])


def _date_pattern(day: dt.date) -> re.Pattern:
    """The ways one date (of birth) is written in notes: 2 April 1958, 2nd of April 1958,
    2 Apr. 1958, April 2, 1958, 02/04/1958, 2.4.58, 2-4-1958, 1958-04-02."""
    d = rf"0?{day.day}(?:st|nd|rd|th)?"
    names = [f"{day:%B}", f"{day:%b}"] + (["Sept"] if day.month == 9 else [])
    name = "(?:" + "|".join(names) + r")\.?"
    number = rf"0?{day.month}"
    year = rf"(?:{day.year}|{day.year % 100:02d})"
    sep = r"[\s/.,-]{1,3}"
    forms = (
        rf"{d}{sep}(?:of\s+)?(?:{name}|{number}){sep}{year}",
        rf"{name}{sep}{d}{sep}{year}",
        rf"{day.year}{sep}{number}{sep}0?{day.day}",
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE)


class Pseudonymiser:
    """Takes one person's identity out of free text: names (full, given, family, any part
    of a double-barrelled name, and the given name's common short forms), with or without
    accents; NHS number, date of birth, address (on lines or one line, whole or in parts),
    postcode, phone numbers and email addresses anywhere in it."""

    def __init__(self, person: Person, pseudonym: Pseudonym):
        self.pseudonym = pseudonym
        born = person.date_of_birth
        self.replacements = [(_date_pattern(born), "[date of birth]")] if born else []
        self.replacements += [
            (pattern, "[address]")
            for pattern in identity.address_patterns(person.address, person.postcode)
        ]
        numbers = [n for n in (person.phone, person.nhs_number) if n and n.strip()]
        self.replacements += [(identity.any_case(n), "[number]") for n in numbers]
        names = [(person.name, pseudonym.name)]
        for value, stand_in in (
            (person.given_name, pseudonym.given),
            (person.family_name, pseudonym.family),
        ):
            names.append((value, stand_in))
            names += [
                (part, stand_in)
                for part in re.split(r"[\s-]+", value)
                if len(part) > 1 and part != value
            ]
        # the longest first: a full name before its parts
        self.replacements += [
            (identity.any_case(value), stand_in)
            for value, stand_in in sorted(names, key=lambda r: -len(r[0]))
            if value.strip()
        ]
        # short forms last, and only as names are written: "Will" is William, "will" is not
        others = identity.other_forms(person.given_name)
        if others:
            self.replacements.append((identity.capitalised(others), pseudonym.given))

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        text = unicodedata.normalize("NFC", text)  # an accent typed as its own character
        for pattern, stand_in in self.replacements:
            text = pattern.sub(stand_in, text)
        text = EMAIL.sub("[email address]", text)
        text = NHS_NUMBER.sub("[number]", text)
        text = PHONE.sub("[number]", text)
        return POSTCODE.sub("[postcode]", text)


# The narrative -------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    week: int
    words: str


@dataclass(frozen=True)
class Done:
    description: str
    by: str
    status: str
    outcome: str | None


@dataclass(frozen=True)
class ConversationTold:
    week: int
    kind: str
    minutes: int | None
    notes: str | None


@dataclass(frozen=True)
class BarrierMet:
    title: str
    kind: str
    owner_org: str | None
    status: str
    status_reason: str | None
    cost: str


@dataclass(frozen=True)
class Narrative:
    """A story as it is shown: nothing in it names the person."""

    case_id: int
    name: str
    age: str | None
    team: str
    weeks: int
    asked_for: list[str]
    real_problem: str | None
    what_matters: list[Said]
    conversations: list[ConversationTold]
    done: list[Done]
    what_changed: str | None
    how_agreed: str | None
    barriers: list[BarrierMet]


def _week(case: Case, day: dt.date) -> int:
    return max(0, (day - case.opened_on).days) // 7 + 1


def narrative(case: Case) -> Narrative:
    """The case told as a story, pseudonymised."""
    pseudonym = pseudonym_for(case)
    clean = Pseudonymiser(case.person, pseudonym)
    said = sorted(
        (c for c in case.current_conversations if c.what_matters),
        key=lambda c: (c.held_on, c.id),
    )
    return Narrative(
        case_id=case.id,
        name=pseudonym.name,
        age=age_band(case.person.date_of_birth, case.closed_on or case.opened_on),
        team=case.team.name,
        weeks=_week(case, case.closed_on or case.opened_on),
        asked_for=[clean(d.stated_need) for d in case.current_demands],
        real_problem=clean(case.real_problem),
        what_matters=[Said(_week(case, c.held_on), clean(c.what_matters)) for c in said],
        conversations=[
            ConversationTold(_week(case, c.held_on), c.kind, c.minutes, clean(c.notes))
            for c in case.current_conversations
        ],
        done=[
            Done(clean(a.description), a.by, a.status, clean(a.outcome))
            for a in case.current_actions
        ],
        what_changed=clean(case.closure_summary),
        how_agreed=clean(case.closure_agreement_note),
        barriers=[
            BarrierMet(
                title=clean(link.barrier.title),
                kind=link.barrier.kind,
                owner_org=link.barrier.owner_org,
                status=link.barrier.status,
                status_reason=clean(link.barrier.status_reason),
                cost=clean(link.cost),
            )
            for link in case.barrier_links
        ],
    )
