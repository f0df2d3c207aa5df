"""`tell`: the one way a notification is made."""

import pytest

from casework.extensions import db
from casework.models import Notification
from casework.notifications.service import tell
from tests.conftest import make_demand, make_person, make_user


def notifications():
    return db.session.scalars(db.select(Notification).order_by(Notification.user_id)).all()


def test_each_worker_told_once_with_the_case_and_person(team, practitioner, manager):
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner)
    tell([manager, manager.id, practitioner], "recontact", text="A demand was routed to your case",
         case=demand.case)  # fmt: skip
    db.session.commit()
    made = notifications()
    assert [n.user_id for n in made] == sorted([practitioner.id, manager.id])
    assert {n.case_id for n in made} == {demand.case_id}
    assert {n.person_id for n in made} == {person.id}
    assert all(n.read_at is None and n.created_at is not None for n in made)


def test_the_actor_and_inactive_workers_are_not_told(team, practitioner, manager):
    gone = make_user(team)
    gone.active = False
    db.session.commit()
    made = tell([practitioner, manager, gone], "allocated", text="A case was given to you",
                actor=practitioner)  # fmt: skip
    db.session.commit()
    assert [n.user_id for n in made] == [manager.id]
    assert [n.user_id for n in notifications()] == [manager.id]


def test_nothing_is_kept_unless_the_caller_commits(team, practitioner, manager):
    tell([manager], "allocated", text="A case was given to you")
    db.session.rollback()
    assert notifications() == []


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        ("gossip", "Something happened", "Unknown notification kind"),
        ("allocated", "x" * 301, "300"),
    ],
)
def test_an_unknown_kind_or_overlong_text_is_a_programming_error(
    team, manager, kind, text, problem
):
    with pytest.raises(ValueError, match=problem):
        tell([manager], kind, text=text)
