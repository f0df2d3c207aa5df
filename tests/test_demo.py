"""The demo locality: `casework demo` loads it once, refuses a second time, and tells the
brief's story (Irene's five referrals, re-contact to the same worker, work awaiting
allocation, a worker who has left, closure only by agreement)."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select

from casework import clock, create_app
from casework.demo.cli import logins_file, save_logins
from casework.extensions import db
from casework.models import (
    Action,
    Case,
    Conversation,
    Demand,
    OwnershipChange,
    Person,
    Team,
    Transfer,
    User,
)
from casework.people.service import nhs_number_checks
from tests.conftest import _config


def counts() -> dict[str, int]:
    db.session.rollback()  # read what the command committed, not an older snapshot
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Team, User, Person, Demand, Case, Conversation, Action, OwnershipChange)
    }


def load_demo(folder, url: str) -> None:
    app = create_app(_config(folder, url))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output


def team(name: str) -> Team:
    return db.session.scalar(select(Team).where(Team.name == name))


def test_demo_command_loads_the_locality_and_prints_the_logins(runner):
    assert counts()["Person"] == 0

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "eleisha.ward@riverside.example.nhs.uk" in result.output
    assert "ada.lovell@example.nhs.uk" in result.output
    assert "Service lead  lin.carter@example.nhs.uk" in result.output
    loaded = counts()
    assert 35 + 84 <= loaded["Person"] <= 50 + 84  # about forty-five, and the trial's 84
    assert loaded["Demand"] > loaded["Person"]
    assert loaded["User"] == 11
    assert "Two-factor sign-in" not in result.output  # no role needs it in these tests


@pytest.mark.parametrize("app_config", [{"MFA_REQUIRED_ROLES": frozenset({"admin", "manager"})}])
def test_the_demo_logins_say_which_roles_set_up_two_factor_sign_in(runner, app_config):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Two-factor sign-in is required for the roles admin, manager" in result.output
    assert "MFA_REQUIRED_ROLES= make run" in result.output


class TestTheLoadedDemo:
    """Each test gets its own copy of a database the demo command loaded once."""

    @pytest.fixture(scope="class")
    @classmethod
    def demo_folder(cls, tmp_path_factory):
        """The instance folder of the app that loaded the demo: its logins are kept there."""
        return tmp_path_factory.mktemp("demo")

    @pytest.fixture(scope="class")
    @classmethod
    def migrated_template(cls, migrated_template, databases, demo_folder):
        # Overrides conftest's template for this class only: `app` copies this one instead.
        return databases.new_template(partial(load_demo, demo_folder), base=migrated_template)

    @pytest.fixture(scope="class")
    @classmethod
    def logins_path(cls, migrated_template, demo_folder) -> Path:
        """Where the command kept the logins of the database it loaded."""
        return logins_file(migrated_template, demo_folder)

    @pytest.fixture(scope="class")
    @classmethod
    def logins(cls, logins_path) -> list[tuple[str, str]]:
        """(email, password) for each login the command printed (and saved beside the data)."""
        text = logins_path.read_text()
        rows = [line.split() for line in text.splitlines() if "@" in line]
        return [(row[-2], row[-1]) for row in rows]

    def test_running_it_again_refuses_and_changes_nothing(self, runner):
        before = counts()

        result = runner.invoke(args=["demo"])

        assert result.exit_code != 0
        assert "Refusing" in result.output
        assert counts() == before

    def test_if_empty_on_a_loaded_database_succeeds_and_adds_nothing(self, runner):
        before = counts()

        result = runner.invoke(args=["demo", "--if-empty"])

        assert result.exit_code == 0, result.output
        assert "already holds people" in result.output
        assert counts() == before

    def test_a_trial_with_a_real_interval_and_example_costs(self, app):
        from casework.trials import service
        from casework.trials.models import CostItem, Counterfactual
        from casework.trials.results import results

        found = results(db.session, service.find(db.session, "Home first"), 180)
        pilot, usual = found["arms"]["pilot"], found["arms"]["usual"]
        assert pilot["people"] >= 30 and usual["people"] >= 30
        assert pilot["people"] + usual["people"] == 84  # everyone drawn, followed up
        interval = found["difference"]["repeat_demand_rate"]
        assert interval["ci95"][0] < interval["estimate"] < interval["ci95"][1] < 0
        assert found["not_randomised"] > 0
        assert not any("fewer than" in warning for warning in found["warnings"])
        items = list(db.session.scalars(select(CostItem)))
        assert items and all(item.example and "PSSRU" in item.source for item in items)
        assert db.session.scalar(select(func.count(Counterfactual.id))) >= 10

    def test_two_teams_one_in_the_pilot_one_in_usual_practice(self, app):
        teams = {t.name: t.cohort for t in db.session.scalars(select(Team))}
        assert teams == {"Riverside": "pilot", "Northgate": "usual"}

    def test_irene_thomas_five_referrals_to_northgate_then_one_worker_in_riverside(self, app):
        irene = db.session.scalar(
            select(Person).where(Person.given_name == "Irene", Person.family_name == "Thomas")
        )
        assert len(irene.demands) == 6
        earlier, last = irene.cases[:-1], irene.cases[-1]
        assert len(earlier) == 5
        assert {c.team.name for c in earlier} == {"Northgate"}
        assert all(c.closed_on and c.closure_agreed for c in earlier)
        assert last.team.name == "Riverside" and last.cohort == "pilot"
        assert last.owner.name == "Eleisha Ward"
        assert last.is_open
        assert last.referral_match == "no" and last.real_problem
        assert "dress myself" in last.what_matters.what_matters
        assert len(last.what_matters_history) >= 2
        open_actions = [a for a in last.actions if a.status == "agreed"]
        assert {a.by for a in last.actions} == {"person", "team"}
        assert any(a.assignee and a.assignee.name == "Sam Okafor" for a in last.actions)
        assert any(a.due_on and a.due_on >= clock.today() for a in open_actions)

    def test_re_contact_goes_back_to_the_worker_who_closed_the_last_case(self, app):
        demands = db.session.scalars(select(Demand).where(Demand.routed_by == "same_worker"))
        demands = list(demands)
        assert demands
        for demand in demands:
            previous = [
                c
                for c in demand.person.cases
                if c.team_id == demand.team_id and c.closed_on and c.id < demand.case_id
            ][-1]
            first_owner = demand.case.ownership_changes[0]
            assert first_owner.from_id is None
            assert first_owner.to_id == previous.owner_id
        assert any(d.team.name == "Riverside" for d in demands)

    def test_some_demands_joined_a_case_that_was_already_open(self, app):
        joined = list(db.session.scalars(select(Demand).where(Demand.routed_by == "open_case")))
        assert joined
        for demand in joined:
            assert demand.case.demands[0].id != demand.id  # an earlier demand opened the case

    def test_work_awaits_allocation_in_both_teams(self, app):
        def unowned(name: str) -> int:
            return db.session.scalar(
                select(func.count(Case.id)).where(
                    Case.team_id == team(name).id,
                    Case.owner_id.is_(None),
                    Case.closed_on.is_(None),
                )
            )

        assert unowned("Riverside") >= 2
        assert unowned("Northgate") >= 1

    def test_a_worker_who_left_still_owns_open_cases_that_need_a_new_owner(self, app):
        rows = db.session.execute(
            select(User, func.count(Case.id))
            .join(Case, Case.owner_id == User.id)
            .where(User.active.is_(False), Case.closed_on.is_(None))
            .group_by(User.id)
        ).all()
        assert [(user.name, n) for user, n in rows] == [("Pat Green", 2)]

    def test_owners_change_deliberately_with_a_reason(self, app):
        changes = list(
            db.session.scalars(select(OwnershipChange).where(OwnershipChange.from_id.is_not(None)))
        )
        assert changes
        assert all(change.reason.strip() for change in changes)
        assert any("long-term leave" in change.reason for change in changes)

    def test_every_closed_case_ended_by_agreement_or_with_a_note(self, app):
        closed = list(db.session.scalars(select(Case).where(Case.closed_on.is_not(None))))
        assert len(closed) >= 20
        agreed = [c for c in closed if c.closure_outcome == "agreed"]
        assert all(c.closure_agreed is True and c.closure_agreement_note for c in agreed)
        ended = [c for c in closed if c.closure_outcome in ("died", "moved_away")]
        assert {c.closure_outcome for c in ended} == {"died", "moved_away"}
        assert all(c.closure_agreed is False and c.closure_agreement_note for c in ended)

    def test_a_transfer_accepted_one_declined_and_one_waiting(self, app):
        transfers = list(db.session.scalars(select(Transfer).order_by(Transfer.id)))
        assert [t.status for t in transfers] == ["accepted", "declined", "pending"]
        accepted = transfers[0]
        new = accepted.new_case
        assert accepted.case.closure_outcome == "transferred" and new.is_open
        assert new.transferred_from_case_id == accepted.case_id
        assert new.what_matters is not None and any(a.by == "team" for a in new.actions)
        assert transfers[1].case.is_open and transfers[1].answer_reason
        assert transfers[2].to_owner is not None

    def test_cases_at_every_stage(self, app):
        cases = list(db.session.scalars(select(Case)))
        assert any(c.is_open and c.owner_id and not c.conversations for c in cases)
        assert any(c.is_open and len(c.what_matters_history) >= 2 for c in cases)
        statuses = {a.status for c in cases for a in c.actions}
        assert statuses == {"agreed", "done", "dropped"}
        dropped = [a for c in cases for a in c.actions if a.status == "dropped"]
        assert all(a.outcome for a in dropped)
        kinds = set(db.session.scalars(select(Demand.kind).distinct()))
        assert kinds == {"value", "failure", None}

    def test_nothing_is_dated_in_the_future(self, app):
        today = clock.today()
        assert db.session.scalar(select(func.max(Demand.received_on))) <= today
        assert db.session.scalar(select(func.max(Conversation.held_on))) <= today
        assert db.session.scalar(select(func.max(Case.closed_on))) <= today
        earliest = db.session.scalar(select(func.min(Demand.received_on)))
        assert earliest <= today - dt.timedelta(days=700)  # two years of history

    def test_people_have_made_up_but_valid_identifiers(self, app):
        people = list(db.session.scalars(select(Person)))
        assert len(people) >= 35
        numbers = [p.nhs_number for p in people if p.nhs_number]
        assert len(numbers) >= 0.9 * len(people)
        assert all(nhs_number_checks(n) for n in numbers)
        assert all(re.fullmatch(r"(01632 960|07700 900)\d{3}", p.phone) for p in people)

    def test_the_printed_logins_work(self, app, logins):
        assert len(logins) >= 5
        for email, password in logins:
            wrong = app.test_client().post(
                "/login", data={"email": email, "password": password + "x"}
            )
            assert wrong.status_code == 200, email
            response = app.test_client().post("/login", data={"email": email, "password": password})
            assert response.status_code == 302, email
            assert response.headers["Location"] == "/"

    def test_the_logins_are_kept_beside_their_database_for_its_owner_only(
        self, logins_path, migrated_template, demo_folder
    ):
        url = make_url(migrated_template)
        if url.get_backend_name() == "sqlite":
            database = Path(url.database)
            assert logins_path == database.parent / f"demo-logins-{database.stem}.txt"
        else:
            assert logins_path == demo_folder / f"demo-logins-{url.database}.txt"
        assert stat.S_IMODE(logins_path.stat().st_mode) == 0o600
        assert not (demo_folder / "demo-logins.txt").exists()

    def test_riverside_asks_two_waiting_of_different_ages_and_a_yes_and_a_no(self, app):
        from casework.asks.service import age_days, days_to_decide
        from casework.models import Ask

        asks = db.session.scalars(select(Ask).order_by(Ask.asked_at)).all()
        waiting = [a for a in asks if a.status == "open"]
        assert len({age_days(a) for a in waiting}) == 2
        answered = {a.status: a for a in asks if a.status in ("yes", "no")}
        assert set(answered) == {"yes", "no"}
        assert all(a.reason and a.decided_by.name == "Morgan Reed" for a in answered.values())
        assert all(days_to_decide(a) > 0 for a in answered.values())
        assert {a.team.name for a in asks} == {"Riverside"}

    def test_riverside_wrote_down_the_pilots_principles_and_two_rules(self, app):
        from casework.models import TeamPurpose

        purpose = db.session.scalar(select(TeamPurpose))
        assert purpose.team_id == db.session.scalar(select(Team.id).where(Team.name == "Riverside"))
        assert "Own the journey end to end" in purpose.principle_list
        assert purpose.rule_list == [
            "Do not break the law",
            "Do not make the person's situation worse",
        ]

    def test_a_demand_passed_to_the_worker_who_knows_the_person_and_a_relationship_started(
        self, app
    ):
        from casework.models import AuditEvent, Demand, Notification

        passed = db.session.scalars(
            select(Demand).where(Demand.routed_by == "passed_to_owner")
        ).all()
        assert [(d.person.name, d.team.name, d.case.owner.name) for d in passed] == [
            ("Winifred Osei", "Northgate", "Dana Hughes")
        ]
        assert passed[0].recorded_by.team.name == "Riverside"
        started = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "relationship_started")
        ).all()
        assert any(e.detail["team"] == "Riverside" and e.detail["known_to"] == ["Northgate"]
                   for e in started)  # fmt: skip
        kinds = set(db.session.scalars(select(Notification.kind)))
        assert {"passed_to_you", "relationship_started"} <= kinds

    def test_margaret_ellis_has_records_in_error_and_a_late_note_on_her_closed_case(self, app):
        from casework.models import LateNote

        case = db.session.scalar(
            select(Case)
            .join(Person)
            .where(Person.given_name == "Margaret", Person.family_name == "Ellis")
        )
        assert case.closed_on is not None
        marked = {type(r).__name__ for r in case.records_in_error}
        assert marked == {"Demand", "Conversation", "Action"}
        assert all(
            r.entered_in_error_reason and r.entered_in_error_at for r in case.records_in_error
        )
        assert len(case.current_demands) == 1 and len(case.current_conversations) == 1
        (note,) = db.session.scalars(select(LateNote).where(LateNote.case_id == case.id))
        assert note.written_on > case.closed_on


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/data/casework.sqlite", "/srv/data/demo-logins-casework.txt"),
        ("sqlite:////srv/data/trial.db", "/srv/data/demo-logins-trial.txt"),
        ("postgresql+psycopg://app@db.example/casework", "/inst/demo-logins-casework.txt"),
        ("postgresql+psycopg://app@db.example/a/b", "/inst/demo-logins-a_b.txt"),
        ("sqlite://", "/inst/demo-logins-memory.txt"),
    ],
)
def test_each_database_has_its_own_logins_file(url, expected):
    assert logins_file(url, "/inst") == Path(expected)


def test_the_logins_file_is_never_readable_by_others_even_when_one_was(tmp_path):
    path = tmp_path / "demo-logins-casework.txt"
    path.write_text("old")
    path.chmod(0o644)
    before = os.umask(0)  # the most permissive umask: the mode must not depend on it
    try:
        save_logins(path, "new\n")
    finally:
        os.umask(before)
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
