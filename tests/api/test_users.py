"""`GET /api/v1/users/{id}`, `GET` and `PATCH /api/v1/users/me` (api.md, "Workers' profiles")."""

from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent
from casework.rules import WORKER_PHONE_SHAPE
from tests.conftest import make_team, make_user

PROFILE = {"id", "name", "team", "role", "profession", "phone", "working_hours", "active"}


def test_any_signed_in_user_reads_a_workers_profile_and_nothing_secret(api_as, practitioner):
    practitioner.profession, practitioner.phone = "Social worker", "0113 496 0000"
    db.session.commit()
    stranger = make_user(make_team("South"))
    status, body = api_as(stranger).get(f"/users/{practitioner.id}")
    assert status == 200
    assert set(body) == PROFILE
    assert body["team"] == "North" and body["profession"] == "Social worker"
    assert body["phone"] == "0113 496 0000" and body["active"] is True
    assert "password" not in str(body) and "email" not in body


def test_an_unknown_worker_is_404(api):
    status, body = api.get("/users/999999")
    assert status == 404 and body["error"]["code"]


def test_without_a_token_it_is_401(client, practitioner):
    assert client.get(f"/api/v1/users/{practitioner.id}").status_code == 401
    assert client.get("/api/v1/users/me").status_code == 401


def test_me_is_the_caller_with_their_digest_choice(api, practitioner):
    status, body = api.get("/users/me")
    assert status == 200
    assert set(body) == PROFILE | {"email_digest"}
    assert body["id"] == practitioner.id and body["email_digest"] is False


def test_a_worker_opts_in_to_the_daily_email_and_sets_their_details(api, practitioner):
    status, body = api.patch("/users/me", {"email_digest": True, "profession": "Nurse"})
    assert status == 200
    assert body["email_digest"] is True and body["profession"] == "Nurse"
    status, body = api.patch("/users/me", {"phone": "0113 496 0001"})
    assert status == 200 and body["profession"] == "Nurse" and body["email_digest"] is True
    db.session.refresh(practitioner)
    assert practitioner.email_digest is True and practitioner.phone == "0113 496 0001"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.action == "update")
    ).all()
    assert [e.detail["after"] for e in events] == [
        {"profession": "Nurse", "email_digest": True}, {"phone": "0113 496 0001"}]  # fmt: skip


def test_bad_details_are_422_naming_each_field_and_nothing_changes(api, practitioner):
    status, body = api.patch("/users/me", {"phone": "tomorrow", "profession": "Nurse"})
    assert status == 422
    assert body["error"]["fields"] == {"phone": WORKER_PHONE_SHAPE}
    status, body = api.patch("/users/me", {"email_digest": "yes", "working_hours": "x" * 201})
    assert status == 422
    assert set(body["error"]["fields"]) == {"email_digest", "working_hours"}
    status, body = api.patch("/users/me", {"password": "let me in"})
    assert status == 422 and "password" in body["error"]["fields"]
    db.session.refresh(practitioner)
    assert practitioner.profession is None and practitioner.email_digest is False
