"""The one rule for a date in an imported file: year-month-day or UK day/month/year."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from casework.imports.dates import NotADate, read_date


@pytest.mark.parametrize(
    "write",
    [
        dt.date.isoformat,
        lambda day: day.strftime("%d/%m/%Y"),
        lambda day: f"{day.day}/{day.month}/{day.year}",
        lambda day: f"{day.day:02}/{day.month}/{day.year}",
    ],
)
def test_year_month_day_and_uk_day_month_year_read_as_the_same_day(write):
    today = clock.today()
    assert read_date(write(today)) == today


def test_slashes_are_always_day_first():
    assert read_date("02/03/1950") == dt.date(1950, 3, 2)
    assert read_date("12/1/2025") == dt.date(2025, 1, 12)


@pytest.mark.parametrize(
    "written, reason",
    [
        ("02/13/2025", "“02/13/2025” is not a real date (dates with slashes are read day/month/"),
        ("31/02/2025", "“31/02/2025” is not a real date"),
        ("2025-02-30", "“2025-02-30” is not a real date"),
        ("0000-01-01", "“0000-01-01” is not a real date"),
        ("31/01/25", "“31/01/25” has a two-digit year, which could be in either century: write"),
        ("1/2/50", "“1/2/50” has a two-digit year"),
        ("2025/01/31", "“2025/01/31” is not a date written as YYYY-MM-DD or DD/MM/YYYY"),
        ("31-01-2025", "“31-01-2025” is not a date written as"),
        ("31.01.2025", "“31.01.2025” is not a date written as"),
        ("January 31 2025", "“January 31 2025” is not a date written as"),
        ("31/01/2025 00:00", "“31/01/2025 00:00” is not a date written as"),
        ("١٢/٠١/٢٠٢٥", "“١٢/٠١/٢٠٢٥” is not a date written as"),  # Arabic-Indic digits
        ("031/01/2025", "“031/01/2025” is not a date written as"),
    ],
)
def test_anything_else_is_refused_with_a_plain_reason(written, reason):
    with pytest.raises(NotADate) as refused:
        read_date(written)
    assert str(refused.value).startswith(reason), str(refused.value)
