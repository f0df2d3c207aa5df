"""HTTP as the standards say it: every 405 names the methods the address has (Allow)."""

from __future__ import annotations

from collections import defaultdict

import pytest

METHODS = ("POST", "GET", "PUT", "PATCH", "DELETE")


def every_address(app) -> list[tuple[str, str, set[str]]]:
    """(URL, a method none of its rules allows, the methods its rules allow) for every rule;
    rules sharing a path (GET and PATCH of one API record) are one address."""
    allowed: dict[str, set[str]] = defaultdict(set)
    for rule in app.url_map.iter_rules():
        allowed[rule.rule] |= rule.methods
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        values = {name: 1 if name.endswith("id") else "x" for name in rule.arguments}
        url = adapter.build(rule.endpoint, values, method=sorted(rule.methods)[0])
        refused = next(m for m in METHODS if m not in allowed[rule.rule])
        found.append((url, refused, allowed[rule.rule]))
    return found


def test_every_address_is_walked(app):
    addresses = every_address(app)
    assert len(addresses) == len(list(app.url_map.iter_rules())) > 80
    assert any(url.startswith("/api/") for url, _, _ in addresses)


def test_every_405_carries_allow_naming_the_methods_the_address_has(app, client):
    wrong = []
    for url, method, allowed in every_address(app):
        response = client.open(url, method=method)
        header = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        if response.status_code != 405 or header != allowed:
            wrong.append((method, url, response.status_code, sorted(header), sorted(allowed)))
    assert wrong == []


@pytest.mark.parametrize("url", ["/people/new", "/api/v1/people"])
def test_a_405_page_and_a_405_answer_say_so(client, url):
    response = client.open(url, method="DELETE")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
