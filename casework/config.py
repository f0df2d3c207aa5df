"""Configuration from the environment, with safe defaults for one locality on SQLite.

Development and production differ in one way: where SECRET_KEY may come from.
Development is everything except the production entry point: `casework run` and every
other `casework` command, `make run`, and the tests. There, without SECRET_KEY in the
environment, a random key is made once and kept in instance/secret_key. Production is
`casework.wsgi:app`, which gunicorn serves (`make serve`): it refuses to start unless
SECRET_KEY is in the environment, at least MIN_SECRET_KEY_LENGTH characters long and not
a known placeholder.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from .rules import ROLES

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
MIN_SECRET_KEY_LENGTH = 32
# Keys from examples, tutorials and this project's own tests: never acceptable in production.
PLACEHOLDER_KEYS = {
    "secret",
    "secret-key",
    "secret_key",
    "secretkey",
    "your-secret-key",
    "your_secret_key",
    "change-me",
    "changeme",
    "change-this",
    "replace-me",
    "dev",
    "development",
    "test",
    "test-secret-key",
    "not-a-secret",
    "casework",
}
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class ConfigurationError(RuntimeError):
    """The environment does not describe a safe deployment; the message says how to fix it."""


def secret_key(instance_path: Path, production: bool = False) -> str:
    """SECRET_KEY from the environment; in development only, one made once in instance/."""
    key = os.environ.get("SECRET_KEY", "")
    if production:
        check_production_secret_key(key)
        return key
    if key:
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def check_production_secret_key(key: str) -> None:
    """Refuse a missing, short, placeholder or repetitive key, saying how to make a good one."""
    problem = None
    if not key:
        problem = "SECRET_KEY is not set."
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        problem = f"SECRET_KEY is only {len(key)} characters long."
    elif _placeholder(key):
        problem = "SECRET_KEY is a placeholder from an example, not a secret."
    elif len(set(key)) < 10:
        problem = "SECRET_KEY repeats a few characters: it is not random."
    if problem:
        raise ConfigurationError(
            f"Casework will not start: {problem} In production SECRET_KEY must be a random "
            f"value of at least {MIN_SECRET_KEY_LENGTH} characters, kept secret, set in the "
            f"environment. Make one with: {MAKE_A_KEY}"
        )


def _placeholder(key: str) -> bool:
    lowered = key.strip().lower()
    return lowered in PLACEHOLDER_KEYS or any(
        lowered.startswith(word) for word in ("change", "replace", "your-", "insert")
    )


def _whole_number(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigurationError(f"{name} must be a whole number, {minimum} or more (not {raw!r})")
    return int(raw)


def _token_days() -> int:
    days = _whole_number("TOKEN_DAYS", 90, minimum=1)
    if days > 366:
        raise ConfigurationError(f"TOKEN_DAYS must be 366 or fewer (not {days})")
    return days


KNOWN_ROLES = ROLES


def _roles(name: str, default: str) -> frozenset[str]:
    """A comma-separated list of roles; a misspelt one is refused rather than ignored (a
    typo must not quietly switch two-factor off for administrators)."""
    raw = os.environ.get(name, default)
    roles = {word.strip().lower() for word in raw.split(",") if word.strip()}
    unknown = sorted(roles - set(KNOWN_ROLES))
    if unknown:
        raise ConfigurationError(
            f"{name} names roles that do not exist: {', '.join(unknown)}. "
            f"Use a comma-separated list of {', '.join(KNOWN_ROLES)} (or leave it empty)."
        )
    return frozenset(roles)


def _on_or_off(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise ConfigurationError(f"{name} must be on or off (not {raw!r})")


def _oidc() -> dict:
    """Single sign-on through OpenID Connect: on when the issuer, client id and secret are
    all set (docs/deploying.md, Sign-in)."""
    names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
    values = {name: os.environ.get(name, "").strip() for name in names}
    given = [name for name in names if values[name]]
    if given and len(given) < len(names):
        missing = ", ".join(name for name in names if not values[name])
        raise ConfigurationError(f"Single sign-on needs {missing} as well as {', '.join(given)}")
    issuer = values["OIDC_ISSUER"]
    if issuer and not issuer.startswith("https://") and not _loopback(issuer):
        raise ConfigurationError(f"OIDC_ISSUER must start with https:// (not {issuer!r})")
    scopes = os.environ.get("OIDC_SCOPES", "").strip() or "openid email"
    if "openid" not in scopes.split():
        raise ConfigurationError(f"OIDC_SCOPES must include openid (not {scopes!r})")
    return {
        **values,
        "OIDC_SCOPES": scopes,
        "OIDC_EMAIL_CLAIM": os.environ.get("OIDC_EMAIL_CLAIM", "").strip() or "email",
        "OIDC_NAME": os.environ.get("OIDC_NAME", "").strip() or "single sign-on",
    }


def _loopback(url: str) -> bool:
    """A provider on this machine (tests): plain http cannot be read on the way."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def from_environment(instance_path: Path, production: bool = False) -> dict:
    """Settings read from environment variables (docs/deploying.md, Settings)."""
    scheme = os.environ.get("PREFERRED_URL_SCHEME", "http").strip().lower() or "http"
    if scheme not in ("http", "https"):
        raise ConfigurationError(f"PREFERRED_URL_SCHEME must be http or https (not {scheme!r})")
    settings = {
        "SECRET_KEY": secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", "sqlite:///" + str(instance_path / "casework.sqlite")
        ),
        "REPEAT_LOOKBACK_DAYS": int(os.environ.get("REPEAT_LOOKBACK_DAYS", "365")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # https: every cookie Secure and HSTS sent. Otherwise each request over HTTPS
        # (directly or through a trusted proxy) gets them (casework/security.py).
        "PREFERRED_URL_SCHEME": scheme,
        "SESSION_COOKIE_SECURE": scheme == "https",
        "REMEMBER_COOKIE_SECURE": scheme == "https",
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", 0),
        "SESSION_IDLE_MINUTES": _whole_number("SESSION_IDLE_MINUTES", 30, minimum=1),
        "SESSION_MAX_HOURS": _whole_number("SESSION_MAX_HOURS", 12, minimum=1),
        "TOKEN_DAYS": _token_days(),
        "MFA_REQUIRED_ROLES": _roles("MFA_REQUIRED_ROLES", "admin,manager,lead"),
        "LOCAL_PASSWORDS": _on_or_off("LOCAL_PASSWORDS", True),
        **_oidc(),
        "LOGIN_LIMIT_PER_ACCOUNT": _whole_number("LOGIN_LIMIT_PER_ACCOUNT", 10, minimum=1),
        "LOGIN_LIMIT_PER_ADDRESS": _whole_number("LOGIN_LIMIT_PER_ADDRESS", 50, minimum=1),
        "LOGIN_LIMIT_WINDOW_MINUTES": _whole_number("LOGIN_LIMIT_WINDOW_MINUTES", 15, minimum=1),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "50000")),
        "WTF_CSRF_TIME_LIMIT": None,
    }
    if not settings["LOCAL_PASSWORDS"] and not settings["OIDC_ISSUER"]:
        raise ConfigurationError(
            "LOCAL_PASSWORDS is off but single sign-on is not set up (OIDC_ISSUER, "
            "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): nobody could sign in."
        )
    return settings
