"""The sample file of legacy referrals, and the same file as Excel saves it in the UK."""

from __future__ import annotations

import re
from pathlib import Path

SAMPLE = Path(__file__).parent / "data" / "legacy_demands_sample.csv"
ISO_DATE = re.compile(rb"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")


def uk_dated(data: bytes) -> bytes:
    """Every year-month-day date rewritten day/month/year without leading zeros (1/2/2026)."""
    return ISO_DATE.sub(lambda m: b"%d/%d/%s" % (int(m[3]), int(m[2]), m[1]), data)


def write_uk_dated(folder: Path) -> Path:
    """A UK-dated copy of the sample in `folder`, for the command line and the browser."""
    path = folder / "legacy_demands_uk_dates.csv"
    path.write_bytes(uk_dated(SAMPLE.read_bytes()))
    return path
