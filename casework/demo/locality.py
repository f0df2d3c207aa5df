"""The demo's clock and its steps, each through the domain functions the pages use.

Only the clock is set back: before each step the locality says what day it is,
and every row that step adds (and the audit event it writes) carries that
moment, so two years of history read as they would have happened. Dates are
relative to today, so the demo always looks current; a fixed seed makes it the
same locality every time. Passwords are random.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..admin.service import create_team, create_user
from ..auth.service import random_password
from ..cases.service import (
    add_action,
    change_owner,
    close_case,
    log_conversation,
    record_referral_judgement,
    update_action,
)
from ..demands.routing import record_demand
from ..models import (
    Action,
    Ask,
    Barrier,
    BarrierCase,
    BarrierMove,
    Case,
    CautionFlag,
    ConsentDecision,
    Conversation,
    Demand,
    NetworkMember,
    OwnershipChange,
    Person,
    Story,
    Team,
    TeamPurpose,
    User,
)
from ..people.service import create_person, nhs_number_checks
from . import data

# The timestamps each kind of row gets from the locality's clock when it is added.
STAMPED = {
    Team: ("created_at",),
    User: ("created_at",),
    Person: ("created_at", "updated_at"),
    Case: ("created_at", "updated_at"),
    Demand: ("recorded_at",),
    Conversation: ("recorded_at",),
    Action: ("created_at", "updated_at"),
    OwnershipChange: ("at",),
    Barrier: ("created_at", "updated_at"),
    BarrierCase: ("recorded_at",),
    BarrierMove: ("at",),
    Story: ("marked_at",),
    Ask: ("asked_at", "updated_at"),
    TeamPurpose: ("changed_at",),
    CautionFlag: ("raised_at",),
    NetworkMember: ("created_at", "updated_at"),
    ConsentDecision: ("recorded_at",),
}
# Audit events keep the real moment of loading: the audit trail never tells a story.


class DemoError(RuntimeError):
    """The demo's story no longer matches the rules (for example routing changed)."""


class Locality:
    """The demo locality as it is built: its staff, its teams, its clock and its dice."""

    def __init__(self, session: Session, config: dict | None = None):
        self.session = session
        self.config = config if config is not None else data.locality()
        self.today = clock.today()
        self.now = clock.now()
        self.rng = random.Random(self.config["seed"])  # noqa: S311 - made-up data, the same every time
        self.when = self.now
        self._ticks: dict[dt.date, int] = {}
        self._nhs: set[str] = set()
        self._phones: set[str] = set()
        self.staff: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.passwords: dict[str, str] = {}

    def team_config(self, name: str) -> dict:
        return self.config["teams"][name]

    def logins(self) -> list[tuple[str, str, str]]:
        """(label, email, password) of each login locality.toml names."""
        return [
            (label, self.staff[key].email, self.passwords[key])
            for label, key in self.config["logins"]
        ]

    # The clock -----------------------------------------------------------

    def at(self, ago: int) -> dt.date:
        """Set the clock to `ago` days before today, a little later than the last step that day."""
        if ago < 0:
            raise DemoError(f"The demo cannot record things in the future ({-ago} days ahead)")
        day = self.today - dt.timedelta(days=ago)
        n = self._ticks[day] = self._ticks.get(day, 0) + 1
        when = dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC) + dt.timedelta(
            minutes=13 * n
        )
        latest = self.now - dt.timedelta(minutes=10)
        if when > latest:  # today, later than now: squeeze into the last few minutes
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
            when = min(max(midnight, latest) + dt.timedelta(seconds=n), self.now)
        self.when = when
        return day

    def stamp(self, session, instance) -> None:
        for attribute in STAMPED.get(type(instance), ()):
            setattr(instance, attribute, self.when)

    # The teams and their staff -------------------------------------------

    def teams_and_staff(self) -> None:
        self.at(800)
        for name, team in self.config["teams"].items():
            self.teams[name] = create_team(self.session, name, team["cohort"])
        for key, member in self.config["staff"].items():
            team = member.get("team")
            domain = f"{team.lower()}.example.nhs.uk" if team else "example.nhs.uk"
            password = random_password()
            user, _ = create_user(
                self.session,
                email=f"{member['name'].lower().replace(' ', '.')}@{domain}",
                name=member["name"],
                role=member["role"],
                team=self.teams.get(team),
                password=password,
            )
            self.staff[key] = user
            self.passwords[key] = password

    # Steps, each through the domain functions ----------------------------

    def person(
        self,
        by: User,
        ago: int,
        given: str,
        family: str,
        sex: str,
        age: int,
        *,
        nhs: bool = True,
        contact: str | None = "",
    ) -> Person:
        self.at(ago)
        rng = self.rng
        team = by.team.name
        p = data.pronouns(sex, given)
        places = self.team_config(team)
        letters = self.config["postcode_letters"]
        born = dt.date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        if born > self.today - dt.timedelta(days=365 * age):
            born = born.replace(year=born.year - 1)
        street = rng.choice(places["streets"])
        number = rng.randint(1, 140)
        address = (
            f"Flat {rng.randint(1, 24)}, {rng.choice(('Cooper', 'Lister', 'Bevan'))} "
            f"House, {street}"
            if rng.random() < 0.25
            else f"{number} {street}"
        )
        if contact == "":
            note = rng.choice(self.config["contact_notes"])
            contact = note.format(**p) if note else None
        return create_person(
            self.session,
            by,
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "nhs_number": self.nhs_number() if nhs else None,
                "phone": self.phone(mobile=age < 60 or rng.random() < 0.2),
                "address": f"{address}\n{self.config['town']}",
                "postcode": (
                    f"{rng.choice(places['districts'])} {rng.randint(1, 9)}"
                    f"{rng.choice(letters)}{rng.choice(letters)}"
                ),
                "preferred_contact": contact,
            },
        )

    def demand(
        self,
        person: Person,
        recorder: User,
        ago: int,
        source: str,
        channel: str,
        need: str,
        *,
        kind: str | None = "value",
        owner: User | None = None,
        expect: str,
        pass_to: Case | None = None,
    ) -> Case:
        demand, route = record_demand(
            self.session,
            person=person,
            team=recorder.team,
            recorder=recorder,
            received_on=self.at(ago),
            source=source,
            channel=channel,
            stated_need=need,
            kind=kind,
            owner=owner,
            pass_to_case_id=pass_to.id if pass_to is not None else None,
        )
        if route.kind != expect:
            raise DemoError(
                f"{person.name}: expected the demand to route {expect}, the rule said {route.kind}"
            )
        return demand.case

    def talk(
        self,
        case: Case,
        user: User,
        ago: int,
        notes: str | None,
        *,
        kind: str = "visit",
        matters: str | None = None,
        with_whom: str | None = None,
        minutes: int | None = None,
        present: list[int] | None = None,
        plan_id: int | None = None,
    ):
        return log_conversation(
            self.session,
            case,
            user,
            held_on=self.at(ago),
            kind=kind,
            with_whom=with_whom,
            minutes=minutes,
            what_matters=matters,
            notes=notes,
            network_member_ids=present,
            plan_id=plan_id,
        )

    def judge(self, case: Case, user: User, ago: int, match: str, real_problem: str) -> None:
        self.at(ago)
        case.updated_at = self.when
        record_referral_judgement(
            self.session, case, user, referral_match=match, real_problem=real_problem, version=None
        )

    def act(
        self,
        case: Case,
        user: User,
        ago: int,
        text: str,
        *,
        by: str = "team",
        assignee: User | None = None,
        due_in: int | None = None,
    ) -> Action:
        """Agree an action `ago` days ago, due `due_in` days from today (negative: past)."""
        self.at(ago)
        due = self.today + dt.timedelta(days=due_in) if due_in is not None else None
        return add_action(
            self.session, case, user, description=text, by=by, assignee=assignee, due_on=due
        )

    def settle(
        self, action: Action, user: User, ago: int, status: str, outcome: str | None = None
    ) -> None:
        self.at(ago)
        action.updated_at = self.when
        update_action(self.session, action, user, status=status, outcome=outcome)

    def hand(self, case: Case, user: User, ago: int, new_owner: User, reason: str) -> None:
        self.at(ago)
        case.updated_at = self.when
        change_owner(self.session, case, user, new_owner=new_owner, reason=reason)

    def close(self, case: Case, user: User, ago: int, note: str, summary: str) -> None:
        day = self.at(ago)
        case.updated_at = self.when
        close_case(
            self.session,
            case,
            user,
            agreed_with_person=True,
            agreement_note=note,
            summary=summary,
            closed_on=day,
        )

    # Made-up identifiers, from the ranges kept for drama and testing ----

    def nhs_number(self) -> str:
        """A valid NHS number from the 999 range, which is never issued to real patients."""
        while True:
            digits = "999" + "".join(str(self.rng.randint(0, 9)) for _ in range(6))
            total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
            check = (11 - total % 11) % 11
            number = f"{digits}{check}"
            if check != 10 and number not in self._nhs and nhs_number_checks(number):
                self._nhs.add(number)
                return number

    def phone(self, mobile: bool = False) -> str:
        """Ofcom's drama numbers: 01632 960xxx and 07700 900xxx."""
        while True:
            prefix = "07700 900" if mobile else "01632 960"
            number = f"{prefix}{self.rng.randint(0, 999):03d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    # The people the scenes name ------------------------------------------

    def person_named(self, name: str) -> Person:
        """The person of that name (the demo's names are unique)."""
        given, family = name.split(" ", 1)
        person = (
            self.session.query(Person).filter_by(given_name=given, family_name=family).one_or_none()
        )
        if person is None:
            raise DemoError(f"No one called {name} in the demo (yet)")
        return person

    def latest_case(self, name: str) -> Case:
        """The person's latest case."""
        return self.person_named(name).cases[-1]

    def open_case(self, name: str) -> Case:
        given, family = name.split(" ", 1)
        case = self.session.scalar(
            select(Case)
            .join(Person)
            .where(
                Person.given_name == given,
                Person.family_name == family,
                Case.closed_on.is_(None),
            )
        )
        if case is None:
            raise DemoError(f"{name} has no open case to ask for")
        return case
