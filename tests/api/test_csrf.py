"""With CSRF protection on (as in production): the API needs none (a token, never a cookie,
authenticates it), while the account page's token forms still do."""

import re

import pytest

from tests.api.conftest import Api, token_for


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_the_api_takes_posts_without_a_csrf_token(client, practitioner):
    status, body = Api(client, token_for(practitioner)).post(
        "/people", {"given_name": "Anne", "family_name": "Example"}
    )
    assert status == 201, body


def test_the_account_page_refuses_a_token_request_without_csrf(client, practitioner):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={
            "email": practitioner.email,
            "password": "correct horse battery staple",
            "csrf_token": csrf,
        },
    )
    assert client.get("/account").status_code == 200
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 400
