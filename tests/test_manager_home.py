"""A team's manager who owns no case and has no action of their own starts from the team at
a glance, not an empty "My caseload" (issue 17, item 8); their own caseload is a link away."""

from __future__ import annotations

from casework.cases.service import add_action
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import login, make_demand, make_person, make_user


def test_a_manager_with_no_cases_of_their_own_sees_the_team_at_a_glance(
    client, team, manager, practitioner
):
    make_demand(make_person(practitioner), practitioner)  # Eleisha's
    make_demand(make_person(manager), manager)  # recorded by the manager: awaiting allocation
    gone = make_user(team, name="Gone Worker")
    make_demand(make_person(gone), gone)
    gone.active = False
    db.session.commit()
    login(client, manager)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "North team today" in page and "My caseload</h1>" not in page
    assert "<strong>1</strong> case with no owner yet" in page
    assert "<strong>1</strong> case of someone who has left or been deactivated" in page
    assert "Eleisha Ward" in page  # the caseload by worker
    assert 'href="/?mine=1"' in page
    mine = client.get("/?mine=1").get_data(as_text=True)
    assert "My caseload</h1>" in mine and "You have no open cases" in mine


def test_the_overview_names_nobody_whose_record_it_would_read(client, manager, practitioner):
    make_demand(make_person(manager, given_name="Zebedee"), manager)
    login(client, manager)
    before = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    page = client.get("/").get_data(as_text=True)
    assert "Zebedee" not in page
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == before


def test_a_manager_with_work_of_their_own_sees_their_caseload(client, manager, practitioner):
    case = make_demand(make_person(practitioner), practitioner)[0].case
    add_action(db.session, case, practitioner, description="Ring", by="team", assignee=manager)
    db.session.commit()
    login(client, manager)
    page = client.get("/").get_data(as_text=True)
    assert "My caseload</h1>" in page and "Ring" in page


def test_a_practitioner_with_no_cases_still_sees_their_empty_caseload(client, practitioner):
    login(client, practitioner)
    page = client.get("/").get_data(as_text=True)
    assert "My caseload</h1>" in page and "team today" not in page
