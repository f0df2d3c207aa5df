"""The API client fixtures of tests/api, here too."""

from tests.api.conftest import api, api_as  # noqa: F401
