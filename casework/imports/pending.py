"""An import between its preview and its confirmation, kept on disk in instance/imports/.

The uploaded file waits under a random name that only this user's (signed) session knows,
with the preview's report beside it, so any page of the preview can be shown again, by any
app server sharing instance/, without re-reading the file or keeping anything in memory.
Both are deleted on confirm or cancel; files older than a day are swept away by the next
upload.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, session

from .. import clock
from .service import ImportReport

PENDING = "pending_import"
STALE_AFTER = 24 * 3600
KINDS = (".upload", ".preview.json")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path(token: str, kind: str = ".upload") -> Path:
    """Where the kept file (or its preview) of this token is."""
    if not token.isalnum():  # never a path of the client's making
        abort(400)
    return _folder() / f"{token}{kind}"


def _write(target: Path, data: bytes) -> None:
    target.write_bytes(data)
    target.chmod(0o600)


def keep(data: bytes) -> str:
    """Keep the uploaded file until it is confirmed; sweep away forgotten ones."""
    now = clock.timestamp()
    for kind in KINDS:
        for old in _folder().glob(f"*{kind}"):
            if now - old.stat().st_mtime > STALE_AFTER:
                old.unlink(missing_ok=True)
    previous = session.get(PENDING)
    if previous:
        forget(previous)
    token = secrets.token_hex(16)
    _write(path(token), data)
    return token


def keep_preview(token: str, report: ImportReport) -> None:
    """Keep what the preview found, for its later pages."""
    _write(path(token, ".preview.json"), report.to_json().encode())


def preview_of(token: str) -> ImportReport | None:
    """What the preview found, or None when it has gone (confirmed, cancelled or swept)."""
    try:
        return ImportReport.from_json(path(token, ".preview.json").read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return None


def forget(pending: dict) -> None:
    """Delete the kept file and its preview, and the session's note of them."""
    for kind in KINDS:
        path(pending["token"], kind).unlink(missing_ok=True)
    session.pop(PENDING, None)
