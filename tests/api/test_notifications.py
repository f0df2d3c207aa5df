"""`GET /api/v1/notifications` and `POST /api/v1/notifications/{id}/read` (api.md,
"Notifications"): the caller's own, newest first; anyone else's is not found."""

import pytest

from casework.extensions import db
from casework.notifications.service import tell
from tests.conftest import make_demand, make_person

FIELDS = {"id", "kind", "case_id", "person_id", "text", "created_at", "read_at"}


@pytest.fixture
def case(practitioner):
    return make_demand(make_person(practitioner), practitioner)[0].case


def test_the_list_is_newest_first_and_filters_unread(api, practitioner, case):
    [old] = tell([practitioner], "allocated", text="Old", case=case)
    [new] = tell([practitioner], "recontact", text="New", case=case)
    db.session.commit()
    status, body = api.get("/notifications")
    assert status == 200
    assert [n["id"] for n in body["results"]] == [new.id, old.id]
    first = body["results"][0]
    assert set(first) == FIELDS
    assert (first["kind"], first["case_id"], first["person_id"], first["read_at"]) == (
        "recontact", case.id, case.person_id, None)  # fmt: skip
    assert first["created_at"].endswith("+00:00")
    status, body = api.post(f"/notifications/{old.id}/read")
    assert status == 200 and body["read_at"] is not None
    status, body = api.get("/notifications?unread=true")
    assert [n["id"] for n in body["results"]] == [new.id]
    status, body = api.get("/notifications?unread=false")
    assert len(body["results"]) == 2


def test_reading_twice_keeps_the_first_moment(api, practitioner):
    [note] = tell([practitioner], "allocated", text="Once")
    db.session.commit()
    _, first = api.post(f"/notifications/{note.id}/read")
    _, again = api.post(f"/notifications/{note.id}/read")
    assert first["read_at"] == again["read_at"]


def test_someone_elses_notification_is_404_and_unchanged(api, manager):
    [theirs] = tell([manager], "allocated", text="Not yours")
    db.session.commit()
    status, body = api.post(f"/notifications/{theirs.id}/read")
    assert status == 404 and body["error"]["code"]
    db.session.refresh(theirs)
    assert theirs.read_at is None
    assert api.get("/notifications")[1]["results"] == []
    assert api.post("/notifications/999999/read")[0] == 404


def test_a_bad_filter_is_422_and_no_token_401(api, client):
    status, body = api.get("/notifications?unread=yes")
    assert status == 422 and "unread" in body["error"]["fields"]
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/1/read").status_code == 401
