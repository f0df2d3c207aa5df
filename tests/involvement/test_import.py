"""`casework import-demands` keeps its rule: legacy referrals are history, never routed, so
never passed to another team's worker nor counted as a relationship started."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent, Demand, Notification
from tests.conftest import make_person

HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,stated_need,kind"
)


def test_an_imported_referral_for_someone_another_team_works_with_is_history(
    runner, tmp_path, team, eleisha
):
    from tests.conftest import make_demand

    person = make_person(
        eleisha, given_name="Irene", family_name="Lovell", nhs_number="9434765919",
        date_of_birth=dt.date(1961, 4, 2),
    )  # fmt: skip
    make_demand(person, eleisha)  # open in Riverside
    received = (clock.today() - dt.timedelta(days=400)).isoformat()
    path = tmp_path / "old.csv"
    path.write_text(f"{HEADER}\n9434765919,Irene,Lovell,1961-04-02,{received},GP,phone,Falls,\n")
    result = runner.invoke(args=["import-demands", str(path), "--team", team.name])
    assert result.exit_code == 0, result.output
    assert "People matched: 1" in result.output
    db.session.rollback()
    imported = db.session.scalar(select(Demand).where(Demand.imported.is_(True)))
    assert (imported.person_id, imported.team_id, imported.case_id, imported.routed_by) == (
        person.id, team.id, None, None,
    )  # fmt: skip
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "relationship_started")
    ).all()
    assert not db.session.scalars(select(Notification)).all()
