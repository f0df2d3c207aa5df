"""The legacy sample, imported as `casework import-demands` imports it, gives exactly the
figures of its .expected.json: through compute(), the API and the `casework measures` command.

(The sample and its expected figures live in tests/imports/data, so the suite runs on a
clean clone.)"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.extensions import db
from casework.imports.service import import_demands
from casework.measures.figures import compute
from casework.models import Person
from tests.api.conftest import Api, token_for
from tests.conftest import make_team, make_user

DATA = Path(__file__).parents[1] / "imports" / "data"
EXPECTED = json.loads((DATA / "legacy_demands_sample.expected.json").read_text())
PERIOD = {"from": EXPECTED["from"], "to": EXPECTED["to"]}


@pytest.fixture
def northgate(app):
    team = make_team("Northgate", "usual")
    report = import_demands(
        db.session,
        data=(DATA / "legacy_demands_sample.csv").read_bytes(),
        file_name="legacy_demands_sample.csv",
        team=team,
    )
    db.session.commit()
    assert (report.rows_read, len(report.rejected)) == (
        EXPECTED["rows_read"],
        EXPECTED["rows_rejected"],
    )
    assert db.session.scalar(select(func.count(Person.id))) == EXPECTED["people_total"]
    return team


def assert_expected(result: dict) -> None:
    assert (result["from"], result["to"]) == (EXPECTED["from"], EXPECTED["to"])
    for figure in ("repeat_demand", "demands_per_person", "failure_demand"):
        got = {key: result[figure][key] for key in EXPECTED[figure]}
        assert got == pytest.approx(EXPECTED[figure], abs=5e-6), figure
    # Imported history has no cases: every repeat is "no case", no case figures at all.
    assert result["repeat_demand"]["no_case"] == result["repeat_demand"]["repeat"]
    assert result["referral_mismatch"]["recorded"] == 0
    assert result["handoffs"]["rate"] is None


def test_compute(northgate):
    start, end = (dt.date.fromisoformat(PERIOD[k]) for k in ("from", "to"))
    assert_expected(compute(db.session, start=start, end=end))
    assert_expected(compute(db.session, start=start, end=end, team_id=northgate.id))


def test_the_api_for_an_administrator_and_the_teams_manager(northgate, client):
    admin = Api(client, token_for(make_user(None, "admin")))
    status, body = admin.get("/measures", query_string=PERIOD)
    assert status == 200
    assert_expected(body)
    assert body["team"] is None and body["cohort"] == "all"
    manager = Api(client, token_for(make_user(northgate, "manager")))
    status, body = manager.get("/measures", query_string={**PERIOD, "cohort": "usual"})
    assert status == 200
    assert_expected(body)
    assert (body["team"], body["cohort"]) == ("Northgate", "usual")


def test_the_command_prints_the_same_json_as_the_api(northgate, runner, client):
    result = runner.invoke(
        args=["measures", "--from", PERIOD["from"], "--to", PERIOD["to"], "--team", "Northgate"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert_expected(printed)
    manager = Api(client, token_for(make_user(northgate, "manager")))
    assert manager.get("/measures", query_string=PERIOD) == (200, printed)
