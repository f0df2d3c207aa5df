"""What every page's view does the same way: saving a form, and a page that has moved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for

from . import once
from .exceptions import DomainError, StaleVersion
from .extensions import db
from .forms import apply_domain_errors, show_stale


def save_form(
    form,
    change: Callable[[], Any],
    *,
    saved: str | Callable[[Any], str | tuple[str, str] | None],
    to: str | Callable[[Any], str],
    show: Callable[[int], Any],
    stale=None,
    refused: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
    refused_status: int | None = None,
    invalid: Callable[[], None] | None = None,
    flash_refusal: str | None = None,
):
    """The form save pattern, once. A form not posted is shown (200); posted and valid, the
    domain call `change` runs and is committed, `saved` is flashed and the browser goes `to`
    (each may be worked out from what `change` returned; `saved` may also give a (message,
    category) pair, or None when the page it goes to says it all). When the rule refuses,
    the change is rolled back and the form shown again with what was typed and the refusal
    in the summary: the refusal's own status, or `refused_status`. A form that breaks its
    own rules is shown with 422 (after `invalid`, which may say more).

    The form's one-time token (casework/once.py) is spent before `change`, in its
    transaction, with where the browser goes: the same form sent again goes there instead
    of saving twice. A refusal unspends it with the rollback.

    `stale`, when the form carries the version it was read at: the record, whose version the
    form takes so the person can save over the other change (forms.show_stale), or a function
    of (form, error) giving the status. `refused`: the refusals shown on the form; any other
    goes on to the error pages. `show(status)` renders the page. `flash_refusal`, for a
    button on another page (`show` is then `back_to`): the refusal is flashed in this
    category instead of being put on the form."""
    if not form.is_submitted():
        return show(200)
    if not form.validate():
        if invalid is not None:
            invalid()
        return show(422)
    unusable = once.claim()
    if unusable is not None:
        form.form_errors.append(unusable)
        return show(422)
    try:
        result = change()
    except StaleVersion as error:
        if stale is None and not isinstance(error, refused):
            raise
        db.session.rollback()
        if stale is None:
            _refusal(form, error, flash_refusal)
            return show(refused_status or error.status)
        return show(stale(form, error) if callable(stale) else show_stale(form, error, stale))
    except refused as error:
        db.session.rollback()
        _refusal(form, error, flash_refusal)
        return show(refused_status or error.status)
    db.session.flush()  # what `change` made has its id, for the address it is shown at
    destination = to(result) if callable(to) else to
    once.settle(destination)
    db.session.commit()
    message = saved(result) if callable(saved) else saved
    if message is not None:
        flash(*((message, "success") if isinstance(message, str) else message))
    return redirect(destination)


def _refusal(form, error: DomainError, category: str | None) -> None:
    if category is None:
        apply_domain_errors(form, error)
    else:
        flash(error.message, category)


def back_to(form, destination: str):
    """`show` for save_form when the form is a button on another page, with no page of its
    own: the browser goes back there, and why the form could not be used (its one-time token
    opened by someone else, say) is flashed as an error."""

    def show(status: int):
        for message in form.form_errors:
            flash(message, "error")
        return redirect(destination)

    return show


def moved_to(endpoint: str):
    """A view for an address that has moved: a permanent redirect (308, so a form posted to
    the old address is posted again, unchanged, to the new one) to `endpoint`, with the same
    values in the path and the same query, so bookmarks keep working."""

    def moved(**values):
        query = request.args.to_dict(flat=False)
        return redirect(url_for(endpoint, **values, **query), 308)

    moved.__name__ = f"moved_to_{endpoint.replace('.', '_')}"
    moved.moved_to = endpoint  # a redirect, not a form: the form is at the new address
    return moved
