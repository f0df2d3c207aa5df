"""A trial run through the API exactly as api.md names it, from `casework trials create` to
`GET /api/v1/trials/NAME/results`, with the interval checked against Newcombe's hybrid
score method worked out here by hand from the counts; what the usual system would have
done recorded through the API; and the cost of the journey in the measures."""

from __future__ import annotations

import datetime as dt
import random
from math import sqrt

import pytest

from casework import clock
from casework.extensions import db
from casework.trials import allocation
from tests.api.conftest import Api, token_for
from tests.conftest import make_team, make_user

Z = 1.959963984540054  # the 97.5th centile of the normal distribution


def days_ago(n: int) -> str:
    return (clock.today() - dt.timedelta(days=n)).isoformat()


def wilson_by_hand(r: int, n: int) -> tuple[float, float]:
    """Newcombe 1998, method 3: the roots of (p - P)^2 = z^2 P (1 - P) / n, by the formula."""
    p, q = r / n, 1 - r / n
    root = Z * sqrt(Z * Z + 4 * n * p * q)
    return (2 * n * p + Z * Z - root) / (2 * (n + Z * Z)), (2 * n * p + Z * Z + root) / (
        2 * (n + Z * Z)
    )


def newcombe_by_hand(r1: int, n1: int, r2: int, n2: int) -> tuple[float, float]:
    """Newcombe 1998, method 10: delta - sqrt((p1-l1)^2 + (u2-p2)^2), and the upper bound."""
    p1, p2 = r1 / n1, r2 / n2
    l1, u1 = wilson_by_hand(r1, n1)
    l2, u2 = wilson_by_hand(r2, n2)
    delta = p1 - p2
    return (
        delta - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        delta + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


@pytest.fixture
def teams(app):
    return make_team("Pilot", "pilot"), make_team("Usual", "usual")


@pytest.fixture
def trial(runner, teams):
    made = runner.invoke(
        args=["trials", "create", "Home first", "--pilot-team", "Pilot", "--usual-team", "Usual"]
        + ["--share", "0.5", "--start", days_ago(400)]
    )
    assert made.exit_code == 0, made.output
    return "Home first"


def demand(api: Api, person_id: int, received: str, **extra):
    body = {
        "person_id": person_id,
        "received_on": received,
        "source": "GP",
        "channel": "phone",
        "stated_need": "Struggling at home",
    }
    return api.post("/demands", body | extra)


def test_a_trial_run_through_the_api(client, trial, teams, monkeypatch):
    monkeypatch.setattr(allocation, "RANDOM", random.Random(19))  # real draws, repeatable
    intake = Api(client, token_for(make_user(teams[0], "practitioner")))
    drawn = {"pilot": [], "usual": []}
    for i in range(60):
        status, person = intake.post("/people", {"given_name": f"P{i}", "family_name": "Trial"})
        assert status == 201
        status, made = demand(intake, person["id"], days_ago(200), trial=trial)
        assert status == 201, made
        assert made["team"] == ("Pilot" if made["allocation"] == "pilot" else "Usual")
        drawn[made["allocation"]].append(made)
    assert len(drawn["pilot"]) + len(drawn["usual"]) == 60
    # Comes back within the follow-up: one in five of the pilot arm, one in two of the usual.
    repeated = {"pilot": drawn["pilot"][::5], "usual": drawn["usual"][::2]}
    for made in repeated["pilot"] + repeated["usual"]:
        status, again = demand(intake, made["person_id"], days_ago(170), trial=trial)
        assert (status, again["allocation"], again["case_id"]) == (
            201,
            "not_randomised",
            made["case_id"],
        )
    # The allocation stays with the demand when it is read again.
    status, case = intake.get(f"/cases/{drawn['pilot'][0]['case_id']}")
    assert case["demands"][0]["allocation"] == "pilot"

    manager = Api(client, token_for(make_user(teams[1], "manager")))
    status, found = manager.get("/trials/Home first/results?follow_up_days=180")
    assert status == 200, found
    pilot, usual = found["arms"]["pilot"], found["arms"]["usual"]
    r1, n1 = len(repeated["pilot"]), len(drawn["pilot"])
    r2, n2 = len(repeated["usual"]), len(drawn["usual"])
    assert (pilot["randomised"], pilot["people"], usual["randomised"], usual["people"]) == (
        n1,
        n1,
        n2,
        n2,
    )
    for arm, r, n in ((pilot, r1, n1), (usual, r2, n2)):
        assert (arm["repeat_demand"]["people"], arm["repeat_demand"]["repeated"]) == (n, r)
        assert arm["repeat_demand"]["rate"] == pytest.approx(r / n, abs=1e-6)
    assert found["not_randomised"] == r1 + r2
    got = found["difference"]["repeat_demand_rate"]
    assert got["estimate"] == pytest.approx(r1 / n1 - r2 / n2, abs=1e-6)
    assert got["ci95"] == pytest.approx(list(newcombe_by_hand(r1, n1, r2, n2)), abs=1e-6)
    assert got["ci95"][1] < 0  # a real difference, and the interval says so


def test_the_draw_cannot_be_steered_and_bad_requests_are_refused(client, trial, teams):
    intake = Api(client, token_for(make_user(teams[0], "practitioner")))
    colleague = make_user(teams[0], "practitioner")
    outsider = Api(client, token_for(make_user(make_team("Elsewhere"), "practitioner")))
    _, person = intake.post("/people", {"given_name": "Ann", "family_name": "Trial"})
    chosen = demand(intake, person["id"], days_ago(1), trial=trial, owner_id=colleague.id)
    assert chosen[0] == 422 and "owner_id" in chosen[1]["error"]["fields"]
    unknown = demand(intake, person["id"], days_ago(1), trial="No such trial")
    assert unknown[0] == 422 and "trial" in unknown[1]["error"]["fields"]
    before = demand(intake, person["id"], days_ago(500), trial=trial)
    assert before[0] == 422 and "received_on" in before[1]["error"]["fields"]
    _, other = outsider.post("/people", {"given_name": "Bo", "family_name": "Out"})
    not_in = demand(outsider, other["id"], days_ago(1), trial=trial)
    assert not_in[0] == 422 and "not in the trial" in not_in[1]["error"]["fields"]["trial"]
    status, case = intake.get(f"/people/{person['id']}")
    assert case["demands"] == []  # nothing saved by any refusal
    # Results: managers of the trial's teams and administrators only.
    assert intake.get("/trials/Home first/results")[0] == 403
    manager = Api(client, token_for(make_user(teams[0], "manager")))
    assert manager.get("/trials/Nothing/results")[0] == 404
    status, body = manager.get("/trials/Home first/results?follow_up_days=-1")
    assert status == 422 and "follow_up_days" in body["error"]["fields"]
    status, body = manager.get("/trials/Home first/results")
    assert status == 200 and body["follow_up_days"] == 180
    assert body["difference"]["repeat_demand_rate"] is None  # nobody followed up yet


def test_what_the_usual_system_would_have_done_and_the_cost_of_journey(
    client, runner, trial, teams
):
    for args in (
        ["OT assessment", "120.00", "--source", "PSSRU Unit Costs 2024"],
        ["practitioner-hour", "55.00"],
    ):
        assert runner.invoke(args=["costs", "set", "--team", "Pilot", *args]).exit_code == 0
    worker = make_user(teams[0], "practitioner")
    api = Api(client, token_for(worker))
    _, person = api.post("/people", {"given_name": "Cy", "family_name": "Cost"})
    _, made = demand(api, person["id"], days_ago(30))
    case_id = made["case_id"]
    status, body = api.post(
        f"/cases/{case_id}/conversations",
        {"held_on": days_ago(20), "kind": "visit", "minutes": 120, "what_matters": "Home"},
    )
    assert status == 201, body
    refused = api.post(
        f"/cases/{case_id}/counterfactual", {"items": [{"service": "Surgery", "count": 1}]}
    )
    assert refused[0] == 422 and "items[0].service" in refused[1]["error"]["fields"]
    assert api.post(f"/cases/{case_id}/counterfactual", {"items": []})[0] == 422
    items = {"items": [{"service": "OT assessment", "count": 2}], "note": "Two visits"}
    status, body = api.post(f"/cases/{case_id}/counterfactual", items)
    assert status == 200, body
    assert (body["counterfactual"], body["actual"]) == (240.0, 110.0)
    assert body["items"][0] | {} == {
        "service": "OT assessment",
        "count": 2,
        "unit_cost": 120.0,
        "per": "item",
        "cost": 240.0,
    }
    other = Api(client, token_for(make_user(teams[1], "practitioner")))
    assert other.post(f"/cases/{case_id}/counterfactual", items)[0] == 403
    status, _ = api.post(
        f"/cases/{case_id}/close",
        {"agreed_with_person": True, "agreement_note": "Agreed at home", "closed_on": days_ago(1)},
    )
    assert status == 200
    manager = Api(client, token_for(make_user(teams[0], "manager")))
    status, measures = manager.get(f"/measures?from={days_ago(60)}&to={days_ago(0)}")
    assert status == 200, measures
    assert measures["cost_of_journey"] == {
        "cases": 1,
        "actual_mean": 110.0,
        "counterfactual_mean": 240.0,
        "difference_mean": -130.0,
        "counterfactual_recorded": 1,
    }
    db.session.rollback()


def test_a_trial_whose_name_holds_a_slash_has_its_results_at_its_address(client, runner, teams):
    name = "Home first / winter"
    made = runner.invoke(
        args=["trials", "create", name, "--pilot-team", "Pilot", "--usual-team", "Usual"]
        + ["--share", "0.5"]
    )
    assert made.exit_code == 0, made.output
    manager = Api(client, token_for(make_user(teams[0], "manager")))
    status, body = manager.get("/trials/Home first %2F winter/results")
    assert (status, body["trial"]) == (200, name)
    assert manager.get("/trials/Home first %2F spring/results")[0] == 404
    assert manager.get(f"/trials/{'x' * 500}/results")[0] == 404
