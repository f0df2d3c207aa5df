"""Shared fixtures: an app on a database built by the Alembic migrations, clients, factories."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from casework import clock, create_app
from casework.admin.service import create_team, create_user
from casework.demands.routing import record_demand
from casework.extensions import db
from casework.people.service import create_person
from tests import databases as test_databases

PASSWORD = "correct horse battery staple"


class MemoryBytecodeCache(BytecodeCache):
    """Each test builds a new app; share compiled templates between them."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = MemoryBytecodeCache()


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: its own `g` (so Flask-Login's
    user never leaks between clients) and its own database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


_counter = itertools.count(1)

TRAVEL_TO = "CASEWORK_TEST_NOW"  # e.g. 2027-07-15T00:30+01:00: run every test from then on


def pytest_configure(config):
    """With CASEWORK_TEST_NOW set, the whole run starts at that moment, the server's time zone
    UTC, and the clock ticks on from there: the suite must pass at any hour (ADR 0029)."""
    moment = os.environ.get(TRAVEL_TO)
    if not moment:
        return
    start = dt.datetime.fromisoformat(moment)
    if start.tzinfo is None:
        raise pytest.UsageError(f"{TRAVEL_TO} needs an offset, like 2027-07-15T00:30+01:00")
    traveller = time_machine.travel(start.astimezone(dt.UTC), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """SQLite files, or databases on the PostgreSQL server TEST_DATABASE_URL names."""
    found = test_databases.for_environment(tmp_path_factory.mktemp("databases"))
    yield found
    found.close()


@pytest.fixture(scope="session")
def migrated_template(databases, tmp_path_factory) -> str:
    """The URL of a database built once by running the migrations; each test gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    url = databases.new_template(lambda url: migrate(folder, url))
    databases.reuse_for(url)
    return url


def migrate(instance: Path, url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(_config(instance, url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(instance: Path, url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "WTF_CSRF_ENABLED": False,
        # Argon2id at its lowest cost: the real cost is for real passwords, not test speed.
        "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 64, "parallelism": 1},
        # No role needs a second factor unless a test says so (tests/auth/test_two_factor.py
        # signs in with the default, admin,manager,lead): most tests are about other things.
        "MFA_REQUIRED_ROLES": frozenset(),
        **extra,
    }


@pytest.fixture
def database(databases, migrated_template, tmp_path) -> str:
    """The URL of this test's own clean copy of the migrated template."""
    url = databases.fresh(migrated_template, tmp_path)
    yield url
    databases.release(url)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings (for example, switch CSRF on)."""
    return {}


@pytest.fixture
def app(tmp_path, database, app_config):
    app = create_app(_config(tmp_path, database, **app_config))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Factories: plain functions that go through the same domain functions as the app.


def make_team(name: str | None = None, cohort: str = "pilot"):
    team = create_team(db.session, name or f"Team {next(_counter)}", cohort)
    db.session.commit()
    return team


def make_user(team=None, role: str = "practitioner", name: str | None = None, email=None):
    n = next(_counter)
    user, _ = create_user(
        db.session,
        email=email or f"worker{n}@example.org",
        name=name or f"Worker {n}",
        role=role,
        team=team,
        password=PASSWORD,
    )
    db.session.commit()
    return user


def make_person(user, **fields):
    data = {
        "given_name": "Anne",
        "family_name": f"Example{next(_counter)}",
        "date_of_birth": dt.date(1961, 4, 2),
        **fields,
    }
    person = create_person(db.session, user, data)
    db.session.commit()
    return person


def make_demand(person, user, received_on=None, **fields):
    defaults = dict(source="GP", channel="phone", stated_need="Needs help at home", kind="value")
    defaults.update(fields)
    demand, route = record_demand(
        db.session,
        person=person,
        team=user.team,
        recorder=user,
        received_on=received_on or clock.today(),
        **defaults,
    )
    db.session.commit()
    return demand, route


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


@pytest.fixture
def team(app):
    return make_team("North", "pilot")


@pytest.fixture
def practitioner(team):
    return make_user(team, "practitioner", name="Eleisha Ward")


@pytest.fixture
def manager(team):
    return make_user(team, "manager", name="Morgan Manager")


@pytest.fixture
def admin_user(app):
    return make_user(None, "admin", name="Ada Admin")
