"""The working day's pages: my diary, planning and cancelling a contact, fulfilling one with a
conversation, the caseload's order and flags, the team's setting, the case a re-contact
follows."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation
from casework.diary import service
from casework.diary.models import Plan
from casework.extensions import db
from casework.models import AuditEvent, Team
from tests.conftest import login, make_demand, make_person, make_team, make_user
from tests.diary.conftest import days


def date_fields(name: str, day: dt.date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def planned(case, user, when, kind="visit", note=None):
    plan = service.plan_contact(db.session, case, user, due_on=when, kind=kind, note=note)
    db.session.commit()
    return plan


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_planning_a_contact_from_the_case_puts_it_on_the_case_and_in_the_diary(
    client, case, practitioner
):
    login(client, practitioner)
    page = text(client.get(f"/cases/{case.id}"))
    assert "No contact planned." in page and f"/cases/{case.id}/plans/new" in page
    assert client.get(f"/cases/{case.id}/plans/new").status_code == 200
    form = {"kind": "phone", "note": "Ask about the rail", **date_fields("due_on", days(2))}
    response = client.post(f"/cases/{case.id}/plans/new", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("#plans")
    plan = db.session.scalar(select(Plan))
    assert (plan.kind, plan.due_on, plan.owner_id, plan.note) == (
        "phone", days(2), practitioner.id, "Ask about the rail",
    )  # fmt: skip
    page = text(client.get(f"/cases/{case.id}"))
    assert "Phone call planned for" in page or "Phone call</strong> on" in page
    diary = text(client.get("/diary"))
    assert "Irene" in diary and "Ask about the rail" in diary and "This week" in diary


def test_a_plan_in_the_past_is_refused_with_every_problem_and_what_was_typed_kept(
    client, case, practitioner
):
    login(client, practitioner)
    form = {"note": "Typed with care", **date_fields("due_on", days(-3))}
    response = client.post(f"/cases/{case.id}/plans/new", data=form)
    page = text(response)
    assert response.status_code == 422
    assert "The date of a planned contact must be today or later" in page
    assert "Choose visit, phone call, check-in or review" in page
    assert "Typed with care" in page
    assert db.session.scalar(select(Plan.id)) is None
    response = client.post(f"/cases/{case.id}/plans/new", data={"kind": "visit"})
    assert response.status_code == 422 and "Enter the date of the planned contact" in text(response)


def test_a_closed_case_offers_no_planning(client, case, practitioner):
    close_case(
        db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
        summary="Better",
    )  # fmt: skip
    db.session.commit()
    login(client, practitioner)
    assert "Plan a visit" not in text(client.get(f"/cases/{case.id}"))
    assert client.get(f"/cases/{case.id}/plans/new").status_code == 302
    form = {"kind": "visit", **date_fields("due_on", days(1))}
    response = client.post(f"/cases/{case.id}/plans/new", data=form)
    assert response.status_code == 409 and "plan no more contacts" in text(response)


def test_another_team_cannot_plan_or_cancel(client, case, practitioner):
    plan = planned(case, practitioner, days(1))
    login(client, make_user(make_team("South")))
    form = {"kind": "visit", **date_fields("due_on", days(1))}
    assert client.post(f"/cases/{case.id}/plans/new", data=form).status_code == 403
    assert client.get(f"/plans/{plan.id}/cancel").status_code == 403
    assert client.post(f"/plans/{plan.id}/cancel", data={}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == "planned"


def test_cancelling_a_plan_keeps_it_marked_cancelled_and_twice_is_a_conflict(
    client, case, practitioner
):
    plan = planned(case, practitioner, days(1))
    login(client, practitioner)
    assert "Cancel a planned contact" in text(client.get(f"/plans/{plan.id}/cancel?from=diary"))
    response = client.post(
        f"/plans/{plan.id}/cancel?from=diary", data={"reason": "Away", "version": plan.version}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/diary"
    db.session.expire_all()
    kept = db.session.get(Plan, plan.id)
    assert (kept.status, kept.cancel_reason) == ("cancelled", "Away")
    response = client.post(f"/plans/{plan.id}/cancel", data={"version": kept.version})
    assert response.status_code == 409 and "already cancelled" in text(response)
    events = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.entity == "plan", AuditEvent.action == "update")
    ).all()
    assert events == [{"case_id": case.id, "status": "cancelled"}]


def test_a_conversation_recorded_from_the_diary_fulfils_the_plan(client, case, practitioner):
    plan = planned(case, practitioner, clock.today(), note="Check the rail")
    login(client, practitioner)
    form_page = text(client.get(f"/cases/{case.id}/conversations/new?plan={plan.id}"))
    assert "Was this a planned contact?" in form_page
    assert re.search(rf'value="{plan.id}"[^>]*checked', form_page)
    talk = {"kind": "visit", "notes": "Fitted", "plan_id": plan.id}
    response = client.post(
        f"/cases/{case.id}/conversations/new",
        data={**talk, **date_fields("held_on", clock.today())},
    )
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Plan, plan.id)
    assert kept.status == "done" and kept.done_by_conversation_id is not None
    assert "Nothing planned or due today." in text(client.get("/diary"))
    # Without open plans the form asks nothing about them.
    assert "Was this a planned contact?" not in text(
        client.get(f"/cases/{case.id}/conversations/new")
    )


def test_a_conversation_naming_a_plan_already_done_is_refused_and_kept(client, case, practitioner):
    plan = planned(case, practitioner, clock.today())
    other = planned(case, practitioner, days(3))
    login(client, practitioner)
    plan.status = "done"
    db.session.commit()
    talk = {"kind": "visit", "notes": "Kept words", "plan_id": plan.id}
    response = client.post(
        f"/cases/{case.id}/conversations/new",
        data={**talk, **date_fields("held_on", clock.today())},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Choose a planned contact of this case that is still open" in page
    assert "Kept words" in page and f'value="{other.id}"' in page


def test_the_diary_shows_overdue_today_and_this_week_and_is_audited(
    client, case, practitioner, time_machine
):
    planned(case, practitioner, clock.today(), kind="review", note="Old one")
    add_action(db.session, case, practitioner, description="Order the rail", by="team",
               due_on=clock.today())  # fmt: skip
    db.session.commit()
    time_machine.move_to(clock.now() + dt.timedelta(days=2))
    planned(case, practitioner, clock.today(), kind="phone", note="The call today")
    planned(case, practitioner, days(3), kind="visit", note="Later visit")
    planned(case, practitioner, days(20), kind="visit", note="Far off")
    login(client, practitioner)
    page = text(client.get("/diary"))
    overdue = page[page.index('id="overdue"') : page.index('id="today"')]
    today = page[page.index('id="today"') : page.index('id="this-week"')]
    week = page[page.index('id="this-week"') :]
    assert "Old one" in overdue and "Order the rail" in overdue and "Overdue</strong>" in overdue
    assert "The call today" in today and "Later visit" in week and "Far off" not in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "diary"))
    assert event.detail["person_ids"] == [case.person_id] and event.user_id == practitioner.id


def test_the_overdue_list_is_shown_a_page_at_a_time_longest_overdue_first(
    client, case, practitioner, time_machine
):
    """However many have piled up, one page of them, the oldest first, a plan before an
    action due the same day, with how many there are and a link to the next page."""
    for n in range(26):
        planned(case, practitioner, days(n), note=f"Plan {n:02d}")
    for n in range(25):
        add_action(db.session, case, practitioner, description=f"Action {n:02d}", by="team",
                   due_on=days(n))  # fmt: skip
    db.session.commit()
    time_machine.move_to(clock.now() + dt.timedelta(days=30))
    login(client, practitioner)
    first = text(client.get("/diary"))
    overdue = first[first.index('id="overdue"') : first.index('id="today"')]
    shown = re.findall(r"(Plan|Action) (\d\d)", overdue)
    expected = sorted(
        [("Plan", f"{n:02d}") for n in range(26)] + [("Action", f"{n:02d}") for n in range(25)],
        key=lambda entry: (entry[1], entry[0] == "Action"),
    )
    assert "Overdue (51)" in first and "1 to 50 of 51" in first
    assert shown == expected[:50]
    assert "?overdue=2#overdue" in overdue
    second = text(client.get("/diary?overdue=2"))
    overdue = second[second.index('id="overdue"') : second.index('id="today"')]
    assert re.findall(r"(Plan|Action) (\d\d)", overdue) == expected[50:] == [("Plan", "25")]
    assert "51 to 51 of 51" in second and "?overdue=1#overdue" in overdue


def test_the_diary_is_in_the_header_for_team_members_only(client, practitioner, admin_user):
    login(client, practitioner)
    assert 'href="/diary"' in text(client.get("/"))
    client.post("/logout")
    login(client, admin_user)
    assert client.get("/diary").status_code == 403


def test_the_caseload_puts_new_work_nobody_contacted_above_cases_due_in_weeks(client, practitioner):
    later, _ = make_demand(make_person(practitioner, given_name="Later"), practitioner,
                           received_on=days(-10))  # fmt: skip
    log_conversation(db.session, later.case, practitioner, held_on=days(-9), kind="visit",
                     notes="Seen")  # fmt: skip
    add_action(db.session, later.case, practitioner, description="Rail", by="team",
               due_on=days(21))  # fmt: skip
    late, _ = make_demand(make_person(practitioner, given_name="Overdue"), practitioner,
                          received_on=days(-20))  # fmt: skip
    log_conversation(db.session, late.case, practitioner, held_on=days(-19), kind="visit",
                     notes="Seen")  # fmt: skip
    add_action(db.session, late.case, practitioner, description="Ring", by="team",
               due_on=days(-1))  # fmt: skip
    soon, _ = make_demand(make_person(practitioner, given_name="Soon"), practitioner,
                          received_on=days(-5))  # fmt: skip
    log_conversation(db.session, soon.case, practitioner, held_on=days(-4), kind="visit",
                     notes="Seen")  # fmt: skip
    db.session.commit()
    planned(soon.case, practitioner, days(2))
    make_demand(make_person(practitioner, given_name="Newcomer"), practitioner)
    login(client, practitioner)
    page = text(client.get("/"))
    order = [page.index(f"{name} Example") for name in ("Overdue", "Newcomer", "Soon", "Later")]
    assert order == sorted(order)
    assert days(2).strftime("%-d %B %Y") in page  # Soon's next planned contact
    assert "None planned" in page


def test_a_case_without_contact_for_longer_than_the_teams_setting_is_flagged_in_words(
    client, practitioner, manager
):
    quiet, _ = make_demand(make_person(practitioner, given_name="Quiet"), practitioner,
                           received_on=days(-60))  # fmt: skip
    log_conversation(db.session, quiet.case, practitioner, held_on=days(-40), kind="visit",
                     notes="Seen")  # fmt: skip
    db.session.commit()
    login(client, practitioner)
    assert "No contact for 40 days" in text(client.get("/"))
    team = db.session.get(Team, practitioner.team_id)
    team.no_contact_days = 45
    db.session.commit()
    assert "No contact for 40 days" not in text(client.get("/"))
    client.post("/logout")
    login(client, manager)
    page = text(client.get(f"/team?worker={practitioner.id}"))
    assert "No contact for over 45 days" in page


def test_the_team_page_counts_each_workers_overdue_and_quiet_cases(client, practitioner, manager):
    demand, _ = make_demand(make_person(practitioner), practitioner, received_on=days(-40))
    add_action(db.session, demand.case, practitioner, description="Ring", by="team",
               due_on=days(-2))  # fmt: skip
    db.session.commit()
    login(client, manager)
    page = text(client.get("/team"))
    row = page[page.index(practitioner.name) :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'numeric">\s?(\d+)', row) == ["1", "1", "1"]
    assert "Overdue</strong>" in row and "No contact</strong>" in row


def test_a_manager_sets_the_teams_no_contact_days_and_it_is_audited(client, manager, practitioner):
    login(client, manager)
    assert client.get("/team/settings").status_code == 200
    for bad in ("0", "366", "lots", ""):
        response = client.post("/team/settings", data={"no_contact_days": bad})
        assert response.status_code == 422 and "from 1 to 365" in text(response)
    response = client.post("/team/settings", data={"no_contact_days": "14"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, manager.team_id).no_contact_days == 14
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity == "team", AuditEvent.action == "update")
    )
    assert event.detail == {"before": {"no_contact_days": 28}, "after": {"no_contact_days": 14}}
    client.post("/logout")
    login(client, practitioner)
    assert client.get("/team/settings").status_code == 403
    assert client.post("/team/settings", data={"no_contact_days": "3"}).status_code == 403


def test_a_recontact_case_shows_where_the_last_case_left_off(client, case, practitioner):
    log_conversation(db.session, case, practitioner, held_on=clock.today(), kind="visit",
                     what_matters="Getting to the allotment")  # fmt: skip
    add_action(db.session, case, practitioner, description="Find a lift to the allotment",
               by="team")  # fmt: skip
    close_case(db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
               summary="Better")  # fmt: skip
    db.session.commit()
    demand, route = make_demand(case.person, practitioner)
    assert route.kind == "same_worker"
    login(client, practitioner)
    page = text(client.get(f"/cases/{demand.case_id}"))
    assert "Where the last case left off" in page
    assert "Getting to the allotment" in page and "Find a lift to the allotment" in page
    assert f'href="/cases/{case.id}"' in page
    assert "Where the last case left off" not in text(client.get(f"/cases/{case.id}"))


def test_an_overdue_plan_puts_its_case_first_and_says_so(client, practitioner, time_machine):
    fresh, _ = make_demand(make_person(practitioner, given_name="Fresh"), practitioner)
    slipped, _ = make_demand(make_person(practitioner, given_name="Slipped"), practitioner)
    log_conversation(db.session, slipped.case, practitioner, held_on=clock.today(), kind="visit",
                     notes="Seen")  # fmt: skip
    db.session.commit()
    planned(slipped.case, practitioner, clock.today(), kind="review")
    time_machine.move_to(clock.now() + dt.timedelta(days=2))
    login(client, practitioner)
    page = text(client.get("/"))
    assert page.index("Slipped Example") < page.index("Fresh Example")
    row = page[page.index("Slipped Example") :]
    assert "Overdue</strong>" in row[: row.index("</tr>")]
