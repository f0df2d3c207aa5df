"""The lead role (ADR 0034): a service lead across the locality reads every team's figures
and charts, runs trials and reads their results, and reads nobody's records."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.admin.service import create_user, update_user
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent, User
from casework.trials import service as trials
from casework.trials.models import Trial
from tests.api.conftest import Api, token_for
from tests.conftest import PASSWORD, login, make_demand, make_person, make_team, make_user


@pytest.fixture
def lead(app):
    return make_user(None, "lead", name="Lee Lead")


@pytest.fixture
def south(app):
    return make_team("South", "usual")


def test_the_command_line_makes_a_lead_without_a_team(runner, app):
    result = runner.invoke(
        args=["users", "create", "lee@example.org", "--name", "Lee Lead", "--role", "lead"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "lee@example.org"))
    assert (user.role, user.team_id, user.is_lead) == ("lead", None, True)


def test_a_lead_belongs_to_no_team(team, admin_user):
    with pytest.raises(InvalidValue) as refused:
        create_user(
            db.session, email="l@example.org", name="L", role="lead", team=team, password=PASSWORD
        )
    assert refused.value.fields == {
        "team_id": "A lead works across the locality and belongs to no team"
    }
    manager = make_user(team, "manager")
    with pytest.raises(InvalidValue):
        update_user(
            db.session, manager, name=manager.name, role="lead", team=team, actor=admin_user
        )
    db.session.rollback()
    db.session.refresh(manager)
    assert (manager.role, manager.team_id) == ("manager", team.id)


def test_the_admin_pages_offer_the_lead_role(client, admin_user, team):
    login(client, admin_user)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="lead"' in page and "Service lead" in page
    refused = client.post(
        "/admin/users/new",
        data={"email": "l@example.org", "name": "Lee", "role": "lead", "team_id": team.id},
    )
    assert refused.status_code == 422
    assert "belongs to no team" in refused.get_data(as_text=True)
    made = client.post(
        "/admin/users/new",
        data={"email": "l@example.org", "name": "Lee", "role": "lead", "team_id": "0"},
    )
    assert made.status_code in (200, 302), made.get_data(as_text=True)[:500]
    assert db.session.scalar(select(User.role).where(User.email == "l@example.org")) == "lead"


def test_a_leads_home_is_the_comparison_and_the_menu_fits_the_role(client, lead):
    login(client, lead)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/measures/compare")
    html = client.get("/measures/compare").get_data(as_text=True)
    for link in ('href="/measures"', 'href="/measures/compare"', 'href="/trials"'):
        assert link in html
    for link in ('href="/people"', 'href="/team"', 'href="/admin/users"', 'href="/barriers"'):
        assert link not in html


def test_a_lead_reads_no_persons_record(client, lead, practitioner):
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner)
    login(client, lead)
    assert client.get(f"/people/{person.id}").status_code == 403
    assert client.get(f"/cases/{demand.case_id}").status_code == 403
    api = Api(client, token_for(lead))
    assert api.get(f"/people/{person.id}")[0] == 403
    assert api.get(f"/cases/{demand.case_id}")[0] == 403
    refusals = select(func.count(AuditEvent.id)).where(AuditEvent.action == "refused")
    assert db.session.scalar(refusals) >= 4  # each refusal audited
    views = select(func.count(AuditEvent.id)).where(AuditEvent.action == "view")
    assert db.session.scalar(views) == 0


def test_a_lead_sees_every_teams_figures_and_no_names(client, lead, practitioner, south):
    worker = make_user(south, "practitioner")
    make_demand(make_person(worker, family_name="Southerner"), worker)
    make_demand(make_person(practitioner, family_name="Northerner"), practitioner)
    login(client, lead)
    html = client.get("/measures").get_data(as_text=True)
    assert "all teams" in html and "/measures/list/" not in html
    for team in (south.id, practitioner.team_id):
        response = client.get(
            "/measures/list/demands_per_person/people", query_string={"team": team}
        )
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "<strong>1</strong> person" in text
        assert "Southerner" not in text and "Northerner" not in text
    assert client.get("/measures/repeat-demand").status_code == 403
    assert client.get("/measures/list/repeat_demand/total.csv").status_code == 403


def test_a_lead_creates_runs_and_reads_any_trial(client, lead, team, south):
    login(client, lead)
    today = clock.today()
    made = client.post(
        "/trials",
        data={
            "name": "Home first",
            "pilot_team": team.id,
            "usual_team": south.id,
            "share": "0.5",
            "start_on[day]": today.day,
            "start_on[month]": today.month,
            "start_on[year]": today.year,
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    trial = db.session.scalar(select(Trial))
    assert client.get(f"/trials/{trial.id}").status_code == 200
    assert client.get(f"/trials/{trial.id}/report").status_code == 200
    assert client.post(f"/trials/{trial.id}/status", data={"to": "paused"}).status_code == 302
    db.session.refresh(trial)
    assert trial.status == "paused"
    assert b"cost catalogue" not in client.get("/trials").data  # the teams' managers keep it


def test_a_lead_reads_trial_results_through_the_api(client, lead, team, south):
    trials.create(
        db.session,
        name="Home first",
        pilot_team=team,
        usual_team=south,
        share=0.5,
        start_on=clock.today(),
        by=None,
    )
    db.session.commit()
    status, body = Api(client, token_for(lead)).get("/trials/Home first/results")
    assert status == 200, body
    assert set(body["arms"]) == {"pilot", "usual"}


def test_an_inactive_lead_sees_nothing(client, lead):
    api = Api(client, token_for(lead))
    lead.active = False
    db.session.commit()
    assert api.get("/measures", query_string={"from": "2026-01-01", "to": "2026-02-01"})[0] == 401


def test_the_command_line_refuses_a_team_for_a_lead(runner, team):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "l@example.org",
            "--name",
            "L",
            "--role",
            "lead",
            "--team",
            "North",
        ]
    )
    assert result.exit_code == 1
    assert "belongs to no team" in result.output
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "lead")) == 0
