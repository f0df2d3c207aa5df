"""Sessions kept on the server end for real: after SESSION_IDLE_MINUTES without a request,
SESSION_MAX_HOURS after sign-in, on logout and whenever the user's access changes. A copy
of an old cookie replayed from another browser then gets the login page. The clock is moved,
not waited."""

import pytest
from sqlalchemy import select

from casework.admin import service as admin_service
from casework.auth import sessions
from casework.extensions import db
from casework.models import AuditEvent, UserSession
from tests.conftest import login, make_team


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


# Sessions kept on the server: a copied cookie stops working when its session ends.


def cookie_of(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str):
    """A request from another browser carrying a copy of an old session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/account")  # a page every signed-in user may see


def works(app, cookie: str) -> bool:
    response = replay(app, cookie)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.location.startswith("/login")
    return False


def session_rows(user):
    db.session.expire_all()
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()


def test_logging_out_ends_the_session_on_the_server(app, client, practitioner):
    login(client, practitioner)
    copied = cookie_of(client)
    assert works(app, copied)
    response = client.post("/logout")
    assert response.location == "/login"
    assert not works(app, copied)
    assert client.get("/people").location.startswith("/login")
    [row] = session_rows(practitioner)
    assert row.ended_at is not None and row.end_reason == "logout"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "logout")).user_id == (
        practitioner.id
    )


def test_the_session_id_rotates_at_sign_in_and_a_planted_one_is_worthless(
    app, client, practitioner
):
    with client.session_transaction() as planted:
        planted["_sid"] = "chosen-by-an-attacker"
        planted["left_over"] = "from before sign-in"
    login(client, practitioner)
    with client.session_transaction() as after:
        assert after["_sid"] != "chosen-by-an-attacker"
        assert "left_over" not in after
    first = cookie_of(client)
    login_again = client.post(
        "/login", data={"email": practitioner.email, "password": "correct horse battery staple"}
    )
    assert login_again.status_code == 302  # already signed in: sent on
    # Signing in again in another browser gives that browser its own id.
    other = app.test_client()
    login(other, practitioner)
    assert cookie_of(other) != first
    assert works(app, first) and works(app, cookie_of(other))


def test_a_new_sign_in_in_the_same_browser_ends_the_session_it_replaces(app, client, practitioner):
    login(client, practitioner)
    first = cookie_of(client)
    client.post("/logout")
    login(client, practitioner)
    assert cookie_of(client) != first
    assert not works(app, first)


def test_changing_your_password_ends_every_other_session_and_keeps_this_browser(
    app, client, practitioner
):
    login(client, practitioner)
    other = app.test_client()
    login(other, practitioner)
    elsewhere, here = cookie_of(other), cookie_of(client)
    response = client.post(
        "/account/password",
        data={
            "current": "correct horse battery staple",
            "new": "a fresh long passphrase",
            "confirm": "a fresh long passphrase",
        },
    )
    assert response.status_code == 302
    assert not works(app, elsewhere)
    assert not works(app, here)  # this browser carries on under a new id
    assert client.get("/people").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda user, admin, other_team: admin_service.deactivate_user(db.session, user, admin),
        lambda user, admin, other_team: admin_service.reset_password(db.session, user, admin),
        lambda user, admin, other_team: admin_service.update_user(
            db.session, user, name=user.name, role="manager", team=user.team, actor=admin
        ),
        lambda user, admin, other_team: admin_service.update_user(
            db.session, user, name=user.name, role=user.role, team=other_team, actor=admin
        ),
        lambda user, admin, other_team: admin_service.sign_out_everywhere(db.session, user, admin),
    ],
    ids=["deactivation", "password reset", "role change", "team change", "log out everywhere"],
)
def test_an_administrators_change_ends_the_workers_sessions(
    app, client, practitioner, admin_user, change
):
    other_team = make_team("South", "usual")
    login(client, practitioner)
    copied = cookie_of(client)
    change(practitioner, admin_user, other_team)
    db.session.commit()
    assert not works(app, copied)
    assert client.get("/people").location.startswith("/login")
    assert all(row.ended_at is not None for row in session_rows(practitioner))


def test_a_change_of_name_alone_leaves_the_worker_signed_in(app, client, practitioner, admin_user):
    login(client, practitioner)
    admin_service.update_user(
        db.session,
        practitioner,
        name="Eleisha Ward-Jones",
        role=practitioner.role,
        team=practitioner.team,
        actor=admin_user,
    )
    db.session.commit()
    assert works(app, cookie_of(client))


def test_the_administrators_button_logs_a_worker_out_everywhere(app, practitioner, admin_user):
    worker, admin = app.test_client(), app.test_client()
    login(worker, practitioner)
    login(admin, admin_user)
    copied = cookie_of(worker)
    page = admin.get(f"/admin/users/{practitioner.id}/edit").get_data(as_text=True)
    assert f"Log {practitioner.name} out everywhere" in page
    response = admin.post(f"/admin/users/{practitioner.id}/sign-out")
    assert response.status_code == 302
    assert not works(app, copied)
    assert works(app, cookie_of(admin))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_out_everywhere"))
    assert (event.entity_id, event.user_id, event.detail["sessions"]) == (
        practitioner.id,
        admin_user.id,
        1,
    )


def test_a_worker_can_log_out_everywhere_else_from_their_account_page(app, client, practitioner):
    login(client, practitioner)
    other = app.test_client()
    login(other, practitioner)
    page = client.get("/account").get_data(as_text=True)
    assert "This browser" in page and "Log out everywhere else" in page
    client.post("/account/sign-out-others")
    assert not works(app, cookie_of(other))
    assert client.get("/people").status_code == 200
    assert "You are not logged in anywhere else" in client.get("/account").get_data(as_text=True)


def test_a_session_ends_the_maximum_time_after_sign_in_however_busy(client, practitioner, clock):
    login(client, practitioner)
    for _ in range(24):  # 11 hours 36 minutes, never idle
        clock.move(29)
        assert client.get("/people").status_code == 200
    clock.move(29)  # 12 hours 5 minutes after signing in
    response = client.get("/people")
    assert response.location.startswith("/login")
    page = client.get(response.location).get_data(as_text=True)
    assert "You were logged out because you signed in 12 hours ago" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session_expired"))
    assert event.detail["reason"] == "max_age"


@pytest.mark.parametrize("app_config", [{"SESSION_MAX_HOURS": 2}])
def test_the_maximum_time_is_configurable(client, practitioner, clock, app_config):
    login(client, practitioner)
    for _ in range(4):
        clock.move(29)
        assert client.get("/people").status_code == 200
    clock.move(10)
    assert client.get("/people").location.startswith("/login")


def test_an_idle_sessions_copied_cookie_is_worthless_too(app, client, practitioner, clock):
    login(client, practitioner)
    copied = cookie_of(client)
    clock.move(31)
    assert client.get("/people").location.startswith("/login")
    clock.move(-31)  # even with the clock back, the session has ended on the server
    assert not works(app, copied)


def test_a_cookie_from_before_sessions_were_kept_on_the_server_is_not_a_login(
    app, client, practitioner
):
    with client.session_transaction() as old:
        old["_user_id"] = str(practitioner.id)
        old["_fresh"] = True
    assert client.get("/people").location.startswith("/login")


def test_logging_out_on_one_server_ends_the_session_on_every_server(
    app, client, practitioner, database, tmp_path
):
    """Two app servers on one database: the session lives in the database, not in either."""
    from casework import create_app
    from tests.conftest import _config

    second = create_app(_config(tmp_path / "second", database))
    login(client, practitioner)
    copied = cookie_of(client)
    with second.app_context():
        assert works(second, copied)
    client.post("/logout")
    with second.app_context():
        assert not works(second, copied)
        db.session.remove()
        db.engine.dispose()


def test_the_api_is_untouched_by_sessions(client, practitioner):
    from casework.auth.tokens import issue_token

    _, token = issue_token(db.session, practitioner)
    db.session.commit()
    response = client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert client.get_cookie("session") is None  # no session is made for a token's request


def test_the_session_limits_come_from_the_environment(monkeypatch, tmp_path):
    from casework.config import ConfigurationError, from_environment

    assert from_environment(tmp_path)["SESSION_MAX_HOURS"] == 12
    monkeypatch.setenv("SESSION_MAX_HOURS", "8")
    assert from_environment(tmp_path)["SESSION_MAX_HOURS"] == 8
    monkeypatch.setenv("SESSION_MAX_HOURS", "0")
    with pytest.raises(ConfigurationError, match="SESSION_MAX_HOURS must be a whole number"):
        from_environment(tmp_path)


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Safari/537.36 Edg/120.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on an iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            "Firefox on Linux",
        ),
        ("curl/8.0", "A browser"),
        (None, "A browser"),
    ],
)
def test_the_account_page_names_browsers_as_people_know_them(agent, name):
    assert sessions.browser_name(agent) == name


def test_the_account_page_lists_this_browser(client, practitioner):
    client.get("/login")
    login(client, practitioner)
    page = client.get("/account", headers={"User-Agent": "x"}).get_data(as_text=True)
    assert "A browser, from 127.0.0.1: logged in on" in page and "This browser" in page
