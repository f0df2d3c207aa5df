"""The demo's working day: a step of a scene that plans a contact in a worker's diary.

    plan    person (their open case, which becomes the scene's case: later `act` and
            `talk` steps are about it), by, ago (the day it was planned), due_in (days
            from today, negative for the past: an overdue plan), kind (visit, phone,
            check_in, review), note; id, so that a later `talk` step with
            `plan = "<id>"` fulfils it

Planned through the same rule as the pages (diary.service.plan_contact), as of the day it
was planned: a date before that day is refused, as it would have been then.
"""

from __future__ import annotations

import datetime as dt

from ..diary.models import Plan
from ..diary.service import plan_contact
from .locality import STAMPED

STAMPED[Plan] = ("created_at", "updated_at")


def plan_step(scene, s: dict) -> None:
    loc = scene.locality
    case = scene.case = loc.open_case(s["person"])
    day = loc.at(s["ago"])
    plan = plan_contact(
        loc.session,
        case,
        scene.staff(s["by"]),
        due_on=loc.today + dt.timedelta(days=s["due_in"]),
        kind=s.get("kind", "visit"),
        note=s.get("note"),
        today=day,
    )
    if "id" in s:
        scene.named[s["id"]] = plan


STEPS = {"plan": plan_step}
