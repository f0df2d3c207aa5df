"""The background people: a story from a theme (themes/*.toml), told the way their team works.

Riverside, the pilot: one named worker, what matters in the person's words, actions
split between the person and the team, closure by agreement, and people who come
back asking for the same worker. Northgate, usual practice: the referral taken at
face value, one case per referral, and people referred again and again.

Dates and choices come from the locality's dice, so the same seed tells the same
stories; the order of the throws is part of the demo (change it and the locality
changes).
"""

from __future__ import annotations

from . import data
from .locality import Locality

# Demand kinds a background referral is given: the pilot's first; usual practice's first
# and later ones; and the kind of a late return to usual practice.
PILOT_KINDS = (("value", None, "failure"), (0.75, 0.2, 0.05))
USUAL_FIRST_KINDS = (("value", None), (0.8, 0.2))
USUAL_LATER_KINDS = (("failure", "value", None), (0.5, 0.3, 0.2))
RETURN_KINDS = ("failure", "value", None)


def play(locality: Locality, entry: dict, theme: dict) -> None:
    """Tell one background person's story: `entry` is their step in the background scene."""
    team = locality.team_config(entry["team"])
    story = Pilot if team["cohort"] == "pilot" else Usual
    story(locality, entry, theme, team).tell()


class _Story:
    def __init__(self, locality: Locality, entry: dict, theme: dict, team: dict):
        self.locality, self.entry, self.theme, self.team = locality, entry, theme, team
        self.rng, self.staff = locality.rng, locality.staff
        self.given = entry["given"]
        self.p = data.pronouns(entry["sex"], entry["given"])
        self.manager = self.staff[team["manager"]]
        self.person = None

    def add_person(self, recorder, ago: int):
        e = self.entry
        self.person = self.locality.person(
            recorder,
            ago,
            e["given"],
            e["family"],
            e["sex"],
            e["age"],
            nhs=e.get("nhs_number", True),
        )

    def text(self, template: str, **more) -> str:
        return template.format(**self.p, **more)

    def referral(self, recorder, ago: int, demand: dict, kind, expect: str):
        return self.locality.demand(
            self.person,
            recorder,
            ago,
            demand["source"],
            demand["channel"],
            self.text(demand["text"]),
            kind=kind,
            expect=expect,
        )


class Pilot(_Story):
    """Riverside: one worker from the first visit to an agreed closure."""

    def tell(self) -> None:
        rng, t, loc = self.rng, self.theme, self.locality
        owner = (
            self.staff[t["lead"]]
            if rng.random() < 0.7
            else self.staff[rng.choice(self.team["workers"])]
        )
        start = rng.randint(15, 120) if rng.random() < 0.4 else rng.randint(120, 430)
        by_manager = rng.random() < 0.3
        recorder = self.manager if by_manager else owner
        self.add_person(recorder, start)
        need = rng.choice(t["need"])
        kind = rng.choices(*PILOT_KINDS)[0]
        case = self.referral(recorder, start, need, kind, "new_case")
        visit = start - rng.randint(2, 5)
        if by_manager:
            note = self.text(rng.choice(self.team["allocations"]), owner=owner.name)
            loc.hand(case, self.manager, start - 1, owner, note)
        if rng.random() < 0.25:
            worse = {
                "source": rng.choice(self.team["worse_news_from"]),
                "channel": "phone",
                "text": self.team["worse_news"],
            }
            self.referral(self.manager, visit + 1, worse, "value", "open_case")
        loc.talk(
            case,
            owner,
            visit,
            self.text(t["first"]),
            matters=t["matters"][0],
            minutes=rng.choice((45, 60, 75, 90)),
        )
        match = rng.choices([*t["match"], "yes"], (5, 3, 2))[0]
        loc.judge(case, owner, visit, match, self.text(t["real"]))
        self.agree_and_close(case, owner, visit)

    def agree_and_close(self, case, owner, visit: int) -> None:
        rng, t, loc = self.rng, self.theme, self.locality
        second = visit - rng.randint(7, 18)
        if second >= 1:
            loc.talk(
                case,
                owner,
                second,
                self.text(t["second"]),
                matters=t["matters"][1],
                minutes=rng.choice((30, 45, 60)),
            )
        else:
            second = visit
        agreed = []
        for a in t["action"]:
            doer = self.staff[a.get("who") or t["lead"]] if a["by"] == "team" else None
            assignee = doer if doer is not owner else None
            action = loc.act(
                case,
                owner,
                second,
                self.text(a["text"]),
                by=a["by"],
                assignee=assignee,
                due_in=-(second - rng.randint(10, 28)),
            )
            agreed.append((action, assignee or owner, a["status"], self.text(a["outcome"])))
        closing = second - rng.randint(30, 75)
        if closing < 2:  # still open: the first action done, the rest agreed
            action, worker, status, outcome = agreed[0]
            if second - 7 >= 0:
                loc.settle(action, worker, second - 7, status, outcome)
            return
        for action, worker, status, outcome in agreed:
            loc.settle(action, worker, rng.randint(closing + 1, second - 1), status, outcome)
        agreement = self.text(rng.choice(self.team["agreements"]))
        loc.close(case, owner, closing, agreement, self.text(t["close"]))
        self.come_back(owner, closing)

    def come_back(self, owner, closing: int) -> None:
        """Some ring again months later, asking for the worker they know."""
        back = closing - self.rng.randint(60, 220)
        if self.rng.random() < 0.35 and back >= 0:
            asking = {
                "source": "The person",
                "channel": "phone",
                "text": self.text(self.team["come_back"], worker=owner.name.split()[0]),
            }
            case = self.referral(self.manager, back, asking, "value", "same_worker")
            reply = self.text(self.team["come_back_reply"])
            self.locality.talk(case, owner, max(back - 2, 0), reply, kind="phone", minutes=15)


class Usual(_Story):
    """Northgate: a case per referral, each closed against the referral, and back again."""

    def tell(self) -> None:
        rng = self.rng
        fixed = self.entry.get("owner")  # one case only, owned by this worker
        self.fixed = fixed is not None
        demands = 1 if self.fixed else rng.choices((1, 2, 3, 4), (2, 3, 3, 2))[0]
        self.first_owner = self.staff[fixed] if self.fixed else self.worker()
        day = rng.randint(300 if self.fixed else 420, 720)
        closing = None
        for number in range(demands):
            closing = self.one_referral(number, day)
            if closing is None:
                return
            day = closing - rng.randint(40, 200)
            if day < 1:
                break
        else:
            self.comes_back_recently(closing)

    def worker(self):
        return self.staff[self.rng.choice(self.team["workers"])]

    def one_referral(self, number: int, day: int) -> int | None:
        """The referral's case from demand to closure: the day it closed, or None if it did
        not get that far (the story ends there)."""
        rng, t, loc = self.rng, self.theme, self.locality
        by_manager = rng.random() < 0.4
        recorder = (
            self.manager if by_manager else (self.first_owner if number == 0 else self.worker())
        )
        if self.person is None:
            self.add_person(recorder, day)
        if number == 0:
            need = rng.choice(t["need"])
            kind = rng.choices(*USUAL_FIRST_KINDS)[0]
        else:
            need = rng.choice(t["repeat"])
            kind = rng.choices(*USUAL_LATER_KINDS)[0]
        expect = "new_case" if number == 0 else "same_worker"
        case = self.referral(recorder, day, need, kind, expect)
        owner = case.owner
        if owner is None:
            if day < 12:
                return None
            owner = self.first_owner
            allocated = day - rng.randint(3, 10)
            note = self.text(rng.choice(self.team["allocations"]), owner=owner.name)
            loc.hand(case, self.manager, allocated, owner, note)
        contact = day - rng.randint(12, 24)
        if contact < 1:
            return None
        if rng.random() < 0.35:
            chased = contact + rng.randint(1, 4)
            self.referral(self.manager, chased, t["chase"], "failure", "open_case")
        known = self.text(self.team["known"], number=number + 1) if number else ""
        loc.talk(
            case,
            owner,
            contact,
            known + self.text(t["usual_notes"]),
            kind=rng.choice(("phone", "phone", "visit")),
            minutes=rng.choice((10, 15, 20, 30, 45)),
        )
        if rng.random() < 0.4:
            loc.judge(case, owner, contact, "yes", self.text(need["text"]))
        return self.act_and_close(case, owner, contact)

    def act_and_close(self, case, owner, contact: int) -> int | None:
        rng, t, loc = self.rng, self.theme, self.locality
        if t.get("usual_action"):
            action = t["usual_action"]
            agreed = loc.act(
                case, owner, contact, self.text(action["text"]), due_in=-(contact - 14)
            )
            if contact - 5 >= 1:
                done = contact - rng.randint(3, 5)
                loc.settle(agreed, owner, done, "done", self.text(action["outcome"]))
        closing = contact - rng.randint(7, 25)
        if closing < 1:
            return None
        agreement = self.text(rng.choice(self.team["agreements"]))
        loc.close(case, owner, closing, agreement, self.text(t["usual_close"]))
        return closing

    def comes_back_recently(self, closing: int) -> None:
        """Some come back again, recently: a new case with the same worker, still open."""
        rng = self.rng
        day = rng.randint(4, 60)
        if rng.random() < 0.5 and day < closing and not self.fixed:
            need = rng.choice(self.theme["repeat"])
            case = self.referral(self.manager, day, need, rng.choice(RETURN_KINDS), "same_worker")
            if day > 3:
                reply = self.text(self.team["come_back_reply"])
                self.locality.talk(case, case.owner, day - 3, reply, kind="phone", minutes=5)
