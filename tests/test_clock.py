"""One clock (ADR 0029): "today" is the UK day, whatever the server's time zone.

Each date rule runs at 23:30 and 00:30 UK time, in summer (BST, an hour ahead of UTC) and
in winter (GMT), on a server kept in UTC. At 00:30 in summer the server's own date is still
yesterday: a demand, a conversation or a closure dated today must still be accepted, and
every default, figure and file name must say the UK day.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
import time_machine
from flask import current_app, url_for

from casework import clock
from casework.asks.service import age_days
from casework.cases.service import add_action, change_owner, close_case
from casework.export.analysis import export_analysis
from casework.extensions import db
from casework.measures.routes import default_period
from casework.models import Case
from casework.people.timeline import person_timeline
from tests.api.conftest import api_as  # noqa: F401 - the API's fixture, here too
from tests.asks.conftest import make_ask
from tests.conftest import login, make_demand, make_person, make_user

DAY = dt.timedelta(days=1)

# Fixed instants in UK local time; every date in the tests below is relative to them.
MOMENTS = {
    "summer 23:30 BST": dt.datetime(2026, 7, 15, 23, 30, tzinfo=clock.UK),
    "summer 00:30 BST": dt.datetime(2026, 7, 16, 0, 30, tzinfo=clock.UK),
    "winter 23:30 GMT": dt.datetime(2026, 1, 15, 23, 30, tzinfo=clock.UK),
    "winter 00:30 GMT": dt.datetime(2026, 1, 16, 0, 30, tzinfo=clock.UK),
}


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def uk_today(request):
    """Stop the clock at one of the moments, the server's time zone UTC (time-machine sets TZ
    to the destination's zone); gives the UK day it is then."""
    moment = MOMENTS[request.param]
    with time_machine.travel(moment.astimezone(dt.UTC), tick=False):
        yield moment.date()


def address(endpoint: str, **values) -> str:
    """A page's address by its endpoint (pages may move; their endpoints name them)."""
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def shown_date(page: str, name: str) -> dt.date:
    """The date a form's day, month and year inputs show."""

    def part(which: str) -> int:
        tag = re.search(rf'<input[^>]*name="{re.escape(name)}\[{which}\]"[^>]*>', page)
        assert tag, f"no {name}[{which}] input"
        return int(re.search(r'value="(\d+)"', tag.group()).group(1))

    return dt.date(part("year"), part("month"), part("day"))


def test_the_server_is_on_utc_and_today_is_the_uk_day(uk_today):
    assert clock.today() == uk_today
    assert dt.date.today() == clock.now().date()  # the server's own day: UTC
    assert clock.now().tzinfo == dt.UTC


def test_just_after_midnight_in_summer_the_server_is_still_on_yesterday():
    """The case the tests are for: at 00:30 BST a clock in UTC says yesterday."""
    moment = MOMENTS["summer 00:30 BST"]
    with time_machine.travel(moment.astimezone(dt.UTC), tick=False):
        assert dt.date.today() == moment.date() - DAY
        assert clock.today() == moment.date()


def test_a_demand_received_today_is_recorded(client, practitioner, api_as, uk_today):  # noqa: F811
    person = make_person(practitioner)
    login(client, practitioner)
    url = address("demands.new", person_id=person.id)
    assert shown_date(client.get(url).get_data(as_text=True), "received_on") == uk_today
    form = {"source": "GP", "channel": "phone", "stated_need": "Stairs", "owner_id": "0"}
    refused = client.post(url, data={**form, **date_fields("received_on", uk_today + DAY)})
    assert "must be today or in the past" in refused.get_data(as_text=True)
    response = client.post(url, data={**form, **date_fields("received_on", uk_today)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    body = {"person_id": person.id, "source": "GP", "channel": "phone", "stated_need": "Falls"}
    status, _ = api_as(practitioner).post("/demands", {**body, "received_on": str(uk_today + DAY)})
    assert status == 422
    status, demand = api_as(practitioner).post("/demands", {**body, "received_on": str(uk_today)})
    assert status == 201, demand
    assert demand["received_on"] == uk_today.isoformat()


def test_a_conversation_held_today_is_recorded(client, practitioner, api_as, uk_today):  # noqa: F811
    case = make_demand(make_person(practitioner), practitioner, uk_today - 3 * DAY)[0].case
    login(client, practitioner)
    url = address("cases.log_conversation", case_id=case.id)
    assert shown_date(client.get(url).get_data(as_text=True), "held_on") == uk_today
    form = {"kind": "visit", "notes": "Talked it through"}
    refused = client.post(url, data={**form, **date_fields("held_on", uk_today + DAY)})
    assert "must be today or in the past" in refused.get_data(as_text=True)
    response = client.post(url, data={**form, **date_fields("held_on", uk_today)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    api = api_as(practitioner)
    path = f"/cases/{case.id}/conversations"
    assert api.post(path, {"held_on": str(uk_today + DAY), "kind": "phone"})[0] == 422
    status, held = api.post(path, {"held_on": str(uk_today), "kind": "phone", "notes": "Call"})
    assert status == 201, held
    assert held["held_on"] == uk_today.isoformat()


def test_a_case_closed_without_a_date_closes_today(client, practitioner, api_as, uk_today):  # noqa: F811
    by_page, by_api, by_rule = (
        make_demand(make_person(practitioner), practitioner, uk_today - 9 * DAY)[0].case
        for _ in range(3)
    )
    login(client, practitioner)
    url = address("cases.close", case_id=by_page.id)
    assert shown_date(client.get(url).get_data(as_text=True), "closed_on") == uk_today
    agreed = {"agreed_with_person": "y", "agreement_note": "Agreed at home", "summary": "Well"}
    response = client.post(url, data={**agreed, **date_fields("closed_on", uk_today)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    body = {"agreed_with_person": True, "agreement_note": "Agreed on the phone"}
    status, closed = api_as(practitioner).post(f"/cases/{by_api.id}/close", body)
    assert status == 200, closed
    assert closed["closed_on"] == uk_today.isoformat()

    close_case(db.session, by_rule, practitioner, agreed_with_person=True,
               agreement_note="Agreed", summary=None)  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    assert [db.session.get(Case, c.id).closed_on for c in (by_page, by_rule)] == [uk_today] * 2


def test_an_ask_needed_today_is_accepted_and_waits_from_today(client, practitioner, uk_today):
    case = make_demand(make_person(practitioner), practitioner, uk_today - DAY)[0].case
    login(client, practitioner)
    url = address("asks.new", case_id=case.id)
    today_hint = f"For example, {uk_today.day} {uk_today.month} {uk_today.year}."
    assert today_hint in client.get(url).get_data(as_text=True)
    form = {"kind": "resource", "what": "Key safe", "why": "Carers cannot get in"}
    refused = client.post(url, data={**form, **date_fields("needed_by", uk_today - DAY)})
    assert "must be today or in the future" in refused.get_data(as_text=True)
    response = client.post(url, data={**form, **date_fields("needed_by", uk_today)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    ask = make_ask(case, practitioner, needed_by=uk_today)
    assert ask.needed_by == uk_today
    assert age_days(ask) == 0  # asked today, by the same clock


def test_an_action_due_today_is_not_overdue_until_tomorrow(client, practitioner, uk_today):
    case = make_demand(make_person(practitioner), practitioner, uk_today - 5 * DAY)[0].case
    add_action(db.session, case, practitioner, description="Call the GP", by="team",
               assignee=practitioner, due_on=uk_today)  # fmt: skip
    db.session.commit()
    login(client, practitioner)
    assert "Overdue" not in client.get("/").get_data(as_text=True)
    add_action(db.session, case, practitioner, description="Order a rail", by="team",
               assignee=practitioner, due_on=uk_today - DAY)  # fmt: skip
    db.session.commit()
    assert "Overdue" in client.get("/").get_data(as_text=True)


def test_the_measures_default_period_ends_today(client, manager, uk_today):
    login(client, manager)
    page = client.get(address("measures.index")).get_data(as_text=True)
    start, end = default_period(uk_today)
    assert (shown_date(page, "start"), shown_date(page, "end")) == (start, end)
    assert end == uk_today


def test_exports_are_named_and_dated_by_the_uk_day(client, practitioner, admin_user, manager,
                                                    tmp_path, uk_today):  # fmt: skip
    login(client, admin_user)
    audit = client.get(address("audit.trail_csv"))
    assert f'filename="audit-{uk_today.isoformat()}.csv"' in audit.headers["Content-Disposition"]

    person = make_demand(make_person(practitioner), practitioner, uk_today)[0].person
    reader = client.application.test_client()  # a second browser: the manager's
    login(reader, manager)
    record = reader.get(address("people.export", person_id=person.id))
    assert record.status_code == 200, record.get_data(as_text=True)[:500]
    name = f"subject-access-person-{person.id}-{uk_today.isoformat()}.json"
    assert record.headers["Content-Disposition"] == f'attachment; filename="{name}"'

    export_analysis(db.session, tmp_path / "analysis.db")
    with sqlite3.connect(tmp_path / "analysis.db") as out:
        row = out.execute("SELECT value FROM export_info WHERE key = 'exported_on'").fetchone()
    assert row == (uk_today.isoformat(),)


def test_a_monkeypatched_clock_moves_every_reader(monkeypatch):
    """One thing to freeze: the module clocks (sessions, sign-on, codes) read clock.now."""
    from casework.auth import oidc, sessions, two_factor
    from casework.models import utcnow

    moment = MOMENTS["summer 00:30 BST"].astimezone(dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert clock.today() == MOMENTS["summer 00:30 BST"].date()
    assert utcnow() == moment
    assert sessions.now() == oidc.now() == two_factor.now() == moment.timestamp()


def test_stored_moments_are_read_from_the_same_clock(uk_today, team):
    """Timestamps stay UTC in the database; their UK day is today's."""
    user = make_user(team)
    assert clock.uk_day(user.created_at) == uk_today


def test_the_timeline_puts_an_action_and_a_change_of_owner_on_the_uk_day(
    practitioner, manager, uk_today
):
    demand, _ = make_demand(make_person(practitioner), practitioner, uk_today)
    add_action(db.session, demand.case, practitioner, description="Fit a rail", by="team")
    change_owner(db.session, demand.case, practitioner, new_owner=manager, reason="Leave")
    db.session.commit()
    events, _ = person_timeline(db.session, practitioner, demand.person)
    assert {e.kind: e.on for e in events if e.kind in ("action", "owner")} == {
        "action": uk_today,
        "owner": uk_today,
    }
