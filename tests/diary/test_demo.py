"""The demo's working day: Eleisha's diary has contacts due today, an overdue plan and an
overdue action, and a plan her visit fulfilled; the dates are relative to the day it loads."""

from sqlalchemy import select

from casework import clock
from casework.diary import service
from casework.diary.models import Plan
from casework.extensions import db
from casework.models import User


def test_the_demo_has_a_working_day(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    eleisha = db.session.scalar(select(User).where(User.name == "Eleisha Ward"))
    diary = service.diary(db.session, eleisha)
    today = clock.today()
    due_today = [p.case.person.name for p in diary.plans if p.due_on == today]
    assert sorted(due_today) == ["Irene Thomas", "Kamal Patel"]
    assert any(diary.overdue(p) for p in diary.plans)
    assert any(diary.overdue(a) for a in diary.actions)
    (done,) = db.session.scalars(select(Plan).where(Plan.status == "done")).all()
    assert done.done_by_conversation.held_on == done.due_on
    assert done.done_by_conversation.recorded_by_id == eleisha.id
