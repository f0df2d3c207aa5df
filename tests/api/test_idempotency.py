"""Idempotency-Key on every API POST (api.md "Idempotency", ADR 0036): the same key and body
from the same user within 24 hours gives the first answer again and changes nothing; another
body → 422; a request still being worked on → 409; kept in the database, on SQLite and
PostgreSQL alike, and forgotten by `casework maintain`."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import time_machine
from sqlalchemy import func, select

from casework import clock, rules
from casework.api import demands as demands_api
from casework.extensions import db
from casework.models import Demand, IdempotencyKey, Person
from casework.trials.models import TrialAllocation
from tests.api.conftest import Api, token_for
from tests.conftest import make_person, make_team, make_user

KEY = "6f1c2a9e-2b1d-4c4e-9d0b-3e6a1f0c7d55"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def demand_body(person_id: int, **extra) -> dict:
    return {
        "person_id": person_id,
        "received_on": clock.today().isoformat(),
        "source": "GP",
        "channel": "phone",
        "stated_need": "Struggling at home",
    } | extra


def send(api: Api, path: str, body, key: str | None = KEY, **headers):
    """POST with the key; the whole response (status, body, headers)."""
    if key is not None:
        headers["Idempotency-Key"] = key
    headers["Authorization"] = f"Bearer {api.token}"
    data = body if isinstance(body, str) else json.dumps(body)
    return api.client.post(
        "/api/v1" + path, data=data, headers=headers, content_type="application/json"
    )


def test_the_same_request_sent_again_gives_the_first_answer_and_saves_once(api, practitioner):
    person = make_person(practitioner)
    first = send(api, "/demands", demand_body(person.id))
    again = send(api, "/demands", demand_body(person.id))

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()  # the same id, case and everything
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(Demand) == 1


def test_the_same_body_written_differently_is_the_same_request(api):
    body = {"given_name": "Ann", "family_name": "Lee"}
    first = send(api, "/people", body)
    spaced = '{ "family_name" : "Lee",\n  "given_name": "Ann" }'  # keys in another order
    again = send(api, "/people", spaced)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert count(Person) == 1


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api):
    assert send(api, "/people", {"given_name": "Ann", "family_name": "Lee"}).status_code == 201
    other = send(api, "/people", {"given_name": "Bob", "family_name": "Lee"})
    assert other.status_code == 422
    error = other.get_json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["fields"] == {"Idempotency-Key": rules.IDEMPOTENCY_KEY_REUSED}
    assert count(Person) == 1


def test_the_same_key_at_another_address_is_another_request(api, practitioner):
    person = make_person(practitioner)
    body = {"category": "animal", "text": "A dog", "review_on": clock.today().isoformat()}
    assert send(api, f"/people/{person.id}/flags", body).status_code == 201
    other = make_person(practitioner)
    refused = send(api, f"/people/{other.id}/flags", body)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "idempotency_key_reused"


def test_without_a_key_each_request_does_its_work(api):
    for _ in range(2):
        assert (
            send(api, "/people", {"given_name": "Ann", "family_name": "Lee"}, key=None).status_code
            == 201
        )
    assert count(Person) == 2
    assert count(IdempotencyKey) == 0


def test_keys_belong_to_their_user(api, team):
    colleague = Api(api.client, token_for(make_user(team)))
    body = {"given_name": "Ann", "family_name": "Lee"}
    mine = send(api, "/people", body)
    theirs = send(colleague, "/people", body)
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]  # never another user's answer
    assert count(Person) == 2


@pytest.mark.parametrize(
    "key",
    ["", " ", "a" * (rules.IDEMPOTENCY_KEY + 1), "two words", "caf\u00e9", "tab\there"],
)
def test_a_key_of_the_wrong_shape_is_refused_clearly(api, key):
    response = send(api, "/people", {"given_name": "Ann", "family_name": "Lee"}, key=key)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"] == {"Idempotency-Key": rules.IDEMPOTENCY_KEY_SHAPE}
    assert count(Person) == 0 and count(IdempotencyKey) == 0


def test_the_longest_key_is_accepted(api):
    key = "k" * rules.IDEMPOTENCY_KEY
    for _ in range(2):
        response = send(api, "/people", {"given_name": "Ann", "family_name": "Lee"}, key=key)
        assert response.status_code == 201
    assert count(Person) == 1


def test_a_refusal_is_kept_and_given_again(api, practitioner):
    person = make_person(practitioner)
    past = {"category": "animal", "text": "A dog", "review_on": "2000-01-01"}
    first = send(api, f"/people/{person.id}/flags", past)
    assert first.status_code == 422
    again = send(api, f"/people/{person.id}/flags", past)
    assert again.status_code == 422 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_server_failure_releases_the_key_so_a_retry_does_the_work(api, practitioner, monkeypatch):
    person = make_person(practitioner)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(demands_api, "record_demand", broken)
    assert send(api, "/demands", demand_body(person.id)).status_code == 500
    assert count(IdempotencyKey) == 0
    monkeypatch.undo()
    retried = send(api, "/demands", demand_body(person.id))
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert count(Demand) == 1


def test_a_key_still_being_worked_on_answers_409(api, practitioner, monkeypatch):
    """A second request arrives while the first is in the middle of its work (the two on
    separate threads and database connections, as on two servers)."""
    person = make_person(practitioner)
    entered, release = threading.Event(), threading.Event()
    record = demands_api.record_demand

    def slow(*args, **kwargs):
        entered.set()
        release.wait(10)
        return record(*args, **kwargs)

    monkeypatch.setattr(demands_api, "record_demand", slow)
    first, body = {}, demand_body(person.id)

    def send_first():
        first["response"] = send(api, "/demands", body)

    worker = threading.Thread(target=send_first)
    worker.start()
    try:
        assert entered.wait(10)
        second = send(api, "/demands", body)
        assert second.status_code == 409
        error = second.get_json()["error"]
        assert error["code"] == "idempotency_key_in_progress"
        assert error["message"] == rules.IDEMPOTENCY_IN_PROGRESS
    finally:
        release.set()
        worker.join(20)
    assert first["response"].status_code == 201
    third = send(api, "/demands", body)
    assert third.status_code == 201
    assert third.get_json()["id"] == first["response"].get_json()["id"]
    assert count(Demand) == 1


def test_racing_requests_with_one_key_save_once(app, api, practitioner):
    """Several threads send the same request at once: one does the work; every other gets
    its answer or 409, never a second demand."""
    person = make_person(practitioner)
    body = demand_body(person.id)
    results: list = []
    start = threading.Barrier(4)

    def racer():
        client = app.test_client()
        start.wait(10)
        results.append(send(Api(client, api.token), "/demands", body))

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(response.status_code for response in results)
    assert len(results) == 4 and statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}, statuses
    assert len({r.get_json()["id"] for r in results if r.status_code == 201}) == 1
    assert count(Demand) == 1


def test_after_24_hours_the_key_may_stand_for_a_new_request(api):
    body = {"given_name": "Ann", "family_name": "Lee"}
    first = send(api, "/people", body)
    later = clock.now() + dt.timedelta(hours=rules.IDEMPOTENCY_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        again = send(api, "/people", body)
        assert again.status_code == 201 and again.get_json()["id"] != first.get_json()["id"]
        assert count(Person) == 2 and count(IdempotencyKey) == 1


def test_maintain_forgets_keys_past_their_hours(api, runner):
    send(api, "/people", {"given_name": "Ann", "family_name": "Lee"})
    send(api, "/people", {"given_name": "Bob", "family_name": "Lee"}, key="second")
    db.session.execute(
        IdempotencyKey.__table__.update()
        .where(IdempotencyKey.key == KEY)
        .values(created_at=clock.now() - dt.timedelta(hours=rules.IDEMPOTENCY_HOURS + 1))
    )
    db.session.commit()
    result = runner.invoke(args=["maintain"])
    assert result.exit_code == 0, result.output
    assert "Forgot 1 expired idempotency keys" in result.output
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["second"]


@pytest.fixture
def trial(runner):
    pilot, usual = make_team("Pilot", "pilot"), make_team("Usual", "usual")
    start = (clock.today() - dt.timedelta(days=30)).isoformat()
    made = runner.invoke(
        args=["trials", "create", "Home first", "--pilot-team", "Pilot", "--usual-team", "Usual"]
        + ["--share", "0.5", "--start", start]
    )
    assert made.exit_code == 0, made.output
    return pilot, usual


def test_a_retried_trial_demand_is_drawn_and_saved_once(client, trial):
    """Issue 19's gap: a client that retries a trial demand (its first answer lost to a weak
    signal) must not make a second demand, nor a second draw."""
    intake = Api(client, token_for(make_user(trial[0], "practitioner")))
    status, person = intake.post("/people", {"given_name": "Pat", "family_name": "Trial"})
    assert status == 201
    body = demand_body(person["id"], trial="Home first")
    first = send(intake, "/demands", body)
    again = send(intake, "/demands", body)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert first.get_json()["allocation"] in ("pilot", "usual")
    assert count(Demand) == 1 and count(TrialAllocation) == 1


def test_every_post_declares_the_key_in_the_openapi_description(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [ops["post"] for ops in spec["paths"].values() if "post" in ops]
    assert posts
    for operation in posts:
        (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header" and header["required"] is False
        assert header["schema"]["maxLength"] == rules.IDEMPOTENCY_KEY
        assert {"409", "422"} <= set(operation["responses"])
    others = [op for ops in spec["paths"].values() for m, op in ops.items() if m != "post"]
    assert all(
        all(p["name"] != "Idempotency-Key" for p in op.get("parameters", [])) for op in others
    )
