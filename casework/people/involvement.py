"""Who is involved with a person across the locality: one line per case, at identity level.

Every team that can find a person by search sees, for each of their cases in any team, the
team, its cohort, whether the case is open, when it opened and closed, and its owner's
name, profession and direct line, so a worker can reach the colleague who already knows
the person. Never a note, never what matters: those stay with the case's own team
(policy.can_see_case). One query for a person, one for a page of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import Case, Person, Team


@dataclass(frozen=True)
class Involved:
    """One case of the person, as other teams may see it."""

    case: Case

    @property
    def team(self) -> Team:
        return self.case.team

    @property
    def is_open(self) -> bool:
        return self.case.closed_on is None

    @property
    def status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def summary(self) -> str:
        """ "open, Eleisha Ward, Occupational therapist, 01632 960123": the compact line."""
        owner = self.case.owner
        who = [owner.name, owner.profession, owner.phone] if owner else ["awaiting allocation"]
        return ", ".join(part for part in [self.status, *who] if part)


def _newest_first(query):
    return query.options(joinedload(Case.team), joinedload(Case.owner)).order_by(
        Case.opened_on.desc(), Case.id.desc()
    )


def involvement(session: Session, person: Person) -> list[Involved]:
    """Every case of the person, in every team, newest first."""
    query = _newest_first(select(Case).where(Case.person_id == person.id))
    return [Involved(case) for case in session.scalars(query)]


def involvement_by_person(session: Session, person_ids) -> dict[int, list[Involved]]:
    """Each person's cases, newest first, for a page of people in one query."""
    ids = sorted(set(person_ids))
    found: dict[int, list[Involved]] = defaultdict(list)
    if not ids:
        return found
    for case in session.scalars(_newest_first(select(Case).where(Case.person_id.in_(ids)))):
        found[case.person_id].append(Involved(case))
    return found


def by_team(entries: list[Involved], besides_team_id: int | None = None) -> list[Involved]:
    """The compact line (search results): one entry per team, its open case if it has one,
    else its newest; the teams with an open case first. `besides_team_id` leaves out that
    team (the reader's own, whose record they can open)."""
    chosen: dict[int, Involved] = {}
    for entry in entries:  # newest first: the first open one wins, else the newest
        kept = chosen.get(entry.case.team_id)
        if kept is None or (entry.is_open and not kept.is_open):
            chosen[entry.case.team_id] = entry
    chosen.pop(besides_team_id, None)
    return sorted(chosen.values(), key=lambda e: (not e.is_open, e.team.name))


def open_elsewhere(session: Session, person: Person, team_id: int | None) -> list[Case]:
    """The person's open cases in teams other than `team_id`, newest first: where a new
    demand might be passed to the worker who already knows them."""
    query = select(Case).where(Case.person_id == person.id, Case.closed_on.is_(None))
    if team_id is not None:
        query = query.where(Case.team_id != team_id)
    return list(session.scalars(_newest_first(query)))
