"""A person's record as JSON for a subject access request (UK GDPR article 15; ADR 0011).

Everything held about the person: their details (and any record merged into theirs),
every demand and case with its what-matters history, conversations, actions, changes of
owner and closure, cautions, the person's circle and decisions about sharing, the staff
those name, and the audit trail of who read or changed it.
The command (`casework people export`) exports the whole record; a team manager's download
holds what their team may see and names the other teams that hold the rest.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..api.cases import case_json
from ..api.demands import demand_json
from ..api.fields import moment
from ..api.people import person_json, safety_json
from ..audit.trail import load_names, person_trail, record_ids, who
from ..models import Case, Demand, Person, Team, User
from ..safety.service import person_safety
from .timeline import visible_record

FORMAT = "casework-subject-access/1"


def _whole_record(session: Session, person: Person) -> tuple[list[Case], list[Demand]]:
    cases = session.scalars(
        select(Case).where(Case.person_id == person.id).order_by(Case.opened_on, Case.id)
    )
    demands = session.scalars(
        select(Demand).where(Demand.person_id == person.id).order_by(Demand.received_on, Demand.id)
    )
    return list(cases), list(demands)


def _teams_knowing(session: Session, person: Person) -> set[int]:
    demand_teams = select(Demand.team_id).where(Demand.person_id == person.id)
    case_teams = select(Case.team_id).where(Case.person_id == person.id)
    return set(session.scalars(demand_teams.union(case_teams)))


def _staff(session: Session, cases: list[dict], demands: list[Demand]) -> list[dict]:
    """Everyone the record names by id, so the person can read who did what."""
    ids = {d.recorded_by_id for d in demands}
    for case in cases:
        ids |= {case["owner_id"], (case["closure"] or {}).get("closed_by_id")}
        ids |= {c["recorded_by_id"] for c in case["conversations"]}
        ids |= {a["assignee_id"] for a in case["actions"]}
        for change in case["ownership_history"]:
            ids |= {change["from_id"], change["to_id"], change["by_id"]}
    ids.discard(None)
    users = session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)) if ids else []
    return [
        {"id": u.id, "name": u.name, "role": u.role, "team": u.team.name if u.team else None}
        for u in users
    ]


def export_person(session: Session, person: Person, *, viewer: User | None = None, by=None):
    """Record the export in the audit trail, then build the record (the export included).

    `viewer` None: the whole record (the command). Otherwise what `viewer` may see.
    `by`: who asked, when it is not the viewer (the command names an administrator)."""
    audit.record(
        "export",
        "person",
        person.id,
        person_id=person.id,
        user=viewer or by,
        scope="whole record" if viewer is None else "team",
    )
    session.flush()
    if viewer is None:
        cases, demands = _whole_record(session, person)
        other_teams: list[str] = []
        scope = "The whole record, from every team."
    else:
        cases, demands, team_ids = visible_record(session, viewer, person)
        others = _teams_knowing(session, person) - team_ids
        other_teams = sorted(session.scalars(select(Team.name).where(Team.id.in_(others))))
        scope = (
            f"What {viewer.team.name} holds and may see. The teams named in other_teams "
            "hold more: the whole record comes from the command 'casework people export'."
        )
    case_docs = [case_json(session, c).model_dump(mode="json") for c in cases]
    merged = session.scalars(
        select(Person).where(Person.id.in_(set(record_ids(session, person)) - {person.id}))
    )
    events, _ = person_trail(session, person)  # and the lists that showed them
    names = load_names(session, events)
    return {
        "format": FORMAT,
        "exported_at": moment(clock.now()),
        "scope": scope,
        "other_teams": other_teams,
        "person": person_json(person).model_dump(mode="json"),
        "merged_records": [person_json(p).model_dump(mode="json") for p in merged],
        "demands": [demand_json(session, d).model_dump(mode="json") for d in demands],
        "cases": case_docs,
        # Cautions (ended ones too, with their reasons), the circle and decisions about
        # sharing: held about the person for every team that works with them.
        **{
            name: [shape.model_dump(mode="json") for shape in shapes]
            for name, shapes in safety_json(person_safety(session, person), ended=True).items()
        },
        "staff": _staff(session, case_docs, demands),
        "access_log": [
            {
                "at": moment(e.at),
                "user_id": e.user_id,
                "who": who(e),
                "action": e.action,
                "record": e.entity,
                "record_id": e.entity_id,
                "what": names.describe(e),
            }
            for e in events
        ],
    }
