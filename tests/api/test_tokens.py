"""API tokens: made by the CLI or the account page, only a hash kept, revocable, and the only
way into the API (a logged-in browser's session cookie is not)."""

import hashlib
import re

import pytest
from sqlalchemy import select

from casework.admin.service import deactivate_user, reset_password
from casework.extensions import db
from casework.models import ApiToken, AuditEvent
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_person, make_user


def test_the_cli_prints_a_token_alone_on_the_last_line_and_keeps_only_its_hash(
    runner, client, practitioner
):
    result = runner.invoke(args=["users", "token", practitioner.email, "--label", "GP system"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"cw_[A-Za-z0-9_-]{43}", token)
    stored = db.session.scalars(select(ApiToken)).all()
    assert [(t.label, t.token_hash) for t in stored] == [
        ("GP system", hashlib.sha256(token.encode()).hexdigest())
    ]
    assert all(token not in str(value) for t in stored for value in vars(t).values())
    status, _ = Api(client, token).get("/people", query_string={"q": "Anne"})
    assert status == 200


def test_the_cli_refuses_an_unknown_email(runner):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no user" in result.output


def test_revoke_tokens_stops_every_token_of_the_user(runner, client, practitioner):
    tokens = [token_for(practitioner), token_for(practitioner)]
    result = runner.invoke(args=["users", "revoke-tokens", practitioner.email])
    assert result.exit_code == 0 and "Revoked 2 tokens" in result.output
    for token in tokens:
        assert Api(client, token).get("/people")[0] == 401


def test_a_deactivated_users_tokens_stop_working_and_stay_dead(client, practitioner, admin_user):
    api = Api(client, token_for(practitioner))
    assert api.get("/people")[0] == 200
    deactivate_user(db.session, practitioner, admin_user)
    db.session.commit()
    assert api.get("/people")[0] == 401
    practitioner.active = True  # reactivation does not bring old tokens back
    db.session.commit()
    assert api.get("/people")[0] == 401


def test_a_password_reset_revokes_api_tokens(client, practitioner, admin_user):
    """A password reset because it leaked must not leave the leaked account's tokens working."""
    api = Api(client, token_for(practitioner))
    assert api.get("/people")[0] == 200
    reset_password(db.session, practitioner, admin_user)
    db.session.commit()
    assert api.get("/people")[0] == 401
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "revoke", AuditEvent.entity == "api_token")
    )
    assert event.detail["reason"] == "password_changed"
    assert event.user_id == admin_user.id


def test_the_token_records_when_it_was_last_used(client, practitioner):
    api = Api(client, token_for(practitioner))
    assert db.session.scalar(select(ApiToken.last_used_at)) is None
    api.get("/people")
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_logged_in_browser_session_does_not_authenticate_the_api(client, practitioner):
    person = make_person(practitioner)
    login(client, practitioner)
    assert client.get(f"/people/{person.id}").status_code == 200  # the web page: yes
    response = client.get(f"/api/v1/people/{person.id}")  # the API: no token, no entry
    assert response.status_code == 401
    response = client.post("/api/v1/people", json={"given_name": "A", "family_name": "B"})
    assert response.status_code == 401


def test_a_token_acts_as_its_own_user_even_when_a_session_is_someone_elses(
    client, team, practitioner
):
    other = make_user(team, name="Other Worker")
    login(client, other)
    api = Api(client, token_for(practitioner))
    status, person = api.post("/people", {"given_name": "Anne", "family_name": "Session"})
    assert status == 201
    from casework.models import Person

    assert db.session.get(Person, person["id"]).created_by_id == practitioner.id


def test_the_account_page_makes_shows_and_revokes_tokens(client, practitioner):
    login(client, practitioner)
    response = client.post("/account/tokens", data={"label": "Spreadsheet"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    token = re.search(r'<code class="cw-token">([^<]+)</code>', page).group(1)
    assert Api(client, token).get("/people")[0] == 200

    page = client.get("/account").get_data(as_text=True)
    assert "Spreadsheet" in page and token not in page  # listed, never shown again
    record = db.session.scalar(select(ApiToken))
    response = client.post(f"/account/tokens/{record.id}/revoke")
    assert response.status_code == 302
    assert Api(client, token).get("/people")[0] == 401
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_nobody_can_revoke_or_see_another_users_token(client, team, practitioner):
    token = token_for(practitioner)
    record = db.session.scalar(select(ApiToken))
    login(client, make_user(team))
    assert "tests" not in client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/tokens/{record.id}/revoke").status_code == 404
    assert Api(client, token).get("/people")[0] == 200


def test_a_label_too_long_is_refused_and_kept(client, practitioner):
    login(client, practitioner)
    response = client.post("/account/tokens", data={"label": "x" * 101})
    assert response.status_code == 422
    assert "100 characters or fewer" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_expires_after_token_days_and_then_is_refused(client, practitioner):
    import datetime as dt

    from casework.auth.tokens import issue_token
    from casework.models import utcnow

    record, token = issue_token(db.session, practitioner)
    db.session.commit()
    lifetime = record.expires_at - record.created_at
    assert lifetime == dt.timedelta(days=90)
    api = Api(client, token)
    assert api.get("/people")[0] == 200
    record.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert api.get("/people")[0] == 401


@pytest.mark.parametrize("app_config", [{"TOKEN_DAYS": 7}])
def test_token_days_sets_how_long_a_new_token_works(client, practitioner, app_config):
    import datetime as dt

    from casework.auth.tokens import issue_token

    record, _ = issue_token(db.session, practitioner)
    assert record.expires_at - record.created_at == dt.timedelta(days=7)


def test_the_cli_takes_days_and_says_when_the_token_expires(runner, practitioner):
    import datetime as dt

    result = runner.invoke(args=["users", "token", practitioner.email, "--days", "3"])
    assert result.exit_code == 0, result.output
    record = db.session.scalar(select(ApiToken))
    assert record.expires_at - record.created_at == dt.timedelta(days=3)
    assert "working until" in result.output
    refused = runner.invoke(args=["users", "token", practitioner.email, "--days", "0"])
    assert refused.exit_code != 0
    assert "--days" in refused.output


def test_the_account_page_lists_tokens_with_their_expiry_and_marks_expired_ones(
    client, practitioner
):
    import datetime as dt

    from casework.auth.tokens import issue_token
    from casework.formatting import uk_date
    from casework.models import utcnow

    live, _ = issue_token(db.session, practitioner, "GP system")
    old, _ = issue_token(db.session, practitioner, "Old script")
    old.expires_at = utcnow() - dt.timedelta(days=1)
    db.session.commit()
    login(client, practitioner)
    page = client.get("/account").get_data(as_text=True)
    assert "Expires" in page
    assert uk_date(live.expires_at) in page
    row = page[page.index("Old script") :]
    assert "Expired" in row[: row.index("</tr>")]
    assert "Revoke" not in row[: row.index("</tr>")]


def test_the_cli_sets_a_password_ending_sessions_and_tokens(runner, app, client, practitioner):
    from casework.auth.service import check_password

    api = Api(client, token_for(practitioner))
    login(client, practitioner)
    db.session.rollback()
    result = runner.invoke(args=["users", "set-password", practitioner.email])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].removeprefix("Password (shown once): ")
    db.session.rollback()
    db.session.refresh(practitioner)
    assert check_password(practitioner, password)
    assert client.get("/people").location.startswith("/login")
    assert api.get("/people")[0] == 401
    chosen = runner.invoke(
        args=["users", "set-password", practitioner.email, "--password", "password"]
    )
    assert chosen.exit_code != 0
    assert "at least 12 characters" in chosen.output


def test_the_cli_logs_a_user_out_everywhere(runner, app, client, practitioner):
    login(client, practitioner)
    result = runner.invoke(args=["users", "sign-out", practitioner.email])
    assert result.exit_code == 0, result.output
    assert "Ended 1 session" in result.output
    assert client.get("/people").location.startswith("/login")


def test_token_days_comes_from_the_environment(monkeypatch, tmp_path):
    from casework.config import ConfigurationError, from_environment

    assert from_environment(tmp_path)["TOKEN_DAYS"] == 90
    monkeypatch.setenv("TOKEN_DAYS", "30")
    assert from_environment(tmp_path)["TOKEN_DAYS"] == 30
    monkeypatch.setenv("TOKEN_DAYS", "1000")
    with pytest.raises(ConfigurationError, match="TOKEN_DAYS must be 366 or fewer"):
        from_environment(tmp_path)
