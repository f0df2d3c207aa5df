"""Single sign-on through OpenID Connect, with Flask's test client. The provider is played
here: its discovery document and keys are handed to Authlib's client, and the token
endpoint's answer is a real ID token signed with a test key, so Authlib's own checks
(signature, nonce, issuer, audience, expiry) run as they do in production.
(tests/browser/test_single_sign_on.py walks the same journeys against a real provider.)"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func, select

from casework import config
from casework.auth import oidc
from casework.extensions import db
from casework.models import AuditEvent, User, UserSession
from tests.conftest import PASSWORD, login, make_user

ISSUER = "https://sso.example.org/realms/nhs"
CLIENT_ID = "casework-test"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # same kid, wrong key
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/authorize",
    "token_endpoint": ISSUER + "/token",
    "userinfo_endpoint": ISSUER + "/userinfo",
    "jwks_uri": ISSUER + "/jwks",
    "id_token_signing_alg_values_supported": ["RS256"],
    "jwks": KeySet([KEY]).as_dict(private=False),
}
SSO = {
    "OIDC_ISSUER": ISSUER,
    "OIDC_CLIENT_ID": CLIENT_ID,
    "OIDC_CLIENT_SECRET": "test-client-secret",
    "OIDC_NAME": "NHS Care Identity",
}
UNKNOWN = "Your account at NHS Care Identity is not a Casework account here."


@pytest.fixture
def app_config():
    return dict(SSO)


class Provider:
    """Plays the provider's side: what the token endpoint (and userinfo) will answer."""

    def __init__(self, client, monkeypatch):
        self.client = client
        self.claims: dict = {}
        self.key = KEY
        self.userinfo: dict | None = None
        self.nonce = None
        client.server_metadata.clear()
        client.server_metadata.update({**METADATA, "_loaded_at": time.time()})
        monkeypatch.setattr(client, "fetch_access_token", self.token_endpoint)
        monkeypatch.setattr(client, "userinfo", self.userinfo_endpoint)

    def token_endpoint(self, **params):
        assert params["code_verifier"]  # PKCE: the verifier goes with the code
        moment = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "subject-1",
            "iat": moment,
            "exp": moment + 300,
            "nonce": self.nonce,
            **self.claims,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return {"access_token": "access", "token_type": "Bearer", "id_token": id_token}

    def userinfo_endpoint(self, **kwargs):
        return dict(self.userinfo or {})


@pytest.fixture
def provider(app, monkeypatch):
    client = app.extensions["authlib.integrations.flask_client"].create_client(oidc.PROVIDER)
    return Provider(client, monkeypatch)


def start(client, provider, next_url=None):
    """Press "Log in with …": the provider's address, with the state the callback needs."""
    response = client.get("/login/oidc", query_string={"next": next_url} if next_url else None)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.location).query)
    provider.nonce = query["nonce"][0]
    return response, query


def sign_in(client, provider, email=None, next_url=None, **claims):
    """The whole round trip: start, then come back from the provider with a code."""
    _, query = start(client, provider, next_url)
    if email is not None:
        claims.setdefault("email", email)
    provider.claims = claims
    return client.get("/login/oidc/callback", query_string={"code": "c", "state": query["state"]})


def refusals():
    events = select(AuditEvent).where(AuditEvent.action == "oidc_login_failed")
    return [(e.detail.get("reason"), e.detail.get("email")) for e in db.session.scalars(events)]


def refused_with(client, response, message):
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    page = client.get(response.location).get_data(as_text=True)
    assert message in page
    assert client.get("/people").location.startswith("/login")  # not signed in


# Set up or not


@pytest.mark.parametrize("app_config", [{}])
def test_without_an_issuer_the_routes_are_not_there_and_the_page_has_no_button(app, client):
    assert "authlib.integrations.flask_client" not in app.extensions
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with" not in page
    assert 'name="password"' in page


def test_the_login_page_offers_single_sign_on_and_passwords(client):
    page = client.get("/login?next=/people").get_data(as_text=True)
    assert 'href="/login/oidc?next=/people"' in page
    assert "Log in with NHS Care Identity" in page
    assert 'name="password"' in page


def test_with_local_passwords_off_the_login_page_offers_only_single_sign_on(app, client):
    app.config["LOCAL_PASSWORDS"] = False
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with NHS Care Identity" in page
    assert 'name="password"' not in page
    assert "Forgotten your password" not in page


NOBODY_THERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.mark.parametrize("app_config", [{**SSO, "OIDC_ISSUER": NOBODY_THERE}])
def test_the_app_starts_while_the_provider_is_unreachable_and_says_so(app, client):
    assert client.get("/login").status_code == 200  # the app started: nothing was fetched
    response = client.get("/login/oidc?next=/people")
    assert response.location == "/login?next=/people"  # kept for the next try
    refused_with(
        client,
        response,
        "Casework cannot reach NHS Care Identity at the moment. Try again in a few minutes "
        "or log in with your Casework password.",
    )
    assert refusals() == [("provider_unreachable", "")]


# Going to the provider


def test_the_provider_is_asked_for_a_code_with_pkce_state_and_nonce(client, provider):
    response, query = start(client, provider)
    assert response.location.startswith(ISSUER + "/authorize?")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["openid email"]
    assert query["redirect_uri"] == ["http://localhost/login/oidc/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20


def test_a_discovery_document_for_another_issuer_is_refused(client, provider):
    provider.client.server_metadata["issuer"] = "https://evil.example"
    refused_with(client, client.get("/login/oidc"), "not set up properly for Casework")
    assert refusals() == [("issuer_mismatch", "")]


# Coming back


def test_a_known_user_signs_in_and_goes_where_they_were_going(client, provider, practitioner):
    response = sign_in(client, provider, practitioner.email, next_url="/people?q=Anne")
    assert response.status_code == 302
    assert response.location == "/people?q=Anne"
    assert client.get("/people").status_code == 200
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == practitioner.id))
    assert row.method == "oidc" and row.stage == "signed_in"
    login_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login"))
    assert login_event.user_id == practitioner.id and login_event.detail["method"] == "oidc"


def test_the_email_is_matched_trimmed_and_whatever_its_case(client, provider, practitioner):
    response = sign_in(client, provider, f"  {practitioner.email.upper()} ")
    assert response.location == "/"
    assert client.get("/people").status_code == 200


def test_a_hostile_next_is_not_followed(client, provider, practitioner):
    response = sign_in(client, provider, practitioner.email, next_url="//evil.example/")
    assert response.location == "/"


def test_someone_without_a_casework_account_is_refused_and_not_created(client, provider, team):
    users = db.session.scalar(select(func.count(User.id)))
    response = sign_in(client, provider, "Stranger@Example.org")
    refused_with(client, response, UNKNOWN + " Ask your administrator to add you.")
    assert db.session.scalar(select(func.count(User.id))) == users
    assert refusals() == [("unknown_user", "stranger@example.org")]


def test_a_deactivated_user_is_refused(client, provider, practitioner):
    practitioner.active = False
    db.session.commit()
    response = sign_in(client, provider, practitioner.email)
    refused_with(client, response, "Your Casework account is switched off.")
    assert refusals() == [("inactive_user", practitioner.email)]


@pytest.mark.parametrize("verified", [False, "false", 0, "no"])
def test_an_email_the_provider_has_not_verified_is_refused(
    client, provider, practitioner, verified
):
    response = sign_in(client, provider, practitioner.email, email_verified=verified)
    refused_with(client, response, "NHS Care Identity has not confirmed your email address")
    assert refusals() == [("email_not_verified", practitioner.email)]


def test_a_look_alike_address_does_not_match_an_ascii_one(client, provider, team):
    """The Kelvin sign lower-cases to "k": "\u212aate@..." must not sign in as kate@."""
    make_user(team, email="kate@example.org")
    response = sign_in(client, provider, "\u212aate@example.org")
    refused_with(client, response, "NHS Care Identity did not tell Casework your email address")
    assert refusals() == [("no_email", "")]


@pytest.mark.parametrize("missing", ["jwks_uri", "token_endpoint", "authorization_endpoint"])
def test_a_discovery_document_missing_an_endpoint_is_refused_not_a_500(client, provider, missing):
    del provider.client.server_metadata[missing]
    refused_with(client, client.get("/login/oidc"), "not set up properly for Casework")


def test_no_email_from_the_provider_is_refused(client, provider, practitioner):
    provider.userinfo = {"sub": "subject-1"}
    response = sign_in(client, provider)
    refused_with(client, response, "NHS Care Identity did not tell Casework your email address")
    assert refusals() == [("no_email", "")]


def test_the_email_may_come_from_userinfo_when_the_id_token_lacks_it(
    client, provider, practitioner
):
    provider.userinfo = {"sub": "subject-1", "email": practitioner.email, "email_verified": True}
    assert sign_in(client, provider).location == "/"
    assert client.get("/people").status_code == 200


def test_userinfo_about_someone_else_is_refused(client, provider, practitioner):
    provider.userinfo = {"sub": "someone-else", "email": practitioner.email}
    response = sign_in(client, provider)
    refused_with(client, response, "Casework could not check the answer from NHS Care Identity")
    assert refusals() == [("invalid_userinfo", "")]


def test_another_email_claim_can_be_configured(app, client, provider, practitioner):
    app.config["OIDC_EMAIL_CLAIM"] = "preferred_username"
    response = sign_in(client, provider, preferred_username=practitioner.email)
    assert response.location == "/"


def test_a_role_that_needs_two_factor_is_not_asked_for_it_after_single_sign_on(
    app, client, provider, manager
):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"manager"})
    assert sign_in(client, provider, manager.email).location == "/"
    assert client.get("/people").status_code == 200  # not sent to set up a second factor


# Refused answers


def test_a_tampered_state_is_refused(client, provider, practitioner):
    start(client, provider)
    provider.claims = {"email": practitioner.email}
    response = client.get("/login/oidc/callback", query_string={"code": "c", "state": "forged"})
    refused_with(client, response, "took too long, or was started in another tab")
    assert refusals() == [("bad_state", "")]


def test_a_missing_state_is_refused(client, provider, practitioner):
    start(client, provider)
    response = client.get("/login/oidc/callback?code=c")
    refused_with(client, response, "Try again.")
    assert refusals() == [("bad_state", "")]


def test_a_callback_cannot_be_used_twice(client, provider, practitioner):
    _, query = start(client, provider)
    provider.claims = {"email": practitioner.email}
    callback = {"code": "c", "state": query["state"]}
    assert client.get("/login/oidc/callback", query_string=callback).location == "/"
    client.post("/logout")
    response = client.get("/login/oidc/callback", query_string=callback)
    refused_with(client, response, "Try again.")


def test_an_error_from_the_provider_is_refused(client, provider):
    _, query = start(client, provider)
    response = client.get(
        "/login/oidc/callback", query_string={"error": "access_denied", "state": query["state"]}
    )
    refused_with(client, response, "Logging in with NHS Care Identity did not finish. Try again.")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "oidc_login_failed"))
    assert event.detail == {"email": "", "method": "oidc", "reason": "provider_error",
                            "error": "access_denied"}  # fmt: skip


def test_an_answer_naming_another_issuer_is_refused(client, provider, practitioner):
    _, query = start(client, provider)
    response = client.get(
        "/login/oidc/callback",
        query_string={"code": "c", "state": query["state"], "iss": "https://evil.example"},
    )
    refused_with(client, response, "Try again.")
    assert refusals() == [("wrong_issuer", "")]


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"iss": "https://evil.example"},
        {"nonce": "not-the-nonce"},
        {"exp": int(time.time()) - 3600},
        {"exp": None},
    ],
    ids=["audience", "issuer", "nonce", "expired", "no-expiry"],
)
def test_an_id_token_that_fails_a_check_is_refused(client, provider, practitioner, claims):
    response = sign_in(client, provider, practitioner.email, **claims)
    refused_with(client, response, "Casework could not check the answer from NHS Care Identity")
    assert refusals() == [("invalid_token", "")]


def test_an_id_token_signed_with_another_key_is_refused(client, provider, practitioner):
    provider.key = OTHER_KEY
    response = sign_in(client, provider, practitioner.email)
    refused_with(client, response, "Casework could not check the answer")
    assert refusals() == [("invalid_token", "")]


def test_an_id_token_is_refused_once_the_clock_passes_its_expiry(
    client, provider, practitioner, monkeypatch
):
    later = time.time() + 300 + oidc.LEEWAY + 1
    monkeypatch.setattr(oidc, "now", lambda: later)
    response = sign_in(client, provider, practitioner.email)
    refused_with(client, response, "Casework could not check the answer")
    monkeypatch.setattr(oidc, "now", lambda: later - 2)  # within the leeway: still good
    assert sign_in(client, provider, practitioner.email).location == "/"


def test_refusals_do_not_count_towards_the_password_limits(app, client, provider, practitioner):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = 2
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = 2
    practitioner.active = False
    db.session.commit()
    for _ in range(3):
        sign_in(client, provider, practitioner.email)
    practitioner.active = True
    db.session.commit()
    assert len(refusals()) == 3
    login(app.test_client(), practitioner)  # the password still works: 302, not 429


# Logging out


def test_logging_out_after_single_sign_on_ends_the_session(app, client, provider, practitioner):
    sign_in(client, provider, practitioner.email)
    cookie = client.get_cookie("session").value
    client.post("/logout")
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/people").location.startswith("/login")


# Configuration


@pytest.mark.parametrize(
    "environment, says",
    [
        ({"OIDC_ISSUER": ISSUER}, "needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"),
        ({"OIDC_ISSUER": "http://sso.example.org", "OIDC_CLIENT_ID": "c",
          "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER must start with https://"),
        ({"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
          "OIDC_SCOPES": "email profile"}, "OIDC_SCOPES must include openid"),
        ({"LOCAL_PASSWORDS": "off"}, "nobody could sign in"),
    ],
)  # fmt: skip
def test_a_half_set_up_single_sign_on_stops_the_app_saying_why(
    monkeypatch, tmp_path, environment, says
):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigurationError, match=says):
        config.from_environment(tmp_path)


def test_single_sign_on_settings_are_read_with_their_defaults(monkeypatch, tmp_path):
    for name, value in {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
                        "LOCAL_PASSWORDS": "off"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    settings = config.from_environment(tmp_path)
    assert settings["OIDC_ISSUER"] == ISSUER and settings["LOCAL_PASSWORDS"] is False
    assert settings["OIDC_SCOPES"] == "openid email"
    assert settings["OIDC_EMAIL_CLAIM"] == "email"
    assert settings["OIDC_NAME"] == "single sign-on"
    assert oidc.discovery_url(ISSUER + "/") == ISSUER + "/.well-known/openid-configuration"


def test_password_login_is_refused_when_local_passwords_are_off(app, client, practitioner):
    app.config["LOCAL_PASSWORDS"] = False
    response = client.post("/login", data={"email": practitioner.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Log in with NHS Care Identity" in response.get_data(as_text=True)


def test_a_user_made_by_an_administrator_can_sign_in_at_once(client, provider, team):
    user = make_user(team, email="new.starter@example.org")
    assert sign_in(client, provider, user.email).location == "/"
