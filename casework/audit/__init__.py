"""The audit trail: every read of a person's record and every change, appended, never edited.

- `write`: writing an event (`audit.record`, `audit.record_in_case`, `audit.record_list`,
  `audit.read_case_list`, `audit.commit_read`), the names every feature calls, re-exported here;
- `trail`: reading events back, by filters or for one person, in plain English;
- `routes`: the administrators' audit page and its CSV, and a person's "who has looked".
"""

from .write import LISTED, commit_read, read_case_list, record, record_in_case, record_list

__all__ = [
    "LISTED",
    "commit_read",
    "read_case_list",
    "record",
    "record_in_case",
    "record_list",
]
