"""The demo's barriers and story: believable, through the same rules, and shown on the board."""

from __future__ import annotations

from sqlalchemy import select

from casework.barriers.service import board
from casework.extensions import db
from casework.models import Barrier, Story, Team
from casework.stories.service import narrative


def test_the_demo_has_barriers_one_removed_with_a_reason_and_one_story(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    riverside = db.session.scalar(select(Team).where(Team.name == "Riverside"))
    rows = board(db.session, riverside.id)
    assert rows[0].cases == 2 and rows[0].barrier.kind == "handoff"
    assert [r.cases for r in rows] == sorted((r.cases for r in rows), reverse=True)
    removed = db.session.scalars(select(Barrier).where(Barrier.status == "removed")).one()
    assert removed.status_reason and [m.to_status for m in removed.moves] == [
        "raised",
        "with_leader",
        "removed",
    ]
    story = db.session.scalars(select(Story)).one()
    assert not story.case.is_open
    told = narrative(story.case)
    assert story.case.person.given_name not in repr(told)
    assert len(told.barriers) == 2
