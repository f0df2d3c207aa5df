"""The figures on imported history alone: the legacy sample gives exactly its expected figures.

The rows are written as the import writes them (imported, no case, cohort usual)
so that this tests the measures, not the import (tests for the import itself
live with it).
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from casework.config import ROOT
from casework.extensions import db
from casework.models import Demand, Person
from tests.measures.helpers import figures

DATA = ROOT.parent / "shared" / "data"


def test_the_legacy_sample_gives_its_expected_figures(team):
    expected = json.loads((DATA / "legacy_demands_sample.expected.json").read_text())
    people: dict[tuple, Person] = {}
    with open(DATA / "legacy_demands_sample.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            born = dt.date.fromisoformat(row["date_of_birth"])
            key = (row["given_name"].lower(), row["family_name"].lower(), born)
            if key not in people:
                people[key] = Person(
                    given_name=row["given_name"], family_name=row["family_name"], date_of_birth=born
                )
            db.session.add(
                Demand(
                    person=people[key],
                    team=team,
                    cohort="usual",
                    received_on=dt.date.fromisoformat(row["received_on"]),
                    source=row["source"],
                    channel=row["channel"],
                    stated_need=row["stated_need"],
                    kind=row["kind"] or None,
                    imported=True,
                )
            )
    db.session.commit()
    assert len(people) == expected["people_total"]

    result = figures(dt.date.fromisoformat(expected["from"]), dt.date.fromisoformat(expected["to"]))
    for figure in ("repeat_demand", "demands_per_person", "failure_demand"):
        assert {key: result[figure][key] for key in expected[figure]} == expected[figure]
    # Imported history has no cases: every repeat is "no case".
    assert result["repeat_demand"]["no_case"] == result["repeat_demand"]["repeat"]
    assert result["referral_mismatch"]["recorded"] == 0
