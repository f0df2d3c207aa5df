"""What counts as text: the one definition of a control character, used wherever text
comes in (API fields, web form fields, imported rows, addresses) and wherever it goes out
(the FHIR export, the analysts' export).

A control character is invisible, nobody means to type one, and it can do harm elsewhere:
NUL cannot be stored by PostgreSQL, ESC starts terminal escape sequences, BEL rings, and
FHIR's `string` forbids them all. Tab, line feed and carriage return are ordinary text.
"""

from __future__ import annotations

import re

# C0 controls but tab (09), line feed (0A) and carriage return (0D); DEL (7F); the C1
# controls (80-9F). Written as a regular-expression class in \\u escapes, so the same text
# is both Python's pattern and the OpenAPI description's (JSON Schema) pattern.
CONTROL_CHARACTERS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
CONTROL_CHARACTER_MESSAGE = "Remove the control character from this text"

_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def has_control_character(text: str) -> bool:
    """Whether `text` holds a character the rule above refuses."""
    return _CONTROL.search(text) is not None


def without_control_characters(value):
    """`value` with every control character removed from each string in it (dicts, lists
    and tuples walked): for records stored before the rule, on their way out."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {key: without_control_characters(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_control_characters(item) for item in value)
    return value
