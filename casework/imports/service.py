"""Legacy baseline import: referrals from an old system, one row each (api.md, import-demands).

The rules, with no web or command-line code in them:

- The file is CSV or TSV (delimiter sniffed), UTF-8 or, failing that,
  Windows-1252; it must have every column in COLUMNS, or it is refused whole.
- Each row is checked with the same validation as the intake forms
  (people.service.validate_person, demands.routing.validate_demand). A row that
  fails is rejected with its reason and changes nothing.
- A row matches the person with its NHS number; failing that (no NHS number, or
  one on no record) the one person with the same date of birth and normalised
  names whose NHS number does not differ (they gain the row's NHS number);
  two or more such people is ambiguous and the row is rejected rather than
  guessed; no such person: a new person is created.
- A row identical to a demand already on record, or to an earlier row of the
  same file (same person, date, source and stated need), is already present.
- Imported demands are history: imported, not routed (no case), in the cohort
  given. The whole import is one transaction, committed by the caller; a dry
  run is the same import rolled back, so a preview counts exactly what the
  import would do.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlite_utils.utils import Format, rows_from_file

from .. import audit
from ..demands.routing import validate_demand
from ..exceptions import InvalidValue
from ..models import Demand, Person, Team, User
from ..people.merge import live_record_id
from ..people.service import create_person, possible_duplicates, validate_person
from ..text import CONTROL_CHARACTER_MESSAGE, has_control_character
from .dates import NotADate, read_date

COLUMNS = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "received_on",
    "source",
    "channel",
    "stated_need",
    "kind",
)
DELIMITERS = ",\t;|"
EXTRA = "__extra_values__"
MAX_VALUE = 10_000  # characters in any one cell
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000

# The column a validation message is about, as the file names it.
FIELD_TO_COLUMN = {"owner_id": "team"}


class ImportRefused(InvalidValue):
    """The file as a whole cannot be imported (missing columns, not a text file, too large)."""

    code = "import_refused"


@dataclass
class Rejection:
    row: int
    reason: str


@dataclass
class AlreadyPresent:
    row: int
    demand_id: int
    same_as_row: int | None = None  # an earlier row of this file, not a demand on record

    @property
    def reason(self) -> str:
        if self.same_as_row:
            return f"The same as row {self.same_as_row} of this file"
        return "Already on record"


# Why a row is about the person it is about, as the preview says it (find_person's answers).
WHY = {
    "nhs_number": "Same NHS number",
    "merged": "Same NHS number, on a record since merged into this one",
    "names": "Same date of birth and names",
    "new": "No record has this NHS number or this name and date of birth",
    "new_no_nhs_number": "No record has this name and date of birth",
    "new_other_nhs_number": (
        "A record with this name and date of birth has a different NHS number, "
        "so this is someone else"
    ),
}


@dataclass
class RowPerson:
    """Who one row is about, as the preview lists it: the person added or matched, and why."""

    row: int
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    nhs_number: str | None
    new: bool  # this row adds the person
    why: str
    person_id: int | None = None  # a record already on file (None: one this import adds)
    already_present: str | None = None  # the referral is not added again, and why


@dataclass
class ImportReport:
    file_name: str
    sha256: str
    team: str
    cohort: str
    encoding: str = "utf-8"
    rows_read: int = 0
    matched_ids: set[int] = field(default_factory=set)
    created_ids: list[int] = field(default_factory=list)
    demand_ids: list[int] = field(default_factory=list)
    nhs_number_added_ids: list[int] = field(default_factory=list)
    already_present: list[AlreadyPresent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    people: list[RowPerson] = field(default_factory=list)  # in row order

    @property
    def people_matched(self) -> int:
        return len(self.matched_ids)

    @property
    def people_created(self) -> int:
        return len(self.created_ids)

    @property
    def demands_added(self) -> int:
        return len(self.demand_ids)

    def counts(self) -> dict:
        """The figures every caller shows, in the order api.md lists them."""
        return {
            "rows_read": self.rows_read,
            "people_matched": self.people_matched,
            "people_created": self.people_created,
            "demands_added": self.demands_added,
            "rows_already_present": len(self.already_present),
            "rows_rejected": len(self.rejected),
        }

    def fingerprint(self) -> str:
        """What a preview promised: the confirmed import must come out the same."""
        parts = [self.sha256, repr(sorted(self.counts().items()))]
        parts += [f"{r.row}:{r.reason}" for r in self.rejected]
        parts += [f"{a.row}:{a.demand_id}" for a in self.already_present]
        parts += [f"{p.row}:{p.person_id}" for p in self.people if p.person_id]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def to_json(self) -> str:
        """The report as kept beside the uploaded file, for the preview's later pages."""
        data = dataclasses.asdict(self) | {"matched_ids": sorted(self.matched_ids)}
        return json.dumps(data, default=dt.date.isoformat)

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        data = json.loads(text)
        for person in data["people"]:
            born = person["date_of_birth"]
            person["date_of_birth"] = dt.date.fromisoformat(born) if born else None
        return cls(
            **data
            | {
                "matched_ids": set(data["matched_ids"]),
                "already_present": [AlreadyPresent(**a) for a in data["already_present"]],
                "rejected": [Rejection(**r) for r in data["rejected"]],
                "people": [RowPerson(**p) for p in data["people"]],
            }
        )


@dataclass
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            max_bytes=int(config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)),
            max_rows=int(config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
        )

    def refuse_if_larger(self, size: int) -> None:
        """ImportRefused when a file of `size` bytes is over the limit."""
        if size > self.max_bytes:
            raise ImportRefused(
                f"The file is larger than {self.max_bytes // (1024 * 1024)} MB. "
                "Split it into smaller files and import each one."
            )


def import_demands(
    session: Session,
    *,
    data: bytes,
    file_name: str,
    team: Team,
    cohort: str = "usual",
    user: User | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Import the file's rows into the session's transaction; the caller commits or rolls back.

    Raises ImportRefused (nothing done) when the file as a whole cannot be read.
    """
    limits = limits or Limits()
    if cohort not in ("pilot", "usual"):
        raise ImportRefused("Choose the pilot or usual cohort", {"cohort": "Choose a cohort"})
    report = ImportReport(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        team=team.name,
        cohort=cohort,
    )
    rows = read_rows(data, report, limits)
    importer = _Importer(session, team, cohort, user, report)
    for number, row in rows:
        report.rows_read += 1
        if report.rows_read > limits.max_rows:
            raise ImportRefused(
                f"The file has more than {limits.max_rows:,} rows. "
                "Split it into smaller files and import each one."
            )
        importer.import_row(number, row)
    if report.rows_read == 0:
        raise ImportRefused("The file has a header row but no referrals below it.")
    session.flush()
    audit.record(
        "import",
        "demands",
        None,
        user=user,
        file_name=file_name,
        sha256=report.sha256,
        team_id=team.id,
        cohort=cohort,
        **report.counts(),
        people_created_ids=report.created_ids,
        people_matched_ids=sorted(report.matched_ids),
        nhs_number_added_ids=report.nhs_number_added_ids,
        demand_ids=report.demand_ids,
        rejected=[[r.row, r.reason] for r in report.rejected],
    )
    return report


# Reading the file


# Byte order marks of UTF-32 and UTF-16 (Excel's "Unicode text"); UTF-8's is read.
UNICODE_TEXT_MARKS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def read_rows(data: bytes, report: ImportReport, limits: Limits):
    """Yield (row number, {column: stripped value}) after checking the file as a whole.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    limits.refuse_if_larger(len(data))
    if data.startswith(UNICODE_TEXT_MARKS):
        raise ImportRefused(
            "This file is saved as Unicode text (UTF-16 or UTF-32), which the import does not "
            'read. In the spreadsheet, save it as "CSV UTF-8" and choose that file.'
        )
    if b"\x00" in data:
        raise ImportRefused(
            "This is not a CSV or TSV file. Save the spreadsheet as CSV "
            "(comma separated values) and choose that file."
        )
    text, report.encoding = _decode(data)
    if report.encoding != "utf-8":
        report.notes.append(
            "The file is not in UTF-8; it was read as Windows-1252 (Western European). "
            "Check that names with accents look right below."
        )
    if not text.strip():
        raise ImportRefused("The file is empty. Choose a file with a header row and referrals.")
    if text.lstrip().startswith(("[", "{")):
        raise ImportRefused("This looks like a JSON file. Choose a CSV or TSV file.")
    dialect = _sniff(text)
    rows, _ = rows_from_file(
        io.BytesIO(data),
        format=Format.TSV if dialect.delimiter == "\t" else Format.CSV,
        dialect=dialect,
        encoding="utf-8-sig" if report.encoding == "utf-8" else report.encoding,
        extras_key=EXTRA,
    )
    rows = iter(rows)
    try:
        header = _check_header(text, dialect, report)
    except csv.Error as error:
        raise ImportRefused(
            f"The header row could not be read as CSV ({error}). "
            "Check the file opens in a spreadsheet and save it as CSV again."
        ) from error
    try:
        for number, raw in enumerate(rows, start=2):
            row = {header.get(k, k): _strip(v) for k, v in raw.items() if k != EXTRA}
            if not any(row.get(c) for c in COLUMNS) and not raw.get(EXTRA):
                report.notes.append(f"Row {number} is blank and was skipped.")
                continue
            if raw.get(EXTRA):
                row["__extra__"] = len(raw[EXTRA])
            yield number, row
    except csv.Error as error:
        raise ImportRefused(
            f"The file could not be read as CSV after row {report.rows_read + 1} ({error}). "
            "Check it opens in a spreadsheet and save it as CSV again."
        ) from error


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff(text: str) -> type[csv.Dialect]:
    """The file's delimiter: sniffed among comma, tab, semicolon and bar; comma when unsure."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        first = text.splitlines()[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=counts.get)
        return csv.excel_tab if delimiter == "\t" else csv.excel


def _check_header(text: str, dialect, report: ImportReport) -> dict[str, str]:
    """Map the file's column names onto ours (case and spaces ignored), or refuse the file."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect=dialect), [])
    header = {name: name.strip().lower().replace(" ", "_") for name in first}
    present = set(header.values())
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise ImportRefused(
            "The file is missing "
            + ("the column " if len(missing) == 1 else "the columns ")
            + ", ".join(missing)
            + ". The first row must name every column: "
            + ", ".join(COLUMNS)
            + ".",
            {"file": "Missing columns: " + ", ".join(missing)},
        )
    unused = sorted(n for n, c in header.items() if c not in COLUMNS and n.strip())
    if unused:
        report.notes.append("Columns not used: " + ", ".join(unused) + ".")
    return header


def _strip(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# Importing the rows


class RowRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Importer:
    def __init__(self, session: Session, team: Team, cohort: str, user, report: ImportReport):
        self.session = session
        self.team = team
        self.cohort = cohort
        self.user = user
        self.report = report
        self.row_of_demand: dict[int, int] = {}
        self.row_of_person: dict[int, int] = {}  # people this import adds: the row adding them

    def import_row(self, number: int, row: dict) -> None:
        try:
            person_fields, demand_fields = self.validate(row)
            person, how = self.find_person(person_fields)
        except RowRejected as rejected:
            self.report.rejected.append(Rejection(number, rejected.reason))
            return
        existing = self.existing_demand(person, demand_fields) if person is not None else None
        if existing is not None:
            present = AlreadyPresent(number, existing, self.row_of_demand.get(existing))
            self.report.already_present.append(present)
            self._note_match(person)
            self._list(number, person, how, already_present=present.reason)
            return
        gained = False
        if person is None:
            person = create_person(
                self.session, self.user, person_fields, team_id=self.team.id, imported=True
            )
            self.report.created_ids.append(person.id)
            self.row_of_person[person.id] = number
        else:
            self._note_match(person)
            if how == "names":
                gained = self._gain_nhs_number(person, person_fields["nhs_number"])
        self._list(number, person, how, gained=gained)
        demand = Demand(
            person_id=person.id,
            team_id=self.team.id,
            case_id=None,
            cohort=self.cohort,
            routed_by=None,
            imported=True,
            recorded_by_id=self.user.id if self.user else None,
            **demand_fields,
        )
        self.session.add(demand)
        self.session.flush()
        self.row_of_demand[demand.id] = number
        self.report.demand_ids.append(demand.id)
        audit.record(
            "create", "demand", demand.id, person_id=person.id, user=self.user, imported=True
        )

    def _list(self, number: int, person: Person, how: str, *, gained=False, already_present=None):
        """Who the row is about, for the preview, as the person's record would then stand."""
        new = self.row_of_person.get(person.id) == number
        first = None if new else self.row_of_person.get(person.id)
        why = WHY[how]
        if first:
            why += f" as row {first}, which adds this person"
        if gained:
            why += "; the record gains the row's NHS number"
        self.report.people.append(
            RowPerson(
                row=number,
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                nhs_number=person.nhs_number,
                new=new,
                why=why,
                person_id=None if new or first else person.id,
                already_present=already_present,
            )
        )

    def _note_match(self, person: Person) -> None:
        if person.id not in self.report.created_ids:
            self.report.matched_ids.add(person.id)

    def validate(self, row: dict) -> tuple[dict, dict]:
        """The row's person and demand, cleaned by the same rules as the intake forms."""
        if row.get("__extra__"):
            raise RowRejected(
                f"The row has {row['__extra__']} more value(s) than the header has columns"
            )
        too_long = [c for c in COLUMNS if len(row.get(c, "")) > MAX_VALUE]
        if too_long:
            raise RowRejected(f"{too_long[0]} is longer than {MAX_VALUE:,} characters")
        controlled = [c for c in COLUMNS if has_control_character(row.get(c, ""))]
        if controlled:
            raise RowRejected(f"{controlled[0]}: {CONTROL_CHARACTER_MESSAGE}")
        errors: dict[str, str] = {}
        dob = self._date(row, "date_of_birth", errors)
        received_on = self._date(row, "received_on", errors)
        person = {
            "given_name": row.get("given_name", ""),
            "family_name": row.get("family_name", ""),
            "date_of_birth": dob,
            "nhs_number": row.get("nhs_number", ""),
        }
        try:
            person = validate_person(person)
        except InvalidValue as error:
            errors.update({k: v for k, v in error.fields.items() if k not in errors})
        demand: dict = {}
        try:
            demand = validate_demand(
                team=self.team,
                received_on=received_on,
                source=row.get("source"),
                channel=row.get("channel", "").lower().replace(" ", "_"),
                stated_need=row.get("stated_need"),
                kind=row.get("kind", "").lower(),
                owner=None,
            )
        except InvalidValue as error:
            errors.update({k: v for k, v in error.fields.items() if k not in errors})
        if not errors and person["date_of_birth"] is None and not person["nhs_number"]:
            errors["date_of_birth"] = (
                "Enter a date of birth or an NHS number: without either the person "
                "cannot be matched safely"
            )
        if errors:
            raise RowRejected(
                "; ".join(f"{FIELD_TO_COLUMN.get(k, k)}: {v}" for k, v in errors.items())
            )
        return person, demand

    @staticmethod
    def _date(row: dict, column: str, errors: dict) -> dt.date | None:
        value = row.get(column, "")
        if not value:
            return None
        try:
            return read_date(value)
        except NotADate as error:
            errors[column] = str(error)
            return None

    def find_person(self, fields: dict) -> tuple[Person | None, str]:
        """The person the row is about, or None for a new person, and how (a key of WHY)."""
        nhs_number = fields["nhs_number"]
        new = "new" if nhs_number else "new_no_nhs_number"
        if nhs_number:
            person = self.session.scalar(select(Person).where(Person.nhs_number == nhs_number))
            if person is not None and person.merged_into_id is not None:
                # the number stayed on a record merged into another: the row is about that one
                live = self.session.get(Person, live_record_id(self.session, person.id))
                if live is not None:
                    return live, "merged"
            elif person is not None:
                return person, "nhs_number"
        if fields["date_of_birth"] is None:
            return None, new
        same = possible_duplicates(
            self.session,
            given_name=fields["given_name"],
            family_name=fields["family_name"],
            date_of_birth=fields["date_of_birth"],
        )
        candidates = [
            p for p in same if not (nhs_number and p.nhs_number and p.nhs_number != nhs_number)
        ]
        if same and not candidates:
            return None, "new_other_nhs_number"
        if len(candidates) > 1:
            ids = ", ".join(str(p.id) for p in candidates)
            raise RowRejected(
                f"{len(candidates)} people on record have this name and date of birth "
                f"(ids {ids}): merge them, or give the row an NHS number, then import again"
            )
        return (candidates[0], "names") if candidates else (None, new)

    def _gain_nhs_number(self, person: Person, nhs_number: str | None) -> bool:
        if not (nhs_number and not person.nhs_number):
            return False
        person.nhs_number = nhs_number
        self.session.flush()
        self.report.nhs_number_added_ids.append(person.id)
        audit.record(
            "update",
            "person",
            person.id,
            person_id=person.id,
            user=self.user,
            fields=["nhs_number"],
            imported=True,
        )
        return True

    def existing_demand(self, person: Person, fields: dict) -> int | None:
        return self.session.scalar(
            select(Demand.id)
            .where(
                Demand.person_id == person.id,
                Demand.received_on == fields["received_on"],
                Demand.source == fields["source"],
                Demand.stated_need == fields["stated_need"],
            )
            .order_by(Demand.id)
            .limit(1)
        )
