"""Failed logins are limited per account and per network address, counted in the database
(so every gunicorn worker sees the same count)."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import audit
from casework.auth import throttle
from casework.extensions import db
from casework.models import AuditEvent, utcnow
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def app_config():
    return {
        "LOGIN_LIMIT_PER_ACCOUNT": 3,
        "LOGIN_LIMIT_PER_ADDRESS": 5,
        "LOGIN_LIMIT_WINDOW_MINUTES": 10,
    }


WRONG = "not the password"


def attempt(app, email, password=WRONG, address="192.0.2.10"):
    client = app.test_client()
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def fail(app, email, times, address="192.0.2.10"):
    for _ in range(times):
        assert attempt(app, email, address=address).status_code == 200


def actions():
    events = select(AuditEvent.action).where(AuditEvent.action.like("login%"))
    return list(db.session.scalars(events.order_by(AuditEvent.id)))


def test_an_account_is_refused_after_its_limit_with_how_long_to_wait(app, practitioner):
    fail(app, practitioner.email, 3)
    response = attempt(app, practitioner.email, password=PASSWORD, address="198.51.100.7")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many wrong passwords or codes have been entered for this account" in page
    assert "Wait 10 minutes, then try again" in page
    assert 590 <= int(response.headers["Retry-After"]) <= 600
    assert f'value="{practitioner.email}"' in page  # the email is kept; the password is not
    assert PASSWORD not in page
    assert actions() == ["login_failed"] * 3 + ["login_throttled"]  # the right password was
    # never checked, and a refusal does not count as a failure (waiting always ends)


def test_an_unknown_email_is_limited_exactly_like_a_real_one(app):
    fail(app, "nobody@example.org", 3)
    response = attempt(app, "Nobody@Example.org ")
    assert response.status_code == 429
    assert "for this account" in response.get_data(as_text=True)


def test_other_accounts_from_other_addresses_are_not_affected(app, team, practitioner):
    other = make_user(team)
    fail(app, practitioner.email, 3)
    assert attempt(app, other.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_an_address_is_refused_after_its_limit_across_accounts(app):
    for n in range(5):
        assert attempt(app, f"guess{n}@example.org").status_code == 200
    response = attempt(app, "guess9@example.org")
    assert response.status_code == 429
    assert "entered from your network" in response.get_data(as_text=True)
    assert attempt(app, "guess9@example.org", address="198.51.100.7").status_code == 200


def test_logging_in_to_your_own_account_does_not_reset_the_address(app, team, practitioner):
    """An attacker cannot alternate guesses with successful logins to their own account."""
    accomplice = make_user(team)
    for n in range(4):
        assert attempt(app, f"victim{n}@example.org").status_code == 200
        assert attempt(app, accomplice.email, PASSWORD).status_code == 302
    assert attempt(app, "victim4@example.org").status_code == 200  # the fifth failure
    assert attempt(app, "victim9@example.org").status_code == 429
    assert attempt(app, accomplice.email, PASSWORD).status_code == 429


def test_a_successful_login_starts_the_account_count_again(app, practitioner):
    fail(app, practitioner.email, 2, address="192.0.2.1")
    assert attempt(app, practitioner.email, PASSWORD, address="192.0.2.2").status_code == 302
    fail(app, practitioner.email, 2, address="192.0.2.3")
    assert attempt(app, practitioner.email, PASSWORD, address="192.0.2.4").status_code == 302


def test_refused_attempts_cannot_fill_the_audit_trail(app, practitioner):
    """A refusal checks no password, so it is cheap to send; the trail, which nothing can
    delete from, holds one event per refusal (per account, per address), not one per try."""
    fail(app, practitioner.email, 3)
    for n in range(20):
        assert attempt(app, practitioner.email, address=f"198.51.100.{n}").status_code == 429
    for n in range(5):
        fail(app, f"someone{n}@example.org", 1, address="192.0.2.99")
    for n in range(20):  # the address's limit, a new email address each time
        assert attempt(app, f"guess{n}@example.org", address="192.0.2.99").status_code == 429

    assert actions() == ["login_failed"] * 3 + ["login_throttled"] + ["login_failed"] * 5 + [
        "login_throttled"
    ]


def record_failed_login(app, email, minutes_ago, address="192.0.2.10"):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        event = audit.record(throttle.FAILED, "user", None, email=throttle.normalise(email))
        event.at = utcnow() - dt.timedelta(minutes=minutes_ago)
        db.session.commit()


def test_failures_older_than_the_window_no_longer_count(app, practitioner):
    for _ in range(3):
        record_failed_login(app, practitioner.email, minutes_ago=11)  # the window is ten
    assert attempt(app, practitioner.email, PASSWORD).status_code == 302


def test_failures_inside_the_window_still_count(app, practitioner):
    for _ in range(3):
        record_failed_login(app, practitioner.email, minutes_ago=9)
    refused = attempt(app, practitioner.email, PASSWORD)  # the right password, locked out
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_the_wait_counts_from_the_oldest_failure_that_still_matters(app, practitioner):
    record_failed_login(app, practitioner.email, minutes_ago=12)  # already outside the window
    record_failed_login(app, practitioner.email, minutes_ago=7)  # the oldest that matters
    fail(app, practitioner.email, 2)
    response = attempt(app, practitioner.email)
    assert "Wait 3 minutes" in response.get_data(as_text=True)
    assert 120 < int(response.headers["Retry-After"]) <= 180


def test_guessing_the_current_password_on_the_account_page_counts_too(app, practitioner):
    client = app.test_client()
    client.post("/login", data={"email": practitioner.email, "password": PASSWORD})
    for _ in range(3):
        response = client.post(
            "/account/password",
            data={
                "current": "guess",
                "new": "kettle orbit lantern meadow",
                "confirm": "kettle orbit lantern meadow",
            },
        )
        assert response.status_code == 422
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "kettle orbit lantern meadow",
            "confirm": "kettle orbit lantern meadow",
        },
    )
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.get_data(as_text=True)


@pytest.fixture
def argon2_work(monkeypatch):
    """Every Argon2 hash and verify a login does, in order: the time a login takes."""
    from argon2 import PasswordHasher

    done = []
    for name in ("hash", "verify"):
        original = getattr(PasswordHasher, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            done.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, name, counted)
    return done


@pytest.mark.parametrize("account", ["unknown", "deactivated"])
def test_an_unknown_or_deactivated_account_takes_as_long_as_a_wrong_password(
    app, practitioner, argon2_work, account
):
    """Otherwise the time a failed login takes says which email addresses have accounts."""
    attempt(app, practitioner.email)
    wrong_password = list(argon2_work)
    argon2_work.clear()
    if account == "deactivated":
        practitioner.active = False
        db.session.commit()
        email = practitioner.email
    else:
        email = "nobody@example.org"

    attempt(app, email, address="198.51.100.7")

    assert wrong_password == ["verify"]
    assert argon2_work == wrong_password
