"""With CSRF protection on (as in production), forms without the token are refused."""

import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_login_without_the_token_is_refused(client, practitioner):
    response = client.post("/login", data={"email": practitioner.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_and_logout_with_the_token_work(client, practitioner):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"email": practitioner.email, "password": PASSWORD, "csrf_token": token(page)},
    )
    assert response.status_code == 302
    caseload = client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert client.get("/").status_code == 200
    logout_token = re.search(r'name="csrf_token" value="([^"]+)"', caseload).group(1)
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/").status_code == 302
