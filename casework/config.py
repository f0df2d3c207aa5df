"""Configuration from the environment, with safe defaults for one locality on SQLite."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    """Settings read from environment variables (see README, Configuration)."""
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", "sqlite:///" + str(instance_path / "casework.sqlite")
        ),
        "REPEAT_LOOKBACK_DAYS": int(os.environ.get("REPEAT_LOOKBACK_DAYS", "365")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "50000")),
        "WTF_CSRF_TIME_LIMIT": None,
    }
