"""Deny by default: every page needs a login except the public few."""

import datetime as dt
import re

import pytest

from casework import PUBLIC_ENDPOINTS, TOKEN_BLUEPRINTS, clock
from casework.api.auth import PUBLIC as PUBLIC_API
from tests.conftest import login, make_demand, make_person, make_team, make_user


def concrete(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)


def token_authenticated(rule) -> bool:
    return rule.endpoint.partition(".")[0] in TOKEN_BLUEPRINTS


def test_every_non_public_url_sends_an_anonymous_visitor_to_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or token_authenticated(rule):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(concrete(rule), method=method)
            assert response.status_code == 302, (rule.rule, method, response.status_code)
            assert response.location.startswith("/login"), (rule.rule, method)
            checked += 1
    assert checked > 15


def test_every_api_operation_refuses_a_request_without_a_token(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not token_authenticated(rule) or rule.endpoint in PUBLIC_API:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(concrete(rule), method=method)
            assert response.status_code == 401, (rule.rule, method, response.status_code)
            assert response.get_json()["error"]["code"] == "unauthorized"
            checked += 1
    assert checked >= 12


def test_public_endpoints_answer_without_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    for asset in [
        "/assets/nhsuk/nhsuk-frontend.min.css",
        "/static/casework.css",
        "/assets/images/favicon.svg",
    ]:
        with client.get(asset) as response:
            assert response.status_code == 200, asset


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, practitioner, target):
    response = client.post(
        f"/login?next={target}",
        data={"email": practitioner.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_login_follows_a_local_next(client, practitioner):
    response = client.post(
        "/login?next=/people",
        data={"email": practitioner.email, "password": "correct horse battery staple"},
    )
    assert response.location == "/people"


def test_wrong_password_is_refused_with_a_plain_message(client, practitioner):
    response = client.post("/login", data={"email": practitioner.email, "password": "nope"})
    assert response.status_code == 200
    assert "The email address or password is not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_other_teams_records_are_refused(client, practitioner):
    outsider = make_user(make_team("South", "usual"))
    person = make_person(outsider)
    demand, _ = make_demand(person, outsider)
    login(client, practitioner)
    assert client.get(f"/people/{person.id}").status_code == 403
    assert client.get(f"/cases/{demand.case_id}").status_code == 403
    assert client.get(f"/cases/{demand.case_id}/conversations/new").status_code == 403
    assert client.get("/cases/99999").status_code == 404


def test_a_referral_for_another_teams_person_makes_them_known_to_this_team(client, practitioner):
    outsider = make_user(make_team("South", "usual"))
    person = make_person(outsider, phone="0113 496 0000")
    make_demand(person, outsider)
    login(client, practitioner)
    form = client.get(f"/people/{person.id}/demands/new")
    assert form.status_code == 200
    assert "0113 496 0000" not in form.get_data(as_text=True)  # identity only until recorded
    received = clock.today() - dt.timedelta(days=4)
    response = client.post(
        f"/people/{person.id}/demands/new",
        data={
            "received_on[day]": received.day,
            "received_on[month]": received.month,
            "received_on[year]": received.year,
            "source": "GP",
            "channel": "phone",
            "stated_need": "Falls at home",
            "pass_to": "own",  # South's case is open: this team's own case, chosen
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert client.get(f"/people/{person.id}").status_code == 200


def test_a_colleague_pulled_in_to_an_action_can_open_the_case(client, practitioner):
    from casework.cases.service import add_action
    from casework.extensions import db

    specialist = make_user(make_team("Hospital", "usual"))
    demand, _ = make_demand(make_person(practitioner), practitioner)
    add_action(
        db.session,
        demand.case,
        practitioner,
        description="Splint advice",
        by="team",
        assignee=specialist,
    )
    db.session.commit()
    login(client, specialist)
    assert client.get(f"/cases/{demand.case_id}").status_code == 200


def test_practitioners_cannot_reach_the_team_page_or_admin(client, practitioner):
    login(client, practitioner)
    assert client.get("/team").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_logout_ends_the_session(client, practitioner):
    login(client, practitioner)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
