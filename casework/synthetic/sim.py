"""What the simulation of the generated history is made of: its dice, its moments, and the
workers, teams, cases and transfers it keeps in memory until their rows are written."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field


def expand(pairs) -> tuple:
    """A table to pick from at random in which each value appears as often as its weight."""
    return tuple(value for value, weight in pairs for _ in range(weight))


class Dice(random.Random):  # noqa: S311 - made-up history, not secrets
    """random.Random with the two draws the simulation makes millions of times, made cheap."""

    def pick(self, choices):
        return choices[int(self.random() * len(choices))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))


_MORNINGS: dict[dt.date, dt.datetime] = {}
_MINUTES = [dt.timedelta(minutes=n) for n in range(24 * 60)]


def at(day: dt.date, minutes: int) -> dt.datetime:
    """A moment on a working day: 08:00 plus some minutes, in UTC."""
    morning = _MORNINGS.get(day)
    if morning is None:
        morning = _MORNINGS[day] = dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.UTC)
    return morning + _MINUTES[minutes]


@dataclass
class Worker:
    id: int
    team_id: int
    left_on: dt.date | None = None  # the day they left the team (inactive now)

    def active_on(self, day: dt.date) -> bool:
        return self.left_on is None or day < self.left_on


@dataclass
class TeamPlan:
    id: int
    name: str
    cohort: str
    manager_id: int
    workers: list[Worker] = field(default_factory=list)


@dataclass
class TransferSim:
    """A case's transfer to another team: asked, then accepted, declined or still waiting."""

    to_team: TeamPlan
    reason: str
    requested_at: dt.datetime
    status: str = "pending"
    answered_at: dt.datetime | None = None
    answer_reason: str | None = None
    new_case: CaseSim | None = None  # accepted: the receiving team's case


@dataclass
class CaseSim:
    """A case while it is being simulated; its row is made once ids are known."""

    person_id: int
    team: TeamPlan
    opened_on: dt.date
    closes_on: dt.date | None  # None: still open today
    owner: Worker | None
    id: int = 0
    changes: list[tuple] = field(default_factory=list)  # (moment, from, to, reason, by)
    outcome: str = "agreed"  # how it closes, if it does (rules.CLOSURE_OUTCOMES)
    transfer: TransferSim | None = None  # the transfer asked of it, if any
    transferred_from: CaseSim | None = None  # the case it continues (an accepted transfer)
    # Accepted away: what the new case takes on (what matters, the open team actions).
    carried: tuple | None = None


def open_on(cases: list[CaseSim], day: dt.date) -> CaseSim | None:
    """The case among these open on the day, if any (a person has one per team)."""
    return next(
        (c for c in cases if c.opened_on <= day and (c.closes_on is None or day < c.closes_on)),
        None,
    )
