"""What the printable evaluation report shows beside the trial's results: the cost of the
journey of each team since the trial started, the monthly cost per closed case as an SPC
chart with the start marked, the barriers removed and the stories the pilot team chose."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..measures.charts import xmr_chart
from ..measures.populations import Filters
from ..measures.series import bucket_starts, rebase_index
from ..models import Barrier
from ..stories.service import narrative, team_stories
from .costs import cost_of_journey, monthly_cost
from .models import Trial

STORIES = 5


def report_context(session: Session, trial: Trial) -> dict:
    today = clock.today()
    since = Filters(trial.start_on, today)
    year_before = Filters(min(trial.start_on - dt.timedelta(days=365), today), today)
    costs = {
        team.name: cost_of_journey(session, Filters(trial.start_on, today, team_id=team.id))
        for team in (trial.pilot_team, trial.usual_team)
    }
    charts = []
    for team in (trial.pilot_team, trial.usual_team):
        f = Filters(year_before.start, today, team_id=team.id)
        starts = bucket_starts(f, "month")
        values = monthly_cost(session, f, starts)
        if values is None:
            continue
        charts.append(
            xmr_chart(
                title=f"Cost per closed case, {team.name} (£)",
                description="The mean actual cost of the cases closed each month; the limits "
                "are worked out again from the month the trial started.",
                labels=[f"{start:%B %Y}" for start in starts],
                values=values,
                better=None,
                unit="count",
                rebase_at=rebase_index(starts, trial.start_on),
            )
        )
    barriers = list(
        session.scalars(
            select(Barrier)
            .where(Barrier.team_id.in_(trial.team_ids), Barrier.status == "removed")
            .order_by(func.coalesce(Barrier.updated_at, Barrier.created_at).desc())
        )
    )
    stories = [narrative(s.case) for s in team_stories(session, trial.pilot_team_id).items][
        :STORIES
    ]
    return {
        "costs": costs,
        "cost_charts": charts,
        "barriers": barriers,
        "stories": stories,
        "since": since,
    }
