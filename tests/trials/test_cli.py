"""`casework trials` and `casework costs` as api.md names them."""

from sqlalchemy import select

from casework.extensions import db
from casework.trials.models import CostItem, Trial
from tests.conftest import make_team


def test_trials_create_and_costs_set(runner, app):
    make_team("North", "pilot"), make_team("South", "usual")
    ok = runner.invoke(
        args=[
            "trials",
            "create",
            "Home first",
            "--pilot-team",
            "North",
            "--usual-team",
            "South",
            "--share",
            "0.5",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(Trial.name)) == "Home first"
    bad = runner.invoke(
        args=[
            "trials",
            "create",
            "Again",
            "--pilot-team",
            "North",
            "--usual-team",
            "North",
            "--share",
            "2",
        ]
    )
    assert bad.exit_code == 1 and "different team" in bad.output and "between 0 and 1" in bad.output
    assert runner.invoke(args=["trials", "pause", "Home first"]).exit_code == 0
    set_ok = runner.invoke(
        args=["costs", "set", "--team", "North", "OT assessment", "120.00", "--source", "PSSRU"]
    )
    assert set_ok.exit_code == 0, set_ok.output
    hour = runner.invoke(args=["costs", "set", "--team", "North", "practitioner-hour", "55.00"])
    assert hour.exit_code == 0
    negative = runner.invoke(args=["costs", "set", "--team", "North", "--", "Visit", "-1"])
    assert negative.exit_code == 1 and "cannot be negative" in negative.output
    prices = dict(db.session.execute(select(CostItem.service, CostItem.unit_pence)).all())
    assert prices == {"OT assessment": 12000, "practitioner-hour": 5500}
