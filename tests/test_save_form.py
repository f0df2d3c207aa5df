"""Issue 20, the form save pattern in one helper: a web view saves a form through
casework.web.save_form, which spends the one-time token, commits, flashes and redirects, or
rolls back and shows the form again. No page's view writes that block by hand, except those
below, each saying why it does not fit.

Read from the source (AST), not run: every module under casework/ named routes.py, pages.py
or *_routes.py; every function in it (a view or a helper of its views) that calls
db.session.commit() or db.session.rollback() itself."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import get_flashed_messages

from casework.exceptions import DomainError
from casework.forms import FlaskForm
from casework.web import back_to, save_form

PACKAGE = Path(__file__).resolve().parents[1] / "casework"

SIGN_IN = "casework/auth/ is the sign-in's own flow (sessions, throttle, second factor)"

ALLOWED = {
    # Signing in and the account's security: their own transactions, not a form save.
    ("casework.auth.routes", "login"): SIGN_IN,
    ("casework.auth.routes", "second_factor"): SIGN_IN,
    ("casework.auth.routes", "logout"): SIGN_IN,
    ("casework.auth.routes", "_refused"): SIGN_IN,
    ("casework.auth.routes", "_wait_for_second_factor"): SIGN_IN,
    ("casework.auth.routes", "_with_a_code"): SIGN_IN,
    ("casework.auth.routes", "sign_out_others"): SIGN_IN,
    ("casework.auth.routes", "two_factor_setup"): SIGN_IN,
    ("casework.account.routes", "change_password"): (
        "a wrong current password is counted by the sign-in's throttle and committed after "
        "the rollback; the throttle's refusal is 429 with Retry-After"
    ),
    ("casework.account.routes", "new_token"): (
        "the new token is shown once, on the response (201), never stored: no redirect"
    ),
    # Reads recorded in the audit trail (a GET, a download): nothing typed, nothing to save.
    ("casework.audit.routes", "trail_csv"): "a download whose export is audited",
    ("casework.people.routes", "export"): "a subject access download, audited",
    ("casework.people.merge_routes", "index"): "a GET that records a read of the list",
    ("casework.measures.routes", "_audit_list"): "a GET that records a read of the list",
    ("casework.notifications.routes", "notification_helpers"): (
        "not a view: the header's count, rolled back when the database fails"
    ),
    # Forms whose outcomes are not one page, one save and one redirect.
    ("casework.imports.routes", "_dry_run"): "the upload's dry run: rolled back on purpose",
    ("casework.imports.routes", "confirm"): (
        "three outcomes of its own: records changed since the preview (the preview again, "
        "409), the database refusing the import (back to the upload), imported; the kept "
        "file is forgotten only once the import is committed"
    ),
    ("casework.trials.pages", "counterfactual"): (
        "the counts are typed per item of the team's catalogue, outside the form, and their "
        "refusals shown by item from a dict, not on the form's fields"
    ),
    ("casework.people.routes", "new"): (
        "a possible duplicate is shown first (an audited read, committed) and the same form "
        "sent again to confirm a new record"
    ),
}

TRANSACTION = {"commit", "rollback"}


def _is_db_session_call(node: ast.AST) -> bool:
    """db.session.commit() or db.session.rollback()."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TRANSACTION
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
        and isinstance(node.func.value.value, ast.Name)
        and node.func.value.value.id == "db"
    )


def _page_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.name in ("routes.py", "pages.py") or path.name.endswith("_routes.py")
    )


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def hand_written_saves() -> set[tuple[str, str]]:
    """(module, function) for every top-level function of a page module that commits or
    rolls back itself (a function nested in it counts as its own)."""
    found = set()
    for path in _page_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in tree.body:
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(_is_db_session_call(node) for node in ast.walk(function)):
                found.add((_module_name(path), function.name))
    return found


def test_the_page_modules_are_found():
    names = {_module_name(path) for path in _page_modules()}
    assert {"casework.account.routes", "casework.trials.pages"} <= names
    assert "casework.people.merge_routes" in names


def test_a_commit_is_seen(tmp_path):
    source = "def view():\n    db.session.commit()\n\ndef other():\n    db.session.flush()\n"
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree) if _is_db_session_call(node)]
    assert len(calls) == 1


def test_no_view_saves_a_form_by_hand():
    """Save through web.save_form; a view that truly does not fit goes in ALLOWED, saying why."""
    by_hand = sorted(hand_written_saves() - ALLOWED.keys())
    assert by_hand == [], "save the form through casework.web.save_form"


def test_every_exception_still_saves_by_hand():
    """An allowance no longer needed goes: the list says only what is true."""
    assert sorted(ALLOWED.keys() - hand_written_saves()) == []


# The options the views above needed (casework/web.py).


def _button_sent(app, change, **options):
    """A button's form posted and saved through save_form; (response, what was flashed)."""
    with app.test_request_context("/button", method="POST"):
        form = FlaskForm(meta={"csrf": False})
        options.setdefault("saved", "Saved.")
        response = save_form(form, change, to="/done", show=back_to(form, "/back"), **options)
        return response, get_flashed_messages(with_categories=True)


def test_a_buttons_refusal_is_flashed_and_it_goes_back(app):
    def refused():
        raise DomainError("Not now: the case is open.")

    response, flashed = _button_sent(app, refused, flash_refusal="info")
    assert (response.status_code, response.location) == (302, "/back")
    assert flashed == [("info", "Not now: the case is open.")]


def test_what_was_saved_may_be_said_in_another_banner_or_not_at_all(app):
    response, flashed = _button_sent(app, lambda: 0, saved=lambda n: (f"{n} moved.", "info"))
    assert (response.status_code, response.location) == (302, "/done")
    assert flashed == [("info", "0 moved.")]
    response, flashed = _button_sent(app, lambda: 0, saved=lambda n: None)
    assert (response.location, flashed) == ("/done", [])
