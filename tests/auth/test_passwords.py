"""Passwords people choose: at least 12 characters and not a common one, wherever chosen;
and every user can change their own on /account."""

import pytest

from casework.admin import service as admin
from casework.auth.common_passwords import common_passwords, is_common
from casework.auth.service import authenticate, password_problem, random_password
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import PASSWORD, login

NEW = "kettle orbit lantern meadow"


def test_the_list_holds_the_top_passwords_of_a_kept_list():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou", "liverpool"} <= listed


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # on the list as it is
        "Password2026!",  # a listed one with digits and symbols round it
        "QWERTYUIOP123",
        "!!liverpool!!99",
        "monkeymonkeymonkey",  # a listed one repeated
        "abcabcabcabc",  # a short piece repeated
        "123456789012",  # digits only
        "Casework2026!",  # the service's own name
    ],
)
def test_common_and_dressed_up_common_passwords_are_refused(password):
    assert is_common(password)
    assert "most common passwords" in password_problem(password)


@pytest.mark.parametrize("password", [PASSWORD, NEW, "Tulip-river-kettle-9"])
def test_uncommon_passwords_of_twelve_or_more_characters_pass(password):
    assert password_problem(password) is None


def test_short_passwords_are_refused_before_the_list_is_looked_at():
    assert password_problem("x7#Lq") == "Use a password of at least 12 characters"


def test_made_up_passwords_pass_the_same_checks():
    assert all(password_problem(random_password()) is None for _ in range(50))


def test_an_administrator_cannot_give_a_common_password(admin_user, team, practitioner):
    with pytest.raises(InvalidValue) as error:
        admin.create_user(
            db.session,
            email="new@example.org",
            name="New",
            role="practitioner",
            team=team,
            password="Password2026!",
        )
    assert "most common" in error.value.fields["password"]
    with pytest.raises(InvalidValue) as error:
        admin.reset_password(db.session, practitioner, admin_user, "qwertyuiop123")
    assert "most common" in error.value.fields["password"]


def test_the_users_create_command_refuses_a_common_password(runner, team):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli@example.org",
            "--name",
            "Cli",
            "--role",
            "practitioner",
            "--password",
            "letmein123456",
        ]
    )
    assert result.exit_code == 1
    assert "most common passwords" in result.output
    assert admin.find_user(db.session, "cli@example.org") is None


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def test_the_account_page_offers_a_password_change(client, practitioner):
    login(client, practitioner)
    page = client.get("/account").get_data(as_text=True)
    assert "Change your password" in page
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page


def test_changing_the_password_ends_other_sessions_keeps_this_one_and_is_audited(
    app, client, practitioner
):
    login(client, practitioner)
    other = app.test_client()
    login(other, practitioner)
    response = change(client)
    assert response.status_code == 302 and response.location == "/account"
    assert "Your password has been changed" in client.get("/account").get_data(as_text=True)
    assert other.get("/account").location.startswith("/login")  # the other session ended
    db.session.expire_all()  # the requests changed the user in their own sessions
    assert authenticate(practitioner.email, NEW) is not None
    assert authenticate(practitioner.email, PASSWORD) is None
    [event] = db.session.query(AuditEvent).filter_by(action="change_password").all()
    assert event.user_id == practitioner.id and event.entity_id == practitioner.id
    assert NEW not in str(event.detail)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current": "not my password"}, "current", "Enter your current password correctly"),
        ({"new": "short one"}, "new", "at least 12 characters"),
        ({"new": "iloveyou2026!"}, "new", "most common passwords"),
        ({"confirm": "kettle orbit lantern meadoW"}, "confirm", "not the same"),
        ({"new": PASSWORD}, "new", "different from your current one"),
        ({"current": ""}, "current", "Enter your current password"),
    ],
)
def test_a_refused_change_says_why_and_never_shows_a_password_again(
    client, practitioner, data, field, message
):
    login(client, practitioner)
    response = change(client, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert "Error: Your account" in page
    for typed in {PASSWORD, NEW, *data.values()} - {""}:
        assert f'value="{typed}"' not in page
    assert authenticate(practitioner.email, PASSWORD) is not None  # nothing changed
    assert db.session.query(AuditEvent).filter_by(action="change_password").count() == 0
