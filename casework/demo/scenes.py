"""Playing a scene: each step of a scene file (scenes/*.toml), through the domain functions.

A step is a table whose `do` says what happens; `by` is the staff member who does it
(a key of locality.toml's [staff]) and `ago` how many days before today. A scene has
a person (the latest `person` step) and a case (the one the latest `demand` went to);
the steps that follow are about them. An action or a barrier given an `id` can be
named by a later step of the same scene.

    person      given, family, sex (F or M), age; contact (else one picked at random);
                nhs_number = false when not known
    demand      source, channel, need, expect (open_case, same_worker, new_case or
                passed_to_owner); kind (value, the default; failure; unsure); owner
                (chosen at intake); pass_to (the worker in another team whose open case
                of the person it is passed to; the scene's case is then theirs)
    talk        notes; kind (visit, the default; phone, meeting...); matters; with_whom;
                minutes; person (their latest case, not the scene's); present (names
                from the person's circle who were there); plan (a plan step's id: the
                planned contact it was)
    judge       match (yes, partly, no), real (the real problem)
    act         text; done_by (team, the default, or person); assignee; due_in (days
                from today, negative for the past); id
    settle      action (an act's id), status (done or dropped), outcome
    hand        to, reason
    close       agreement, summary
    leave       who (their open cases then need a new owner)
    purpose     team, purpose, principles, rules
    ask         person (their open case), kind, what, why, cost_pence, needed_in;
                answered_by, answered_after (days), answer, reason
    barrier     id, title, kind, org, detail
    met         barrier, person (their latest case), cost
    move        barrier, status, reason
    story       person (their latest case, marked as a story to share)
    background  given, family, sex, age, theme, team; nhs_number; owner (see background.py)
    caution     person, category, text, review_in (days from today)
    circle      person, name, relationship; role, organisation, phone, email, may_contact,
                notes
    consent     person, decision (given or refused), scope; expires_in (days from today,
                negative for an expired one)
    costs, trial, trial_intake   a trial between the teams (see trial_steps.py)
    transfer, accept, decline, end   transfers between teams and the other endings of a
                case (see transfer_steps.py)
    plan        a contact planned in a worker's diary (see diary_steps.py)
    in_error, late_note          records put right (see correction_steps.py)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..admin.service import deactivate_user
from ..asks.service import ask_manager, decide
from ..barriers.service import create_barrier, link_case, move_barrier
from ..purpose.service import save as save_purpose
from ..safety import service as safety
from ..stories.service import mark_story
from . import background, correction_steps, diary_steps, transfer_steps, trial_steps
from .locality import DemoError, Locality

# A demand's `kind` in a scene: value or failure demand, or "unsure" (not decided yet).
DEMAND_KINDS = {"value": "value", "failure": "failure", "unsure": None}


class Scene:
    def __init__(self, locality: Locality, name: str, themes: dict[str, dict]):
        self.locality, self.name, self.themes = locality, name, themes
        self.person = None
        self.case = None
        self.named: dict[str, object] = {}  # actions and barriers, by their `id`

    def play(self, steps: list[dict]) -> None:
        for number, step in enumerate(steps, 1):
            what = step.get("do")
            if what not in STEPS:
                raise DemoError(f"{self.name}, step {number}: there is no step called {what!r}")
            try:
                STEPS[what](self, step)
            except KeyError as missing:
                raise DemoError(
                    f"{self.name}, step {number} ({what}): {missing} is missing or unknown"
                ) from missing

    def staff(self, key: str | None):
        return None if key is None else self.locality.staff[key]


def _person(scene: Scene, s: dict) -> None:
    scene.person = scene.locality.person(
        scene.staff(s["by"]),
        s["ago"],
        s["given"],
        s["family"],
        s["sex"],
        s["age"],
        nhs=s.get("nhs_number", True),
        contact=s.get("contact", ""),
    )


def _demand(scene: Scene, s: dict) -> None:
    scene.case = scene.locality.demand(
        scene.person,
        scene.staff(s["by"]),
        s["ago"],
        s["source"],
        s["channel"],
        s["need"],
        kind=DEMAND_KINDS[s.get("kind", "value")],
        owner=scene.staff(s.get("owner")),
        expect=s["expect"],
        pass_to=_their_open_case(scene, s.get("pass_to")),
    )


def _their_open_case(scene: Scene, key: str | None):
    """The scene's person's open case owned by that worker (a demand passed to them)."""
    if key is None:
        return None
    worker = scene.staff(key)
    case = next((c for c in scene.person.cases if c.is_open and c.owner_id == worker.id), None)
    if case is None:
        raise DemoError(f"{scene.person.name} has no open case owned by {worker.name}")
    return case


def _talk(scene: Scene, s: dict) -> None:
    """A conversation in the scene's case, or in the latest case of `person`; `present`
    names who from the person's circle was there."""
    loc = scene.locality
    case = loc.latest_case(s["person"]) if "person" in s else scene.case
    circle = {m.name: m.id for m in safety.network(loc.session, case.person)}
    loc.talk(
        case,
        scene.staff(s["by"]),
        s["ago"],
        s["notes"],
        kind=s.get("kind", "visit"),
        matters=s.get("matters"),
        with_whom=s.get("with_whom"),
        minutes=s.get("minutes"),
        present=[circle[name] for name in s.get("present", ())],
        plan_id=scene.named[s["plan"]].id if "plan" in s else None,
    )


def _judge(scene: Scene, s: dict) -> None:
    scene.locality.judge(scene.case, scene.staff(s["by"]), s["ago"], s["match"], s["real"])


def _act(scene: Scene, s: dict) -> None:
    action = scene.locality.act(
        scene.case,
        scene.staff(s["by"]),
        s["ago"],
        s["text"],
        by=s.get("done_by", "team"),
        assignee=scene.staff(s.get("assignee")),
        due_in=s.get("due_in"),
    )
    if "id" in s:
        scene.named[s["id"]] = action


def _settle(scene: Scene, s: dict) -> None:
    action = scene.named[s["action"]]
    scene.locality.settle(action, scene.staff(s["by"]), s["ago"], s["status"], s.get("outcome"))


def _hand(scene: Scene, s: dict) -> None:
    by, to = scene.staff(s["by"]), scene.staff(s["to"])
    scene.locality.hand(scene.case, by, s["ago"], to, s["reason"])


def _close(scene: Scene, s: dict) -> None:
    by = scene.staff(s["by"])
    scene.locality.close(scene.case, by, s["ago"], s["agreement"], s["summary"])


def _leave(scene: Scene, s: dict) -> None:
    """A member of staff leaves (their open cases then need a new owner)."""
    scene.locality.at(s["ago"])
    deactivate_user(scene.locality.session, scene.staff(s["who"]), scene.staff(s["by"]))


def _purpose(scene: Scene, s: dict) -> None:
    """A manager writes down what the team works by."""
    loc = scene.locality
    loc.at(s["ago"])
    save_purpose(
        loc.session,
        loc.teams[s["team"]],
        scene.staff(s["by"]),
        purpose=s["purpose"],
        principles="\n".join(s["principles"]),
        rules="\n".join(s["rules"]),
        version=0,
    )


def _ask(scene: Scene, s: dict) -> None:
    """An ask of the manager for the person's open case; answered `answered_after` days on."""
    loc = scene.locality
    case = loc.open_case(s["person"])
    loc.at(s["ago"])
    needed_in = s.get("needed_in")
    ask = ask_manager(
        loc.session,
        case,
        scene.staff(s["by"]),
        kind=s["kind"],
        what=s["what"],
        why=s["why"],
        cost_pence=s.get("cost_pence"),
        needed_by=loc.today + dt.timedelta(days=needed_in) if needed_in else None,
    )
    if "answer" in s:
        loc.at(s["ago"] - s["answered_after"])
        answerer = scene.staff(s["answered_by"])
        decide(loc.session, ask, answerer, decision=s["answer"], reason=s["reason"])
        ask.decided_at = ask.updated_at = loc.when


def _barrier(scene: Scene, s: dict) -> None:
    loc, by = scene.locality, scene.staff(s["by"])
    loc.at(s["ago"])
    scene.named[s["id"]] = create_barrier(
        loc.session,
        by.team,
        by,
        title=s["title"],
        kind=s["kind"],
        owner_org=s["org"],
        description=s["detail"],
    )


def _met(scene: Scene, s: dict) -> None:
    """A person's latest case met the barrier, at this cost to them."""
    loc = scene.locality
    case = loc.latest_case(s["person"])
    loc.at(s["ago"])
    link_case(loc.session, scene.named[s["barrier"]], case, scene.staff(s["by"]), cost=s["cost"])


def _move(scene: Scene, s: dict) -> None:
    loc, barrier = scene.locality, scene.named[s["barrier"]]
    loc.at(s["ago"])
    barrier.updated_at = loc.when
    move_barrier(
        loc.session,
        barrier,
        scene.staff(s["by"]),
        status=s["status"],
        reason=s.get("reason"),
        version=None,
    )


def _story(scene: Scene, s: dict) -> None:
    """A person's latest case marked as a story to share."""
    loc = scene.locality
    case = loc.latest_case(s["person"])
    loc.at(s["ago"])
    mark_story(loc.session, case, scene.staff(s["by"]))


def _background(scene: Scene, s: dict) -> None:
    background.play(scene.locality, s, scene.themes[s["theme"]])


def _caution(scene: Scene, s: dict) -> None:
    """A caution on the person's record, to be looked at again `review_in` days from today."""
    loc = scene.locality
    day = loc.at(s["ago"])
    safety.raise_flag(
        loc.session,
        scene.staff(s["by"]),
        loc.person_named(s["person"]),
        category=s["category"],
        text=s["text"],
        review_on=loc.today + dt.timedelta(days=s["review_in"]),
        today=day,
    )


def _circle(scene: Scene, s: dict) -> None:
    """Someone in the person's circle."""
    loc = scene.locality
    loc.at(s["ago"])
    details = {name: s[name] for name in safety.NETWORK_FIELDS if name in s}
    safety.add_member(loc.session, scene.staff(s["by"]), loc.person_named(s["person"]), details)


def _consent(scene: Scene, s: dict) -> None:
    """The person's decision about sharing, made `ago` days before today."""
    loc = scene.locality
    day = loc.at(s["ago"])
    expires_in = s.get("expires_in")
    safety.record_consent(
        loc.session,
        scene.staff(s["by"]),
        loc.person_named(s["person"]),
        decision=s["decision"],
        scope=s["scope"],
        recorded_on=day,
        expires_on=None if expires_in is None else loc.today + dt.timedelta(days=expires_in),
        today=day,
    )


STEPS: dict[str, Callable[[Scene, dict], None]] = {
    "person": _person,
    "demand": _demand,
    "talk": _talk,
    "judge": _judge,
    "act": _act,
    "settle": _settle,
    "hand": _hand,
    "close": _close,
    "leave": _leave,
    "purpose": _purpose,
    "ask": _ask,
    "barrier": _barrier,
    "met": _met,
    "move": _move,
    "story": _story,
    "background": _background,
    "caution": _caution,
    "circle": _circle,
    "consent": _consent,
    **trial_steps.STEPS,
    **transfer_steps.STEPS,
    **diary_steps.STEPS,
    **correction_steps.STEPS,
}
