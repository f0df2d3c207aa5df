"""The person across teams (api.md, "The person across teams"): who is involved with a
person, at identity level, for anyone who can find them by search."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..extensions import db
from ..people.involvement import Involved, involvement
from ..safety.service import active_flags
from .base import answers, bp, spec
from .fields import Choice, Date, Shape
from .flags import Flag, flag_json


class Worker(Shape):
    """The case's owner, so a colleague can reach them"""

    id: int
    name: str
    profession: str | None
    phone: str | None


class Involvement(Shape):
    """One case of the person: its team, status and owner; no notes, no what matters"""

    team: str
    cohort: Choice(rules.COHORTS)
    case_id: int
    status: Choice(("open", "closed"))
    opened_on: Date
    closed_on: Date | None
    owner: Worker | None


class PersonInvolvement(Shape):
    """Every case of the person in any team, newest first; and their active cautions, which
    every team that can find them sees (staff safety comes first)"""

    person_id: int
    teams: list[Involvement]
    flags: list[Flag]


def involvement_json(entry: Involved) -> Involvement:
    case, owner = entry.case, entry.case.owner
    return Involvement(
        team=case.team.name,
        cohort=case.cohort,
        case_id=case.id,
        status=entry.status,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        owner=Worker(id=owner.id, name=owner.name, profession=owner.profession, phone=owner.phone)
        if owner
        else None,
    )


@bp.get("/people/<id:person_id>/involvement")
@spec.validate(resp=answers(200, PersonInvolvement, 403, 404), tags=["People"])
def person_involvement(person_id: int):
    """Who is involved with a person: one entry per case, in any team, newest first

    For anyone who can find the person by search. Identity level: each case's team,
    cohort, status, dates and owner (name, profession, direct line); never notes or what
    matters. With the person's active cautions. Audited as a read of the person.
    """
    person = policy.get_person_for_involvement(current_user, person_id)
    return PersonInvolvement(
        person_id=person.id,
        teams=[involvement_json(e) for e in involvement(db.session, person)],
        flags=[flag_json(f) for f in active_flags(db.session, person)],
    )
