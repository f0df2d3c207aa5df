"""The person's timeline: one order, newest first; events of one day by the moment each was
recorded, and by id after that (issue 17, item 8)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from casework import clock
from casework.cases import service
from casework.extensions import db
from casework.people.timeline import person_timeline
from tests.conftest import login, make_demand, make_person, make_user


def titles(client, person_id: int) -> list[str]:
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    story = page.split("story, newest first", 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1">([^<]*)</h3>', story)


def test_a_days_events_are_newest_first_by_the_moment_each_was_recorded(
    client, team, practitioner, manager
):
    """A whole case in one day, then the person calls again the same afternoon: the closure
    is where it happened, below the new demand and above the work before it."""
    colleague = make_user(team, "practitioner", name="Colin Colleague")
    person = make_person(practitioner)
    today = clock.today()
    # eight in the morning, UK time, today: the steps all fall on one UK day
    start = dt.datetime.combine(today, dt.time(8), tzinfo=clock.UK).astimezone(dt.UTC)

    def at(minutes: int):
        return time_machine.travel(
            start + dt.timedelta(minutes=minutes), tick=True
        )  # each step a moment apart, as in life

    with at(0):
        demand, _ = make_demand(person, practitioner, today, source="GP")
        case = demand.case
    with at(10):
        service.log_conversation(
            db.session, case, practitioner, held_on=today, kind="visit", notes="First visit"
        )
        db.session.commit()
    with at(20):
        service.add_action(db.session, case, practitioner, description="Fit a rail", by="team")
        db.session.commit()
    with at(30):
        service.change_owner(
            db.session, case, manager, new_owner=colleague, reason="Closer to home"
        )
        db.session.commit()
    with at(40):
        service.log_conversation(
            db.session, case, colleague, held_on=today, kind="phone", notes="Rail fitted"
        )
        db.session.commit()
    with at(50):
        service.close_case(
            db.session,
            case,
            colleague,
            agreed_with_person=True,
            agreement_note="Agreed on the phone",
            summary="Safe at home",
        )
        db.session.commit()
    with at(60):
        make_demand(person, practitioner, today, source="Neighbour")

    login(client, practitioner)
    assert titles(client, person.id) == [
        "Colin Colleague became the owner",  # back to the worker who knew them
        "Case opened in North",
        "Demand from Neighbour (phone)",
        "Case closed by agreement with the person",
        "Phone",
        "Owner changed from Eleisha Ward to Colin Colleague",
        "Action agreed: Fit a rail",
        "Visit",
        "Eleisha Ward became the owner",
        "Case opened in North",
        "Demand from GP (phone)",
    ]


def test_events_recorded_at_one_moment_are_newest_id_first(client, practitioner):
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner)
    with time_machine.travel(clock.now(), tick=False):
        for notes in ("First", "Second", "Third"):
            service.log_conversation(
                db.session,
                demand.case,
                practitioner,
                held_on=clock.today(),
                kind="visit",
                notes=notes,
            )
        db.session.commit()
    events, _ = person_timeline(db.session, practitioner, person)
    assert [e.text for e in events if e.kind == "conversation"] == ["Third", "Second", "First"]
