"""Long lists a page at a time: no list page reads more than PER_PAGE rows of a table that
grows with the service, however large it gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import Select
from sqlalchemy.orm import Session

PER_PAGE = 50
LAST_PAGE = 100_000  # a page number beyond any real list (and any OFFSET a database takes)


@dataclass
class Page:
    """One page of a list: its items, its number (from 1) and whether more pages follow."""

    items: list
    number: int
    per_page: int
    has_next: bool
    total: int | None = None  # counted where the page says how many there are

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.items) - 1


def page_number(name: str = "page") -> int:
    """The page asked for in the query string: 1 when absent or not a page number."""
    number = request.args.get(name, type=int)
    return number if number is not None and 1 <= number <= LAST_PAGE else 1


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    """How many pages `total` rows fill (one, for an empty list)."""
    return max(1, -(-total // per_page))


def counted_page(items: list, number: int, total: int, per_page: int = PER_PAGE) -> Page:
    """A Page of rows the caller fetched itself (with LIMIT/OFFSET) and counted."""
    return Page(items, number, per_page, number * per_page < total, total)


def paginate(
    session: Session,
    query: Select,
    number: int,
    *,
    per_page: int = PER_PAGE,
    count: Select | None = None,
    item: Callable = lambda row: row,
) -> Page:
    """Run one page of the query (ordered by the caller), and `count` (a query of the number
    of rows in every page) when the page says how many there are."""
    rows = session.execute(query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    total = session.scalar(count) if count is not None else None
    return Page(
        [item(row) for row in rows[:per_page]], number, per_page, len(rows) > per_page, total
    )


def page_url(name: str, number: int, endpoint: str | None = None) -> str:
    """The current page's address with another page of one of its lists; or, for a page
    answering a form (a POST), the `endpoint` that shows that list's other pages."""
    args = {**request.args.to_dict(), name: number}
    if endpoint:
        return url_for(endpoint, **args)
    return url_for(request.endpoint, **(request.view_args or {}), **args)
