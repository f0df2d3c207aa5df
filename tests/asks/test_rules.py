"""The rules of asking: what an ask needs, money kept exactly, answers that stand, and the
lists in the order a manager and a practitioner need them."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from casework import clock
from casework.asks import service
from casework.asks.service import AlreadyDecided, decide, parse_pounds, pounds, withdraw
from casework.cases.service import close_case
from casework.exceptions import AlreadyClosed, InvalidValue, ReasonRequired, StaleVersion
from casework.extensions import db
from casework.models import Ask, AuditEvent
from casework.pagination import PER_PAGE
from tests.asks.conftest import make_ask
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("250", 25_000),
        ("£250", 25_000),
        ("£ 1,250.50", 125_050),
        ("1250.5", 125_050),
        ("0.07", 7),
        ("0", 0),
        ("1,000,000", 100_000_000),
        ("", None),
        ("   ", None),
    ],
)
def test_a_cost_typed_in_pounds_is_kept_exactly_in_pence(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    "typed", ["-5", "12.345", "1e3", "twelve", "1,00", "£", "1,000,000.01", "NaN", "12.", "٣"]
)
def test_a_cost_that_is_not_money_is_refused_in_words(typed):
    with pytest.raises(ValueError, match="cost"):
        parse_pounds(typed)


def test_money_reads_as_pounds():
    assert (pounds(25_000), pounds(125_050), pounds(7), pounds(None)) == (
        "£250",
        "£1,250.50",
        "£0.07",
        "",
    )


def test_an_ask_records_who_asked_what_and_why_and_is_audited(case, practitioner):
    ask = make_ask(
        case, practitioner, cost_pence=12_550, needed_by=clock.today() + dt.timedelta(days=7)
    )
    assert (ask.status, ask.team_id, ask.asked_by_id, ask.cost_pence) == (
        "open",
        case.team_id,
        practitioner.id,
        12_550,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "ask"))
    assert (event.action, event.entity_id, event.person_id, event.user_id) == (
        "create",
        ask.id,
        case.person_id,
        practitioner.id,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"what": "  "}, "what"),
        ({"why": ""}, "why"),
        ({"what": "x" * 201}, "what"),
        ({"kind": "money"}, "kind"),
        ({"cost_pence": -1}, "cost"),
        ({"cost_pence": 100_000_001}, "cost"),
        ({"cost_pence": True}, "cost"),
        ({"needed_by": clock.today() - dt.timedelta(days=1)}, "needed_by"),
        ({"needed_by": "tomorrow"}, "needed_by"),
    ],
)
def test_an_ask_without_what_it_needs_is_refused_and_not_saved(case, practitioner, fields, field):
    values = {"what": "Taxi to clinic", "why": "No bus", "kind": "resource", **fields}
    with pytest.raises(InvalidValue) as refused:
        service.ask_manager(db.session, case, practitioner, **values)
    db.session.rollback()
    assert field in refused.value.fields
    assert db.session.scalar(select(Ask.id)) is None


def test_an_ask_needed_today_is_fine(case, practitioner):
    assert make_ask(case, practitioner, needed_by=clock.today()).needed_by == clock.today()


def test_a_closed_case_takes_no_new_asks(case, practitioner):
    close_case(
        db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed", summary=""
    )
    db.session.commit()
    with pytest.raises(AlreadyClosed):
        make_ask(case, practitioner)


def test_the_manager_answers_with_a_reason_and_the_answer_is_recorded(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    decide(db.session, ask, manager, decision="yes", reason="Worth it", version=ask.version)
    db.session.commit()
    assert (ask.status, ask.reason, ask.decided_by_id) == ("yes", "Worth it", manager.id)
    assert ask.decided_at is not None
    assert service.days_to_decide(ask) == 0
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "ask").order_by(AuditEvent.id)
    ).all()[-1]
    assert (event.action, event.detail["decision"], event.user_id) == ("update", "yes", manager.id)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_answer_without_a_reason_is_refused(case, practitioner, manager, reason):
    ask = make_ask(case, practitioner)
    with pytest.raises(ReasonRequired):
        decide(db.session, ask, manager, decision="no", reason=reason)
    db.session.rollback()
    assert db.session.get(Ask, ask.id).status == "open"


def test_an_answer_is_yes_or_no(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    with pytest.raises(InvalidValue) as refused:
        decide(db.session, ask, manager, decision="maybe", reason="Let us see")
    assert "decision" in refused.value.fields


def test_an_answer_is_never_silently_replaced(case, practitioner, manager, team):
    ask = make_ask(case, practitioner)
    decide(db.session, ask, manager, decision="no", reason="Not this month")
    db.session.commit()
    other_manager = make_user(team, "manager", name="Nia Second")
    with pytest.raises(AlreadyDecided, match="already answered no by Morgan Manager"):
        decide(db.session, ask, other_manager, decision="yes", reason="Changed my mind")
    db.session.rollback()
    assert (db.session.get(Ask, ask.id).status, ask.reason) == ("no", "Not this month")


def test_a_withdrawn_ask_cannot_be_answered(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    seen = ask.version
    withdraw(db.session, ask, practitioner, version=seen)
    db.session.commit()
    with pytest.raises(AlreadyDecided, match="withdrawn"):
        decide(db.session, ask, manager, decision="yes", reason="Fine", version=seen)


def test_an_answer_from_an_out_of_date_page_is_refused(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    with pytest.raises(StaleVersion):
        decide(db.session, ask, manager, decision="yes", reason="Fine", version=ask.version + 1)


def test_two_answers_racing_past_the_check_collide_on_the_version(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    # Another manager's answer lands between this one's check and its write.
    db.session.execute(
        update(Ask).where(Ask.id == ask.id).values(version=Ask.version + 1),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(StaleVersion):
        decide(db.session, ask, manager, decision="yes", reason="Fine", version=ask.version)


def test_the_asker_may_withdraw_an_open_ask_but_not_an_answered_one(case, practitioner, manager):
    ask = make_ask(case, practitioner)
    withdraw(db.session, ask, practitioner)
    db.session.commit()
    assert ask.status == "withdrawn" and ask.withdrawn_at is not None
    assert service.days_to_decide(ask) is None  # a withdrawal is not a decision
    answered = make_ask(case, practitioner, what="Key safe")
    decide(db.session, answered, manager, decision="yes", reason="Yes")
    db.session.commit()
    with pytest.raises(AlreadyDecided):
        withdraw(db.session, answered, practitioner)


def _backdate(ask, days_ago: int, decided_after: int | None = None):
    asked = clock.now() - dt.timedelta(days=days_ago)
    ask.asked_at = asked
    if decided_after is not None:
        ask.decided_at = asked + dt.timedelta(days=decided_after)
    db.session.commit()


def test_the_managers_list_is_the_teams_open_asks_oldest_first_with_their_age(
    case, practitioner, manager, team
):
    newer = make_ask(case, practitioner, what="Newer")
    oldest = make_ask(case, practitioner, what="Oldest")
    middle = make_ask(case, practitioner, what="Middle")
    answered = make_ask(case, practitioner, what="Answered")
    decide(db.session, answered, manager, decision="yes", reason="Fine")
    for ask, days in ((newer, 1), (oldest, 12), (middle, 5), (answered, 30)):
        _backdate(ask, days)
    south = make_team("South")
    south_worker = make_user(south)
    south_case = make_demand(make_person(south_worker), south_worker)[0].case
    make_ask(south_case, south_worker, what="Theirs")

    page = service.open_asks(db.session, team.id)
    assert [a.what for a in page.items] == ["Oldest", "Middle", "Newer"]
    assert page.total == 3
    assert [service.age_days(a) for a in page.items] == [12, 5, 1]


def test_the_open_list_goes_a_page_at_a_time(case, practitioner, team):
    for n in range(PER_PAGE + 1):
        service.ask_manager(
            db.session, case, practitioner, kind="resource", what=f"Ask {n}", why="Needed"
        )
    db.session.commit()
    first, second = (service.open_asks(db.session, team.id, n) for n in (1, 2))
    assert (len(first.items), first.has_next, first.total) == (PER_PAGE, True, PER_PAGE + 1)
    assert [a.what for a in second.items] == [f"Ask {PER_PAGE}"]


def test_recent_decisions_latest_first_and_the_time_each_took(case, practitioner, manager, team):
    quick = make_ask(case, practitioner, what="Quick")
    slow = make_ask(case, practitioner, what="Slow")
    old = make_ask(case, practitioner, what="Long ago")
    for ask in (quick, slow, old):
        decide(db.session, ask, manager, decision="no" if ask is slow else "yes", reason="R")
    _backdate(quick, 2, decided_after=1)
    _backdate(slow, 20, decided_after=6)
    _backdate(old, 200, decided_after=3)
    page = service.recent_decisions(db.session, team.id)
    assert [a.what for a in page.items] == ["Quick", "Slow"]
    assert [service.days_to_decide(a) for a in page.items] == [1, 6]
    figures = service.decision_figures(db.session, team.id)
    assert figures == {"days": 90, "decided": 2, "yes": 1, "no": 1, "median_days": 3.5}


def test_a_practitioner_lists_their_own_asks_waiting_first(case, practitioner, manager, team):
    colleague = make_user(team, name="Sam Colleague")
    mine_answered = make_ask(case, practitioner, what="Answered")
    decide(db.session, mine_answered, manager, decision="yes", reason="Fine")
    db.session.commit()
    make_ask(case, practitioner, what="Waiting")
    make_ask(case, colleague, what="Not mine")
    assert [a.what for a in service.asks_by(db.session, practitioner).items] == [
        "Waiting",
        "Answered",
    ]
