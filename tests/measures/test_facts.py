"""The measures' facts kept at write time (casework/measures/facts.py) always equal the facts
worked out again from scratch, whatever happened to the records and in whatever order."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select, update

from casework import create_app
from casework.extensions import db
from casework.measures import facts
from casework.measures.figures import compute
from casework.models import CaseFact, Demand, DemandFact, MeasureFactsState, Person, User
from casework.people.merge import merge_people, undo_merge
from tests.conftest import _config, make_demand, make_person
from tests.measures.test_reference import LOOKBACK, START, build_history, random_steps


def kept_facts() -> tuple[list, list]:
    """Every fact row as it stands, in a fixed order."""
    session = db.session
    demands = session.execute(select(DemandFact).order_by(DemandFact.demand_id)).scalars()
    cases = session.execute(select(CaseFact).order_by(CaseFact.case_id)).scalars()
    columns = (facts.DEMAND_COLUMNS, facts.CASE_COLUMNS)
    rows = []
    for records, names in zip((demands, cases), columns, strict=True):
        rows.append([tuple(getattr(record, name) for name in names) for record in records])
    return rows[0], rows[1]


def worked_out_again() -> tuple[list, list]:
    db.session.expire_all()
    facts.rebuild(db.session)
    db.session.commit()
    db.session.expire_all()
    return kept_facts()


@pytest.fixture(scope="module")
def database_template(databases, migrated_template, tmp_path_factory):
    return databases, migrated_template, tmp_path_factory.mktemp("facts")


@pytest.fixture
def history_app(databases, migrated_template, tmp_path):
    url = databases.fresh(migrated_template, tmp_path)
    app = create_app(_config(tmp_path, url, REPEAT_LOOKBACK_DAYS=LOOKBACK))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.release(url)


@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32), count=st.integers(20, 60))
def test_facts_kept_at_write_time_equal_facts_worked_out_again(database_template, seed, count):
    databases, template, folder = database_template
    url = databases.fresh(template, folder)
    app = create_app(_config(folder, url, REPEAT_LOOKBACK_DAYS=LOOKBACK))
    with app.app_context():
        try:
            build_history(random_steps(seed, count))
            kept = kept_facts()
            assert kept[0] and kept[1]  # the history made demands and cases
            assert kept == worked_out_again()
        finally:
            db.session.remove()
            db.engine.dispose()
            databases.release(url)


def test_a_merge_and_its_undoing_keep_the_facts_current(history_app):
    build_history(random_steps(7, 40))
    session = db.session
    admin = session.scalar(select(User).where(User.role == "admin"))
    keep, other = session.scalars(
        select(Person).where(Person.merged_into_id.is_(None)).order_by(Person.id).limit(2)
    ).all()
    assert session.scalar(select(Demand.id).where(Demand.person_id == other.id)) is not None
    event = merge_people(session, admin, keep=keep, other=other)
    session.commit()
    merged = kept_facts()
    assert not [row for row in merged[0] if row[1] == other.id]  # none left with the other
    assert merged == worked_out_again()

    undo_merge(session, admin, event)
    session.commit()
    undone = kept_facts()
    assert [row for row in undone[0] if row[1] == other.id]  # the other's demands are back
    assert undone == worked_out_again()


def test_another_look_back_builds_every_fact_again(history_app):
    build_history(random_steps(11, 40))
    session = db.session
    span = {"start": START, "end": START + dt.timedelta(days=400)}
    with_45 = compute(session, **span)["repeat_demand"]
    history_app.config["REPEAT_LOOKBACK_DAYS"] = 1
    with_1 = compute(session, **span)["repeat_demand"]
    assert session.get(MeasureFactsState, 1).lookback_days == 1
    assert with_1["total"] == with_45["total"]
    assert with_1["repeat"] < with_45["repeat"]  # fewer earlier demands within a day


def test_facts_of_another_format_are_built_again(history_app):
    """An app server of the code before an upgrade may rebuild (or refresh) the facts the
    old way after the migration; the state it writes has the column's default format, so
    the new code builds every fact again before counting."""
    build_history(random_steps(13, 30))
    session = db.session
    assert facts.ensure_current(session) is False  # built at write time, current
    session.get(MeasureFactsState, 1).format = 0  # as an older server's build leaves it
    session.execute(update(DemandFact).values(previous_on=None, previous_in_cohort_on=None))
    session.commit()
    assert facts.ensure_current(session) is True
    assert session.get(MeasureFactsState, 1).format == facts.FACTS_FORMAT
    assert kept_facts() == worked_out_again()
    assert session.scalar(select(func.count()).where(DemandFact.previous_on.is_not(None)))


def test_facts_are_built_the_first_time_the_measures_are_asked_for(history_app):
    build_history(random_steps(3, 30))
    session = db.session
    session.query(MeasureFactsState).delete()
    session.query(DemandFact).delete()
    session.commit()
    figures = compute(session, start=START, end=START + dt.timedelta(days=400))
    counted = session.query(Demand).join(Person).filter(Person.merged_into_id.is_(None)).count()
    assert figures["repeat_demand"]["total"] == counted == session.query(DemandFact).count()


def test_a_change_rolled_back_leaves_no_mark(history_app):
    build_history(random_steps(5, 20))
    session = db.session
    demand = session.scalar(select(Demand).limit(1))
    demand.received_on = demand.received_on - dt.timedelta(days=1)
    session.flush()
    assert session.info.get(facts.MARKED)
    session.rollback()
    assert not session.info.get(facts.MARKED)
    assert kept_facts() == worked_out_again()


def test_two_writers_to_one_person_at_once_leave_the_facts_current(app, practitioner, monkeypatch):
    """The first writer keeps its transaction open for a second after working out its facts;
    the second, adding an earlier demand for the same person meanwhile, must wait
    for it and then see both demands (PostgreSQL: the advisory lock; SQLite: one writer)."""
    person, team = make_person(practitioner), practitioner.team
    facts.rebuild(db.session)
    db.session.commit()
    real_refresh = facts.refresh

    def refresh_then_hold(session, people, *tables):
        real_refresh(session, people, *tables)
        if threading.current_thread().name == "first":
            time.sleep(1.0)  # the transaction is still open: its facts are not yet committed

    monkeypatch.setattr(facts, "refresh", refresh_then_hold)

    def write(received_on: dt.date) -> None:
        with app.app_context():
            db.session.add(
                Demand(
                    person_id=person.id,
                    team_id=team.id,
                    cohort="pilot",
                    received_on=received_on,
                    source="Old",
                    channel="letter",
                    stated_need="Legacy",
                    imported=True,
                )
            )
            db.session.commit()
            db.session.remove()

    first = threading.Thread(target=write, args=(dt.date(2026, 1, 10),), name="first")
    second = threading.Thread(target=write, args=(dt.date(2026, 1, 5),), name="second")
    first.start()
    time.sleep(0.3)
    second.start()
    first.join()
    second.join()
    db.session.expire_all()
    kept = kept_facts()
    repeat = facts.DEMAND_COLUMNS.index("repeat")
    assert [row[repeat] for row in kept[0]] == ["no_case", "first"]  # Jan 10 is the repeat
    assert kept == worked_out_again()


def test_build_facts_works_them_out_only_when_missing_or_stale(app, runner, practitioner):
    make_demand(make_person(practitioner), practitioner)
    assert db.session.get(MeasureFactsState, 1) is None  # as the migration leaves it
    first = runner.invoke(args=["build-facts"])
    assert first.exit_code == 0 and "Worked out the measures' facts" in first.output
    assert db.session.query(DemandFact).count() == 1
    again = runner.invoke(args=["build-facts"])
    assert "current: nothing to do" in again.output
    app.config["REPEAT_LOOKBACK_DAYS"] = 30
    stale = runner.invoke(args=["build-facts"])
    assert "Worked out" in stale.output
    db.session.expire_all()
    assert db.session.get(MeasureFactsState, 1).lookback_days == 30
    forced = runner.invoke(args=["build-facts", "--again"])
    assert forced.exit_code == 0 and "Worked out" in forced.output


def test_a_visit_works_out_only_its_cases_cost_facts_again(app, practitioner):
    """Logging a visit is the commonest write: its minutes change only the cost facts, so
    only those are worked out again (two statements, not six), and they stay right when the
    visit is marked entered in error."""
    from casework.cases.service import log_conversation
    from casework.clock import today
    from casework.corrections.service import mark_entered_in_error
    from casework.trials.models import CaseCostFact

    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner)
    facts.rebuild(db.session)
    db.session.commit()
    written: list[str] = []

    def note(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "DELETE")):
            written.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        visit = log_conversation(
            db.session,
            demand.case,
            practitioner,
            held_on=today(),
            kind="visit",
            minutes=45,
            with_whom="The person",
            notes="Talked about the garden",
        )
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    touched = {re.search(r"(?:INTO|FROM) (\w+)", s).group(1) for s in written}
    assert {"conversations", "case_cost_facts"} <= touched
    assert not touched & {"demand_facts", "case_facts"}
    assert db.session.get(CaseCostFact, demand.case_id).minutes == 45

    mark_entered_in_error(db.session, "conversation", visit, practitioner, reason="Wrong case")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CaseCostFact, demand.case_id).minutes == 0
