"""The demo's test and learn: steps of a scene that run a trial between the two teams.

    costs           team, by, ago: the team's example cost catalogue (trials/examples.py),
                    labelled as examples, never a real price
    trial           name, pilot, usual, share, ago (its first day), by
    trial_intake    trial, by, people, from_ago, to_ago; given, family (names to pick from);
                    back (the chance a person comes back within the follow-up, by arm),
                    minutes (the range of a conversation's minutes, by arm),
                    open_days (how long a case stays open, by arm), usual_owner (who takes
                    the usual team's cases), counterfactual (the share of the pilot's closed
                    cases whose owner records what the usual system would have done)

The draws come from the locality's dice for the length of `trial_intake`, so the same
seed loads the same demo; everywhere else a draw is the operating system's randomness.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..cases.service import change_owner
from ..trials import allocation, costs, examples, service
from ..trials.allocation import record_trial_demand
from .locality import Locality

NEED = "Struggling at home since a stay in hospital"


def costs_step(scene, s: dict) -> None:
    loc = scene.locality
    loc.at(s["ago"])
    for service_name, pounds, per in examples.CATALOGUE:
        costs.set_cost(
            loc.session,
            loc.teams[s["team"]],
            service_name,
            pounds,
            per=per,
            source=examples.SOURCE,
            example=True,
            by=scene.staff(s["by"]),
        )


def trial_step(scene, s: dict) -> None:
    loc = scene.locality
    scene.named[s["name"]] = service.create(
        loc.session,
        name=s["name"],
        pilot_team=loc.teams[s["pilot"]],
        usual_team=loc.teams[s["usual"]],
        share=s["share"],
        start_on=loc.at(s["ago"]),
        by=scene.staff(s["by"]),
    )


@contextmanager
def seeded_draws(loc: Locality):
    kept = allocation.RANDOM
    allocation.RANDOM = loc.rng
    try:
        yield
    finally:
        allocation.RANDOM = kept


def intake_step(scene, s: dict) -> None:
    """`people` new people recorded into the trial, drawn, their cases worked and closed,
    some coming back (routed by the rule: not_randomised)."""
    loc, trial, by = scene.locality, scene.named[s["trial"]], scene.staff(s["by"])
    days = sorted(
        (loc.rng.randint(s["to_ago"], s["from_ago"]) for _ in range(s["people"])), reverse=True
    )
    with seeded_draws(loc):
        for ago in days:
            given, sex = loc.rng.choice(s["given"])
            family = loc.rng.choice(s["family"])
            person = loc.person(by, ago, given, family, sex, loc.rng.randint(65, 92))
            demand, _, placed = record_trial_demand(
                loc.session,
                trial,
                person=person,
                recorder=by,
                received_on=loc.at(ago),
                source="GP",
                channel="phone",
                stated_need=NEED,
                kind="value",
            )
            _work(scene, s, demand.case, placed.allocation, ago)
            if loc.rng.random() < s["back"][placed.allocation]:
                again = ago - loc.rng.randint(20, 150)
                record_trial_demand(
                    loc.session,
                    trial,
                    person=person,
                    recorder=by,
                    received_on=loc.at(max(again, 0)),
                    source="The person",
                    channel="phone",
                    stated_need="Things have slipped again",
                    kind="failure",
                )


def _work(scene, s: dict, case, arm: str, ago: int) -> None:
    """A conversation, then closure by agreement `open_days` later (when that is past)."""
    loc = scene.locality
    if case.owner is None:
        manager = scene.staff(loc.team_config(case.team.name)["manager"])
        loc.at(ago)
        change_owner(
            loc.session, case, manager, new_owner=scene.staff(s["usual_owner"]), reason="Allocated"
        )
    low, high = s["minutes"][arm]
    loc.talk(
        case,
        case.owner,
        ago,
        "First visit: talked through what would help.",
        minutes=loc.rng.randint(low, high),
    )
    low, high = s["open_days"][arm]
    closing = ago - loc.rng.randint(low, high)
    if closing < 0:
        return
    loc.close(case, case.owner, closing, "Agreed on the last visit.", "Settled at home.")
    if arm == "pilot" and loc.rng.random() < s["counterfactual"]:
        picked = loc.rng.sample(examples.USUAL_PATHWAY, loc.rng.randint(1, 3))
        items = [
            {"service": name, "count": loc.rng.randint(low, high)} for name, low, high in picked
        ]
        costs.record_counterfactual(
            loc.session, case, items, "What the usual pathway would have done", by=case.owner
        )


STEPS = {"costs": costs_step, "trial": trial_step, "trial_intake": intake_step}
