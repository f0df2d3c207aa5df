"""Single sign-on through OpenID Connect (ADR 0023; docs/deploying.md, Sign-in).

On only when OIDC_ISSUER is set (with the client id and secret: config.py insists). The
authorisation code flow with PKCE (S256), through Authlib's Flask client:

- `/login/oidc` keeps a safe `next` in the session and sends the browser to the provider
  (Authlib keeps the state, nonce and PKCE verifier in the session, under the state);
- `/login/oidc/callback` checks the state, swaps the code for tokens, and checks the ID
  token: signature (the provider's JWKS), nonce, issuer (OIDC_ISSUER), audience (the client
  id) and expiry, read from this module's clock `now()`. The person is the active Casework
  user with the email in OIDC_EMAIL_CLAIM, never one made on the fly.

The provider's discovery document is read on first use, not at start, so Casework starts
while the provider is down. Every refusal is a plain message on the login page and an
audit event (`oidc_login_failed`, not counted towards the password limits: see ADR 0023).
Casework asks no second factor of a single sign-on user: the provider is responsible for it.
"""

from __future__ import annotations

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.oidc.core import CodeIDToken
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import User
from . import bp, sessions, throttle
from .routes import safe_next

PROVIDER = "provider"  # Authlib's name for the client; its session keys start _state_provider_
NEXT = "_oidc_next"  # where to go once signed in, kept in the session meanwhile
LEEWAY = 60  # seconds of clock difference allowed between Casework and the provider
TIMEOUT = 10  # seconds to wait for the provider before telling the person it is unreachable
DISCOVERY = "/.well-known/openid-configuration"


def now() -> float:
    """The clock the ID token's expiry is checked against (tests move it)."""
    return clock.timestamp()


class IDToken(CodeIDToken):
    """Authlib's checks of a code flow's ID token (nonce, azp, at_hash and the registered
    claims), with the time read from `now()` rather than Authlib's own clock."""

    def validate(self, at=None, leeway=0):
        super().validate(now=int(now() if at is None else at), leeway=leeway)


class SignInRefused(Exception):
    """Single sign-on did not give an active Casework user: why (for the audit trail), what
    to tell the person, and the email the provider gave, if it got that far."""

    def __init__(self, reason: str, message: str, email: str | None = None, **detail):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.email = email
        self.detail = detail


def discovery_url(issuer: str) -> str:
    """Where the provider describes itself (OpenID Connect Discovery 1.0, section 4)."""
    return issuer.rstrip("/") + DISCOVERY


@bp.record_once
def register(state) -> None:
    """Register the provider with Authlib for this app, only when single sign-on is set up.
    Nothing is fetched from the provider here: the app starts while it is unreachable."""
    config = state.app.config
    if not config.get("OIDC_ISSUER"):
        return
    oauth = OAuth(state.app)
    oauth.register(
        PROVIDER,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=discovery_url(config["OIDC_ISSUER"]),
        client_kwargs={
            "scope": config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )


def _client():
    """The provider's Authlib client; 404 when single sign-on is not set up here."""
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    client = oauth.create_client(PROVIDER) if oauth is not None else None
    if client is None:
        abort(404)
    return client


def _name() -> str:
    return current_app.config["OIDC_NAME"]


@bp.get("/login/oidc")
def oidc_login():
    """Send the browser to the provider to sign in, remembering where to go afterwards."""
    client = _client()
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    session[NEXT] = safe_next(request.args.get("next"))
    try:
        _metadata(client)
        return client.authorize_redirect(url_for("auth.oidc_callback", _external=True))
    except SignInRefused as refusal:
        return _refused(refusal)


@bp.get("/login/oidc/callback")
def oidc_callback():
    """The provider sends the browser back here: sign in the matching active user, or go
    back to the login page saying why not."""
    client = _client()
    try:
        user = _user_for(_identity(client))
    except SignInRefused as refusal:
        return _refused(refusal)
    next_url = session.get(NEXT)
    sessions.begin(user, method="oidc")  # clears the session: state, nonce and next go
    db.session.commit()
    return redirect(safe_next(next_url))


def _metadata(client) -> dict:
    """The provider's discovery document (fetched once, then kept), which must name the
    issuer Casework was given: otherwise ID tokens could never match it."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(error) from error
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if metadata.get("issuer") != current_app.config["OIDC_ISSUER"] or not all(
        isinstance(metadata.get(key), str) for key in needed
    ):
        client.server_metadata.clear()  # read it again next time, in case it is put right
        raise SignInRefused(
            "issuer_mismatch",
            f"{_name()} is not set up properly for Casework. Tell your administrator.",
            issuer=str(metadata.get("issuer"))[:200],
        )
    return metadata


def _unreachable(error: Exception) -> SignInRefused:
    passwords = " or log in with your Casework password" if _passwords_on() else ""
    return SignInRefused(
        "provider_unreachable",
        f"Casework cannot reach {_name()} at the moment. Try again in a few minutes{passwords}.",
        error=type(error).__name__,
    )


def _passwords_on() -> bool:
    return bool(current_app.config["LOCAL_PASSWORDS"])


def _identity(client) -> dict:
    """The claims about the person: the checked ID token's, and the provider's userinfo
    when the ID token lacks the email claim (as providers may in the code flow)."""
    config = current_app.config
    try_again = f"Logging in with {_name()} did not finish. Try again."
    error = request.args.get("error")
    if error:
        raise SignInRefused("provider_error", try_again, error=error[:100])
    issuer = config["OIDC_ISSUER"]
    if request.args.get("iss", issuer) != issuer:  # RFC 9207: an answer meant for another
        raise SignInRefused("wrong_issuer", try_again)
    metadata = _metadata(client)
    unchecked = (
        f"Casework could not check the answer from {_name()}. Try again. "
        "If this keeps happening, tell your administrator."
    )
    try:
        token = client.authorize_access_token(
            claims_cls=IDToken,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
            },
            leeway=LEEWAY,
        )
    except MismatchingStateError:
        raise SignInRefused(
            "bad_state",
            f"Logging in with {_name()} took too long, or was started in another tab or "
            "browser. Try again.",
        ) from None
    except OAuthError as refused:  # the token endpoint said no (a used or wrong code)
        raise SignInRefused("token_refused", unchecked, error=str(refused.error)[:100]) from None
    except requests.RequestException as failed:
        raise _unreachable(failed) from failed
    except (JoseError, ValueError, KeyError, TypeError) as bad:
        raise SignInRefused("invalid_token", unchecked, error=type(bad).__name__) from None
    claims = token.get("userinfo")
    if not claims:  # no ID token at all: nothing checked says who this is
        raise SignInRefused("invalid_token", unchecked, error="no_id_token")
    claims = dict(claims)
    if config["OIDC_EMAIL_CLAIM"] not in claims and metadata.get("userinfo_endpoint"):
        try:
            extra = client.userinfo(token=token)
        except requests.RequestException as failed:
            raise _unreachable(failed) from failed
        except (OAuthError, ValueError) as bad:
            raise SignInRefused("invalid_userinfo", unchecked, error=type(bad).__name__) from None
        if extra.get("sub") != claims.get("sub"):  # OpenID Connect Core 5.3.2
            raise SignInRefused("invalid_userinfo", unchecked, error="sub_mismatch")
        claims = {**extra, **claims}
        claims[config["OIDC_EMAIL_CLAIM"]] = extra.get(config["OIDC_EMAIL_CLAIM"])
        if "email_verified" in extra:
            claims["email_verified"] = extra["email_verified"]
    return claims


def _user_for(claims: dict) -> User:
    """The active Casework user whose email the provider vouched for; never a new one."""
    claim = current_app.config["OIDC_EMAIL_CLAIM"]
    value = claims.get(claim)
    # ASCII only: lower-casing "\u212aate@..." (a Kelvin sign) gives "kate@...", so a
    # look-alike address at the provider would otherwise match someone else's account.
    email = throttle.normalise(value) if isinstance(value, str) and value.isascii() else ""
    if not email:
        raise SignInRefused(
            "no_email",
            f"{_name()} did not tell Casework your email address, so Casework cannot tell "
            "which account is yours. Tell your administrator.",
            claim=claim,
        )
    verified = claims.get("email_verified", True)  # absent: Entra does not send it (ADR 0023)
    if verified is not True and str(verified).lower() != "true":
        raise SignInRefused(
            "email_not_verified",
            f"{_name()} has not confirmed your email address, so Casework cannot tell which "
            "account is yours. Ask your administrator.",
            email,
        )
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        raise SignInRefused(
            "unknown_user",
            f"Your account at {_name()} is not a Casework account here. "
            "Ask your administrator to add you.",
            email,
        )
    if not user.active:
        raise SignInRefused(
            "inactive_user",
            "Your Casework account is switched off. Ask your administrator if you still need it.",
            email,
        )
    return user


def _refused(refusal: SignInRefused):
    """Back to the login page with the plain message; the refusal goes in the audit trail."""
    db.session.rollback()
    throttle.record_failure(
        refusal.email, throttle.OIDC_FAILED, method="oidc", reason=refusal.reason, **refusal.detail
    )
    db.session.commit()
    flash(refusal.message, "error")
    saved = session.get(NEXT)
    keep = saved if saved and saved != url_for("caseload.index") else None
    return redirect(url_for("auth.login", next=keep))
