"""The demo's corrections (ADR 0037): steps of a scene that mark a record entered in error
and add a late note to a closed case, through the same domain functions as the app.

    in_error    what (conversation, action or demand), reason; a conversation by its
                `notes`, an action by its act's `action` id, a demand by its `need`;
                person (their latest case, not the scene's)
    late_note   note; person (their latest case, which must be closed)
"""

from __future__ import annotations

import datetime as dt

from ..corrections.service import add_late_note, mark_entered_in_error
from .locality import DemoError


def _case(scene, s: dict):
    return scene.locality.latest_case(s["person"]) if "person" in s else scene.case


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _record(scene, s: dict):
    case, what = _case(scene, s), s["what"]
    if what == "action":
        return scene.named[s["action"]]
    if what == "conversation":
        found = [c for c in case.conversations if _clean(c.notes) == _clean(s["notes"])]
    else:
        found = [d for d in case.demands if _clean(d.stated_need) == _clean(s["need"])]
    if len(found) != 1:
        raise DemoError(f"{scene.name}: no single {what} of that text in the case")
    return found[0]


def in_error_step(scene, s: dict) -> None:
    loc = scene.locality
    loc.at(s["ago"])
    record = mark_entered_in_error(
        loc.session, s["what"], _record(scene, s), scene.staff(s["by"]), reason=s["reason"]
    )
    record.entered_in_error_at = loc.when  # the demo's moment, not the loading's


def late_note_step(scene, s: dict) -> None:
    loc = scene.locality
    day: dt.date = loc.at(s["ago"])
    note = add_late_note(loc.session, _case(scene, s), scene.staff(s["by"]), note=s["note"])
    note.written_on, note.written_at = day, loc.when


STEPS = {"in_error": in_error_step, "late_note": late_note_step}
