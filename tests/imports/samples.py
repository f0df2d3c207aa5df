"""The sample file of legacy referrals, and the same file as Excel saves it in the UK."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "legacy_demands_sample.csv"
# The sample saved from Excel with UK settings: every date DD/MM/YYYY (uk_dated, zeros).
UK_SAMPLE = DATA / "legacy_uk_dates.csv"
ISO_DATE = re.compile(rb"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")


def uk_dated(data: bytes, *, zeros: bool = False) -> bytes:
    """Every year-month-day date rewritten day/month/year: 01/02/2026 with `zeros`,
    else 1/2/2026."""
    form = b"%02d/%02d/%s" if zeros else b"%d/%d/%s"
    return ISO_DATE.sub(lambda m: form % (int(m[3]), int(m[2]), m[1]), data)
