"""Stories: only a closed case, marked by its own team; told without the person's identity,
also where it appears inside free text; the team's managers list them; reads audited."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from casework.barriers import service as barriers
from casework.cases.service import add_action, close_case, log_conversation
from casework.extensions import db
from casework.models import AuditEvent, Story
from casework.stories import service
from casework.stories.identity import fold
from casework.stories.service import AlreadyAStory, NotClosed, age_band
from tests.conftest import login, make_demand, make_person, make_team, make_user
from tests.test_query_counts import counted

IDENTIFIERS = (
    "Irene",
    "Thomas",
    "Hughes",
    "943 476 5919",
    "9434765919",
    "01632 960123",
    "EB2 4QT",
    "12 Mill Lane",
    "2 April 1958",
    "02/04/1958",
    "irene@example.org",
)


def closed_story_case(user):
    person = make_person(
        user,
        given_name="Irene",
        family_name="Thomas-Hughes",
        date_of_birth=dt.date(1958, 4, 2),
        nhs_number="9434765919",
        phone="01632 960123",
        address="12 Mill Lane\nEastbridge",
        postcode="EB2 4QT",
    )
    opened = clock.today() - dt.timedelta(days=40)
    demand, _ = make_demand(
        person, user, opened, stated_need="Irene Thomas-Hughes needs wrist splints"
    )
    case = demand.case
    log_conversation(
        db.session,
        case,
        user,
        held_on=opened + dt.timedelta(days=2),
        kind="visit",
        what_matters="I'm Irene and I'm sick of telling my story.",
        notes="Visited IRENE at 12 Mill Lane, EB2 4QT. Mrs Thomas-Hughes (born 2 April 1958, "
        "02/04/1958, NHS 943 476 5919, phone 01632 960123, irene@example.org) said Mrs Hughes "
        "is what the neighbours call her. Her daughter Karen rang.",
    )
    add_action(db.session, case, user, description="Irene to ring Karen on Sundays", by="person")
    barrier = barriers.create_barrier(
        db.session, user.team, user, title="Second assessment", kind="handoff"
    )
    barriers.link_case(
        db.session, barrier, case, user, cost="Irene had to tell Thomas-Hughes's story again"
    )
    close_case(
        db.session,
        case,
        user,
        agreed_with_person=True,
        agreement_note="Agreed with Irene at home",
        summary="Irene Thomas-Hughes makes her own tea again.",
        closed_on=clock.today(),
    )
    db.session.commit()
    return case


def test_the_narrative_names_nobody_even_inside_notes(practitioner):
    case = closed_story_case(practitioner)
    told = service.narrative(case)
    words = repr(told)
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in words.lower(), identifier
    assert "1958" not in words
    assert told.age == "in their 60s"
    assert "Karen" in words  # other people's names are not detected: the page says so
    given, family = told.name.split()
    assert f"I'm {given} and I'm sick of telling my story." == told.what_matters[0].words
    assert f"Mrs {family}" in told.conversations[0].notes
    assert told.what_changed == f"{told.name} makes her own tea again."
    assert told.barriers[0].cost == f"{given} had to tell {family}'s story again"
    assert told.asked_for == [f"{told.name} needs wrist splints"]
    assert told.weeks == 6


def test_the_stand_in_name_is_neither_the_persons_nor_anyone_elses_in_the_notes(practitioner):
    person = make_person(practitioner, given_name="Rowan", family_name="Ashby")
    others = "Robin and Frankie Brook from Jordan Dale's team; Charlie Fenwick, Riley Garner"
    demand, _ = make_demand(person, practitioner, stated_need=others)
    pseudonym = service.pseudonym_for(demand.case)
    assert pseudonym.given not in ("Rowan", "Robin", "Frankie", "Jordan", "Charlie", "Riley")
    assert pseudonym.family not in ("Ashby", "Brook", "Dale", "Fenwick", "Garner")


@pytest.mark.parametrize(
    ("written", "leaked"),
    [
        # an address kept on one line, with commas, is still the person's address
        ("Visited her at 12 Mill Lane today", "12 Mill Lane"),
        # phone numbers as people write them, with the area code in brackets
        ("Rang her on (01632) 960123", "960123"),
        ("Rang her on +44 (0)1632 960123", "960123"),
        # the date of birth in the other usual written forms
        ("Born 2nd April 1958", "1958"),
        ("Born 2nd of April 1958", "1958"),
        ("Born 02.04.1958", "1958"),
        ("Born 2-4-1958", "1958"),
        ("Born 2/4/58", "2/4/58"),
        ("Born April 2, 1958", "1958"),
        ("Born 2 Apr. 1958", "1958"),
        ("NHS number 943  476  5919", "5919"),
    ],
)
def test_identifiers_written_in_other_usual_forms_are_taken_out_too(practitioner, written, leaked):
    person = make_person(
        practitioner,
        given_name="Irene",
        family_name="Thomas",
        date_of_birth=dt.date(1958, 4, 2),
        nhs_number="9434765919",
        phone="01632 960123",
        address="12 Mill Lane, Eastbridge",
    )
    demand, _ = make_demand(person, practitioner, stated_need=written)
    told = service.narrative(demand.case)
    assert leaked not in told.asked_for[0], told.asked_for[0]
    assert told.asked_for[0].startswith(written.split()[0])  # the rest of the note stays


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (dt.date(1936, 1, 1), "aged 90 or over"),
        (dt.date(1956, 12, 2), "in their 60s"),
        (dt.date(1956, 12, 1), "in their 70s"),
        (dt.date(2010, 1, 1), "under 18"),
        (None, None),
    ],
)
def test_age_is_a_decade_at_most(born, band):
    assert age_band(born, dt.date(2026, 12, 1)) == band


def test_only_a_closed_case_becomes_a_story(practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    with pytest.raises(NotClosed):
        service.mark_story(db.session, demand.case, practitioner)


def test_a_story_marked_by_someone_else_at_the_same_moment_is_said_not_crashed(practitioner):
    """A double click on 'Mark as a story' sends two requests; both see no story yet and
    the second one's insert meets the first's (the unique case_id)."""
    case = closed_story_case(practitioner)
    assert case.story is None  # this request's view, read before the other one saved
    db.session.execute(
        Story.__table__.insert().values(
            case_id=case.id, marked_by_id=practitioner.id, marked_at=clock.now()
        )
    )
    with pytest.raises(AlreadyAStory):
        service.mark_story(db.session, case, practitioner)
    db.session.rollback()


def test_a_practitioner_marks_views_and_unmarks_a_story(client, practitioner):
    case = closed_story_case(practitioner)
    login(client, practitioner)
    assert "Mark as a story to share" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/story")
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.id}/story")
    page = client.get(f"/cases/{case.id}/story").get_data(as_text=True)
    assert "sick of telling my story" in page and "Second assessment" in page
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in page.lower(), identifier
    assert client.post(f"/cases/{case.id}/story/stop").status_code == 302
    assert db.session.scalar(db.select(db.func.count(Story.id))) == 0
    assert client.get(f"/cases/{case.id}/story").status_code == 404
    changes = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.entity == "story")
    ).all()
    assert changes == ["create", "delete"]


def test_another_team_can_neither_mark_nor_read_a_story(client, practitioner):
    case = closed_story_case(practitioner)
    service.mark_story(db.session, case, practitioner)
    db.session.commit()
    other = make_user(make_team("South"))
    login(client, other)
    assert client.get(f"/cases/{case.id}/story").status_code == 403
    assert client.post(f"/cases/{case.id}/story/stop").status_code == 403
    assert db.session.scalar(db.select(db.func.count(Story.id))) == 1
    refused = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "refused", AuditEvent.entity == "case")
    ).all()
    assert len(refused) == 2


def test_reading_a_story_is_audited_as_a_read_of_the_case(client, practitioner):
    case = closed_story_case(practitioner)
    service.mark_story(db.session, case, practitioner)
    db.session.commit()
    login(client, practitioner)
    client.get(f"/cases/{case.id}/story")
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "case")
    ).one()
    assert event.person_id == case.person_id and event.detail["path"].endswith("/story")


def test_marking_an_open_case_says_why_not(client, practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    login(client, practitioner)
    response = client.post(f"/cases/{demand.case_id}/story", follow_redirects=True)
    assert "Only a closed case can be a story" in response.get_data(as_text=True)


def test_managers_list_the_teams_stories_practitioners_do_not(client, practitioner, manager):
    case = closed_story_case(practitioner)
    service.mark_story(db.session, case, practitioner)
    db.session.commit()
    login(client, practitioner)
    assert client.get("/stories").status_code == 403
    client.post("/logout")
    login(client, manager)
    page = client.get("/stories").get_data(as_text=True)
    told = service.narrative(case)
    assert "Irene" not in page
    assert f"{told.name}" in page and "Second assessment" not in page
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.entity == "story_list")).one()
    assert event.detail["person_ids"] == [case.person_id]


def test_the_list_of_stories_takes_as_many_queries_with_more_stories(client, team, manager):
    def more_stories(count: int) -> None:
        for n in range(count):
            worker = make_user(team)
            person = make_person(worker, given_name=f"Irene{n}")
            opened = clock.today() - dt.timedelta(days=20)
            case = make_demand(person, worker, opened, stated_need="Splints")[0].case
            log_conversation(
                db.session, case, worker, held_on=opened, kind="visit", what_matters="Tea"
            )
            add_action(db.session, case, worker, description="Ring Karen", by="person")
            barrier = barriers.create_barrier(
                db.session, team, worker, title=f"Barrier {n}", kind="form"
            )
            barriers.link_case(db.session, barrier, case, worker, cost="Waited")
            close_case(
                db.session, case, worker, agreed_with_person=True, agreement_note="Agreed",
                summary="Tea again", closed_on=clock.today(),
            )  # fmt: skip
            service.mark_story(db.session, case, worker)
        db.session.commit()

    more_stories(1)
    login(client, manager)
    client.get("/stories")  # the first request loads what every later one shares
    with counted() as before:
        assert client.get("/stories").status_code == 200
    more_stories(5)
    with counted() as after:
        page = client.get("/stories").get_data(as_text=True)
    assert page.count("“Tea”") == 6
    assert len(after) == len(before), "\n".join(after)


def test_the_list_of_stories_pages_like_every_other_list(client, team, manager):
    """More stories than a page holds: the latest closed first, the rest on page 2, and
    the list's audit entry names only the people on the page read."""
    from casework.pagination import PER_PAGE

    worker = make_user(team)
    today = clock.today()
    for n in range(PER_PAGE + 1):
        person = make_person(worker, given_name=f"Irene{n}")
        opened = today - dt.timedelta(days=400)
        case = make_demand(person, worker, opened, stated_need=f"Need {n}")[0].case
        close_case(
            db.session, case, worker, agreed_with_person=True, agreement_note="Agreed",
            summary="Done", closed_on=opened + dt.timedelta(days=n + 1),
        )  # fmt: skip
        service.mark_story(db.session, case, worker)
    db.session.commit()
    login(client, manager)

    first = client.get("/stories").get_data(as_text=True)
    second = client.get("/stories?page=2").get_data(as_text=True)

    assert first.count("'s story</a>") == PER_PAGE and second.count("'s story</a>") == 1
    assert f"{PER_PAGE + 1} stories" in first and f"1 to {PER_PAGE} shown" in first
    assert "?page=2#stories" in first and "?page=1#stories" in second
    lists = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "story_list").order_by(AuditEvent.id)
    ).all()
    assert [len(event.detail["person_ids"]) for event in lists] == [PER_PAGE, 1]
    oldest = db.session.scalars(db.select(Story).order_by(Story.id)).first()
    assert lists[1].detail["person_ids"] == [oldest.case.person_id]  # closed first, shown last
    assert "no more stories" in client.get("/stories?page=3").get_data(as_text=True)


def told_notes(user, notes: str, **person) -> str:
    """A conversation's notes as the story tells them."""
    demand, _ = make_demand(make_person(user, **person), user, stated_need="Help at home")
    log_conversation(
        db.session, demand.case, user, held_on=clock.today(), kind="visit", notes=notes
    )
    db.session.commit()
    return service.narrative(demand.case).conversations[0].notes


def test_a_person_called_by_a_short_form_of_their_name_is_not_named(practitioner):
    notes = told_notes(
        practitioner,
        "Visited Mrs Ellison. Maggie says nobody calls her Margaret except the GP; her "
        "brother still calls her PEGGY, and to the neighbours she is Meg. Maggie's tea was cold.",
        given_name="Margaret",
        family_name="Ellison",
    )
    for name in ("Margaret", "Maggie", "PEGGY", "Meg", "Ellison"):
        assert name not in notes, notes
    assert "Visited Mrs " in notes and "tea was cold" in notes


def test_a_short_form_that_is_also_a_word_is_taken_out_only_as_a_name(practitioner):
    """William is Will and Bill, but "will" and "bill" are words: only the capitalised
    name is taken out (ADR 0017)."""
    notes = told_notes(
        practitioner,
        "Rang Bill about the bill from the care agency. His daughter will ring back; she "
        "says Will is fine on his own and Billy was his father's name for him.",
        given_name="William",
        family_name="Hartley",
    )
    for name in ("Bill ", "Will ", "Billy"):
        assert name not in notes, notes
    assert "about the bill from the care agency" in notes
    assert "daughter will ring back" in notes


def test_it_works_from_the_short_form_recorded_back_to_the_full_name(practitioner):
    notes = told_notes(
        practitioner,
        "Referral says Elizabeth Okafor; she asks to be called Liz, and Betty by her sister.",
        given_name="Beth",
        family_name="Okafor",
    )
    for name in ("Elizabeth", "Liz", "Betty", "Okafor"):
        assert name not in notes, notes


@pytest.mark.parametrize(
    ("recorded", "written"),
    [
        ({"given_name": "Zoë", "family_name": "Brontë"}, "Zoe Bronte said ZOE was tired"),
        ({"given_name": "Zoe", "family_name": "Bronte"}, "Zoë Brontë said Zoë was tired"),
        # the accent typed as a letter and a combining mark, as some keyboards send it
        ({"given_name": "Zoë", "family_name": "Brontë"}, "Zoe\u0308 Bronte said Zoe was tired"),
        ({"given_name": "José", "family_name": "Núñez"}, "Jose Nunez said jose was tired"),
        ({"given_name": "Siân", "family_name": "O'Donnell"}, "Sian O’Donnell said Sian was tired"),
    ],
)
def test_names_are_found_with_or_without_their_accents(practitioner, recorded, written):
    notes = told_notes(practitioner, written, **recorded)
    assert " said " in notes and " was tired" in notes
    names = {fold(name).casefold().replace("'", "") for name in recorded.values()}
    words = {fold(word).casefold().replace("’", "") for word in notes.split()}
    assert not names & words, notes


@pytest.mark.parametrize(
    ("address", "written", "kept"),
    [
        # the address on one line, with the postcode, as a referrer types it
        ("12 Mill Lane\nRiverside", "Lives at 12 Mill Lane, Riverside, LS1 4AP with her cat", ""),
        ("12 Mill Lane, Riverside", "Lives at 12 Mill Lane Riverside LS14AP with her cat", ""),
        ("12 Mill Lane, Riverside", "Lives at 12, Mill Lane with her cat", ""),
        # the house number and street, or the street alone
        ("12 Mill Lane\nRiverside", "Lives at 12 mill lane with her cat", ""),
        ("12 Mill Lane\nRiverside", "Walked her down Mill Lane with her cat", "Walked her down "),
        # the postcode alone, with or without its space
        ("12 Mill Lane\nRiverside", "Postcode LS1 4AP, with her cat", "Postcode "),
        ("12 Mill Lane\nRiverside", "Postcode ls14ap, with her cat", "Postcode "),
    ],
)
def test_an_address_is_taken_out_on_one_line_or_in_parts(practitioner, address, written, kept):
    notes = told_notes(
        practitioner,
        written,
        given_name="Joan",
        family_name="Fletcher",
        address=address,
        postcode="LS1 4AP",
    )
    for part in ("12", "Mill", "mill", "Riverside", "LS1", "4AP", "ls14ap", "LS14AP"):
        assert part not in notes, notes
    assert notes.startswith(kept or "Lives at [address]") and notes.endswith("with her cat")
    assert notes.count("[address]") + notes.count("[postcode]") == 1, notes
