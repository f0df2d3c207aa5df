"""The demo's transfers between teams and the other endings of a case: steps of a scene.

transfer    by, ago, team (the receiving team's name), reason; to_owner (a staff key);
            person (their open case, else the scene's); id (for a later accept or decline)
accept      transfer (its id), by, ago, owner (a staff key): the scene's case becomes the
            new case in the receiving team
decline     transfer (its id), by, ago, reason
end         by, ago, outcome (died, moved_away or declined_support), note; summary;
            person (their open case, else the scene's)
"""

from __future__ import annotations

from ..cases.service import close_case
from ..transfers.service import accept_transfer, decline_transfer, request_transfer


def _case(scene, s: dict):
    return scene.locality.open_case(s["person"]) if "person" in s else scene.case


def transfer(scene, s: dict) -> None:
    loc = scene.locality
    case = _case(scene, s)
    loc.at(s["ago"])
    asked = request_transfer(
        loc.session,
        case,
        scene.staff(s["by"]),
        to_team=loc.teams[s["team"]],
        reason=s["reason"],
        to_owner=scene.staff(s.get("to_owner")),
    )
    asked.requested_at = loc.when
    scene.named[s["id"]] = asked


def accept(scene, s: dict) -> None:
    loc = scene.locality
    asked = scene.named[s["transfer"]]
    day = loc.at(s["ago"])
    scene.case = accept_transfer(
        loc.session, asked, scene.staff(s["by"]), owner=scene.staff(s["owner"]), on=day
    )
    asked.answered_at = loc.when


def decline(scene, s: dict) -> None:
    loc = scene.locality
    asked = scene.named[s["transfer"]]
    loc.at(s["ago"])
    decline_transfer(loc.session, asked, scene.staff(s["by"]), reason=s["reason"])
    asked.answered_at = loc.when


def end(scene, s: dict) -> None:
    """A case ends without agreement: the person died, moved away or declined support."""
    loc = scene.locality
    case = _case(scene, s)
    day = loc.at(s["ago"])
    case.updated_at = loc.when
    close_case(
        loc.session,
        case,
        scene.staff(s["by"]),
        outcome=s["outcome"],
        note=s["note"],
        summary=s.get("summary"),
        closed_on=day,
    )


STEPS = {"transfer": transfer, "accept": accept, "decline": decline, "end": end}
