"""The API's request validation: one declarative spec per body, read by the validator and
by the OpenAPI description alike, so what the description promises is what the code checks.

A `Field` knows its JSON Schema and how to check a value against it; a `Body` is a named
set of fields. Only the shape is checked here (types, presence, lengths, ranges, enums,
real dates); the domain rules (a date in the past, an active colleague) stay in the
service functions, which every entry point calls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import MAX_ID
from ..exceptions import DomainError
from ..text import CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS, has_control_character

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")  # in a query string: longer is no id or page
# Not text: control characters (casework/text.py) and unpaired UTF-16 surrogates (JSON can
# escape one, "\\ud800", but it is no character and cannot be stored as UTF-8). Refused in
# every string; the same classes make the pattern in the OpenAPI description.
_SURROGATES = "\\ud800-\\udfff"
TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}{_SURROGATES}]*$"
_SURROGATE = re.compile(f"[{_SURROGATES}]")
MISSING = object()


class MalformedBody(DomainError):
    """The body is not JSON, or not a JSON object: 400."""

    status = 400
    code = "malformed_json"


class UnsupportedMediaType(DomainError):
    """A body sent as something other than JSON in UTF-8: 415."""

    status = 415
    code = "unsupported_media_type"


class InvalidBody(DomainError):
    """Valid JSON whose values do not fit the operation's fields: 422."""

    code = "invalid_fields"


@dataclass(frozen=True)
class Field:
    """One field of a request: its JSON type and limits, and what to tell a developer."""

    type: str  # string, integer, boolean, date or enum
    required: bool = False
    nullable: bool = True
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple = ()
    description: str = ""
    example: object = None

    def schema(self) -> dict:
        """This field as JSON Schema (OpenAPI 3.1)."""
        if self.type == "enum":
            schema: dict = {"type": "string", "enum": list(self.choices)}
            if self.nullable:
                schema = {"type": ["string", "null"], "enum": [*self.choices, None]}
        else:
            json_type = {"date": "string"}.get(self.type, self.type)
            schema = {"type": [json_type, "null"] if self.nullable else json_type}
        if self.type == "date":
            schema["format"] = "date"
        if self.type == "string":
            schema["pattern"] = TEXT_PATTERN
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.description:
            schema["description"] = self.description
        if self.example is not None:
            schema["examples"] = [self.example]
        return schema

    def check(self, value):
        """The value cleaned (a date for a date), or raise ValueError with what is wrong."""
        if value is None:
            if self.nullable:
                return None
            raise ValueError("Must not be null")
        check = getattr(self, f"_check_{self.type}")
        return check(value)

    def _check_string(self, value):
        if not isinstance(value, str):
            raise ValueError("Must be a string")
        if has_control_character(value):
            raise ValueError(CONTROL_CHARACTER_MESSAGE)
        if _SURROGATE.search(value):
            raise ValueError("Must not contain an unpaired surrogate, which is not a character")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"Must be {self.max_length:,} characters or fewer")
        return value

    def _check_integer(self, value):
        # Only a JSON integer: never 3.0 (a float, whatever its value), never true.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Must be a whole number, written without a decimal point")
        low = self.minimum if self.minimum is not None else "any"
        high = self.maximum if self.maximum is not None else "any"
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise ValueError(f"Must be a whole number from {low} to {high}")
        return value

    def _check_boolean(self, value):
        if not isinstance(value, bool):
            raise ValueError("Must be true or false")
        return value

    def _check_date(self, value):
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise ValueError("Must be a date written YYYY-MM-DD, like 2026-11-20")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("Must be a real date, written YYYY-MM-DD") from None

    def _check_enum(self, value):
        if value not in self.choices:
            allowed = ", ".join(self.choices) + (" or null" if self.nullable else "")
            raise ValueError(f"Must be one of {allowed}")
        return value


def Id(description: str = "", **kwargs) -> Field:  # noqa: N802 - reads like a type
    """A record's id: a positive whole number a database can hold."""
    return Field("integer", minimum=1, maximum=MAX_ID, description=description, **kwargs)


@dataclass(frozen=True)
class Body:
    """The JSON object an operation accepts: its fields, and nothing else."""

    fields: dict[str, Field]
    description: str = ""
    example: dict = field(default_factory=dict)

    def schema(self) -> dict:
        schema = {
            "type": "object",
            "properties": {name: f.schema() for name, f in self.fields.items()},
            "required": [name for name, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }
        if not schema["required"]:
            del schema["required"]
        if self.description:
            schema["description"] = self.description
        if self.example:
            schema["examples"] = [self.example]
        return schema

    def check(self, data) -> dict:
        """The cleaned values of the fields sent (absent ones are left out), or InvalidBody."""
        if not isinstance(data, dict):
            raise MalformedBody('The request body must be a JSON object, like {"name": "value"}')
        errors: dict[str, str] = {}
        clean: dict = {}
        for name, spec in self.fields.items():
            value = data.get(name, MISSING)
            if value is MISSING:
                if spec.required:
                    errors[name] = "Required"
                continue
            try:
                clean[name] = spec.check(value)
            except ValueError as error:
                errors[name] = str(error)
        for name in data:
            if name not in self.fields:
                errors[name[:100]] = (
                    "Unknown field: check its spelling against /api/v1/openapi.json"
                )
        if errors:
            raise InvalidBody("Some fields are missing or not valid: see fields", errors)
        return clean


def query_values(fields: dict[str, Field], args) -> dict:
    """The query string's values of the declared fields, ready for Body.check: a whole
    number in digits becomes an integer; anything else stays text, for the check to refuse."""
    values = {}
    for name, spec in fields.items():
        if name in args:
            raw = args[name]
            integer = spec.type == "integer" and _WHOLE_NUMBER.fullmatch(raw)
            values[name] = int(raw) if integer else raw
    return values


class DuplicateKey(ValueError):
    """An object with the same key twice: which one was meant cannot be known."""


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(f"The JSON has the key '{key[:100]}' twice: send it once")
        found[key] = value
    return found


def read_json() -> object:
    """The request body parsed as strict JSON (UTF-8), or MalformedBody; a body that does not
    say it is JSON (Content-Type: application/json) is not read at all."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            "Send the body as JSON in UTF-8, with the header 'Content-Type: application/json'"
        )
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A streamed (chunked) body has no length to refuse up front: Werkzeug stops reading
        # it at the limit, which would leave cut-off JSON (a misleading 400). Too large.
        raise RequestEntityTooLarge()
    try:
        return json.loads(
            raw.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicates,
        )
    except DuplicateKey as error:
        raise MalformedBody(str(error)) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedBody(
            "The request body is not valid JSON: send a JSON object encoded as UTF-8"
        ) from None
