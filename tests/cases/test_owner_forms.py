"""Changing a case's owner and the team page's allocation in bulk: every problem with what
was sent is shown at once in the error summary, and nothing changes (issue 17, item 8)."""

from __future__ import annotations

import re

import pytest

from casework.cases import service
from casework.exceptions import ReasonRequired
from casework.extensions import db
from casework.models import Case
from tests.conftest import login, make_demand, make_person


def summary(page: str) -> list[str]:
    """The messages in the page's error summary, in order."""
    box = page.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", box, re.S)
    ]


@pytest.fixture
def waiting(manager):
    """A case awaiting allocation: a manager recorded the demand without choosing an owner."""
    return make_demand(make_person(manager), manager)[0].case


def test_the_change_of_owner_form_shows_every_problem_at_once(client, manager, waiting):
    login(client, manager)
    response = client.post(
        f"/cases/{waiting.id}/owner", data={"version": waiting.version, "owner_id": 0, "reason": ""}
    )
    assert response.status_code == 422
    assert summary(response.get_data(as_text=True)) == [
        "Choose the new owner",
        "Give a reason for the change of owner",
    ]
    db.session.expire_all()
    assert db.session.get(Case, waiting.id).owner_id is None


def test_the_rule_names_a_missing_reason_and_a_wrong_owner_together(manager, waiting):
    with pytest.raises(ReasonRequired) as refused:
        service.change_owner(db.session, waiting, manager, new_owner=None, reason="")
    assert refused.value.fields == {
        "owner_id": "Choose the new owner",
        "reason": "Give a reason for the change of owner",
    }


def test_the_team_pages_allocation_shows_every_problem_at_once(client, manager, waiting):
    login(client, manager)
    response = client.post("/team", data={"owner_id": 0, "reason": ""})
    assert response.status_code == 422
    assert summary(response.get_data(as_text=True)) == [
        "Choose at least one case",
        "Choose who will own the cases",
        "Give a reason for the change of owner",
    ]
    db.session.expire_all()
    assert db.session.get(Case, waiting.id).owner_id is None


def test_allocating_cases_to_the_worker_who_owns_them_says_nothing_changed(
    client, manager, practitioner
):
    theirs = make_demand(make_person(practitioner), practitioner)[0].case
    assert theirs.owner_id == practitioner.id
    login(client, manager)
    response = client.post(
        "/team",
        data={
            "case_ids": [theirs.id],
            f"version-{theirs.id}": theirs.version,
            "owner_id": practitioner.id,
            "reason": "Balancing the load",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"Nothing changed: {practitioner.name} already owns the case you chose." in page
    assert "Success" not in page and "0 cases given" not in page
    db.session.expire_all()
    assert db.session.get(Case, theirs.id).ownership_changes[-1].reason != "Balancing the load"
