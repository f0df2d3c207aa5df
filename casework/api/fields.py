"""The API's field types, made from the rules in casework/rules.py: each one is a pydantic
type whose JSON Schema (what the OpenAPI document says) and whose check (what a request
meets) are written side by side, so the two say the same thing.

Only the shape is checked here (types, presence, lengths, ranges, choices, patterns, real
dates); the domain rules (a date in the past, an id on record, a colleague in the team)
stay in the domain functions, which every entry point calls.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict, WithJsonSchema
from pydantic import Field as Described

from .. import MAX_ID, rules
from ..pagination import LAST_PAGE, PER_PAGE
from ..text import CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS, has_control_character

# Not text: control characters (casework/text.py), refused in every string; the same class
# makes the pattern in the OpenAPI document. An unpaired UTF-16 surrogate (JSON can escape
# one, "\\ud800") is refused too, but is left out of the pattern: it is no character, so no
# JSON Schema string holds one, and a surrogate range makes generators ignore the pattern.
_NOT_TEXT = CONTROL_CHARACTERS
TEXT_PATTERN = f"^[^{_NOT_TEXT}]*$"
# Text a rule requires: at least one character that is not white space, which the domain
# functions strip away before they look.
SOME_TEXT_PATTERN = f"^[^{_NOT_TEXT}]*[^\\s{_NOT_TEXT}][^{_NOT_TEXT}]*$"
_SURROGATE = re.compile("[\\ud800-\\udfff]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PATH_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# A name in a path (a trial's): as long as the rule allows, and never empty.
PATH_NAME = {"type": "string", "minLength": 1, "maxLength": rules.TRIAL_NAME}


def _required_by_the_domain(schema: dict, model) -> None:
    """The document says these are required, and not null; the domain function refuses
    them missing, in its own words (`ReasonRequired`, `ClosureNeedsAgreement`)."""
    for name in getattr(model, "domain_requires", ()):
        schema.setdefault("required", []).append(name)
        field = schema["properties"][name]
        field.pop("default", None)
        options = [option for option in field.pop("anyOf", []) if option != {"type": "null"}]
        if options:
            field.update(options[0])


class Body(BaseModel):
    """A JSON object a request sends: its declared fields, and no others. Fields named in
    `domain_requires` are declared required but left to the domain rule to refuse."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra=_required_by_the_domain
    )

    def sent(self) -> dict:
        """The fields the request sent (those left out are not in it)."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    def over(self, record, *names: str) -> dict:
        """The named fields of a change: as sent, or the record's own for those left out."""
        sent = self.sent()
        return {name: sent.get(name, getattr(record, name)) for name in names}


class Query(BaseModel):
    """A query string's declared parameters (others are ignored, as a web page would)."""

    model_config = ConfigDict(extra="ignore", strict=True)


class Shape(BaseModel):
    """A record as the API answers with it (built by the code, so not checked again)."""


def _described(schema: dict, description: str, example) -> dict:
    if description:
        schema["description"] = description
    if example is not None:
        schema["examples"] = [example]
    return schema


def Text(  # noqa: N802 - reads like a type
    limit: int,
    description: str = "",
    *,
    required: bool = False,
    pattern: str | None = None,
    refusal: str = "",
    example: str | None = None,
) -> Any:
    """A string of at most `limit` characters, with no control character. `required` text
    must hold more than white space (the domain function says so); `pattern` is a shape
    the string must have, with `refusal` the words when it has not."""
    shape = re.compile(pattern) if pattern else None

    def check(value: str) -> str:
        if has_control_character(value):
            raise ValueError(CONTROL_CHARACTER_MESSAGE)
        if _SURROGATE.search(value):
            raise ValueError("Must not contain an unpaired surrogate, which is not a character")
        if len(value) > limit:
            raise ValueError(f"Must be {limit:,} characters or fewer")
        if shape is not None and not shape.search(value):
            raise ValueError(refusal)
        return value

    schema = {
        "type": "string",
        "maxLength": limit,
        "pattern": pattern or (SOME_TEXT_PATTERN if required else TEXT_PATTERN),
    }
    if pattern:  # a pattern of its own, and never a control character either
        schema = {"allOf": [schema, {"pattern": TEXT_PATTERN}]}
    return Annotated[
        str,
        Strict(),
        AfterValidator(check),
        WithJsonSchema(_described(schema, description, example)),
    ]


def Whole(  # noqa: N802
    low: int, high: int, description: str = "", example: int | None = None
) -> Any:
    """A JSON integer from `low` to `high`: never 3.0 (a float, whatever its value), never true."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"Must be a whole number from {low} to {high}")
        return value

    schema = {"type": "integer", "minimum": low, "maximum": high}
    return Annotated[
        int,
        Strict(),
        AfterValidator(check),
        WithJsonSchema(_described(schema, description, example)),
    ]


def Id(description: str = "") -> Any:  # noqa: N802
    """A record's id: a positive whole number a database can hold."""
    return Whole(1, MAX_ID, description)


def Choice(choices, description: str = "", example: str | None = None) -> Any:  # noqa: N802
    """One of `choices` (a tuple, or a dict whose keys are the values)."""
    values = tuple(choices)

    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"Must be one of {', '.join(values)}")
        return value

    schema = {"type": "string", "enum": list(values)}
    return Annotated[
        str,
        Strict(),
        AfterValidator(check),
        WithJsonSchema(_described(schema, description, example)),
    ]


def _date(value) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("Must be a date written YYYY-MM-DD, like 2026-11-20")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("Must be a real date, written YYYY-MM-DD") from None


def Day(description: str = "", example: str | None = None) -> Any:  # noqa: N802
    """A date written YYYY-MM-DD (a real one); in an answer, a date shown so."""
    schema = {"type": "string", "format": "date"}
    return Annotated[
        dt.date, BeforeValidator(_date), WithJsonSchema(_described(schema, description, example))
    ]


Flag = Annotated[bool, Strict()]
Page = Whole(1, LAST_PAGE, f"Which page of {PER_PAGE}, from 1 (the default)")
# A date a worker plans ahead: a caution's review, a planned contact.
WITHIN_TWO_YEARS = "Today or later, within two years"
Date = Annotated[dt.date, WithJsonSchema({"type": "string", "format": "date"})]
Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Count = Annotated[int, Described(ge=0)]


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def moment(value: dt.datetime | None) -> str | None:
    """ISO 8601 with its UTC offset; SQLite hands back naive UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()
