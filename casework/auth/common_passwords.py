"""The most common passwords, from a list people keep up, not one we maintain.

The list is the 30,000 most frequent passwords of the Xato corpus of 10 million leaked
passwords, as shipped (MIT licence) in the `zxcvbn` package on PyPI, the Python port of
Dropbox's password-strength estimator. Only the list is used, not zxcvbn's scoring.

A password counts as common when, ignoring case, it is on the list; or is a listed
password with digits or symbols before or after it ("Password2026!", "1qwertyuiop1");
or is one listed password or one short piece repeated ("monkeymonkey", "abcabcabcabc").
"""

from __future__ import annotations

import functools
import re

# Words of this service, which a colleague might guess first.
CONTEXT_WORDS = frozenset({"casework", "nhs", "caseload", "locality"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_REPEATED = re.compile(r"^(.{1,8}?)\1+$", re.DOTALL)


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | CONTEXT_WORDS


def is_common(password: str) -> bool:
    """Whether the password is, or is merely dressed up from, a very common one."""
    listed = common_passwords()
    lowered = password.lower()
    if lowered in listed or _REPEATED.match(lowered):
        return True
    core = _EDGES.sub("", lowered)
    if not core or core in listed:  # only digits and symbols, or a listed word dressed up
        return True
    repeated = _REPEATED.match(core)
    return bool(repeated and repeated.group(1) in listed)
