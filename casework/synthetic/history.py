"""Three years of made-up history at the size of a whole care system, simulated in memory.

The simulation follows the domain's rules, person by person and team by team,
so the records it makes are ones the app itself could have made:

- a person has at most one open case per team; a demand that arrives while
  one is open joins it (`open_case`);
- otherwise, when the person's last case in the team closed and its owner is
  still in the team, the new case goes to that worker (`same_worker`);
  else to a worker of the team (`new_case`), or it waits a few days for a
  manager to allocate it. The decision is the domain's own rule
  (demands/routing.route_kind), asked of the simulation's state;
- an owner who leaves the team hands their open cases on (a recorded change
  with a reason), and some cases change hands for other reasons;
- a few demands for someone with an open case in another team (and none in this one) are
  passed to the worker there (`passed_to_owner`), joining that case;
- a few cases are transferred to another team (most accepted: the case closes as
  `transferred` and a linked case opens there; some declined with a reason), and a case
  closes by agreement with the person, or because they declined support, died or moved
  away (endings.py, by the domain's transfer and close rules).

Demands per person are skewed as in real services: P(n ≥ k) = 1/k, capped
(about half the people come once, a few come dozens of times), about five
each on average. Rows are plain tuples in column order (see COLUMNS), ids
given in the order the records would have been made, so they can be
written in bulk (write.py), never row by row through the ORM.
"""

from __future__ import annotations

import datetime as dt
import math

from .. import clock
from ..demands.routing import FIRST_OWNER_REASON, route_kind
from . import endings
from .sim import CaseSim, Dice, TeamPlan, Worker, at, expand, open_on

YEARS = 3
MAX_DEMANDS = 80  # P(n >= k) = 1/k up to here: a mean of about five demands each
SECOND_TEAM_SHARE = 0.08  # people also known to a neighbouring team
AWAITING_ALLOCATION_SHARE = 0.04
HANDOFF_SHARE = 0.12
LEAVER_SHARE = 0.1
# Of the demands to a team for someone with an open case in another (and none here): passed
# to the worker there who already knows them (the routing rule's first step).
PASSED_SHARE = 0.4

LOCALITIES = (
    "Riverside", "Northgate", "Eastbrook", "Westfield", "Hillcrest", "Meadowvale",
    "Oakwood", "Southbank", "Ashby", "Brookside", "Castleton", "Denholme", "Elmstead",
    "Fairhaven", "Greystones", "Harbourside", "Ivybridge", "Kingsmead", "Longford",
    "Marshfield", "Netherton", "Orchard Park", "Priory", "Queensway",
)  # fmt: skip
GIVEN = (
    "Irene", "Margaret", "Jean", "Patricia", "Susan", "Linda", "Barbara", "Elizabeth",
    "Mary", "Joan", "Anne", "Sarah", "Karen", "Helen", "Aisha", "Fatima", "Priya",
    "Agnieszka", "Grace", "Chloe", "Emily", "Sophie", "Olivia", "Amelia", "John",
    "David", "Peter", "Michael", "Robert", "William", "James", "Thomas", "George",
    "Brian", "Kevin", "Paul", "Mark", "Mohammed", "Arjun", "Kwame", "Daniel", "Liam",
    "Ryan", "Jack", "Harry", "Oliver", "Noah", "Tomasz", "Ahmed", "Wei",
)  # fmt: skip
FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Ahmed", "Begum", "Hussain",
    "Shah", "Ali", "Singh", "Kaur", "Nowak", "Kowalski", "Okafor", "Mensah", "Osei",
    "Chen", "Wang", "Murphy", "Kelly", "O'Brien", "Byrne", "Hughes", "Lewis", "Morgan",
    "Price", "Hammond", "Marshall", "Ward", "Reed", "Kim", "Lovell",
)  # fmt: skip
STREETS = (
    "Mill Lane", "Canal Street", "Wharf Road", "Willow Close", "Bridge Street",
    "Chapel Street", "Victoria Terrace", "Hilltop Avenue", "Albert Road", "Moor Lane",
    "Beech Grove", "Station Approach", "Church Walk", "Park View", "High Street",
)  # fmt: skip
SOURCES = (
    ("GP", 30), ("Hospital discharge team", 15), ("Adult social care", 12),
    ("The person", 12), ("Family member", 10), ("District nurse", 6), ("Housing", 5),
    ("Police", 3), ("Community pharmacy", 4), ("Voluntary sector", 3),
)  # fmt: skip
CHANNELS = (
    ("phone", 40), ("referral_form", 25), ("email", 15), ("letter", 10),
    ("in_person", 6), ("other", 4),
)  # fmt: skip
NEEDS = (
    "Falls at home, needs a falls assessment",
    "Struggling with personal care since discharge",
    "Request for a package of care",
    "Carer breakdown, daughter can no longer cope",
    "Not managing medication, missed doses",
    "Wound care, leg ulcer not healing",
    "Loneliness and low mood, not leaving the house",
    "Equipment: needs a raised toilet seat and grab rails",
    "Hoarding, risk of fire reported by housing",
    "Frequent 999 calls, frequent attender",
    "Memory problems, family worried",
    "Debt and rent arrears, at risk of eviction",
)
KINDS = ((None, 15), ("value", 55), ("failure", 30))
WHAT_MATTERS = (
    "To stay in my own home with my cat.",
    "Being able to get dressed and cook for myself again.",
    "Getting to the allotment on Sundays.",
    "Not being a burden on my daughter.",
    "To feel safe at night.",
    "Seeing my grandchildren at the weekend.",
    "Going back to church and the lunch club.",
    "Sleeping in my own bed, upstairs.",
)
REAL_PROBLEMS = (
    "Lonely since her husband died; the falls came from not eating properly.",
    "The stairs, not the care: a stair rail and a bed downstairs for a while.",
    "Debt worries keeping him awake; the medication was the least of it.",
    "Her son moved away; nobody to help with shopping.",
)
WITH_WHOM = ("The person", "The person and their daughter", "The person and a neighbour", None)
CONVERSATION_KINDS = (("visit", 50), ("phone", 30), ("meeting", 8), ("video", 7), ("other", 5))
ACTIONS = {
    "person": (
        "Ask the neighbour about help with shopping",
        "Try the lunch club on Thursday",
        "Keep a note of when the dizziness happens",
        "Phone the GP surgery about the repeat prescription",
    ),
    "team": (
        "Order grab rails and a raised toilet seat",
        "Refer to the falls clinic",
        "Arrange a benefits check with the council",
        "Review the medication with the pharmacist",
        "Introduce to the befriending service",
    ),
}
HANDOFF_REASONS = ("Worker on long-term leave", "Skills better matched", "Caseload balanced")
LEFT_REASON = "Previous owner left the team"

# Column order of every table's rows: what write.py inserts.
COLUMNS = {
    "teams": ("id", "name", "cohort", "created_at"),
    "users": (
        "id", "email", "name", "role", "team_id", "password_hash", "active", "created_at",
    ),
    "people": (
        "id", "given_name", "family_name", "date_of_birth", "nhs_number", "phone",
        "address", "postcode", "preferred_contact", "registered_by_team_id", "version",
        "created_at", "updated_at",
    ),
    "cases": (
        "id", "person_id", "team_id", "cohort", "owner_id", "opened_on", "referral_match",
        "real_problem", *endings.CLOSURE, "version", "created_by_id", "created_at",
        "updated_at", "transferred_from_case_id",
    ),
    "transfers": endings.TRANSFER_COLUMNS,
    "demands": (
        "id", "person_id", "team_id", "case_id", "cohort", "received_on", "source",
        "channel", "stated_need", "kind", "routed_by", "imported", "recorded_by_id",
        "recorded_at",
    ),
    "ownership_changes": ("id", "case_id", "from_id", "to_id", "reason", "by_id", "at"),
    "conversations": (
        "id", "case_id", "held_on", "kind", "with_whom", "minutes", "what_matters", "notes",
        "recorded_by_id", "recorded_at",
    ),
    "actions": (
        "id", "case_id", "description", "by", "assignee_id", "assignee_team_id", "due_on",
        "status", "outcome", "version", "created_by_id", "created_at", "updated_by_id",
        "updated_at",
    ),
}  # fmt: skip
# The order they are written in: every foreign key points at a table written before.
TABLES = tuple(COLUMNS)


CONVERSATION_KIND_TABLE = expand(CONVERSATION_KINDS)
MATCHES = expand(((None, 25), ("yes", 26), ("partly", 27), ("no", 22)))
CLOSED_STATUSES = expand((("agreed", 15), ("done", 75), ("dropped", 10)))
OPEN_STATUSES = expand((("agreed", 60), ("done", 35), ("dropped", 5)))


def nhs_number(serial: int) -> str | None:
    """A valid NHS number from the test range (999...), or None when the check digit is 10."""
    digits = f"999{serial:06d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return None if check == 10 else digits + str(check)


class History:
    """The simulated system: teams, workers, people and every record of their history."""

    def __init__(self, people: int, seed: int = 1, today: dt.date | None = None):
        self.rng = Dice(seed)
        self.today = today or clock.today()
        self.start = self.today - dt.timedelta(days=YEARS * 365)
        self.people = people
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        self._cases: list[CaseSim] = []
        self._transfer_to: TeamPlan | None = None  # the person's, until one is asked
        self._demands: list[tuple] = []  # (received_on, minutes, row-without-id-and-case, case)
        self._children: dict[str, list[tuple]] = {
            t: [] for t in ("ownership_changes", "conversations", "actions")
        }
        self.teams: list[TeamPlan] = []
        self.sources = expand(SOURCES)
        self.channels = expand(CHANNELS)
        self.kinds = expand(KINDS)

    # Teams and workers -----------------------------------------------------------------

    def staff(self, password_hash: str) -> None:
        """Teams of both cohorts (one in four in the pilot), a manager and practitioners each,
        some of whom left during the three years; one administrator and one service lead."""
        team_count = max(4, min(len(LOCALITIES), self.people // 10_000))
        per_team = max(3, min(30, self.people // team_count // 400))
        created = at(self.start - dt.timedelta(days=30), 0)
        user_id = 0

        def user(email, name, role, team_id, active=True):
            nonlocal user_id
            user_id += 1
            self.rows["users"].append(
                (user_id, email, name, role, team_id, password_hash, active, created)
            )  # fmt: skip
            return user_id

        user("admin@generated.example", "Ada Admin", "admin", None)
        for t in range(team_count):
            name, cohort = LOCALITIES[t], "pilot" if t % 4 == 0 else "usual"
            slug = name.lower().replace(" ", "-")
            self.rows["teams"].append((t + 1, name, cohort, created))
            manager = user(f"manager@{slug}.generated.example", f"{name} Manager", "manager", t + 1)
            plan = TeamPlan(t + 1, name, cohort, manager)
            for n in range(per_team):
                left_on = None
                if n and self.rng.random() < LEAVER_SHARE:
                    left_on = self.start + dt.timedelta(days=self.rng.between(60, YEARS * 365))
                worker_name = f"{self.rng.pick(GIVEN)} {self.rng.pick(FAMILY)}"
                email = f"worker{n + 1}@{slug}.generated.example"
                wid = user(email, worker_name, "practitioner", t + 1, left_on is None)
                plan.workers.append(Worker(wid, t + 1, left_on))
            self.teams.append(plan)
        user("lead@generated.example", "Lee Lead", "lead", None)  # compares every team

    def worker_on(self, team: TeamPlan, day: dt.date, besides: Worker | None = None) -> Worker:
        """A worker of the team still there on the day (and not `besides`)."""
        while True:
            worker = self.rng.pick(team.workers)
            if worker.active_on(day) and worker is not besides:
                return worker

    # People and their demands ----------------------------------------------------------

    def demand_count(self) -> int:
        return min(MAX_DEMANDS, math.floor(1 / (1 - self.rng.random())))

    def simulate(self) -> None:
        """Every person's demands, in each team in date order, routed by the rule."""
        span = (self.today - self.start).days
        for person_id in range(1, self.people + 1):
            home = self.rng.randrange(len(self.teams))
            teams = [self.teams[home]]
            if self.rng.random() < SECOND_TEAM_SHARE:
                teams.append(self.teams[(home + 1) % len(self.teams)])
            days = sorted(
                self.start + dt.timedelta(days=self.rng.between(0, span))
                for _ in range(self.demand_count())
            )
            self._person(person_id, teams[0], days[0])
            by_team: dict[int, list[dt.date]] = {}
            for day in days:
                team = teams[0] if len(teams) == 1 or self.rng.random() < 0.7 else teams[1]
                by_team.setdefault(team.id, []).append(day)
            # A case may be transferred to the next team along, one they are not known to.
            self._transfer_to = self.teams[(home + len(teams)) % len(self.teams)]
            first_case = len(self._cases)
            known: list[CaseSim] = []  # their cases in the teams simulated so far
            for team in teams:
                known += self._demands_in_team(person_id, team, by_team.get(team.id, []), known)
            endings.end_cases(self, self._cases[first_case:])

    def _person(self, person_id: int, team: TeamPlan, first_day: dt.date) -> None:
        rng = self.rng
        born = dt.date(1925, 1, 1) + dt.timedelta(days=int(29_000 * rng.random() ** 1.6))
        street = rng.pick(STREETS)
        registered = at(first_day, rng.between(0, 480))
        self.rows["people"].append(
            (
                person_id,
                rng.pick(GIVEN),
                rng.pick(FAMILY),
                born,
                nhs_number(person_id) if rng.random() < 0.95 else None,
                f"07700 900{rng.between(0, 999):03d}",
                f"{rng.between(1, 180)} {street}\n{team.name}",
                f"EB{team.id} {rng.between(1, 9)}{rng.pick('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.pick('ABDEFGHJLNPQRSTUWXYZ')}",
                rng.pick(("Phone in the morning.", "Text first, then call.", None)),
                team.id,
                1,
                registered,
                registered,
            )
        )

    def _demands_in_team(
        self, person_id: int, team: TeamPlan, days: list[dt.date], elsewhere: list[CaseSim]
    ) -> list[CaseSim]:
        """The person's demands to the team, routed by the rule; a few passed to their open
        case in a team simulated before (`elsewhere`). Returns the cases opened."""
        rng = self.rng
        opened: list[CaseSim] = []
        open_case: CaseSim | None = None
        last_closed: CaseSim | None = None
        for day in days:
            closes_on = open_case.closes_on if open_case is not None else None
            if closes_on is not None and closes_on <= day:
                last_closed, open_case = open_case, None
            previous_owner = last_closed.owner if last_closed else None
            other = open_on(elsewhere, day) if open_case is None else None
            routed = route_kind(
                has_open_case=open_case is not None,
                previous_owner_stays=(
                    open_case is None
                    and previous_owner is not None
                    and previous_owner.active_on(day)
                ),
                passed_elsewhere=other is not None and rng.random() < PASSED_SHARE,
            )
            if routed == "passed_to_owner":
                self._pass(person_id, team, other, day)
                continue
            if routed == "open_case":
                case = open_case
            else:
                if routed == "same_worker":
                    owner = previous_owner
                else:
                    waiting = rng.random() < AWAITING_ALLOCATION_SHARE
                    owner = None if waiting else self.worker_on(team, day)
                case = open_case = self._open_case(person_id, team, day, owner, routed)
                opened.append(case)
            recorder = case.owner or team.manager_id
            recorder_id = recorder.id if isinstance(recorder, Worker) else recorder
            self._demands.append(
                (
                    day,
                    (person_id, team.id, case, team.cohort, day, rng.pick(self.sources),
                     rng.pick(self.channels), rng.pick(NEEDS), rng.pick(self.kinds),
                     routed, False, recorder_id, at(day, rng.between(0, 540))),
                )
            )  # fmt: skip
        return opened

    def _pass(self, person_id: int, team: TeamPlan, case: CaseSim, day: dt.date) -> None:
        """A demand to `team` passed by one of its workers to the person's open case in
        another team: it is that team's demand, in that case."""
        rng = self.rng
        recorder = self.worker_on(team, day)
        self._demands.append(
            (
                day,
                (person_id, case.team.id, case, case.team.cohort, day, rng.pick(self.sources),
                 rng.pick(self.channels), rng.pick(NEEDS), rng.pick(self.kinds),
                 "passed_to_owner", False, recorder.id, at(day, rng.between(0, 540))),
            )
        )  # fmt: skip

    # Cases ------------------------------------------------------------------------------

    def case_length(self) -> int:
        """How many days a case stays open: about six weeks, a long tail of months."""
        return max(1, int(self.rng.lognormvariate(math.log(45), 0.8)))

    def _open_case(self, person_id, team, day, owner, routed) -> CaseSim:
        rng = self.rng
        length = self.case_length()
        if owner is None:
            length += 7  # allocated within six days, before it can close
        closes_on = day + dt.timedelta(days=length)
        case = CaseSim(person_id, team, day, closes_on if closes_on < self.today else None, owner)
        reason = FIRST_OWNER_REASON[routed]
        moment = at(day, rng.between(0, 540))
        if owner is None:  # awaiting allocation: a manager allocates it a few days later
            allocated_on = day + dt.timedelta(days=rng.between(1, 6))
            if allocated_on < self.today:  # else still waiting today
                case.owner = self.worker_on(team, allocated_on)
                case.changes.append(
                    (at(allocated_on, 60), None, case.owner, "Allocated", team.manager_id)
                )
        else:
            case.changes.append((moment, None, owner, reason, owner.id))
        moved = None
        if self._transfer_to is not None:  # at most one transfer asked a person
            moved = endings.maybe_transfer(self, case, self._transfer_to)
            if case.transfer is not None:
                self._transfer_to = None
        self._owner_changes(case)
        self._cases.append(case)
        if moved is not None:  # accepted: the receiving team's case
            self._owner_changes(moved)
            self._cases.append(moved)
        return case

    def _owner_changes(self, case: CaseSim) -> None:
        """Hand the case on when its owner leaves, and now and then for other reasons."""
        rng = self.rng
        end = case.closes_on or self.today
        if case.owner is not None and rng.random() < HANDOFF_SHARE:
            day = case.opened_on + dt.timedelta(
                days=rng.between(1, max(1, (end - case.opened_on).days))
            )
            if day < end and case.owner.active_on(day):
                self._hand_over(case, day, rng.pick(HANDOFF_REASONS))
        # An owner who left while the case was open (or a case still open today) hands it on.
        while (
            case.owner is not None
            and case.owner.left_on is not None
            and (case.owner.left_on < end or case.closes_on is None)
        ):
            self._hand_over(case, case.owner.left_on, LEFT_REASON)

    def _hand_over(self, case: CaseSim, day: dt.date, reason: str) -> None:
        new = self.worker_on(case.team, day, besides=case.owner)
        last = case.changes[-1][0] if case.changes else at(day, 0)
        moment = max(at(day, 120 + self.rng.between(0, 300)), last + dt.timedelta(minutes=1))
        case.changes.append((moment, case.owner, new, reason, case.team.manager_id))
        case.owner = new

    # Ids, and the records inside each case -----------------------------------------------

    def finish(self) -> None:
        """Give ids in the order records would have been made, then fill every table."""
        self._cases.sort(key=lambda c: c.opened_on)  # stable: a person's cases stay in order
        for number, case in enumerate(self._cases, 1):
            case.id = number
            self._case_records(case)
        self._demands.sort(key=lambda d: d[0])
        self.rows["demands"] = [
            (number, *row[:2], row[2].id, *row[3:])
            for number, (_, row) in enumerate(self._demands, 1)
        ]
        self._demands = []
        for table, rows in self._children.items():
            rows.sort(key=lambda r: r[0])
            self.rows[table] = [(number, *row[1:]) for number, row in enumerate(rows, 1)]
        self.rows["transfers"] = endings.transfer_rows(self._cases)
        self._cases = []

    def _case_records(self, case: CaseSim) -> None:
        rng = self.rng
        end = case.closes_on or self.today
        owner_id = case.owner.id if case.owner else None
        for moment, old, new, reason, by_id in case.changes:
            self._children["ownership_changes"].append(
                (moment, case.id, old.id if old else None, new.id, reason, by_id, moment)
            )
        statuses = CLOSED_STATUSES if case.closes_on else OPEN_STATUSES
        # a transferred case's new one: what it took on when accepted
        endings.carry_over(case, case.owner, statuses, rng, self._children)
        span = max(0, (end - case.opened_on).days)
        visits = sorted(rng.between(0, span) for _ in range(rng.pick((0, 1, 1, 2, 2, 3, 4, 6))))
        conversations, actions = [], []
        for n, offset in enumerate(visits):
            held = case.opened_on + dt.timedelta(days=offset)
            moment = at(held, rng.between(0, 540))
            says = rng.pick(WHAT_MATTERS) if n == 0 or rng.random() < 0.15 else None
            conversations.append(
                (moment, case.id, held, rng.pick(CONVERSATION_KIND_TABLE),
                 rng.pick(WITH_WHOM), rng.pick((15, 30, 45, 60, 90)), says,
                 "Talked through how things are at home.", owner_id, moment)
            )  # fmt: skip
        for _ in range(rng.pick((0, 1, 1, 2, 2, 3, 4)) if visits else 0):
            by = "person" if rng.random() < 0.45 else "team"
            made = case.opened_on + dt.timedelta(days=visits[0])
            moment = at(made, rng.between(0, 540))
            status = rng.pick(statuses)
            actions.append(
                (moment, case.id, rng.pick(ACTIONS[by]), by,
                 owner_id if by == "team" else None,
                 case.team.id if by == "team" and owner_id else None,
                 made + dt.timedelta(days=rng.between(7, 60)) if by == "team" else None,
                 status, "Done as agreed." if status == "done" else None, 1, owner_id, moment,
                 owner_id, moment)
            )  # fmt: skip
        endings.keep_what_carries_over(case, conversations, actions)
        self._children["conversations"] += conversations
        self._children["actions"] += actions
        self._case_row(case, owner_id, end)

    def _case_row(self, case: CaseSim, owner_id: int | None, end: dt.date) -> None:
        rng = self.rng
        match = rng.pick(MATCHES)
        created = case.changes[0][0] if case.changes else at(case.opened_on, 0)
        # who made it: the worker it went to at intake (else a manager), or who accepted it
        creator = owner_id if owner_id and not case.transferred_from else case.team.manager_id
        origin = case.transferred_from.id if case.transferred_from else None
        self.rows["cases"].append(
            (case.id, case.person_id, case.team.id, case.team.cohort, owner_id, case.opened_on,
             match, rng.pick(REAL_PROBLEMS) if match in ("partly", "no") else None,
             *endings.closure(case, owner_id, rng),
             1 + len(case.changes) + (case.closes_on is not None), creator, created,
             at(end, 600), origin)
        )  # fmt: skip


def generate(people: int, seed: int, password_hash: str, today: dt.date | None = None) -> History:
    """The whole simulated history, every table's rows ready to write."""
    history = History(people, seed, today)
    history.staff(password_hash)
    history.simulate()
    history.finish()
    return history
