"""Findings of a review, kept as tests: tampered forms, huge ids, access once pulled in."""

import datetime as dt

import pytest

from casework import clock
from casework.cases.service import add_action, log_conversation, update_action
from casework.extensions import db
from casework.models import AuditEvent, Person
from tests.conftest import login, make_demand, make_person, make_team, make_user

HUGE = "9" * 30


@pytest.fixture
def case_and_action(practitioner):
    demand, _ = make_demand(
        make_person(practitioner, given_name="Anne"),
        practitioner,
        clock.today() - dt.timedelta(days=3),
    )
    action = add_action(db.session, demand.case, practitioner, description="Rail", by="team")
    db.session.commit()
    return demand.case, action


@pytest.mark.parametrize("version", [None, "²", "9" * 5000, "-1", "abc"])
def test_a_missing_or_odd_version_never_breaks_a_form(
    client, team, practitioner, case_and_action, version
):
    case, action = case_and_action
    colleague = make_user(team)
    login(client, practitioner)
    extra = {} if version is None else {"version": version}
    posts = [
        (f"/cases/{case.id}/owner", {"owner_id": colleague.id, "reason": "Leave", **extra}),
        (f"/actions/{action.id}", {"status": "done", "outcome": "Fitted", **extra}),
        (f"/people/{case.person_id}/edit", {"given_name": "Anne", "family_name": "B", **extra}),
        (
            f"/cases/{case.id}/referral",
            {"referral-referral_match": "no", **({"referral-version": version} if version else {})},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/{HUGE}",
        f"/people/{HUGE}",
        f"/actions/{HUGE}",
        f"/cases/{HUGE}/conversations/new",
        "/cases/0",
    ],
)
def test_impossible_ids_in_the_address_are_not_found(client, practitioner, url):
    login(client, practitioner)
    assert client.get(url).status_code == 404


def test_impossible_ids_in_forms_are_refused_cleanly(client, manager, case_and_action):
    case, _ = case_and_action
    login(client, manager)
    assert client.get(f"/team?worker={HUGE}").status_code == 200
    response = client.post(
        "/team", data={"case_ids": [HUGE], "owner_id": manager.id, "reason": "x"}
    )
    assert response.status_code in (403, 404, 422)
    response = client.post(f"/people/{case.person_id}/demands/new", data={"owner_id": HUGE})
    assert response.status_code == 422  # the form again, with its errors
    assert "There is a problem" in response.get_data(as_text=True)


def test_a_birth_date_that_is_not_a_real_date_is_refused_not_erased(client, practitioner):
    person = make_person(practitioner, given_name="Anne", date_of_birth=dt.date(1950, 3, 1))
    login(client, practitioner)
    response = client.post(
        f"/people/{person.id}/edit",
        data={
            "given_name": "Anne",
            "family_name": person.family_name,
            "version": person.version,
            "date_of_birth[day]": "31",
            "date_of_birth[month]": "2",
            "date_of_birth[year]": "1950",
        },
    )
    assert response.status_code == 422
    assert "Date of birth must be a real date" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).date_of_birth == dt.date(1950, 3, 1)


def test_a_half_typed_birth_date_is_refused(client, practitioner):
    login(client, practitioner)
    response = client.post(
        "/people/new",
        data={
            "given_name": "Anne",
            "family_name": "New",
            "date_of_birth[day]": "1",
            "date_of_birth[year]": "1950",
        },
    )
    assert "Date of birth must include a month" in response.get_data(as_text=True)
    assert db.session.query(Person).filter_by(family_name="New").count() == 0


def test_a_colleague_pulled_in_reads_the_case_and_updates_only_their_action(
    client, practitioner, case_and_action
):
    case, _ = case_and_action
    specialist = make_user(make_team("Hospital", "usual"))
    theirs = add_action(
        db.session, case, practitioner, description="Splint", by="team", assignee=specialist
    )
    db.session.commit()
    login(client, specialist)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert (
        client.post(
            f"/actions/{theirs.id}",
            data={"status": "done", "outcome": "Splint fitted", "version": theirs.version},
        ).status_code
        == 302
    )
    refused = [
        client.post(f"/cases/{case.id}/referral", data={"referral-referral_match": "no"}),
        client.post(f"/people/{case.person_id}/edit", data={"given_name": "X", "family_name": "Y"}),
        client.post(
            f"/cases/{case.id}/actions", data={"action-description": "More", "action-by": "person"}
        ),
        client.get(f"/cases/{case.id}/conversations/new"),
    ]
    assert [r.status_code for r in refused] == [403] * 4


def test_every_page_showing_a_record_is_an_audited_read(client, practitioner, case_and_action):
    case, action = case_and_action
    login(client, practitioner)
    pages = [
        f"/actions/{action.id}",
        f"/cases/{case.id}/owner",
        f"/cases/{case.id}/close",
        f"/cases/{case.id}/conversations/new",
        f"/people/{case.person_id}/edit",
        f"/people/{case.person_id}/demands/new",
    ]
    for page in pages:
        before = db.session.query(AuditEvent).filter_by(action="view").count()
        assert client.get(page).status_code == 200, page
        assert db.session.query(AuditEvent).filter_by(action="view").count() == before + 1, page


def test_an_admin_without_a_team_cannot_search_or_see_unregistered_people(client, admin_user):
    from casework.people.service import create_person

    other_admin = make_user(None, "admin")
    person = create_person(db.session, other_admin, {"given_name": "Anne", "family_name": "Zed"})
    db.session.commit()
    login(client, admin_user)
    assert client.get("/people?q=anne").status_code == 403
    assert client.get(f"/people/{person.id}").status_code == 403


def test_a_late_typed_up_visit_does_not_replace_the_current_statement(
    client, practitioner, case_and_action
):
    case, _ = case_and_action
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today(),
        kind="visit",
        what_matters="NEW: get back to choir",
    )
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=2),
        kind="visit",
        what_matters="OLD: typed up late",
    )
    db.session.commit()
    assert case.what_matters.what_matters == "NEW: get back to choir"
    login(client, practitioner)
    assert "NEW: get back to choir" in client.get("/").get_data(as_text=True)


def test_closing_from_a_stale_page_is_refused(client, team, practitioner, case_and_action):
    case, action = case_and_action
    read_version = case.version
    update_action(db.session, action, practitioner, status="done", outcome="ok")
    from casework.cases.service import record_referral_judgement

    record_referral_judgement(
        db.session, case, practitioner, referral_match="no", real_problem="Grief", version=None
    )
    db.session.commit()
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/close",
        data={
            "version": read_version,
            "agreed_with_person": "y",
            "agreement_note": "Agreed",
            "summary": "Better",
            "closed_on[day]": clock.today().day,
            "closed_on[month]": clock.today().month,
            "closed_on[year]": clock.today().year,
        },
    )
    assert response.status_code == 409
    assert "Agreed" in response.get_data(as_text=True)


def test_markup_in_a_record_is_shown_as_text_even_inside_the_nhs_macros(client, practitioner):
    person = make_person(practitioner, given_name="<i>Evil</i>")
    demand, _ = make_demand(person, practitioner, stated_need="<i>Need</i>", source="<i>GP</i>")
    login(client, practitioner)
    for url in ["/", f"/people/{person.id}", f"/cases/{demand.case_id}", "/people?q=Evil"]:
        body = client.get(url).get_data(as_text=True)
        assert "<i>" not in body, url
        assert "&lt;i&gt;Evil&lt;/i&gt;" in body, url


def test_a_nul_character_in_a_form_or_query_is_refused_before_it_reaches_the_database(
    client, practitioner
):
    login(client, practitioner)
    response = client.get("/people?q=An%00ne")
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    for response in (
        client.post("/account/tokens", data={"label": "a\x00b"}),
        client.post("/people/new", data={"given_name": "A\x00", "family_name": "B"}),
    ):
        assert response.status_code == 422
        assert "Remove the control character" in response.get_data(as_text=True)
    assert db.session.query(Person).count() == 0


def test_pages_are_never_cached_but_static_files_may_be(client, practitioner):
    login(client, practitioner)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    with client.get("/static/casework.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_a_refused_allocation_with_impossible_case_ids_is_a_422_not_a_crash(client, manager):
    """Found by the form fuzzing: ids no database could hold in the team page's list."""
    login(client, manager)
    ids = ["-4452338867554890311010353152", "99999999999999999999"]
    response = client.post("/team", data={"case_ids": ids, "owner_id": "0"})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
