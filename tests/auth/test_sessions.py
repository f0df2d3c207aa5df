"""Sessions end after SESSION_IDLE_MINUTES without a request; the clock is moved, not waited."""

import pytest
from sqlalchemy import select

from casework.auth import sessions
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import login


class Clock:
    def __init__(self, start=1_800_000_000.0):
        self.now = start

    def __call__(self):
        return self.now

    def move(self, minutes):
        self.now += minutes * 60


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sessions, "now", clock)
    return clock


def test_a_session_used_within_the_idle_time_carries_on(client, practitioner, clock):
    login(client, practitioner)
    for _ in range(4):  # two hours in all, never 30 minutes idle
        clock.move(29)
        assert client.get("/people").status_code == 200


def test_an_idle_session_ends_and_sends_the_person_to_log_in_with_next(client, practitioner, clock):
    login(client, practitioner)
    assert client.get("/").status_code == 200
    clock.move(31)
    response = client.get("/people?q=Anne")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fpeople%3Fq%3DAnne"
    page = client.get(response.location).get_data(as_text=True)
    assert "You were logged out because you had not used Casework for 30 minutes" in page
    assert client.get("/people").location.startswith("/login")  # logged out, not just warned
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session_expired"))
    assert event.user_id == practitioner.id
    # Logging in again goes back to where they were.
    response = client.post(
        "/login?next=%2Fpeople%3Fq%3DAnne",
        data={"email": practitioner.email, "password": "correct horse battery staple"},
    )
    assert response.location == "/people?q=Anne"


def test_an_idle_form_post_is_sent_to_log_in_and_back_to_the_page_it_came_from(
    client, practitioner, clock
):
    login(client, practitioner)
    clock.move(45)
    response = client.post(
        "/people/new", data={}, headers={"Referer": "http://localhost/people/new"}
    )
    assert response.location == "/login?next=%2Fpeople%2Fnew"


@pytest.mark.parametrize("app_config", [{"SESSION_IDLE_MINUTES": 5}])
def test_the_idle_time_is_configurable(client, practitioner, clock, app_config):
    login(client, practitioner)
    clock.move(4)
    assert client.get("/").status_code == 200
    clock.move(6)
    assert client.get("/").location.startswith("/login")


def test_the_api_is_not_timed_by_the_session_cookie(client, practitioner, clock):
    from casework.auth.tokens import issue_token

    _, token = issue_token(db.session, practitioner)
    db.session.commit()
    clock.move(600)
    response = client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_the_default_idle_time_is_30_minutes(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 30


def test_the_idle_time_comes_from_the_environment(monkeypatch, tmp_path):
    from casework.config import ConfigurationError, from_environment

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    assert from_environment(tmp_path)["SESSION_IDLE_MINUTES"] == 15
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ConfigurationError, match="SESSION_IDLE_MINUTES must be a whole number"):
        from_environment(tmp_path)
