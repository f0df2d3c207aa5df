"""Small builders for measures tests: history written through the domain functions, plus
the few rows only other systems make (imported demands, closures from elsewhere)."""

from __future__ import annotations

import datetime as dt

from casework.cases.service import change_owner, close_case
from casework.extensions import db
from casework.measures.figures import compute
from casework.models import Demand


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def close(case, user, on: dt.date):
    close_case(
        db.session,
        case,
        user,
        agreed_with_person=True,
        agreement_note="Agreed at the last visit",
        summary="Managing well",
        closed_on=on,
    )
    db.session.commit()
    return case


def hand_over(case, user, new_owner, reason="Worker on leave"):
    change_owner(db.session, case, user, new_owner=new_owner, reason=reason)
    db.session.commit()


def imported_demand(person, team, on: dt.date, cohort: str | None = None, kind="value"):
    """Legacy history: no case, no routing, as the import writes it."""
    demand = Demand(
        person=person,
        team=team,
        cohort=cohort or team.cohort,
        received_on=on,
        source="GP",
        channel="letter",
        stated_need="From the old system",
        kind=kind,
        imported=True,
    )
    db.session.add(demand)
    db.session.commit()
    return demand


def figures(start: dt.date, end: dt.date | None = None, **filters) -> dict:
    return compute(db.session, start=start, end=end or start, **filters)
