"""The notifications page and the header's count: newest first, unread marked, links only
to what the reader may still see, marked read one by one or all at once, a page at a time."""

import re

import pytest
from sqlalchemy import select

from casework.extensions import db
from casework.models import Notification
from casework.notifications.service import tell
from casework.pagination import PER_PAGE
from tests.conftest import login, make_demand, make_person, make_team, make_user


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def case(practitioner):
    return make_demand(make_person(practitioner), practitioner)[0].case


def notify(user, text, case=None, kind="allocated"):
    [made] = tell([user], kind, text=text, case=case)
    db.session.commit()
    return made


def test_the_header_counts_unread_notifications_on_every_page(client, practitioner, case):
    login(client, practitioner)
    assert "Notifications (" not in client.get("/").text
    notify(practitioner, "First", case)
    notify(practitioner, "Second", case)
    assert "Notifications (2 unread)" in client.get("/").text
    assert "Notifications (2 unread)" in client.get(f"/cases/{case.id}").text


def test_the_list_is_newest_first_with_unread_marked_and_links(client, practitioner, case):
    older = notify(practitioner, "Older news", case)
    notify(practitioner, "Newer news", case, kind="recontact")
    older.read_at = older.created_at
    db.session.commit()
    login(client, practitioner)
    page = text_of(client.get("/notifications").text)
    assert page.index("Newer news") < page.index("Older news")
    assert page.count("Unread") == 1
    assert "A demand routed to your case" in page  # the kind, in words
    assert f'href="/cases/{case.id}"' in client.get("/notifications").text


def test_a_case_the_reader_may_no_longer_see_is_not_linked(client, practitioner):
    elsewhere = make_user(make_team("South"))
    their_case = make_demand(make_person(elsewhere), elsewhere)[0].case
    notify(practitioner, "A case that moved on", their_case)
    login(client, practitioner)
    page = client.get("/notifications").text
    assert f'href="/cases/{their_case.id}"' not in page
    assert f"/people/{their_case.person_id}" not in page
    assert "You can no longer open this record." in page


def test_marking_one_read_and_then_all(client, practitioner, case):
    first = notify(practitioner, "First", case)
    notify(practitioner, "Second", case)
    notify(practitioner, "Third", case)
    login(client, practitioner)
    response = client.post(f"/notifications/{first.id}/read", data={"unread": "1"})
    assert response.status_code == 302 and response.location.endswith("/notifications?unread=1")
    db.session.refresh(first)
    assert first.read_at is not None
    unread = client.get("/notifications?unread=1").text
    assert "First" not in text_of(unread) and "Second" in text_of(unread)
    assert "Notifications (2 unread)" in unread
    response = client.post("/notifications/read", follow_redirects=True)
    assert "2 notifications marked as read" in response.text
    assert "Notifications (" not in response.text
    again = client.post("/notifications/read", follow_redirects=True)
    assert "nothing changed" in again.text


def test_someone_elses_notification_is_not_found_and_stays_unread(client, practitioner, manager):
    theirs = notify(manager, "Not yours")
    login(client, practitioner)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    client.post("/notifications/read")
    db.session.refresh(theirs)
    assert theirs.read_at is None
    assert "Not yours" not in client.get("/notifications").text


def test_the_list_goes_a_page_at_a_time(client, practitioner):
    for n in range(PER_PAGE + 2):
        tell([practitioner], "allocated", text=f"Note number {n}.")
    db.session.commit()
    login(client, practitioner)
    first = text_of(client.get("/notifications").text)
    assert f"Note number {PER_PAGE + 1}." in first and "Note number 0." not in first
    assert f"1 to {PER_PAGE} of {PER_PAGE + 2}" in first
    second = text_of(client.get("/notifications?page=2").text)
    assert "Note number 0." in second and "Note number 1." in second


def test_an_empty_list_says_so(client, practitioner):
    login(client, practitioner)
    assert "You have no notifications yet." in client.get("/notifications").text
    assert "You have no unread notifications." in client.get("/notifications?unread=1").text


def test_reading_the_list_marks_nothing_read(client, practitioner):
    made = notify(practitioner, "Still unread")
    login(client, practitioner)
    client.get("/notifications")
    assert db.session.scalar(select(Notification.read_at).where(Notification.id == made.id)) is None


def test_a_failing_count_never_breaks_the_page(client, practitioner, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from casework.notifications import service

    def fail(*args):
        raise OperationalError("SELECT count", {}, Exception("the database went away"))

    login(client, practitioner)
    monkeypatch.setattr(service, "unread_count", fail)
    page = client.get("/account")
    assert page.status_code == 200
    assert ">Notifications<" in page.text.replace("\n", "").replace(" ", "")
