"""What every page's view does the same way: a page that has moved."""

from __future__ import annotations

from flask import redirect, request, url_for


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
