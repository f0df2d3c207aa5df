"""API fixtures: tokens made by the same function as the CLI, and a client that sends them."""

from __future__ import annotations

import pytest

from casework.auth.tokens import issue_token
from casework.extensions import db


def token_for(user, label: str = "tests") -> str:
    _, token = issue_token(db.session, user, label)
    db.session.commit()
    return token


class Api:
    """JSON calls with a bearer token; each returns (status, body)."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def call(self, method: str, path: str, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = self.client.open(
            "/api/v1" + path, method=method, json=json, headers=headers, **kwargs
        )
        return response.status_code, response.get_json(silent=True)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call("PATCH", path, json, **kwargs)


@pytest.fixture
def api_as(client):
    """api_as(user) -> an Api client acting as that user."""

    def make(user):
        return Api(client, token_for(user))

    return make


@pytest.fixture
def api(api_as, practitioner):
    return api_as(practitioner)
