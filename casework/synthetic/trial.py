"""A trial, a cost catalogue and some counterfactuals in the generated history.

The generator places each person in a team at random, so between the first two teams (the
first a pilot team, the second usual practice) a person's first new case since the trial
began is as good as a draw with share 0.5: it is recorded as one (the number drawn is
made to agree with the arm). A demand that joined an open case or went back to the same
worker is `not_randomised`, as the routing rule would have had it. Every team gets the
example catalogue (labelled as examples); about a third of the pilot teams' closed cases
get what the usual system would have done.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..trials.examples import CATALOGUE, SOURCE, USUAL_PATHWAY
from .history import COLUMNS as HISTORY
from .history import History
from .sim import at

TRIAL_DAYS = 365
COUNTERFACTUAL_SHARE = 0.35
COLUMNS = {
    "trials": (
        "id", "name", "pilot_team_id", "usual_team_id", "share", "start_on", "status",
        "created_by_id", "created_at",
    ),
    "trial_allocations": (
        "id", "trial_id", "demand_id", "allocation", "draw", "recorded_by_id", "recorded_at",
    ),
    "cost_items": (
        "id", "team_id", "service", "unit_pence", "per", "source", "example", "updated_by_id",
        "updated_at",
    ),
    "counterfactuals": ("id", "case_id", "note", "recorded_by_id", "recorded_at"),
    "counterfactual_items": ("id", "counterfactual_id", "cost_item_id", "count"),
}  # fmt: skip


def trial_and_costs(history: History) -> dict[str, list[tuple]]:
    """The rows of COLUMNS' tables, from the history's own rows (after `finish`)."""
    rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
    pilot, usual = history.teams[0], history.teams[1]
    start = history.today - dt.timedelta(days=TRIAL_DAYS)
    rows["trials"].append(
        (1, "Home first", pilot.id, usual.id, 0.5, start, "running", 1, at(start, 0))
    )
    _allocations(history, rows["trial_allocations"], (pilot.id, usual.id), start)
    prices = _catalogues(history, rows["cost_items"])
    _counterfactuals(history, rows, prices)
    return rows


def _allocations(history: History, out: list, teams: tuple[int, int], start: dt.date) -> None:
    rng, drawn = history.rng, set()
    names = ("id", "person_id", "team_id", "received_on", "routed_by", "recorded_by_id")
    where = [HISTORY["demands"].index(name) for name in (*names, "recorded_at")]
    for demand in history.rows["demands"]:
        did, person_id, team_id, received_on, routed_by, recorder, moment = (
            demand[i] for i in where
        )
        if team_id not in teams or received_on < start:
            continue
        if routed_by != "new_case" or person_id in drawn:
            allocation, number = "not_randomised", None
        else:
            drawn.add(person_id)
            pilot = team_id == teams[0]
            allocation = "pilot" if pilot else "usual"
            number = rng.random() * 0.5 + (0 if pilot else 0.5)
        out.append((len(out) + 1, 1, did, allocation, number, recorder, moment))


def _catalogues(history: History, out: list) -> dict[int, list[tuple[int, str]]]:
    """Each team's example catalogue; returns each team's (item id, service)."""
    prices: dict[int, list[tuple[int, str]]] = {}
    for team in history.teams:
        for service, pounds, per in CATALOGUE:
            pence = int(Decimal(pounds) * 100)
            item = len(out) + 1
            out.append((item, team.id, service, pence, per, SOURCE, True, 1, at(history.start, 0)))
            prices.setdefault(team.id, []).append((item, service))
    return prices


def _counterfactuals(history: History, rows: dict, prices: dict) -> None:
    rng = history.rng
    pilots = {team.id for team in history.teams if team.cohort == "pilot"}
    where = [HISTORY["cases"].index(name) for name in ("id", "team_id", "owner_id", "closed_on")]
    for case in history.rows["cases"]:
        case_id, team_id, owner_id, closed_on = (case[i] for i in where)
        if team_id not in pilots or closed_on is None or rng.random() > COUNTERFACTUAL_SHARE:
            continue
        number = len(rows["counterfactuals"]) + 1
        moment = at(closed_on, 300)
        rows["counterfactuals"].append((number, case_id, None, owner_id, moment))
        by_name = {service: item for item, service in prices[team_id]}
        for service, low, high in rng.sample(USUAL_PATHWAY, rng.between(1, 3)):
            rows["counterfactual_items"].append(
                (len(rows["counterfactual_items"]) + 1, number, by_name[service],
                 rng.between(low, high))
            )  # fmt: skip
