"""Entered in error (issue 17, item 4): a demand, conversation or action marked with the
reason is never deleted; it leaves the current views and every figure, stays in the history
struck through, and the change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation
from casework.corrections.service import mark_entered_in_error
from casework.extensions import db
from casework.measures.figures import compute
from casework.models import Action, AuditEvent, Case, Conversation, Demand
from casework.trials import costs
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_demand, make_person, make_team, make_user


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


@pytest.fixture
def case(practitioner) -> Case:
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner, received_on=days_ago(20))
    return db.session.get(Case, demand.case_id)


def talk(case, user, *, minutes=60, what_matters=None, notes="Visited at home", on=None):
    made = log_conversation(
        db.session,
        case,
        user,
        held_on=on or days_ago(10),
        kind="visit",
        minutes=minutes,
        what_matters=what_matters,
        notes=notes,
    )
    db.session.commit()
    return made


def act(case, user, description="Fit a grab rail", by="team"):
    made = add_action(db.session, case, user, description=description, by=by)
    db.session.commit()
    return made


REASON = {"reason": "Logged twice: the same visit is recorded the day before"}


@pytest.mark.parametrize("entity", ["conversations", "actions", "demands"])
def test_each_kind_is_marked_with_the_reason_kept_and_audited(api, case, practitioner, entity):
    record = {
        "conversations": lambda: talk(case, practitioner),
        "actions": lambda: act(case, practitioner),
        "demands": lambda: case.demands[0],
    }[entity]()
    status, body = api.post(f"/{entity}/{record.id}/entered-in-error", REASON)
    assert status == 200, body
    assert body["id"] == record.id
    assert body["entered_in_error"]["reason"] == REASON["reason"]
    assert body["entered_in_error"]["by_id"] == practitioner.id
    model = {"conversations": Conversation, "actions": Action, "demands": Demand}[entity]
    db.session.expire_all()
    assert db.session.get(model, record.id) is not None  # never deleted
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "entered_in_error")
    ).one()
    assert (event.entity, event.entity_id) == (entity[:-1], record.id)
    assert event.person_id == case.person_id and event.detail["reason"] == REASON["reason"]
    # Still in the case's history, marked.
    status, whole = api.get(f"/cases/{case.id}")
    marked = [r for r in whole[entity] if r["id"] == record.id]
    assert marked[0]["entered_in_error"]["reason"] == REASON["reason"]


@pytest.mark.parametrize("reason", [{}, {"reason": ""}, {"reason": "   "}])
def test_no_reason_is_422_and_nothing_is_marked(api, case, practitioner, reason):
    made = talk(case, practitioner)
    status, body = api.post(f"/conversations/{made.id}/entered-in-error", reason)
    assert status == 422 and "reason" in body["error"]["fields"]
    db.session.expire_all()
    assert not db.session.get(Conversation, made.id).in_error


def test_twice_is_409(api, case, practitioner):
    made = act(case, practitioner)
    assert api.post(f"/actions/{made.id}/entered-in-error", REASON)[0] == 200
    status, body = api.post(f"/actions/{made.id}/entered-in-error", REASON)
    assert status == 409 and body["error"]["code"] == "entered_in_error"


def test_an_action_in_error_changes_no_more(api, case, practitioner):
    made = act(case, practitioner)
    api.post(f"/actions/{made.id}/entered-in-error", REASON)
    status, body = api.patch(f"/actions/{made.id}", {"status": "done"})
    assert status == 409 and body["error"]["code"] == "entered_in_error"


def test_who_may_mark_the_author_the_owner_and_their_manager(client, team, case, practitioner):
    colleague = make_user(team)  # in the team, but neither author nor owner
    made = talk(case, colleague)
    other_conversation = talk(case, practitioner)
    api_colleague = Api(client, token_for(colleague))
    status, body = api_colleague.post(
        f"/conversations/{other_conversation.id}/entered-in-error", REASON
    )
    assert status == 403 and "Only the person who recorded it" in body["error"]["message"]
    assert api_colleague.post(f"/conversations/{made.id}/entered-in-error", REASON)[0] == 200
    manager = make_user(team, "manager")
    assert (
        Api(client, token_for(manager)).post(
            f"/conversations/{other_conversation.id}/entered-in-error", REASON
        )[0]
        == 200
    )


def test_the_owner_may_mark_what_a_colleague_recorded(api, team, case):
    colleague = make_user(team)
    made = talk(case, colleague)
    assert api.post(f"/conversations/{made.id}/entered-in-error", REASON)[0] == 200


def test_another_team_is_refused_and_an_unknown_record_is_404(client, case, practitioner):
    made = talk(case, practitioner)
    stranger = Api(client, token_for(make_user(make_team("South", "usual"), "manager")))
    assert stranger.post(f"/conversations/{made.id}/entered-in-error", REASON)[0] == 403
    assert stranger.post("/demands/99999/entered-in-error", REASON)[0] == 404
    db.session.expire_all()
    assert not db.session.get(Conversation, made.id).in_error


# Out of the current views ------------------------------------------------------------------


def test_it_leaves_the_case_page_and_stays_struck_through_in_the_history(
    client, api, case, practitioner
):
    wrong = talk(case, practitioner, what_matters="Wrong person's words", notes="Wrong visit")
    talk(case, practitioner, what_matters="Staying at home", notes="Right visit", on=days_ago(12))
    api.post(f"/conversations/{wrong.id}/entered-in-error", REASON)
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    current, _, history = page.partition('id="in-error"')
    assert "Wrong visit" not in current and "Wrong person" not in current
    assert "“Staying at home”" in current  # what matters falls back to the earlier statement
    assert "<del>" in history and "Wrong visit" in history and "Logged twice" in history
    timeline = client.get(f"/people/{case.person_id}").get_data(as_text=True)
    assert "Entered in error" in timeline and "<del>Visit</del>" in timeline
    status, whole = api.get(f"/cases/{case.id}")
    assert whole["what_matters"] == "Staying at home"


def test_it_leaves_the_caseload(client, case, practitioner):
    wrong = act(case, practitioner, "Phantom action")
    talk(case, practitioner, what_matters="Phantom words")
    Api(client, token_for(practitioner)).post(f"/actions/{wrong.id}/entered-in-error", REASON)
    conversation = case.conversations[0]
    Api(client, token_for(practitioner)).post(
        f"/conversations/{conversation.id}/entered-in-error", REASON
    )
    login(client, practitioner)
    page = client.get("/").get_data(as_text=True)
    assert "Phantom" not in page
    assert "Not recorded yet" in page and "No contact yet" in page


# Out of every figure ------------------------------------------------------------------------


def test_a_demand_in_error_counts_in_no_figure(api, team, practitioner):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=days_ago(30))
    second, _ = make_demand(person, practitioner, received_on=days_ago(29))
    period = dict(start=days_ago(40), end=clock.today())
    before = compute(db.session, **period)
    assert before["repeat_demand"]["total"] == 2 and before["repeat_demand"]["repeat"] == 1
    api.post(f"/demands/{second.id}/entered-in-error", REASON)
    after = compute(db.session, **period)
    assert after["repeat_demand"]["total"] == 1 and after["repeat_demand"]["repeat"] == 0
    assert after["demands_per_person"]["demands"] == 1
    # And the first one marked too: it no longer makes a later demand a repeat.
    make_demand(person, practitioner, received_on=days_ago(28))
    assert compute(db.session, **period)["repeat_demand"]["repeat"] == 1
    api.post(f"/demands/{first.id}/entered-in-error", REASON)
    repeat = compute(db.session, **period)["repeat_demand"]
    assert (repeat["total"], repeat["repeat"]) == (1, 0)


def test_actions_in_error_count_in_no_figure(api, case, practitioner):
    kept, wrong = act(case, practitioner, "Kept"), act(case, practitioner, "Wrong")
    period = dict(start=days_ago(40), end=clock.today())
    assert compute(db.session, **period)["actions"]["team"] == 2
    api.post(f"/actions/{wrong.id}/entered-in-error", REASON)
    figure = compute(db.session, **period)["actions"]
    assert figure["team"] == 1 and figure["open"] == 1
    assert kept.id


def test_minutes_in_error_leave_the_cost_of_the_journey(api, team, case, practitioner, manager):
    talk(case, practitioner, minutes=60)
    wrong = talk(case, practitioner, minutes=120, on=days_ago(9))
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed",
        summary="Done",
        closed_on=days_ago(1),
    )
    costs.set_cost(db.session, team, "practitioner-hour", "60.00", by=manager)
    db.session.commit()
    period = dict(start=days_ago(5), end=clock.today())
    assert compute(db.session, **period)["cost_of_journey"]["actual_mean"] == 180.0
    api.post(f"/conversations/{wrong.id}/entered-in-error", REASON)
    assert compute(db.session, **period)["cost_of_journey"]["actual_mean"] == 60.0


def test_marking_refreshes_the_facts_in_the_same_transaction(api, case, practitioner):
    from casework.models import CaseFact

    compute(db.session, start=days_ago(40), end=clock.today())  # facts built
    wrong = act(case, practitioner)
    api.post(f"/actions/{wrong.id}/entered-in-error", REASON)
    db.session.expire_all()
    kept = db.session.get(CaseFact, case.id)
    assert kept.actions_team == 0
    assert db.session.scalar(select(func.count(Action.id))) == 1  # still there


# The pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["conversations", "actions", "demands"])
def test_marked_from_its_page_with_a_reason(client, case, practitioner, entity):
    record = {
        "conversations": lambda: talk(case, practitioner),
        "actions": lambda: act(case, practitioner),
        "demands": lambda: case.demands[0],
    }[entity]()
    login(client, practitioner)
    assert f"/{entity}/{record.id}/entered-in-error" in client.get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    page = client.get(f"/{entity}/{record.id}/entered-in-error")
    assert page.status_code == 200
    refused = client.post(f"/{entity}/{record.id}/entered-in-error", data={"reason": " "})
    assert refused.status_code == 422
    assert "Say why it was entered in error" in refused.get_data(as_text=True)
    response = client.post(f"/{entity}/{record.id}/entered-in-error", data=REASON)
    assert response.status_code == 302 and response.location.endswith("#in-error")
    again = client.post(f"/{entity}/{record.id}/entered-in-error", data=REASON)
    assert again.status_code == 409
    assert "already marked entered in error" in again.get_data(as_text=True)


def test_the_page_refuses_someone_who_may_not_mark(client, team, case, practitioner):
    made = talk(case, practitioner)
    login(client, make_user(team))
    response = client.get(f"/conversations/{made.id}/entered-in-error")
    assert response.status_code == 403
    assert "Only the person who recorded it" in response.get_data(as_text=True)


def test_the_case_page_names_who_marked_each_in_a_constant_number_of_queries(
    client, team, case, practitioner
):
    from tests.test_query_counts import counted

    def marked_by_someone_new(n: int) -> None:
        colleague = make_user(team, "manager", name=f"Manager {n}")
        mark_entered_in_error(
            db.session, "action", act(case, practitioner, f"Wrong {n}"), colleague, reason="No"
        )
        db.session.commit()

    marked_by_someone_new(0)
    login(client, practitioner)
    path = f"/cases/{case.id}"
    client.get(path)
    with counted() as before:
        client.get(path)
    for n in range(1, 5):
        marked_by_someone_new(n)
    with counted() as after:
        page = client.get(path).get_data(as_text=True)
    assert "Manager 4" in page and "Manager 1" in page
    assert len(after) == len(before), "\n".join(after)


def test_fhir_says_entered_in_error_for_each_kind(api, case, practitioner):
    conversation, action = talk(case, practitioner), act(case, practitioner)
    demand = case.demands[0]
    for path in (
        f"/conversations/{conversation.id}/entered-in-error",
        f"/actions/{action.id}/entered-in-error",
        f"/demands/{demand.id}/entered-in-error",
    ):
        assert api.post(path, REASON)[0] == 200
    status, bundle = api.get(f"/people/{case.person_id}/fhir")
    assert status == 200
    resources = [entry["resource"] for entry in bundle["entry"]]

    def of(kind):
        return [r for r in resources if r["resourceType"] == kind]

    assert [e["status"] for e in of("Encounter")] == ["entered-in-error"]
    assert [s["status"] for s in of("ServiceRequest")] == ["entered-in-error"]
    activities = [a["detail"]["status"] for p in of("CarePlan") for a in p.get("activity", [])]
    assert activities == ["entered-in-error"]
