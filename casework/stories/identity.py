"""How a person's name and address are found in free text however they were written: with
or without accents (Zoë, Zoe), under a common short form (Margaret, Maggie), and an
address on lines or on one line with commas, whole or in parts (ADR 0017)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache
from importlib import resources

APOSTROPHES = "'’‘"


def fold(value: str) -> str:
    """The letters without their accents: Zoë → Zoe, Siân → Sian, José → Jose."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _accented() -> dict[str, str]:
    """Each plain Latin letter and the accented letters that fold to it."""
    variants: dict[str, str] = defaultdict(str)
    for code in range(0xC0, 0x250):
        letter = chr(code)
        plain = fold(letter)
        if len(plain) == 1 and plain.isascii() and plain.isalpha() and plain != letter:
            variants[plain] += letter
    return dict(variants)


def _letters(value: str) -> str:
    """A regular expression for `value` with or without each letter's accent."""
    parts = []
    for char in unicodedata.normalize("NFC", value):
        plain = fold(char)
        if len(plain) == 1 and plain in _accented():
            parts.append(f"[{plain}{_accented()[plain]}]")
        elif char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def phrase(value: str, *, gap: str = r"\s+") -> str:
    """Whole words of `value`, accents optional, with `gap` between its words."""
    return r"(?<!\w)" + gap.join(_letters(word) for word in value.split()) + r"(?!\w)"


def any_case(value: str, *, gap: str = r"\s+") -> re.Pattern:
    """`value` as whole words in any case and with or without accents."""
    return re.compile(phrase(value, gap=gap), re.IGNORECASE)


def capitalised(values: list[str]) -> re.Pattern:
    """Name words as names are written, Capitalised or in CAPITALS, never in lower case:
    a short form that is also a word ("Will") leaves the word ("will") alone."""
    forms = {form for value in values for form in (value[:1].upper() + value[1:], value.upper())}
    return re.compile("|".join(phrase(form) for form in sorted(forms, key=len, reverse=True)))


# Short forms -------------------------------------------------------------------------------


@cache
def _name_lines() -> tuple[tuple[str, ...], ...]:
    text = resources.files(__package__).joinpath("nicknames.txt").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        full, short = line.split(":", 1)
        lines.append((full.strip(), *(s.strip() for s in short.split(",") if s.strip())))
    return tuple(lines)


def other_forms(given_name: str) -> list[str]:
    """The other names a person with this given name may be called: Margaret → Maggie,
    Peggy, Meg…; Maggie → Margaret, Mags…; each part of Mary-Ann likewise."""
    parts = {fold(p).casefold() for p in re.split(r"[\s-]+", given_name) if p}
    parts.add(fold(given_name).casefold())
    found: dict[str, None] = {}
    for line in _name_lines():
        if parts & {fold(name).casefold() for name in line}:
            found.update(dict.fromkeys(n for n in line if fold(n).casefold() not in parts))
    return list(found)


# Addresses ---------------------------------------------------------------------------------

# between the parts of an address: a comma, a new line, spaces
ADDRESS_GAP = r"[\s,]+"


def address_patterns(address: str | None, postcode: str | None) -> list[re.Pattern]:
    """The person's address as it may be written, the whole of it first: on one line
    (12 Mill Lane, Riverside, LS1 4AP) with or without the postcode, each line or part
    between commas, and a street without its house number (Mill Lane)."""
    lines = [line.strip() for line in re.split(r"[\n,]", address or "") if line.strip()]
    whole = " ".join(lines)
    postcode = "".join((postcode or "").split())
    found: list[str] = []
    if len(lines) > 1:
        tail = ""
        if postcode:
            code = phrase(f"{postcode[:-3]} {postcode[-3:]}", gap=r"\s*")
            tail = f"(?:{ADDRESS_GAP}{code})?"
        found.append(_line(whole) + tail)
    for line in sorted(lines, key=len, reverse=True):
        if len(line) > 3:
            found.append(_line(line))
        numbered = re.match(r"(?:flat\s+)?\d+[a-z]?\s+(\D{4,})$", line, re.IGNORECASE)
        if numbered:  # the street on its own: "on Mill Lane"
            found.append(_line(numbered.group(1)))
    return [re.compile(pattern, re.IGNORECASE) for pattern in found]


def _line(words: str) -> str:
    # "12, Mill Lane" and "12 Mill Lane" are the same line
    return phrase(" ".join(re.split(r"[\s,]+", words)), gap=ADDRESS_GAP)
