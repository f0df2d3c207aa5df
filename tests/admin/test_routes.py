"""The administrator's pages for users and teams."""

import re

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, Team, User
from casework.pagination import PER_PAGE
from tests.conftest import PASSWORD, login, make_team, make_user

GENERATED = re.compile(r"password is ([A-Za-z0-9_-]{12,}) –")


def audit_events(action, entity, entity_id=None):
    query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return db.session.scalars(query).all()


def user_by_email(email):
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def admin_client(client, admin_user):
    login(client, admin_user)
    return client


def admin_pages(practitioner, team):
    return [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{practitioner.id}/edit",
        f"/admin/users/{practitioner.id}/deactivate",
        f"/admin/users/{practitioner.id}/reactivate",
        f"/admin/users/{practitioner.id}/password",
        "/admin/teams/new",
        f"/admin/teams/{team.id}/edit",
    ]


# Who may reach the pages


def test_every_admin_page_renders_for_an_administrator(admin_client, practitioner, team):
    for url in admin_pages(practitioner, team):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "<h1" in page, url
        assert "nhsuk-back-link" in page or url == "/admin/users", url


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioners_and_managers_are_refused_every_admin_page(client, team, role):
    worker = make_user(team, role)
    login(client, worker)
    for url in admin_pages(worker, team):
        assert client.get(url).status_code == 403, url
        if url != "/admin/users":
            assert client.post(url, data={"name": "Taken over"}).status_code == 403, url
    db.session.refresh(worker)
    assert worker.name != "Taken over"
    assert worker.active


def test_missing_user_or_team_is_not_found(admin_client):
    assert admin_client.get("/admin/users/9999/edit").status_code == 404
    assert admin_client.get("/admin/teams/9999/edit").status_code == 404


# The list


def test_list_shows_users_with_role_team_and_status_and_teams_with_active_counts(
    admin_client, admin_user, practitioner, manager, team
):
    make_team("Quiet", "usual")
    leaver = make_user(team, "practitioner", name="Lee Leaver")
    leaver.active = False
    db.session.commit()

    page = admin_client.get("/admin/users").get_data(as_text=True)

    assert "Eleisha Ward" in page and practitioner.email in page
    assert "Team manager" in page and "Administrator" in page
    assert "Deactivated" in page
    north = re.search(rf'<tr id="team-{team.id}">(.*?)</tr>', page, re.S).group(1)
    assert "Pilot" in north and ">2<" in north  # Eleisha and Morgan; Lee is deactivated
    quiet = page[page.index(">Quiet<") :]
    assert "Usual practice" in quiet[:200]


def test_the_users_list_is_a_page_at_a_time_with_every_user_on_some_page(
    admin_client, admin_user, team
):
    made = [make_user(team, name=f"Worker {n:02d}") for n in range(PER_PAGE + 5)]
    everyone = {user.id for user in made} | {admin_user.id}

    def rows(page):
        return {int(i) for i in re.findall(r'<tr [^>]*id="user-(\d+)">', page)}

    first = admin_client.get("/admin/users").get_data(as_text=True)
    second = admin_client.get("/admin/users?page=2").get_data(as_text=True)

    assert len(rows(first)) == PER_PAGE and rows(first) | rows(second) == everyone
    assert not rows(first) & rows(second)
    assert f"({len(everyone)}, 1 to {PER_PAGE} shown)" in first
    assert 'href="/admin/users?page=2#users"' in first and "Page 2" in first
    assert 'href="/admin/users?page=1#users"' in second and "Page 3" not in second


def test_list_without_teams_says_so_in_plain_english(admin_client):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "There are no teams yet" in page


# Adding users


def test_adding_a_user_with_a_chosen_password_lets_them_log_in(app, admin_client, team):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "New.Worker@Example.org",
            "name": "New Worker",
            "role": "practitioner",
            "team_id": team.id,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "New Worker has been added" in page
    assert "a long enough password" not in page

    user = user_by_email("new.worker@example.org")
    assert (user.role, user.team_id, user.active) == ("practitioner", team.id, True)
    assert len(audit_events("create", "user", user.id)) == 1
    login(app.test_client(), user, "a long enough password")


def test_adding_a_user_without_a_password_shows_a_generated_one_once(app, admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "second.admin@example.org",
            "name": "Second Admin",
            "role": "admin",
            "team_id": "0",
            "password": "",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    generated = GENERATED.search(page).group(1)
    assert "Pass it on to them securely" in page

    assert generated not in admin_client.get("/admin/users").get_data(as_text=True)
    user = user_by_email("second.admin@example.org")
    assert user.team is None
    login(app.test_client(), user, generated)


def test_adding_a_user_with_a_taken_email_shows_the_error_and_keeps_what_was_typed(
    admin_client, practitioner, team
):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": practitioner.email.upper(),
            "name": "Someone Else",
            "role": "manager",
            "team_id": team.id,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "There is already a user with this email address" in page
    assert 'href="#email"' in page
    assert f'value="{practitioner.email.upper()}"' in page
    assert 'value="Someone Else"' in page
    assert re.search(r'value="manager"\s+checked', page)
    assert re.search(rf'value="{team.id}"\s+selected', page)
    assert "a long enough password" not in page  # never echoed back
    assert "<title>Error: " in page
    assert db.session.scalar(select(User).where(User.name == "Someone Else")) is None


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_practitioner_or_manager_without_a_team_is_refused(admin_client, role):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "lonely@example.org",
            "name": "Lonely Worker",
            "role": role,
            "team_id": "0",
        },
    )
    assert response.status_code == 422
    assert "must belong to a team" in response.get_data(as_text=True)
    assert user_by_email("lonely@example.org") is None


def test_adding_a_user_with_nothing_filled_in_says_what_is_missing(admin_client):
    response = admin_client.post("/admin/users/new", data={"team_id": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter an email address" in page
    assert "Enter the person&#39;s full name" in page or "Enter the person's full name" in page
    assert "Choose practitioner, team manager, administrator or lead" in page


def test_adding_a_user_with_a_short_password_is_refused(admin_client, team):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "short@example.org",
            "name": "Short Password",
            "role": "practitioner",
            "team_id": team.id,
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert user_by_email("short@example.org") is None


# Changing users


def test_administrator_changes_a_workers_name_role_and_team(admin_client, practitioner, team):
    south = make_team("South", "usual")
    response = admin_client.post(
        f"/admin/users/{practitioner.id}/edit",
        data={
            "name": "Eleisha Ward-Jones",
            "role": "manager",
            "team_id": south.id,
        },
    )
    assert response.status_code == 302
    db.session.refresh(practitioner)
    assert (practitioner.name, practitioner.role, practitioner.team_id) == (
        "Eleisha Ward-Jones",
        "manager",
        south.id,
    )
    [event] = audit_events("update", "user", practitioner.id)
    assert event.detail["before"]["team_id"] == team.id
    assert event.detail["after"]["team_id"] == south.id


def test_edit_page_shows_the_user_as_they_are(admin_client, manager, team):
    page = admin_client.get(f"/admin/users/{manager.id}/edit").get_data(as_text=True)
    assert 'value="Morgan Manager"' in page
    assert re.search(r'value="manager"\s+checked', page)
    assert re.search(rf'value="{team.id}"\s+selected', page)


def test_moving_a_practitioner_out_of_every_team_is_refused(admin_client, practitioner, team):
    response = admin_client.post(
        f"/admin/users/{practitioner.id}/edit",
        data={
            "name": "Eleisha Ward",
            "role": "practitioner",
            "team_id": "0",
        },
    )
    assert response.status_code == 422
    assert "must belong to a team" in response.get_data(as_text=True)
    db.session.refresh(practitioner)
    assert practitioner.team_id == team.id


def test_administrator_cannot_remove_their_own_admin_role(admin_client, admin_user, team):
    response = admin_client.post(
        f"/admin/users/{admin_user.id}/edit",
        data={
            "name": admin_user.name,
            "role": "manager",
            "team_id": team.id,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You cannot remove your own administrator role" in page
    assert re.search(r'value="manager"\s+checked', page)  # what was chosen is kept
    db.session.refresh(admin_user)
    assert admin_user.role == "admin"
    assert admin_client.get("/admin/users").status_code == 200


# Deactivating and reactivating


def test_deactivation_page_explains_what_happens(admin_client, practitioner):
    page = admin_client.get(f"/admin/users/{practitioner.id}/deactivate").get_data(as_text=True)
    assert "can no longer log in" in page
    assert "Needs a new owner" in page


def test_deactivated_worker_cannot_log_in_and_their_session_ends(app, admin_client, practitioner):
    worker_client = app.test_client()
    login(worker_client, practitioner)
    assert worker_client.get("/").status_code == 200

    response = admin_client.post(f"/admin/users/{practitioner.id}/deactivate")
    assert response.status_code == 302
    assert "has been deactivated" in admin_client.get(response.location).get_data(as_text=True)

    after = worker_client.get("/")
    assert after.status_code == 302
    assert after.location.startswith("/login")
    refused = app.test_client().post(
        "/login", data={"email": practitioner.email, "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "is not right" in refused.get_data(as_text=True)
    assert len(audit_events("deactivate", "user", practitioner.id)) == 1


def test_administrator_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(f"/admin/users/{admin_user.id}/deactivate")
    assert response.status_code == 422
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.refresh(admin_user)
    assert admin_user.active
    assert admin_client.get("/admin/users").status_code == 200
    assert audit_events("deactivate", "user") == []


def test_reactivated_worker_can_log_in_again(app, admin_client, practitioner):
    admin_client.post(f"/admin/users/{practitioner.id}/deactivate")
    response = admin_client.post(f"/admin/users/{practitioner.id}/reactivate")
    assert response.status_code == 302
    assert "has been reactivated" in admin_client.get(response.location).get_data(as_text=True)

    db.session.refresh(practitioner)
    assert practitioner.active
    login(app.test_client(), practitioner)
    assert len(audit_events("reactivate", "user", practitioner.id)) == 1


# Resetting passwords


def test_password_reset_ends_old_sessions_and_the_new_password_works(
    app, admin_client, practitioner
):
    worker_client = app.test_client()
    login(worker_client, practitioner)

    response = admin_client.post(
        f"/admin/users/{practitioner.id}/password", data={"password": ""}, follow_redirects=True
    )
    generated = GENERATED.search(response.get_data(as_text=True)).group(1)

    assert worker_client.get("/").status_code == 302
    old = app.test_client().post("/login", data={"email": practitioner.email, "password": PASSWORD})
    assert old.status_code == 200
    login(app.test_client(), practitioner, generated)
    [event] = audit_events("reset_password", "user", practitioner.id)
    assert generated not in repr(event.detail)
    assert generated not in admin_client.get("/admin/users").get_data(as_text=True)


def test_password_reset_to_a_chosen_password(app, admin_client, practitioner):
    response = admin_client.post(
        f"/admin/users/{practitioner.id}/password", data={"password": "my chosen new password"}
    )
    assert response.status_code == 302
    login(app.test_client(), practitioner, "my chosen new password")


def test_password_reset_refuses_a_short_password(admin_client, practitioner):
    response = admin_client.post(
        f"/admin/users/{practitioner.id}/password", data={"password": "short"}
    )
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert audit_events("reset_password", "user") == []


def test_administrator_resetting_their_own_password_stays_logged_in(admin_client, admin_user):
    response = admin_client.post(
        f"/admin/users/{admin_user.id}/password", data={"password": "my own new password"}
    )
    assert response.status_code == 302
    assert admin_client.get("/admin/users").status_code == 200


# Teams


def test_administrator_adds_a_team(admin_client):
    response = admin_client.post("/admin/teams/new", data={"name": " East ", "cohort": "usual"})
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "East"))
    assert team.cohort == "usual"
    assert len(audit_events("create", "team", team.id)) == 1
    assert "The East team has been added" in admin_client.get(response.location).get_data(
        as_text=True
    )


def test_team_form_explains_that_cases_keep_their_cohort(admin_client):
    page = admin_client.get("/admin/teams/new").get_data(as_text=True)
    assert "Pilot (the bubble)" in page
    assert "A case keeps the way of working its team had when the case opened" in page


def test_adding_a_team_with_a_taken_name_shows_the_error_and_keeps_what_was_typed(
    admin_client, team
):
    response = admin_client.post("/admin/teams/new", data={"name": "north", "cohort": "usual"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a team called north" in page
    assert 'value="north"' in page
    assert re.search(r'value="usual"\s+checked', page)
    assert db.session.scalars(select(Team)).all() == [team]


def test_adding_a_team_without_a_cohort_is_refused(admin_client):
    response = admin_client.post("/admin/teams/new", data={"name": "West"})
    assert response.status_code == 422
    assert "Choose pilot or usual practice" in response.get_data(as_text=True)


def test_administrator_renames_a_team_and_moves_it_to_usual_practice(admin_client, team):
    page = admin_client.get(f"/admin/teams/{team.id}/edit").get_data(as_text=True)
    assert 'value="North"' in page and re.search(r'value="pilot"\s+checked', page)

    response = admin_client.post(
        f"/admin/teams/{team.id}/edit", data={"name": "North East", "cohort": "usual"}
    )
    assert response.status_code == 302
    db.session.refresh(team)
    assert (team.name, team.cohort) == ("North East", "usual")
    [event] = audit_events("update", "team", team.id)
    assert event.detail["before"] == {"name": "North", "cohort": "pilot"}


def test_renaming_a_team_to_another_teams_name_is_refused(admin_client, team):
    south = make_team("South", "usual")
    response = admin_client.post(
        f"/admin/teams/{south.id}/edit", data={"name": "North", "cohort": "usual"}
    )
    assert response.status_code == 422
    assert "There is already a team called North" in response.get_data(as_text=True)
    db.session.refresh(south)
    assert south.name == "South"
    assert audit_events("update", "team") == []


# With CSRF protection switched on, as in production


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_carry_a_csrf_token_and_posts_without_one_are_refused(
        self, client, admin_user, practitioner
    ):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"email": admin_user.email, "password": PASSWORD, "csrf_token": token}
        )

        url = f"/admin/users/{practitioner.id}/deactivate"
        assert client.post(url).status_code == 400
        db.session.refresh(practitioner)
        assert practitioner.active

        page = client.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post(url, data={"csrf_token": token}).status_code == 302
        db.session.refresh(practitioner)
        assert not practitioner.active
