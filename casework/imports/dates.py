"""How the import reads a date (api.md, import-demands): one rule for every date column.

Year-month-day (`2026-11-20`) or, as Excel saves them in the UK, day/month/year
(`20/11/2026`, also `1/2/2026`). Never month first: `02/13/2025` is not a real date.
A two-digit year is refused rather than guessed: `31/01/25` could be 1925 or 2025,
and for a date of birth either is plausible.
"""

from __future__ import annotations

import datetime as dt
import re

# [0-9], not \d: \d also matches other scripts' digits, which int() would quietly accept.
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
SHORT_YEAR = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}")
EXAMPLES = "like 2026-11-20 or 20/11/2026"


class NotADate(ValueError):
    """The value is not a date the import reads; the message says why in plain words."""


def read_date(value: str) -> dt.date:
    """The date a cell of the file holds, or NotADate with the reason."""
    if match := ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := UK_DATE.fullmatch(value):
        day, month, year = match.groups()
    elif SHORT_YEAR.fullmatch(value):
        raise NotADate(
            f"“{value}” has a two-digit year, which could be in either century: "
            f"write the year with four digits, {EXAMPLES}"
        )
    else:
        raise NotADate(
            f"“{value[:20]}” is not a date written as YYYY-MM-DD or DD/MM/YYYY, {EXAMPLES}"
        )
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        order = " (dates with slashes are read day/month/year)" if "/" in value else ""
        raise NotADate(f"“{value}” is not a real date{order}") from None
