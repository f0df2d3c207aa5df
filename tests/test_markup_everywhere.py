"""Markup in every free-text field of a record is shown as text on every page that shows
it, for every role that sees it: nothing typed into Casework can become part of a page."""

from __future__ import annotations

import datetime as dt

from casework import clock
from casework.cases import service
from casework.extensions import db
from tests.conftest import login, make_demand, make_person, make_user

EVIL = '<img src=x onerror="alert(1)">'


def evil(what: str) -> str:
    return f"{what}{EVIL}"


def test_markup_is_text_on_every_page(client, team, practitioner, manager):
    colleague = make_user(team, name=evil("Colleague"))
    person = make_person(
        practitioner,
        given_name=evil("Anne"),
        address=evil("Address"),
        preferred_contact=evil("Contact"),
        phone="01632 960000",
    )
    demand, _ = make_demand(
        person, practitioner, clock.today() - dt.timedelta(days=10), source=evil("Source"),
        stated_need=evil("Need"),
    )  # fmt: skip
    case = demand.case
    service.log_conversation(
        db.session, case, practitioner, held_on=clock.today(), kind="visit",
        with_whom=evil("With"), what_matters=evil("Matters"), notes=evil("Notes"),
    )  # fmt: skip
    action = service.add_action(
        db.session, case, practitioner, description=evil("Action"), by="team", assignee=colleague
    )
    service.update_action(db.session, action, practitioner, status="done", outcome=evil("Out"))
    service.record_referral_judgement(
        db.session, case, practitioner, referral_match="no", real_problem=evil("Real"), version=None
    )
    service.change_owner(db.session, case, practitioner, new_owner=colleague, reason=evil("Why"))
    db.session.commit()

    pages = {
        practitioner: [
            "/",
            f"/people?q={person.family_name}",
            f"/people/{person.id}",
            f"/people/{person.id}/edit",
            f"/people/{person.id}/demands/new",
            f"/cases/{case.id}",
            f"/cases/{case.id}/about-me",
            f"/cases/{case.id}/conversations/new",
            f"/actions/{action.id}",
        ],
        manager: [
            "/team",
            f"/team?worker={colleague.id}",
            f"/cases/{case.id}",
            f"/cases/{case.id}/owner",
            f"/cases/{case.id}/close",
        ],
        colleague: ["/"],
    }
    shown = 0
    for user, urls in pages.items():
        login(client, user)
        for url in urls:
            response = client.get(url)
            page = response.get_data(as_text=True)
            assert response.status_code == 200, url
            assert EVIL not in page and "<img" not in page, url
            shown += page.count("&lt;img src=x")
        client.post("/logout")
    assert shown > 40  # the values are on the pages, as text
    service.close_case(
        db.session, case, colleague, agreed_with_person=True,
        agreement_note=evil("Agreed"), summary=evil("Summary"),
    )  # fmt: skip
    db.session.commit()
    login(client, practitioner)
    for url in (f"/cases/{case.id}", f"/people/{person.id}", f"/cases/{case.id}/about-me"):
        assert "<img" not in client.get(url).get_data(as_text=True), url
    assert "Summary&lt;img" in client.get(f"/cases/{case.id}").get_data(as_text=True)
