"""`action_overdue`: each open team action past its due date, told to its assignee once."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, update_action
from casework.extensions import db
from casework.models import Notification
from casework.notifications.overdue import tell_overdue
from tests.conftest import make_demand, make_person, make_user


@pytest.fixture
def colleague(team):
    return make_user(team, name="Sam Lee")


@pytest.fixture
def case(practitioner):
    person = make_person(practitioner, given_name="Winifred")
    return make_demand(person, practitioner, stated_need="Pressure sores")[0].case


def action(case, by_user, *, days_ago, by="team", assignee=None, description="Order a bed"):
    made = add_action(db.session, case, by_user, description=description, by=by, assignee=assignee)
    made.due_on = clock.today() - dt.timedelta(days=days_ago)
    db.session.commit()
    return made


def overdue_notes():
    return db.session.scalars(
        select(Notification).where(Notification.kind == "action_overdue").order_by(Notification.id)
    ).all()


def run():
    count = tell_overdue(db.session)
    db.session.commit()
    return count


def test_an_overdue_team_action_is_told_to_its_assignee_once(practitioner, colleague, case):
    late = action(case, practitioner, days_ago=1, assignee=colleague)
    assert run() == 1
    assert run() == 0
    [note] = overdue_notes()
    assert (note.user_id, note.case_id) == (colleague.id, case.id)
    assert f"action #{late.id}" in note.text and f"case #{case.id}" in note.text
    assert "bed" not in note.text and "Winifred" not in note.text


def test_only_open_team_actions_past_their_date(practitioner, colleague, case):
    action(case, practitioner, days_ago=0, assignee=colleague)  # due today: not yet overdue
    action(case, practitioner, days_ago=3, by="person")  # the person's own
    done = action(case, practitioner, days_ago=3, assignee=colleague)
    update_action(db.session, done, practitioner, status="done", outcome="Delivered")
    db.session.commit()
    assert run() == 0
    assert overdue_notes() == []


def test_a_deactivated_assignee_is_not_told(practitioner, colleague, case):
    action(case, practitioner, days_ago=2, assignee=colleague)
    colleague.active = False
    db.session.commit()
    assert run() == 0


def test_a_re_dated_action_that_falls_overdue_again_is_told_again(practitioner, colleague, case):
    late = action(case, practitioner, days_ago=5, assignee=colleague)
    run()
    late.due_on = clock.today() - dt.timedelta(days=1)
    db.session.commit()
    assert run() == 1
    assert run() == 0
    assert len(overdue_notes()) == 2


def test_notify_overdue_on_the_command_line(runner, practitioner, colleague, case):
    action(case, practitioner, days_ago=1, assignee=colleague)
    result = runner.invoke(args=["notify", "overdue"])
    assert result.exit_code == 0
    assert "Told 1 worker of an overdue action" in result.output
    result = runner.invoke(args=["notify", "overdue"])
    assert "Told 0 workers of an overdue action" in result.output
