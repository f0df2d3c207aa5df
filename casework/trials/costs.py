"""The teams' cost catalogues, what the usual system would have done for a case, and the
cost of the journey.

A catalogue is empty until a manager fills it (never invented): a service, its unit cost
(per item or per hour) and where the figure comes from, for example the PSSRU *Unit Costs
of Health and Social Care*. `practitioner-hour` prices the team's recorded minutes.

The cost of the journey of a closed case: the minutes recorded x the team's
practitioner-hour cost + the costs of its asks granted (actual), against the services the
owner recorded that the usual pathway would have used, at the catalogue's prices now
(counterfactual). Only teams with a practitioner-hour cost are counted; none: `null`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..exceptions import InvalidValue
from ..measures.populations import Filters
from ..models import Case, Team, User
from ..rules import (
    COST_SERVICE,
    COST_SOURCE,
    COST_UNITS,
    COUNTERFACTUAL_COUNT,
    COUNTERFACTUAL_NOTE,
    MAX_PENCE,
    NO_COUNTERFACTUAL,
    NO_SERVICE,
    clean_text,
)
from .models import (
    PRACTITIONER_HOUR,
    CaseCostFact,
    CostItem,
    Counterfactual,
    CounterfactualItem,
)


def pence(value, field: str, errors: dict) -> int | None:
    """An amount in pounds (120, "120.00") as whole pence, or an error in plain English."""
    try:
        amount = Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        amount = None
    if isinstance(value, bool) or amount is None or not amount.is_finite():
        errors[field] = "Enter the cost in pounds, for example 120.00"
        return None
    if amount < 0:
        errors[field] = "A cost cannot be negative"
        return None
    result = int((amount * 100).to_integral_value())
    if result > MAX_PENCE or amount * 100 != result:
        errors[field] = "Enter the cost in pounds and pence, up to £1,000,000"
        return None
    return result


def pounds(amount_pence: float | None) -> float | None:
    return None if amount_pence is None else round(amount_pence / 100, 2)


def catalogue(session: Session, team_id: int) -> list[CostItem]:
    query = select(CostItem).where(CostItem.team_id == team_id).order_by(CostItem.service)
    return list(session.scalars(query))


def set_cost(
    session: Session,
    team: Team,
    service,
    cost,
    *,
    per: str = "item",
    source=None,
    example: bool = False,
    by: User | None,
) -> CostItem:
    """Add a service to the team's catalogue, or change its unit cost (audited)."""
    errors: dict[str, str] = {}
    service = clean_text(service, "service", errors, required=NO_SERVICE, limit=COST_SERVICE)
    unit = pence(cost, "cost", errors)
    source = clean_text(source, "source", errors, limit=COST_SOURCE)
    if service == PRACTITIONER_HOUR:
        per = "hour"
    if per not in COST_UNITS:
        errors["per"] = "Choose per item or per hour"
    if errors:
        raise InvalidValue("Check the cost", errors)
    item = session.scalar(
        select(CostItem).where(CostItem.team_id == team.id, CostItem.service == service)
    )
    before = None if item is None else item.unit_pence
    if item is None:
        item = CostItem(team_id=team.id, service=service)
        session.add(item)
    item.unit_pence, item.per, item.source, item.example = unit, per, source, example
    item.updated_by_id = by.id if by else None
    session.flush()
    audit.record(
        "create" if before is None else "update",
        "cost_item",
        item.id,
        user=by,
        team=team.name,
        service=service,
        unit_pence=[before, unit] if before is not None else unit,
        per=per,
        source=source,
    )
    return item


def record_counterfactual(
    session: Session, case: Case, items, note=None, *, by: User | None
) -> Counterfactual:
    """What the usual system would have done for this person: services from the team's
    catalogue with how many of each (hours, for a service priced per hour). Replaces what
    was recorded before; InvalidValue (nothing saved) for a service not in the catalogue."""
    errors: dict[str, str] = {}
    prices = {item.service: item for item in catalogue(session, case.team_id)}
    wanted: list[tuple[CostItem, int]] = []
    if not isinstance(items, list) or not items:
        errors["items"] = NO_COUNTERFACTUAL
        items = []
    for index, entry in enumerate(items):
        service = entry.get("service") if isinstance(entry, dict) else None
        count = entry.get("count") if isinstance(entry, dict) else None
        if not isinstance(service, str) or service.strip() not in prices:
            errors[f"items[{index}].service"] = (
                f"{service!s} is not in the team's cost catalogue: choose one of its services"
                if prices
                else "The team's cost catalogue is empty: ask a manager to fill it first"
            )
        elif (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not 0 < count <= COUNTERFACTUAL_COUNT
        ):
            errors[f"items[{index}].count"] = (
                f"Enter how many, a whole number from 1 to {COUNTERFACTUAL_COUNT}"
            )
        else:
            wanted.append((prices[service.strip()], count))
    note = clean_text(note, "note", errors, limit=COUNTERFACTUAL_NOTE)
    if errors:
        raise InvalidValue("Check what the usual system would have done", errors)
    record = session.scalar(select(Counterfactual).where(Counterfactual.case_id == case.id))
    if record is None:
        record = Counterfactual(case_id=case.id)
        session.add(record)
    record.note, record.recorded_by_id = note, by.id if by else None
    record.items = [CounterfactualItem(cost_item=item, count=count) for item, count in wanted]
    session.flush()
    audit.record_in_case(
        "update",
        "counterfactual",
        record.id,
        case,
        user=by,
        items=[{"service": item.service, "count": count} for item, count in wanted],
    )
    return record


def counterfactual_of(session: Session, case_id: int) -> Counterfactual | None:
    return session.scalar(
        select(Counterfactual)
        .where(Counterfactual.case_id == case_id)
        .options(selectinload(Counterfactual.items).selectinload(CounterfactualItem.cost_item))
    )


def counterfactual_pence(record: Counterfactual | None) -> int | None:
    if record is None:
        return None
    return sum(item.count * item.cost_item.unit_pence for item in record.items)


# The cost of the journey ----------------------------------------------------------------


def _hour_prices(session: Session) -> dict[int, int]:
    """Each team's practitioner-hour cost in pence (teams without one are not counted)."""
    query = select(CostItem.team_id, CostItem.unit_pence).where(
        CostItem.service == PRACTITIONER_HOUR
    )
    return dict(session.execute(query).all())


def _closed(f: Filters, *columns):
    query = select(*columns).where(
        CaseCostFact.closed_on >= f.start, CaseCostFact.closed_on <= f.end
    )
    if f.cohort != "all":
        query = query.where(CaseCostFact.cohort == f.cohort)
    if f.team_id is not None:
        query = query.where(CaseCostFact.team_id == f.team_id)
    return query


def counterfactual_totals():
    """Each recorded case's counterfactual cost in pence, as a subquery."""
    return (
        select(
            Counterfactual.case_id,
            func.sum(CounterfactualItem.count * CostItem.unit_pence).label("pence"),
        )
        .join(CounterfactualItem, CounterfactualItem.counterfactual_id == Counterfactual.id)
        .join(CostItem, CostItem.id == CounterfactualItem.cost_item_id)
        .group_by(Counterfactual.case_id)
        .subquery("counterfactual_totals")
    )


def cost_of_journey(session: Session, f: Filters) -> dict | None:
    """The figure of GET /api/v1/measures: closed cases in the period of the teams with a
    practitioner-hour cost, their mean actual cost, and (for the cases with a counterfactual
    recorded) the mean counterfactual cost and the mean of actual minus counterfactual."""
    hour = _hour_prices(session)
    if f.team_id is not None:
        hour = {team: price for team, price in hour.items() if team == f.team_id}
    if not hour:
        return None
    minutes, asks = CaseCostFact.minutes, CaseCostFact.asks_pence
    totals = (
        _closed(f, CaseCostFact.team_id, func.count(), func.sum(minutes), func.sum(asks))
        .where(CaseCostFact.team_id.in_(hour))
        .group_by(CaseCostFact.team_id)
    )
    cases, actual = 0, 0.0
    for team_id, n, team_minutes, team_asks in session.execute(totals):
        cases += n
        actual += (team_minutes or 0) * hour[team_id] / 60 + (team_asks or 0)
    recorded = counterfactual_totals()
    paired = _closed(
        f,
        CaseCostFact.team_id,
        func.count(),
        func.sum(minutes),
        func.sum(asks),
        func.sum(recorded.c.pence),
    ).join(recorded, recorded.c.case_id == CaseCostFact.case_id)
    paired = paired.where(CaseCostFact.team_id.in_(hour)).group_by(CaseCostFact.team_id)
    n_recorded, paired_actual, counterfactual = 0, 0.0, 0
    for team_id, n, team_minutes, team_asks, team_counter in session.execute(paired):
        n_recorded += n
        paired_actual += (team_minutes or 0) * hour[team_id] / 60 + (team_asks or 0)
        counterfactual += int(team_counter or 0)  # PostgreSQL sums a bigint as numeric
    return {
        "cases": cases,
        "actual_mean": pounds(actual / cases) if cases else None,
        "counterfactual_mean": pounds(counterfactual / n_recorded) if n_recorded else None,
        "difference_mean": (
            pounds((paired_actual - counterfactual) / n_recorded) if n_recorded else None
        ),
        "counterfactual_recorded": n_recorded,
    }


def case_costs(session: Session, case: Case) -> dict:
    """One case's actual and counterfactual cost in pounds (None where not known)."""
    hour = _hour_prices(session).get(case.team_id)
    fact = session.get(CaseCostFact, case.id)
    counterfactual = counterfactual_pence(counterfactual_of(session, case.id))
    actual = None
    if hour is not None and fact is not None:
        actual = fact.minutes * hour / 60 + fact.asks_pence
    return {
        "actual": pounds(actual),
        "counterfactual": pounds(counterfactual),
        "minutes": fact.minutes if fact else 0,
    }


def teams_with_catalogues(session: Session) -> dict[int, int]:
    """How many services each team's catalogue holds."""
    query = select(CostItem.team_id, func.count()).group_by(CostItem.team_id)
    return dict(session.execute(query).all())


def closed_case_costs(
    session: Session, f: Filters, *, limit: int | None = None, offset: int = 0
) -> tuple[int, list[dict]]:
    """The closed cases the cost of the journey counts, latest closed first: how many, and
    (a page of) each one's case, person, day closed, actual and counterfactual cost in
    pounds (None: not recorded). Empty when no team in view has a practitioner-hour cost."""
    hour = _hour_prices(session)
    if f.team_id is not None:
        hour = {team: price for team, price in hour.items() if team == f.team_id}
    if not hour:
        return 0, []
    recorded = counterfactual_totals()
    counted = _closed(f, CaseCostFact.case_id).where(CaseCostFact.team_id.in_(hour))
    total = session.scalar(select(func.count()).select_from(counted.subquery()))
    query = (
        _closed(
            f,
            CaseCostFact.case_id,
            CaseCostFact.person_id,
            CaseCostFact.team_id,
            CaseCostFact.closed_on,
            CaseCostFact.minutes,
            CaseCostFact.asks_pence,
            recorded.c.pence,
        )
        .outerjoin(recorded, recorded.c.case_id == CaseCostFact.case_id)
        .where(CaseCostFact.team_id.in_(hour))
        .order_by(CaseCostFact.closed_on.desc(), CaseCostFact.case_id.desc())
        .offset(offset)
        .limit(limit)
    )
    found = session.execute(query).all()
    rows = [
        {
            "case_id": case_id,
            "person_id": person_id,
            "closed_on": closed_on,
            "minutes": minutes,
            "actual": pounds(minutes * hour[team_id] / 60 + asks),
            "counterfactual": pounds(counterfactual),
        }
        for case_id, person_id, team_id, closed_on, minutes, asks, counterfactual in found
    ]
    return total, rows


def monthly_cost(session: Session, f: Filters, starts: list) -> list[float | None] | None:
    """The mean actual cost (pounds) of the cases closed each month from `starts`, for the
    SPC chart; None when no team in view has a practitioner-hour cost."""
    hour = _hour_prices(session)
    if f.team_id is not None:
        hour = {team: price for team, price in hour.items() if team == f.team_id}
    if not hour:
        return None
    month = func.extract("year", CaseCostFact.closed_on) * 12 + func.extract(
        "month", CaseCostFact.closed_on
    )
    query = (
        _closed(
            f,
            month,
            CaseCostFact.team_id,
            func.count(),
            func.sum(CaseCostFact.minutes),
            func.sum(CaseCostFact.asks_pence),
        )
        .where(CaseCostFact.team_id.in_(hour))
        .group_by(month, CaseCostFact.team_id)
    )
    index = {start.year * 12 + start.month: i for i, start in enumerate(starts)}
    cases, pence = [0] * len(starts), [0.0] * len(starts)
    for at, team_id, n, minutes, asks in session.execute(query):
        i = index.get(int(at))
        if i is not None:
            cases[i] += n
            pence[i] += (minutes or 0) * hour[team_id] / 60 + (asks or 0)
    return [pounds(p / n) if n else None for p, n in zip(pence, cases, strict=True)]
