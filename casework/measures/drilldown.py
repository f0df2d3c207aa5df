"""The records behind every number of every figure, so nobody takes a number on trust.

`listing(session, filters, figure, part)` filters the same population subquery
the figure counted (populations.py) by the same condition (figures.PARTS), and
joins the names and dates a manager needs to read the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ..models import Action, Case, Demand, Person, Team, User
from . import populations as pop
from .facts import for_reporting
from .figures import PARTS, PEOPLE_POPULATIONS, POPULATIONS
from .populations import Filters

# Columns of each kind of list: (key, heading). `person` and `case` become links on the page.
COLUMNS = {
    "demands": (
        ("received_on", "Received"),
        ("person", "Person"),
        ("team", "Team"),
        ("source", "Source"),
        ("channel", "Channel"),
        ("stated_need", "Stated need"),
        ("kind", "Kind"),
        ("repeat", "Repeat"),
        ("routed_by", "Routed"),
        ("case", "Case"),
        ("owner", "Case owner"),
    ),
    "people": (
        ("person", "Person"),
        ("demands", "Demands in the period"),
        ("first_on", "First"),
        ("last_on", "Latest"),
    ),
    "opened": (
        ("case", "Case"),
        ("person", "Person"),
        ("team", "Team"),
        ("opened_on", "Opened"),
        ("closed_on", "Closed"),
        ("owner", "Owner now"),
        ("referral_match", "Referral matched"),
        ("recontact", "Re-contact"),
        ("previous_owner", "Previous case's owner"),
    ),
    "closed": (
        ("case", "Case"),
        ("person", "Person"),
        ("team", "Team"),
        ("opened_on", "Opened"),
        ("closed_on", "Closed"),
        ("owner", "Owner"),
        ("days", "Days end to end"),
        ("handoffs", "Changes of owner"),
        ("agreed", "Closed by agreement"),
        ("returned", "Came back within 90 days"),
    ),
    "actions": (
        ("person", "Person"),
        ("case", "Case"),
        ("description", "Action"),
        ("by", "By"),
        ("assignee", "Assigned to"),
        ("status", "Status"),
        ("due_on", "Due"),
    ),
}

# Kept out of the page's table (it must fit a screen) but in the CSV.
CSV_ONLY = {"channel", "routed_by"}


@dataclass
class Listing:
    """A drill-down list: what it counts, its columns and one page of its rows."""

    figure: str
    part: str
    label: str
    kind: str
    total: int
    columns: tuple = ()
    rows: list[dict] = field(default_factory=list)

    @property
    def page_columns(self) -> tuple:
        """The columns shown on the page: the CSV has these and a few more."""
        return tuple((key, heading) for key, heading in self.columns if key not in CSV_ONLY)

    @property
    def person_ids(self) -> list[int]:
        return sorted({row["person_id"] for row in self.rows})


def listing(
    session: Session,
    f: Filters,
    figure: str,
    part_name: str,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> Listing:
    """The records behind one number of a figure (all of them, or one page)."""
    part = PARTS[figure][part_name]
    for_reporting(session)
    population = POPULATIONS[part.population](f)
    condition = part.where(population) if part.where else None
    if part.population in PEOPLE_POPULATIONS:
        query, total_query = _people(population, condition)
    else:
        query = _ROWS[part.population](population)
        if condition is not None:
            query = query.where(condition)
        total_query = select(func.count()).select_from(population)
        if condition is not None:
            total_query = total_query.where(condition)
    total = session.scalar(total_query)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = [dict(row._mapping) for row in session.execute(query)]
    kind = "people" if part.population in PEOPLE_POPULATIONS else part.population
    return Listing(figure, part_name, part.label, kind, total, COLUMNS[kind], rows)


def _person_columns():
    return (
        Person.id.label("person_id"),
        (Person.given_name + " " + Person.family_name).label("person"),
    )


def _demand_rows(population):
    owner = aliased(User)
    return (
        select(
            Demand.received_on.label("received_on"),
            *_person_columns(),
            Team.name.label("team"),
            Demand.source.label("source"),
            Demand.channel.label("channel"),
            Demand.stated_need.label("stated_need"),
            population.c.kind.label("kind"),
            population.c.repeat.label("repeat"),
            Demand.routed_by.label("routed_by"),
            Demand.case_id.label("case"),
            owner.name.label("owner"),
            Demand.id.label("id"),
        )
        .join(population, population.c.id == Demand.id)
        .join(Person, Person.id == Demand.person_id)
        .join(Team, Team.id == Demand.team_id)
        .outerjoin(Case, Case.id == Demand.case_id)
        .outerjoin(owner, owner.id == Case.owner_id)
        .order_by(Demand.received_on, Demand.id)
    )


def _people(population, condition):
    demands = func.count(population.c.id)
    query = (
        select(
            *_person_columns(),
            demands.label("demands"),
            func.min(population.c.on).label("first_on"),
            func.max(population.c.on).label("last_on"),
        )
        .join(population, population.c.person_id == Person.id)
        .group_by(Person.id, Person.given_name, Person.family_name)
        .order_by(demands.desc(), Person.family_name, Person.given_name, Person.id)
    )
    total = select(func.count(func.distinct(population.c.person_id)))
    if condition is not None:  # a condition of the person, on each of their rows alike
        query, total = query.where(condition), total.where(condition)
    return query, total


def _case_columns():
    owner = aliased(User)
    columns = (
        Case.id.label("case"),
        *_person_columns(),
        Team.name.label("team"),
        Case.opened_on.label("opened_on"),
        Case.closed_on.label("closed_on"),
        owner.name.label("owner"),
    )
    return columns, owner


def _cases(columns, owner, population, *extra):
    return (
        select(*columns, *extra, Case.id.label("id"))
        .join(population, population.c.id == Case.id)
        .join(Person, Person.id == Case.person_id)
        .join(Team, Team.id == Case.team_id)
        .outerjoin(owner, owner.id == Case.owner_id)
    )


def _opened_rows(population):
    columns, owner = _case_columns()
    previous_owner = aliased(User)
    return (
        _cases(
            columns,
            owner,
            population,
            Case.referral_match.label("referral_match"),
            population.c.recontact.label("recontact"),
            previous_owner.name.label("previous_owner"),
        )
        .outerjoin(previous_owner, previous_owner.id == population.c.previous_owner_id)
        .order_by(Case.opened_on, Case.id)
    )


def _closed_rows(population):
    columns, owner = _case_columns()
    return _cases(
        columns,
        owner,
        population,
        population.c.days.label("days"),
        population.c.handoffs.label("handoffs"),
        population.c.agreed.label("agreed"),
        population.c.returned.label("returned"),
    ).order_by(Case.closed_on, Case.id)


def _action_rows(population):
    assignee = aliased(User)
    return (
        select(
            *_person_columns(),
            Action.case_id.label("case"),
            Action.description.label("description"),
            Action.by.label("by"),
            assignee.name.label("assignee"),
            Action.status.label("status"),
            Action.due_on.label("due_on"),
            Action.id.label("id"),
        )
        .join(population, population.c.id == Action.id)
        .join(Case, Case.id == Action.case_id)
        .join(Person, Person.id == Case.person_id)
        .outerjoin(assignee, assignee.id == Action.assignee_id)
        .order_by(Person.family_name, Person.given_name, Action.id)
    )


_ROWS = {
    "demands": _demand_rows,
    "opened": _opened_rows,
    "closed": _closed_rows,
    "actions": _action_rows,
}


def repeat_review(session: Session, f: Filters, *, limit: int) -> list[dict]:
    """The people with the most demands in the period (two or more), each with those demands
    in date order: the repeat demand review."""
    people = listing(session, f, "demands_per_person", "people", limit=limit).rows
    people = [person for person in people if person["demands"] > 1]
    if not people:
        return []
    ids = [person["person_id"] for person in people]
    timeline: dict[int, list[dict]] = {person_id: [] for person_id in ids}
    query = _demand_rows(pop.demands(f)).where(Demand.person_id.in_(ids))
    for row in session.execute(query):
        timeline[row.person_id].append(dict(row._mapping))
    return [person | {"timeline": timeline[person["person_id"]]} for person in people]
