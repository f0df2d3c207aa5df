"""The facts the measures count, kept at write time (ADR 0020).

A demand, conversation or action entered in error counts in no fact (ADR 0037): each
select below leaves them out, and marking one changes a watched column, so the person's
facts are worked out again in the same transaction.

Each figure of measures.md needs, for every demand or case, something that depends on the
person's other records: whether a demand is a repeat and of which kind, a case's first
owner, the person's previous closed case in the team and its owner, the changes of owner,
the days end to end, whether the person came back within 90 days of the closure, the
case's actions by who does them and by status. Worked
out for a year of a whole care system at every request, that is seconds of searching. So
it is worked out here, by the SQL below (the one place these rules are written), and kept
in two tables, `demand_facts` and `case_facts`, which the figures, the lists behind them
and the charts read (populations.py).

A person's facts depend only on that person's own demands, cases and changes of owner
(never another person's), so they are kept current person by person: any flush that adds,
moves or changes one of those records (or merges a person away) marks the person, and
just before the transaction commits the marked people's facts are worked out again, in the
same transaction. Writes that bypass the ORM's unit of work (bulk updates, COPY) call
`mark` themselves or `rebuild`. Whether a previous owner has since left the team is not a
fact: it is read at the time of asking.

`ensure_current` builds every fact again when the table of state says they were built
with another look-back (or never: the migration leaves them empty).

PostgreSQL: refreshing takes an advisory lock per person (and a shared lock that a full
rebuild takes exclusively), so two transactions that touch the same person refresh one
after the other, the second seeing the first's records. SQLite has one writer at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    event,
    false,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from ..models import (
    Action,
    Ask,
    Case,
    CaseFact,
    Conversation,
    Demand,
    DemandFact,
    MeasureFactsState,
    OwnershipChange,
    Person,
)
from ..trials.models import CaseCostFact
from .repeat import had_earlier_demand_among, lookback_days
from .sql import any_row, days_between
from .sql import for_reporting as reporting_settings

# Raised by every migration that changes what a fact holds (2: migration 0020's columns).
FACTS_FORMAT = 2
RETURN_WINDOW_DAYS = 90
LOCK_SPACE = 20100  # the first key of PostgreSQL's two-key advisory locks: "measure facts"
CHUNK = 500  # people refreshed per statement
ACTION_COUNTS = ("person", "team", "done", "dropped", "open")  # a case's agreed actions

# The columns whose change changes a fact; any other change (notes, versions) does not.
WATCHED = {
    Demand: (
        "person_id",
        "team_id",
        "case_id",
        "cohort",
        "received_on",
        "kind",
        "routed_by",
        "imported",
        "entered_in_error_at",
    ),
    Case: (
        "person_id",
        "team_id",
        "cohort",
        "owner_id",
        "opened_on",
        "closed_on",
        "referral_match",
        "closure_agreed",
        "closure_outcome",
        "transferred_from_case_id",
    ),
    Person: ("merged_into_id",),
    Action: ("case_id", "by", "status", "entered_in_error_at"),
    Conversation: ("case_id", "minutes", "entered_in_error_at"),
    Ask: ("case_id", "status", "cost_pence"),
}
COST_RECORDS = (Conversation, Ask)  # records of a case that change only its cost facts


def _of_people(query, record, people: list[int] | None):
    """Only these people's records (None: everyone's), never a merged-away person's."""
    merged_away = select(Person.id).where(Person.merged_into_id.is_not(None))
    query = query.where(record.person_id.not_in(merged_away))
    if people is not None:
        query = query.where(record.person_id.in_(people))
    return query


# Demands ------------------------------------------------------------------------------


JOINED_OPEN_CASE = ("open_case", "passed_to_owner")  # the routes that join an open case


def repeat_split(d):
    """Each demand's part of the repeat-demand figure: first, while_open, after_closure, no_case.

    `d` is the columns of the demands with their `repeat` worked out.
    - first: no earlier demand to the team within the look-back (not a repeat);
    - while_open: a repeat that joined an open case (routed_by 'open_case', or
      'passed_to_owner': passed to the worker in another team who already had one);
    - after_closure: any other repeat, not imported, whose person had an earlier
      case in the team closed on or before the day the demand was received, or
      closed before the demand opened its own case (a letter dated before the
      closure but recorded after it is routed as a re-contact, and counts as one);
    - no_case: every other repeat (imported, or the earlier demands were only
      imported history).
    """
    earlier_closed = aliased(Case)
    had_closed_case = any_row(
        earlier_closed.person_id == d.person_id,
        earlier_closed.team_id == d.team_id,
        earlier_closed.closed_on.is_not(None),
        or_(earlier_closed.closed_on <= d.received_on, earlier_closed.id < d.case_id),
        or_(d.case_id.is_(None), earlier_closed.id != d.case_id),
    )
    split = case(
        (d.routed_by.in_(JOINED_OPEN_CASE), literal("while_open")),
        (and_(d.imported.is_(False), had_closed_case), literal("after_closure")),
        else_=literal("no_case"),
    )
    # `repeat` named once: SQLite would search for it again for every mention. NULL: first.
    return case((d.repeat, split), else_=literal("first"))


def demand_facts(people: list[int] | None):
    """The demand_facts rows of these people (None: everyone). On PostgreSQL the repeat
    rule is one window over each person's demands in the team, so every demand of a
    person is selected, never some."""
    with_repeat = _of_people(
        select(
            Demand.id,
            Demand.person_id,
            Demand.team_id,
            Demand.case_id,
            Demand.cohort,
            Demand.received_on,
            Demand.kind,
            Demand.routed_by,
            Demand.imported,
            had_earlier_demand_among(lookback_days()).label("repeat"),
        ).where(Demand.entered_in_error_at.is_(None)),
        Demand,
        people,
    ).subquery("demands_with_repeat")
    d = with_repeat.c
    in_order = (d.received_on, d.id)
    return select(
        d.id,
        d.person_id,
        d.team_id,
        d.cohort,
        d.received_on,
        func.coalesce(d.kind, literal("unclassified")),
        repeat_split(d),
        # the person's demand before, of any team and of the cohort (every one is selected)
        func.lag(d.received_on).over(partition_by=d.person_id, order_by=in_order),
        func.lag(d.received_on).over(partition_by=(d.person_id, d.cohort), order_by=in_order),
    )


# Cases --------------------------------------------------------------------------------


def _same_place(case_, other):
    """`other` (a case or demand) is of the same person and team as `case_`."""
    return and_(other.person_id == case_.c.person_id, other.team_id == case_.c.team_id)


def owner_changes(cases):
    """Each case's first change of owner (the one that set the first owner: the smallest id)
    and its handoffs (every change from a named owner: counting from_id counts those)."""
    return (
        select(
            OwnershipChange.case_id,
            func.min(OwnershipChange.id).label("first_id"),
            func.count(OwnershipChange.from_id).label("handoffs"),
        )
        .join(cases, cases.c.id == OwnershipChange.case_id)
        .group_by(OwnershipChange.case_id)
        .subquery("owner_changes")
    )


def previous_closed_case():
    """SQL, as a column of a select of cases: the case's previous case of the person in the
    team, the latest (by opening date, then id) of the closed cases that had closed on or
    before the day this one opened, or were made before it (a smaller id: a backdated demand
    opens a case dated before the last closure). A search of the (person, team) index per
    case: as a grouped join, SQLite would read every case into a Bloom filter first, even
    to refresh one person's facts."""
    previous = aliased(Case)
    return (
        select(previous.id)
        .where(
            previous.person_id == Case.person_id,
            previous.team_id == Case.team_id,
            previous.id != Case.id,
            previous.closed_on.is_not(None),
            or_(previous.closed_on <= Case.opened_on, previous.id < Case.id),
        )
        .order_by(previous.opened_on.desc(), previous.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def first_demands(cases, name: str = "first_demands"):
    """The day each case's first demand was received (a case with none: its opening date)."""
    # Entered in error: left out inside the aggregate, not by a WHERE, so SQLite still
    # searches each case's demands by the index rather than scanning every demand.
    received = case((Demand.entered_in_error_at.is_(None), Demand.received_on))
    return (
        select(cases.c.id.label("case_id"), func.min(received).label("received_on"))
        .select_from(cases)
        .join(Demand, Demand.case_id == cases.c.id)
        .group_by(cases.c.id)
        .subquery(name)
    )


def came_back(cases):
    """The closed cases whose person made another demand to the team within 90 days of the
    closure: received after the closure, or dated before it but opening a later case."""
    later = aliased(Demand)
    return (
        select(cases.c.id)
        .join(
            later,
            and_(
                _same_place(cases, later),
                later.entered_in_error_at.is_(None),
                or_(later.case_id.is_(None), later.case_id != cases.c.id),
                or_(later.received_on >= cases.c.closed_on, later.case_id > cases.c.id),
                days_between(later.received_on, cases.c.closed_on) <= RETURN_WINDOW_DAYS,
            ),
        )
        .where(cases.c.closed_on.is_not(None))
        .distinct()
        .subquery("came_back")
    )


def action_counts(cases):
    """Each case's agreed actions by who does them and by status now."""

    def counted(condition):  # entered in error: left out here, not by a WHERE (see above)
        return func.sum(case((condition & Action.entered_in_error_at.is_(None), 1), else_=0))

    return (
        select(
            cases.c.id.label("case_id"),
            counted(Action.by == "person").label("person"),
            counted(Action.by == "team").label("team"),
            counted(Action.status == "done").label("done"),
            counted(Action.status == "dropped").label("dropped"),
            counted(Action.status == "agreed").label("open"),
        )
        .select_from(cases)
        .join(Action, Action.case_id == cases.c.id)
        .group_by(cases.c.id)
        .subquery("action_counts")
    )


def case_facts(people: list[int] | None):
    """The case_facts rows of these people (None: everyone). Each case is read once (a
    MATERIALIZED common table expression) and joined to what it needs by grouped joins:
    PostgreSQL answers those by hashing, SQLite by a search of an index per case."""
    cases = (
        _of_people(
            select(
                Case.id,
                Case.person_id,
                Case.team_id,
                Case.cohort,
                Case.opened_on,
                Case.closed_on,
                Case.referral_match,
                Case.owner_id,
                Case.closure_agreed,
                Case.closure_outcome,
                Case.transferred_from_case_id,
                previous_closed_case().label("previous_id"),
            ),
            Case,
            people,
        )
        .cte("fact_cases")
        .prefix_with("MATERIALIZED")
    )
    changes = owner_changes(cases)
    first_demand, back, actions = first_demands(cases), came_back(cases), action_counts(cases)
    first_change, previous, origin = aliased(OwnershipChange), aliased(Case), aliased(Case)
    origin_demand = first_demands(cases, "origin_first_demands")
    closed = cases.c.closed_on.is_not(None)
    # A case that continues another team's (a transfer) counts from that case's first
    # demand, so the person's journey is one span, counted once (ADR 0033).
    first_on = func.coalesce(
        origin_demand.c.received_on,
        origin.opened_on,
        first_demand.c.received_on,
        cases.c.opened_on,
    )
    return (
        select(
            cases.c.id,
            cases.c.person_id,
            cases.c.team_id,
            cases.c.cohort,
            cases.c.opened_on,
            cases.c.closed_on,
            cases.c.referral_match,
            # A case with no recorded change (possible only for records made elsewhere)
            # falls back on its current owner.
            func.coalesce(first_change.to_id, cases.c.owner_id),
            cases.c.previous_id,
            previous.owner_id,
            func.coalesce(changes.c.handoffs, 0),
            func.coalesce(cases.c.closure_agreed, false()),
            case((closed, days_between(cases.c.closed_on, first_on))),
            case((closed, back.c.id.is_not(None))),
            case((closed, func.coalesce(cases.c.closure_outcome, literal("agreed")))),
            *(func.coalesce(actions.c[name], 0) for name in ACTION_COUNTS),
            # the person's cases are in two or more teams (the cases read are all theirs)
            func.min(cases.c.team_id).over(partition_by=cases.c.person_id)
            != func.max(cases.c.team_id).over(partition_by=cases.c.person_id),
        )
        .select_from(cases)
        .outerjoin(changes, changes.c.case_id == cases.c.id)
        .outerjoin(first_change, first_change.id == changes.c.first_id)
        .outerjoin(previous, previous.id == cases.c.previous_id)
        .outerjoin(first_demand, first_demand.c.case_id == cases.c.id)
        .outerjoin(origin, origin.id == cases.c.transferred_from_case_id)
        .outerjoin(origin_demand, origin_demand.c.case_id == cases.c.transferred_from_case_id)
        .outerjoin(back, back.c.id == cases.c.id)
        .outerjoin(actions, actions.c.case_id == cases.c.id)
    )


def case_cost_facts(people: list[int] | None):
    """The case_cost_facts rows of these people (None: everyone): each case's practitioner
    minutes recorded (its conversations) and the costs of its asks granted, in pence."""
    minutes = select(Conversation.case_id, func.sum(Conversation.minutes).label("minutes"))
    minutes = minutes.where(Conversation.entered_in_error_at.is_(None))
    granted = select(Ask.case_id, func.sum(Ask.cost_pence).label("pence"))
    granted = granted.where(Ask.status == "yes")
    if people is not None:  # only these people's cases: never a sum over every conversation
        theirs = select(Case.id).where(Case.person_id.in_(people))
        minutes = minutes.where(Conversation.case_id.in_(theirs))
        granted = granted.where(Ask.case_id.in_(theirs))
    minutes = minutes.group_by(Conversation.case_id).subquery("case_minutes")
    granted = granted.group_by(Ask.case_id).subquery("asks_granted")
    query = (
        select(
            Case.id,
            Case.person_id,
            Case.team_id,
            Case.cohort,
            Case.closed_on,
            func.coalesce(minutes.c.minutes, 0),
            func.coalesce(granted.c.pence, 0),
        )
        .outerjoin(minutes, minutes.c.case_id == Case.id)
        .outerjoin(granted, granted.c.case_id == Case.id)
    )
    return _of_people(query, Case, people)


DEMAND_COLUMNS = (
    *("demand_id", "person_id", "team_id", "cohort", "received_on", "kind", "repeat"),
    *("previous_on", "previous_in_cohort_on"),
)
CASE_COLUMNS = (  # in the order case_facts() selects them
    *("case_id", "person_id", "team_id", "cohort", "opened_on", "closed_on", "referral_match"),
    *("first_owner_id", "previous_case_id", "previous_owner_id", "handoffs", "agreed", "days"),
    *("returned", "outcome", *(f"actions_{name}" for name in ACTION_COUNTS), "in_two_teams"),
)
COST_COLUMNS = ("case_id", "person_id", "team_id", "cohort", "closed_on", "minutes", "asks_pence")
FACT_TABLES = (
    (DemandFact, demand_facts, DEMAND_COLUMNS),
    (CaseFact, case_facts, CASE_COLUMNS),
    (CaseCostFact, case_cost_facts, COST_COLUMNS),
)
COST_TABLES = FACT_TABLES[2:]  # all a conversation's minutes or an ask's cost can change


# Keeping them current -----------------------------------------------------------------


def refresh(session: Session, people: Iterable[int], tables=FACT_TABLES) -> None:
    """Work out these people's facts again (of `tables`: by default every fact table), in
    the session's transaction."""
    people = sorted(set(people))
    if not people:
        return
    _lock(session, people)
    for start in range(0, len(people), CHUNK):
        _write(session, people[start : start + CHUNK], tables)


def rebuild(session: Session) -> None:
    """Work out every fact again and record the look-back used; in the session's transaction.

    The indexes are made again after the rows go in, as a bulk load does, and then the
    planner's statistics of both tables (dropping an index drops its statistics, and
    without statistics SQLite may not choose the facts' covering indexes)."""
    _lock(session, None)
    connection = session.connection()
    indexes = [index for model, *_ in FACT_TABLES for index in model.__table__.indexes]
    for index in indexes:
        index.drop(connection)
    _write(session, None)
    for index in indexes:
        index.create(connection)
    for model, *_ in FACT_TABLES:  # the planner's statistics, made again
        session.execute(text(f"ANALYZE {model.__tablename__}"))
    session.execute(delete(MeasureFactsState))
    session.add(MeasureFactsState(id=1, lookback_days=lookback_days(), format=FACTS_FORMAT))
    session.flush()


def _write(session: Session, people: list[int] | None, tables=FACT_TABLES) -> None:
    for model, rows, columns in tables:
        if people is None:
            session.execute(delete(model))
            session.execute(insert(model).from_select(columns, rows(None)))
            continue
        gone, made = _for_people(model, lookback_days())
        connection = session.connection()  # Core, not an ORM bulk insert of the parameters
        connection.execute(gone, {"people": people})
        connection.execute(made, {"people": people})


@functools.cache
def _for_people(model, lookback: int) -> tuple:
    """The delete and insert that work out some people's facts of one table, built once
    (per look-back, which the repeat rule reads) with the people as a parameter: a visit's
    refresh runs them, not the building of the statements, inside the write's lock."""
    rows, columns = next((rows, columns) for m, rows, columns in FACT_TABLES if m is model)
    people = bindparam("people", expanding=True)
    gone = delete(model).where(model.person_id.in_(people))
    return gone, insert(model).from_select(columns, rows(people))


def _lock(session: Session, people: list[int] | None) -> None:
    """PostgreSQL: the advisory locks described above, held to the end of the transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if people is None:
        session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, 0)))
        return
    session.execute(select(func.pg_advisory_xact_lock_shared(LOCK_SPACE, 0)))
    for person in people:  # in order, so two transactions never wait on each other in a ring
        session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, person)))


def ensure_current(session: Session) -> bool:
    """Before counting: the facts of what this transaction changed, and every fact again if
    they were built with another look-back, in another format or never (then committed at
    once, and True is returned)."""
    refresh_marked(session)
    state = session.get(MeasureFactsState, 1)
    if state is not None and (state.lookback_days, state.format) == (lookback_days(), FACTS_FORMAT):
        return False
    rebuild(session)
    session.commit()
    return True


def for_reporting(session: Session) -> None:
    """Before any figure, list or chart: current facts, then the reporting settings."""
    ensure_current(session)
    reporting_settings(session)


# Marking people as their records change ------------------------------------------------

MARKED = "measure_facts_people"
MARKED_CASES = "measure_facts_cases"
MARKED_COSTS = "measure_facts_cost_cases"


def mark(
    session: Session,
    people: Iterable[int] = (),
    cases: Iterable[int] = (),
    costs: Iterable[int] = (),
) -> None:
    """These people's facts (or those of the people of these cases) are worked out again
    before the transaction commits; of the people of `costs` cases, only the cost facts."""
    for key, ids in ((MARKED, people), (MARKED_CASES, cases), (MARKED_COSTS, costs)):
        session.info.setdefault(key, set()).update(i for i in ids if i is not None)


def refresh_marked(session: Session) -> None:
    """The marked people's facts. A visit logged changes only its case's cost (its minutes):
    only the cost facts are worked out again, two statements rather than six, as logging a
    visit is the commonest write of all."""
    session.flush()
    people = session.info.pop(MARKED, set())
    cases = session.info.pop(MARKED_CASES, set())
    costs = session.info.pop(MARKED_COSTS, set())
    owners: dict[int, int] = {}
    if cases or costs:
        owners = dict(
            session.execute(select(Case.id, Case.person_id).where(Case.id.in_(cases | costs))).all()
        )
    people |= {owners[c] for c in cases if c in owners}
    refresh(session, people)
    refresh(session, {owners[c] for c in costs if c in owners} - people, COST_TABLES)


def _changed(record, names: tuple[str, ...]) -> list:
    """The values, old and new, of the watched columns that changed (empty: none did)."""
    state = inspect(record)
    values = []
    for name in names:
        history = state.attrs[name].history
        if history.added or history.deleted:
            values.extend([*history.added, *history.deleted])
    return values


def _costs_something(record) -> bool:
    """A conversation with minutes, or an ask granted: only these move a case's cost facts
    when they come or go (a conversation without minutes costs nothing to keep)."""
    if isinstance(record, Conversation):
        return bool(record.minutes)
    return isinstance(record, Ask) and record.status == "yes"


@event.listens_for(FlaskSession, "after_flush")
def _mark_changes(session: Session, _context) -> None:
    for record in [*session.new, *session.deleted]:
        if isinstance(record, (Demand, Case)):
            mark(session, people=[record.person_id])
        elif isinstance(record, (OwnershipChange, Action)):
            mark(session, cases=[record.case_id])
        elif _costs_something(record):
            mark(session, costs=[record.case_id])
    for record in session.dirty:
        names = WATCHED.get(type(record))
        if names is None or not _changed(record, names):
            continue
        if isinstance(record, Person):
            mark(session, people=[record.id, *_changed(record, ("merged_into_id",))])
        elif isinstance(record, Action):
            mark(session, cases=[record.case_id, *_changed(record, ("case_id",))])
        elif isinstance(record, COST_RECORDS):
            mark(session, costs=[record.case_id, *_changed(record, ("case_id",))])
        else:
            mark(session, people=[record.person_id, *_changed(record, ("person_id",))])


@event.listens_for(FlaskSession, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    refresh_marked(session)


@event.listens_for(FlaskSession, "after_rollback")
def _forget_marks(session: Session) -> None:
    session.info.pop(MARKED, None)
    session.info.pop(MARKED_CASES, None)
    session.info.pop(MARKED_COSTS, None)
