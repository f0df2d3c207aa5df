"""Trials: created, paused, resumed and ended by an administrator, every change audited.

Plain values in, records out: the pages, the API, the CLI and the demo call these."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, clock
from ..exceptions import DomainError, InvalidValue
from ..models import Team, User
from ..rules import (
    NO_SUCH_TEAM,
    NO_TRIAL_NAME,
    SAME_TEAM_TWICE,
    SHARE_RANGE,
    TRIAL_NAME,
    clean_text,
)
from .models import Trial

MOVES = {  # status now -> the moves open to it
    "running": ("paused", "ended"),
    "paused": ("running", "ended"),
    "ended": (),
}
MOVE_WORDS = {"paused": "paused", "running": "resumed", "ended": "ended"}


def find(session: Session, name: str) -> Trial | None:
    return session.scalar(select(Trial).where(Trial.name == name))


def trials(session: Session) -> list[Trial]:
    return list(session.scalars(select(Trial).order_by(Trial.start_on.desc(), Trial.name)))


def _team(session: Session, value, field: str, errors: dict) -> Team | None:
    if isinstance(value, Team):
        return value
    team = None
    if isinstance(value, str) and value.strip():
        team = session.scalar(select(Team).where(Team.name == value.strip()))
    elif isinstance(value, int) and not isinstance(value, bool):
        team = session.get(Team, value)
    if team is None:
        errors[field] = NO_SUCH_TEAM
    return team


def _share(value, errors: dict) -> float | None:
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = math.nan
    if isinstance(value, bool) or not 0 < share < 1:
        errors["share"] = SHARE_RANGE
        return None
    return share


def create(
    session: Session,
    *,
    name,
    pilot_team,
    usual_team,
    share,
    start_on: dt.date | None,
    by: User | None,
) -> Trial:
    """A new running trial, or InvalidValue naming each thing to fix (nothing saved)."""
    errors: dict[str, str] = {}
    name = clean_text(name, "name", errors, required=NO_TRIAL_NAME, limit=TRIAL_NAME)
    if name and find(session, name) is not None:
        errors["name"] = "A trial with this name already exists: choose another name"
    pilot = _team(session, pilot_team, "pilot_team", errors)
    usual = _team(session, usual_team, "usual_team", errors)
    if pilot is not None and usual is not None and pilot.id == usual.id:
        errors["usual_team"] = SAME_TEAM_TWICE
    share = _share(share, errors)
    start_on = clock.today() if start_on is None else start_on
    if not isinstance(start_on, dt.date):
        errors["start_on"] = "Enter the start date as a real date"
    if errors:
        raise InvalidValue("Check the trial's details", errors)
    trial = Trial(
        name=name,
        pilot_team_id=pilot.id,
        usual_team_id=usual.id,
        share=share,
        start_on=start_on,
        status="running",
        created_by_id=by.id if by else None,
    )
    session.add(trial)
    session.flush()
    audit.record(
        "create",
        "trial",
        trial.id,
        user=by,
        name=name,
        pilot_team=pilot.name,
        usual_team=usual.name,
        share=share,
        start_on=start_on.isoformat(),
    )
    return trial


def move(session: Session, trial: Trial, to: str, *, by: User | None) -> Trial:
    """Pause, resume or end a trial (an ended trial stays ended)."""
    if to not in MOVES.get(trial.status, ()):
        raise DomainError(
            f"The trial is {trial.status}: it cannot be {MOVE_WORDS.get(to, to)} now",
            {"status": f"The trial cannot be {MOVE_WORDS.get(to, to)}"},
        )
    before, trial.status = trial.status, to
    if to == "ended":
        trial.ended_on = clock.today()
    session.flush()
    audit.record("update", "trial", trial.id, user=by, status=[before, to])
    return trial
