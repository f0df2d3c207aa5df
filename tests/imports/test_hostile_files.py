"""Files made to break the import: any bytes, other encodings, a cell too long for the CSV
reader, formulas. Each is imported or refused in plain words, never half; a formula that
is imported is text, and comes out of every CSV the app writes as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import casework
from casework.extensions import db
from casework.imports.service import ImportRefused, Limits, import_demands
from casework.models import AuditEvent, Demand, Person
from tests.conftest import make_team
from tests.imports.test_service import HEADER, csv_bytes

ROW = ",Ann,Lee,1950-01-02,2026-01-05,GP,phone,{need},value"


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count(model.id))) for model in (Person, Demand, AuditEvent)
    )


def attempt(team, data: bytes, **limits):
    """The import as a caller makes it: commit when it reports, roll back when refused."""
    try:
        report = import_demands(
            db.session, data=data, file_name="x.csv", team=team, limits=Limits(**limits)
        )
    except ImportRefused as refused:
        db.session.rollback()
        return refused
    db.session.commit()
    return report


@pytest.fixture
def usual(app):
    return make_team("Northgate", "usual")


lines = st.lists(
    st.one_of(
        st.just(ROW.format(need="Help")),
        st.text(max_size=60).map(lambda t: ROW.format(need=t)),
        st.text(max_size=80),
    ),
    max_size=6,
)
files = st.one_of(
    st.binary(max_size=400),
    lines.map(lambda rows: csv_bytes(*rows)),
    st.tuples(lines, st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252", "utf-8-sig"])).map(
        lambda pair: "\n".join([HEADER, *pair[0]]).encode(pair[1], errors="replace")
    ),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=files)
@example(data=b"\r\x01")  # a header row csv cannot read (found by this test in CI)
def test_any_file_is_imported_or_refused_whole(usual, data):
    before = counts()
    outcome = attempt(usual, data)
    if isinstance(outcome, ImportRefused):
        assert outcome.message and outcome.message[0].isupper()
        assert counts()[:2] == before[:2]  # no person, no demand: nothing half imported
    else:
        assert counts()[1] == before[1] + outcome.demands_added


@pytest.mark.parametrize(
    "data, message",
    [
        (
            csv_bytes(ROW.format(need="x" * 200_000)),
            "could not be read as CSV after row 1",  # a cell longer than the reader takes
        ),
        ("\n".join([HEADER, ROW.format(need="Help")]).encode("utf-16"), 'save it as "CSV UTF-8"'),
        ("\n".join([HEADER, ROW.format(need="Help")]).encode("utf-32"), "Unicode text"),
        (csv_bytes(*[ROW.format(need=f"n{i}") for i in range(30)]), "more than 20 rows"),
    ],
)
def test_huge_and_wrongly_encoded_files_fail_cleanly(usual, data, message):
    before = counts()
    outcome = attempt(usual, data, max_rows=20)
    assert isinstance(outcome, ImportRefused)
    assert message in outcome.message, outcome.message
    assert counts()[:2] == before[:2]


def test_an_imported_formula_is_text_and_leaves_every_csv_as_text(client, usual):
    from casework.measures.table import to_csv

    outcome = attempt(usual, csv_bytes(ROW.format(need='=HYPERLINK("http://evil.example")')))
    assert outcome.demands_added == 1
    need = db.session.scalar(select(Demand.stated_need))
    assert need == '=HYPERLINK("http://evil.example")'  # kept as the referrer wrote it
    assert to_csv(["need"], [[need]]).splitlines()[1] == '"\'=HYPERLINK(""http://evil.example"")"'


def test_every_csv_the_app_writes_goes_through_safe_cell():
    """One writer of CSV (measures/table.py to_csv, every cell through safe_cell) and one
    sender (csv_download, which uses it); any other place fails this test."""
    source = Path(casework.__file__).parent
    writers = sorted(
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    )
    assert writers == ["measures/table.py"]
    csv_responses = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "text/csv" in path.read_text()
    ]
    assert csv_responses == ["measures/table.py"]  # csv_download: to_csv as an attachment
