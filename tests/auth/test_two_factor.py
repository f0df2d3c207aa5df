"""Two-factor sign-in for local passwords: setting it up, signing in with a code or a
recovery code, limits on guessing, and an administrator's reset. MFA_REQUIRED_ROLES is the
default here (admin, manager, lead); the clock codes are checked against is moved."""

import re

import pyotp
import pytest
from sqlalchemy import select

from casework.auth import two_factor
from casework.extensions import db
from casework.models import AuditEvent, RecoveryCode, UserSession
from tests.conftest import PASSWORD

DEFAULT_ROLES = frozenset({"admin", "manager", "lead"})


@pytest.fixture
def app_config():
    return {"MFA_REQUIRED_ROLES": DEFAULT_ROLES}


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def move(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(two_factor, "now", clock)
    return clock


def code_now(user, clock, offset=0):
    db.session.refresh(user)
    return pyotp.TOTP(user.totp_secret).at(clock.now + offset)


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def enrol(client, user, clock):
    """Sign in with the password, set up the app, and return the recovery codes shown."""
    assert password_step(client, user).location == "/account/two-factor"
    client.get("/account/two-factor")
    page = client.post("/account/two-factor", data={"code": code_now(user, clock)})
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    return re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page.get_data(True))


def test_a_manager_must_set_up_a_second_factor_before_seeing_anything(client, manager, clock):
    response = password_step(client, manager)
    assert response.location == "/account/two-factor"
    # The password alone opens nothing: every page sends them back to setting up.
    assert client.get("/people").location == "/account/two-factor"
    assert client.get("/").location == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Set up two-factor sign-in" in page
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    db.session.refresh(manager)
    typed = re.search(r'<code class="cw-token" id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert typed.group(1).replace(" ", "") == manager.totp_secret
    assert manager.totp_confirmed_at is None  # not in force until a first right code


def test_reloading_the_setup_page_keeps_the_same_secret_until_asked_for_a_new_one(
    client, manager, clock
):
    password_step(client, manager)
    client.get("/account/two-factor")
    db.session.refresh(manager)
    first = manager.totp_secret
    assert first
    client.get("/account/two-factor")
    db.session.refresh(manager)
    assert manager.totp_secret == first
    client.get("/account/two-factor?new=1")
    db.session.refresh(manager)
    assert manager.totp_secret != first


def test_a_wrong_setup_code_is_refused_and_nothing_is_turned_on(client, manager, clock):
    password_step(client, manager)
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 422
    assert "The code is not right" in response.get_data(as_text=True)
    empty = client.post("/account/two-factor", data={"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in empty.get_data(as_text=True)
    db.session.refresh(manager)
    assert manager.totp_confirmed_at is None
    assert client.get("/people").location == "/account/two-factor"


def test_setting_up_shows_ten_recovery_codes_once_keeps_only_hashes_and_signs_in(
    app, client, manager, clock
):
    password_step(client, manager)
    with client.session_transaction() as waiting:
        waiting_id = waiting["_sid"]
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": code_now(manager, clock)})
    codes = re.findall(
        r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(True)
    )
    assert len(set(codes)) == 10
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    with client.session_transaction() as signed_in:
        assert signed_in["_sid"] != waiting_id  # the id rotates when sign-in completes
    assert client.get("/people").status_code == 200
    assert len(events("two_factor_enabled")) == 1
    assert len(events("login")) == 1
    # Shown once: the account page never shows them again.
    assert codes[0] not in client.get("/account").get_data(as_text=True)


def test_signing_in_asks_for_the_code_after_the_password(app, client, manager, clock):
    enrol(client, manager, clock)
    client.post("/logout")
    clock.move(60)
    assert password_step(client, manager).location == "/login/code"
    assert client.get("/people").location == "/login/code"
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 422
    assert "The code is not right" in wrong.get_data(as_text=True)
    assert len(events("two_factor_failed")) == 1
    right = client.post("/login/code", data={"code": code_now(manager, clock)})
    assert right.status_code == 302
    assert client.get("/people").status_code == 200


def test_the_next_page_survives_the_second_step(client, manager, clock):
    enrol(client, manager, clock)
    client.post("/logout")
    clock.move(60)
    client.post(
        "/login?next=%2Fpeople%3Fq%3DAnne", data={"email": manager.email, "password": PASSWORD}
    )
    response = client.post("/login/code", data={"code": code_now(manager, clock)})
    assert response.location == "/people?q=Anne"


def test_a_code_works_once(app, client, manager, clock):
    enrol(client, manager, clock)
    client.post("/logout")
    clock.move(60)
    code = code_now(manager, clock)
    password_step(client, manager)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    password_step(client, manager)
    again = client.post("/login/code", data={"code": code})
    assert again.status_code == 422
    assert "That code has been used already" in again.get_data(as_text=True)


def test_a_code_from_a_phone_a_step_out_still_works_but_not_two(client, manager, clock):
    enrol(client, manager, clock)
    client.post("/logout")
    clock.move(120)
    password_step(client, manager)
    assert (
        client.post("/login/code", data={"code": code_now(manager, clock, -65)}).status_code == 422
    )
    assert (
        client.post("/login/code", data={"code": code_now(manager, clock, 30)}).status_code == 302
    )


def test_a_recovery_code_works_once_and_says_how_many_are_left(client, manager, clock):
    codes = enrol(client, manager, clock)
    client.post("/logout")
    password_step(client, manager)
    response = client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    page = client.get("/people").get_data(as_text=True)
    assert "You used a recovery code: 9 left" in page
    client.post("/logout")
    password_step(client, manager)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422
    assert len(events("recovery_code_used")) == 1


def test_wrong_codes_count_against_the_same_limit_as_wrong_passwords(app, client, manager, clock):
    enrol(client, manager, clock)
    client.post("/logout")
    clock.move(60)
    password_step(client, manager)
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        assert client.post("/login/code", data={"code": "999999"}).status_code == 422
    # Even the right code is refused now, with how long to wait.
    refused = client.post("/login/code", data={"code": code_now(manager, clock)})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many wrong passwords or codes" in refused.get_data(as_text=True)
    # ... and so is the password, from any browser.
    other = app.test_client()
    assert password_step(other, manager).status_code == 429


def test_the_code_page_without_a_waiting_session_goes_to_log_in(client):
    assert client.get("/login/code").location == "/login"
    assert client.get("/account/two-factor").location == "/login"


def test_a_practitioner_is_not_asked_but_may_set_it_up_and_turn_it_off(client, practitioner, clock):
    assert password_step(client, practitioner).location == "/"
    account = client.get("/account").get_data(as_text=True)
    assert "Set up two-factor sign-in" in account
    client.get("/account/two-factor")
    response = client.post("/account/two-factor", data={"code": code_now(practitioner, clock)})
    assert response.status_code == 200
    assert client.get("/people").status_code == 200  # still signed in, same session
    clock.move(30)
    assert "Turn off two-factor sign-in" in client.get("/account").get_data(as_text=True)
    client.post("/account/two-factor/off", data={"code": code_now(practitioner, clock)})
    db.session.refresh(practitioner)
    assert practitioner.totp_secret is None and not practitioner.has_two_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert len(events("two_factor_disabled")) == 1


def test_a_manager_cannot_turn_it_off(client, manager, clock):
    enrol(client, manager, clock)
    clock.move(30)
    client.post("/account/two-factor/off", data={"code": code_now(manager, clock)})
    db.session.refresh(manager)
    assert manager.has_two_factor
    assert "Turn off two-factor sign-in" not in client.get("/account").get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(client, manager, clock):
    old = enrol(client, manager, clock)
    clock.move(30)
    page = client.post(
        "/account/two-factor/recovery-codes", data={"code": code_now(manager, clock)}
    ).get_data(as_text=True)
    new = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    password_step(client, manager)
    assert client.post("/login/code", data={"code": old[0]}).status_code == 422
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_an_administrator_resets_a_lost_second_factor(app, client, manager, admin_user, clock):
    enrol(client, manager, clock)
    admin = app.test_client()
    admin_user.totp_secret = pyotp.random_base32()  # the administrator has set theirs up
    db.session.commit()
    password_step(admin, admin_user)
    admin.post("/account/two-factor", data={"code": code_now(admin_user, clock)})
    assert admin.get("/admin/users").status_code == 200
    response = admin.post(f"/admin/users/{manager.id}/two-factor/reset")
    assert response.status_code == 302
    db.session.refresh(manager)
    assert not manager.has_two_factor and manager.totp_secret is None
    assert client.get("/people").location.startswith("/login")  # their session ended
    [event] = events("two_factor_reset")
    assert (event.entity_id, event.user_id) == (manager.id, admin_user.id)
    assert password_step(client, manager).location == "/account/two-factor"


def test_a_role_that_comes_to_need_it_is_asked_at_the_next_request(app, client, practitioner):
    assert password_step(client, practitioner).location == "/"
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"practitioner"})
    assert client.get("/people").location == "/account/two-factor"
    [row] = db.session.scalars(select(UserSession)).all()
    db.session.refresh(row)
    assert row.stage == "enrol"


def test_the_cli_resets_a_second_factor(runner, client, manager, clock):
    enrol(client, manager, clock)
    db.session.rollback()  # as a command run on its own would, read the user afresh
    result = runner.invoke(args=["users", "reset-two-factor", manager.email])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # the command committed in its own session: read afresh
    db.session.refresh(manager)
    assert not manager.has_two_factor
    assert client.get("/people").location.startswith("/login")


def test_the_required_roles_come_from_the_environment(monkeypatch, tmp_path):
    from casework.config import ConfigurationError, from_environment

    assert from_environment(tmp_path)["MFA_REQUIRED_ROLES"] == DEFAULT_ROLES
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "admin, practitioner")
    assert from_environment(tmp_path)["MFA_REQUIRED_ROLES"] == {"admin", "practitioner"}
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "")
    assert from_environment(tmp_path)["MFA_REQUIRED_ROLES"] == frozenset()
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "admn")
    with pytest.raises(ConfigurationError, match="roles that do not exist: admn"):
        from_environment(tmp_path)


def test_guessing_codes_on_the_account_page_is_limited_like_sign_in(app, client, manager, clock):
    enrol(client, manager, clock)
    for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        client.post("/account/two-factor/recovery-codes", data={"code": "999999"})
    assert len(events("two_factor_failed")) == app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    clock.move(30)
    response = client.post(
        "/account/two-factor/recovery-codes", data={"code": code_now(manager, clock)}
    )
    assert response.status_code == 302  # refused, not new codes
    assert "Too many wrong passwords or codes" in client.get("/account").get_data(as_text=True)


def test_one_recovery_code_sent_twice_at_once_gets_in_once(app, client, manager, clock):
    """Both requests look the code up before either uses it; the one that writes second
    must find it used (PostgreSQL: the row lock and the UPDATE's own condition; SQLite:
    one writer at a time)."""
    import threading

    from casework.models import User

    codes = enrol(client, manager, clock)
    ready = threading.Barrier(2)
    results = []

    def use(name):
        with app.app_context():
            try:
                user = db.session.get(User, manager.id)
                ready.wait()
                results.append(two_factor.check(user, codes[0]).how)
                if name == "first":
                    threading.Event().wait(0.5)  # hold the transaction open a moment
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - a refusal or SQLite's busy writer
                results.append(type(error).__name__)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=use, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("recovery") == 1, results
    assert len(events("recovery_code_used")) == 1


def test_after_too_many_wrong_codes_in_a_row_only_a_recovery_code_opens_it(
    app, client, manager, clock
):
    """However slowly someone with the password guesses (under the time-window limit), the
    app's codes stop working after MAX_WRONG_CODES wrong ones; the person is told at their
    next sign-in."""
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = 1000  # the window's limit out of the way
    codes = enrol(client, manager, clock)
    client.post("/logout")
    password_step(client, manager)
    for _ in range(two_factor.MAX_WRONG_CODES):
        assert client.post("/login/code", data={"code": "999999"}).status_code == 422
    clock.move(60)
    locked = client.post("/login/code", data={"code": code_now(manager, clock)})
    assert locked.status_code == 422
    page = locked.get_data(as_text=True)
    assert "codes from the app no longer work. Use one of your recovery codes" in page
    assert code_now(manager, clock) not in page  # what was typed is not shown back
    assert len(events("two_factor_locked")) == 1
    response = client.post("/login/code", data={"code": codes[0]})
    assert response.status_code == 302
    warned = client.get("/people").get_data(as_text=True)
    assert f"{two_factor.MAX_WRONG_CODES + 1} wrong codes were entered for your account" in warned
    db.session.refresh(manager)
    assert manager.totp_failures == 0


def test_a_waiting_set_up_ends_when_it_was_done_in_another_browser(app, client, manager, clock):
    other = app.test_client()
    assert password_step(other, manager).location == "/account/two-factor"
    enrol(client, manager, clock)
    response = other.get("/account/two-factor")
    assert response.location == "/login"  # not a loop between set-up and the account page
    assert other.get("/people").location.startswith("/login")
