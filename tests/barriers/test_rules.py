"""Barriers: who records, sees and moves them; the board's order and counts; the moves and
their reasons; concurrency; and the monthly counts."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from casework.barriers import service
from casework.barriers.service import AlreadyRecorded, NotAllowedMove
from casework.exceptions import InvalidValue, ReasonRequired, StaleVersion
from casework.extensions import db
from casework.models import AuditEvent, Barrier, BarrierMove
from tests.api.conftest import token_for
from tests.conftest import login, make_demand, make_person, make_team, make_user
from tests.test_query_counts import counted


def new_case(user, **person):
    demand, _ = make_demand(make_person(user, **person), user, clock.today() - dt.timedelta(days=3))
    return demand.case


def raise_barrier(user, title="Second assessment for the alarm", kind="handoff"):
    barrier = service.create_barrier(db.session, user.team, user, title=title, kind=kind)
    db.session.commit()
    return barrier


def met(barrier, case, user, cost="Told her story again"):
    link = service.link_case(db.session, barrier, case, user, cost=cost)
    db.session.commit()
    return link


# The domain rules


def test_a_new_barrier_met_in_a_case_is_raised_with_its_first_move(practitioner):
    case = new_case(practitioner)
    link = service.record_met(
        db.session,
        case,
        practitioner,
        barrier=None,
        cost="“I waited six weeks for a kettle tipper.”",
        title="Equipment under £50 needs an OT assessment",
        kind="eligibility",
        owner_org="Community equipment service",
    )
    db.session.commit()
    barrier = link.barrier
    assert (barrier.status, barrier.team_id, barrier.owner_org) == (
        "raised",
        case.team_id,
        "Community equipment service",
    )
    assert [(m.from_status, m.to_status, m.by_id) for m in barrier.moves] == [
        (None, "raised", practitioner.id)
    ]
    assert link.cost.startswith("“I waited") and link.recorded_by_id == practitioner.id
    events = {(e.action, e.entity) for e in db.session.scalars(db.select(AuditEvent))}
    assert {("create", "barrier"), ("create", "barrier_case")} <= events


def test_a_new_barrier_says_every_missing_thing_at_once(practitioner):
    case = new_case(practitioner)
    with pytest.raises(InvalidValue) as refused:
        service.record_met(db.session, case, practitioner, barrier=None, cost=" ", kind="x")
    assert set(refused.value.fields) == {"title", "kind", "cost"}
    assert db.session.scalar(db.select(db.func.count(Barrier.id))) == 0


def test_one_barrier_gathers_many_cases_but_each_only_once(practitioner):
    barrier = raise_barrier(practitioner)
    first, second = new_case(practitioner), new_case(practitioner)
    met(barrier, first, practitioner)
    met(barrier, second, practitioner, "A wasted visit")
    with pytest.raises(AlreadyRecorded):
        service.link_case(db.session, barrier, first, practitioner, cost="Again")
    db.session.rollback()
    assert [link.case_id for link in barrier.links] == [first.id, second.id]


def test_a_barrier_gathers_only_its_own_teams_cases(practitioner):
    barrier = raise_barrier(practitioner)
    other = make_user(make_team("South"))
    with pytest.raises(InvalidValue) as refused:
        service.link_case(db.session, barrier, new_case(other), practitioner, cost="Waiting")
    assert "barrier_id" in refused.value.fields


def test_the_cost_is_needed_in_the_persons_words(practitioner):
    barrier = raise_barrier(practitioner)
    with pytest.raises(InvalidValue) as refused:
        service.link_case(db.session, barrier, new_case(practitioner), practitioner, cost="")
    assert refused.value.fields == {"cost": "Say what it cost the person, in their words"}


def test_moves_go_raised_to_a_leader_to_removed_with_a_reason(practitioner, manager):
    barrier = raise_barrier(practitioner)
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=barrier.version
    )
    with pytest.raises(ReasonRequired) as refused:
        service.move_barrier(
            db.session, barrier, manager, status="removed", reason="  ", version=barrier.version
        )
    assert refused.value.fields == {"reason": "Say why the barrier was removed"}
    service.move_barrier(
        db.session,
        barrier,
        manager,
        status="removed",
        reason="Director agreed: order from the catalogue",
        version=barrier.version,
    )
    db.session.commit()
    assert barrier.status == "removed"
    assert barrier.status_reason == "Director agreed: order from the catalogue"
    assert [(m.from_status, m.to_status) for m in barrier.moves] == [
        (None, "raised"),
        ("raised", "with_leader"),
        ("with_leader", "removed"),
    ]
    assert all(m.by_id and m.at for m in barrier.moves)


@pytest.mark.parametrize(
    ("start", "to"),
    [("raised", "removed"), ("raised", "kept"), ("raised", "raised"), ("removed", "kept")],
)
def test_a_barrier_cannot_skip_the_leader(practitioner, manager, start, to):
    barrier = raise_barrier(practitioner)
    if start == "removed":
        service.move_barrier(
            db.session, barrier, manager, status="with_leader", reason=None, version=None
        )
        service.move_barrier(
            db.session, barrier, manager, status="removed", reason="Gone", version=None
        )
    with pytest.raises(NotAllowedMove):
        service.move_barrier(db.session, barrier, manager, status=to, reason="Why", version=None)


def test_raising_a_removed_barrier_again_needs_a_reason(practitioner, manager):
    barrier = raise_barrier(practitioner)
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=None
    )
    service.move_barrier(db.session, barrier, manager, status="kept", reason="Law", version=None)
    with pytest.raises(ReasonRequired):
        service.move_barrier(db.session, barrier, manager, status="raised", reason="", version=None)
    service.move_barrier(
        db.session, barrier, manager, status="raised", reason="Met again", version=None
    )
    assert barrier.status == "raised"


def test_a_move_from_an_out_of_date_copy_is_refused(practitioner, manager):
    barrier = raise_barrier(practitioner)
    seen = barrier.version
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=seen
    )
    db.session.commit()
    with pytest.raises(StaleVersion):
        service.move_barrier(db.session, barrier, manager, status="kept", reason="x", version=seen)


def test_the_board_is_most_met_first_with_counts_and_filters(practitioner, manager):
    one = raise_barrier(practitioner, "Seen once", "form")
    three = raise_barrier(practitioner, "Seen three times", "rule")
    none = raise_barrier(practitioner, "Not seen yet", "rule")
    two = raise_barrier(practitioner, "Seen twice", "it_system")
    cases = [new_case(practitioner) for _ in range(3)]
    for barrier, n in ((one, 1), (three, 3), (two, 2)):
        for case in cases[:n]:
            met(barrier, case, practitioner)
    raise_barrier(make_user(make_team("South")), "Another team's")
    rows = service.board(db.session, practitioner.team_id)
    assert [(r.barrier.title, r.cases) for r in rows] == [
        ("Seen three times", 3),
        ("Seen twice", 2),
        ("Seen once", 1),
        ("Not seen yet", 0),
    ]
    assert [r.barrier.id for r in service.board(db.session, practitioner.team_id, kind="rule")] == [
        three.id,
        none.id,
    ]
    service.move_barrier(db.session, two, manager, status="with_leader", reason=None, version=None)
    rows = service.board(db.session, practitioner.team_id, status="with_leader")
    assert [r.barrier.id for r in rows] == [two.id]


def test_met_and_removed_are_counted_by_month(practitioner, manager):
    barrier = raise_barrier(practitioner)
    links = [met(barrier, new_case(practitioner), practitioner) for _ in range(3)]
    links[0].recorded_at = dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC)
    links[1].recorded_at = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    links[2].recorded_at = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)  # before the period
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=None
    )
    move = service.move_barrier(
        db.session, barrier, manager, status="removed", reason="Gone", version=None
    )
    move.at = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    db.session.commit()
    months = service.by_month(db.session, practitioner.team_id, dt.date(2026, 4, 30), months=3)
    assert [(m.start, m.met, m.removed) for m in months] == [
        (dt.date(2026, 2, 1), 0, 0),
        (dt.date(2026, 3, 1), 1, 0),
        (dt.date(2026, 4, 1), 1, 1),
    ]
    assert (
        service.by_month(db.session, practitioner.team_id + 1000, dt.date(2026, 4, 30), 3)[1].met
        == 0
    )


# The pages: who may see and change what


def test_a_practitioner_records_a_barrier_from_the_case_page(client, practitioner):
    case = new_case(practitioner)
    known = raise_barrier(practitioner, "Alarm needs its own assessment")
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}/barriers/new").get_data(as_text=True)
    assert "Alarm needs its own assessment (raised)" in page
    response = client.post(
        f"/cases/{case.id}/barriers/new",
        data={"barrier_id": known.id, "cost": "Another stranger asking the same questions"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Alarm needs its own assessment" in page
    assert "Another stranger asking the same questions" in page


def test_a_refused_barrier_keeps_what_was_typed(client, practitioner):
    case = new_case(practitioner)
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/barriers/new",
        data={"barrier_id": 0, "title": "A form nobody reads", "owner_org": "The council"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what kind of barrier it is" in page
    assert "Say what it cost the person, in their words" in page
    assert "A form nobody reads" in page and "The council" in page


def test_another_teams_barrier_cannot_be_chosen(client, practitioner):
    case = new_case(practitioner)
    theirs = raise_barrier(make_user(make_team("South")), "South's barrier")
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/barriers/new", data={"barrier_id": theirs.id, "cost": "Waiting"}
    )
    assert response.status_code == 422
    assert "Choose one of the team&#39;s barriers from the list" in response.get_data(as_text=True)
    assert theirs.links == []


@pytest.mark.parametrize("sent", ["abc", "1.5", "-1", "", "٣"])
def test_a_barrier_that_is_not_a_number_is_refused_in_words(client, practitioner, sent):
    case = new_case(practitioner)
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/barriers/new", data={"barrier_id": sent, "cost": "Waiting"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose one of the team&#39;s barriers from the list" in page
    assert "could not coerce" not in page.lower() and "Waiting" in page


def test_practitioners_read_the_board_and_managers_move_barriers(client, practitioner, manager):
    barrier = raise_barrier(practitioner)
    met(barrier, new_case(practitioner, given_name="Joan"), practitioner)
    login(client, practitioner)
    page = client.get("/barriers").get_data(as_text=True)
    assert "Second assessment for the alarm" in page and "Met in 1 case" in page
    assert "Move on" not in page
    assert client.get(f"/barriers/{barrier.id}/move").status_code == 403
    client.post("/logout")
    login(client, manager)
    assert "Move on" in client.get("/barriers").get_data(as_text=True)
    response = client.post(
        f"/barriers/{barrier.id}/move", data={"status": "with_leader", "version": barrier.version}
    )
    assert response.status_code == 302
    db.session.refresh(barrier)
    assert barrier.status == "with_leader"


def test_removing_without_a_reason_is_refused_on_the_page(client, practitioner, manager):
    barrier = raise_barrier(practitioner)
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=None
    )
    db.session.commit()
    login(client, manager)
    response = client.post(
        f"/barriers/{barrier.id}/move", data={"status": "removed", "version": barrier.version}
    )
    assert response.status_code == 422
    assert "Say why the barrier was removed" in response.get_data(as_text=True)


def test_a_stale_move_on_the_page_says_so_and_keeps_the_reason(client, practitioner, manager):
    barrier = raise_barrier(practitioner)
    seen = barrier.version
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason=None, version=seen
    )
    db.session.commit()
    login(client, manager)
    response = client.post(
        f"/barriers/{barrier.id}/move",
        data={"status": "with_leader", "reason": "Took it to the director", "version": seen},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this barrier" in page and "Took it to the director" in page


def test_the_cases_behind_a_barrier_are_shown_to_the_team_and_the_read_audited(
    client, practitioner
):
    barrier = raise_barrier(practitioner)
    case = new_case(practitioner, given_name="Joan", family_name="Fletcher")
    met(barrier, case, practitioner, "Frightened at night while she waited")
    login(client, practitioner)
    page = client.get(f"/barriers/{barrier.id}").get_data(as_text=True)
    assert "Joan Fletcher" in page and "Frightened at night while she waited" in page
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "barrier")
    ).one()
    assert event.detail["person_ids"] == [case.person_id]


def grow_barrier(barrier, team, manager, cases: int) -> None:
    """The barrier met in more cases, each recorded by someone else, and moved on again."""
    for _ in range(cases):
        worker = make_user(team)
        met(barrier, new_case(worker), worker)
    for status, reason in (("with_leader", None), ("raised", "Back to us")):
        service.move_barrier(
            db.session, barrier, manager, status=status, reason=reason, version=barrier.version
        )
        db.session.commit()


@pytest.mark.parametrize("path", ["/barriers/{id}", "/api/v1/barriers/{id}"])
def test_reading_a_barrier_takes_as_many_queries_with_many_cases_behind_it(
    client, team, practitioner, manager, path
):
    barrier = raise_barrier(practitioner)
    grow_barrier(barrier, team, manager, 1)
    headers = {}
    if path.startswith("/api"):
        headers["Authorization"] = f"Bearer {token_for(practitioner)}"
    else:
        login(client, practitioner)
    path = path.format(id=barrier.id)
    client.get(path, headers=headers)  # the first request loads what every later one shares
    with counted() as before:
        assert client.get(path, headers=headers).status_code == 200
    grow_barrier(barrier, team, manager, 5)
    with counted() as after:
        response = client.get(path, headers=headers)
    assert response.status_code == 200 and response.get_data(as_text=True).count("Told her") >= 6
    assert len(after) == len(before), "\n".join(after)


def test_another_teams_barrier_is_refused_and_the_refusal_audited(client, practitioner):
    theirs = raise_barrier(make_user(make_team("South")), "South's barrier")
    login(client, practitioner)
    for path in (f"/barriers/{theirs.id}", f"/barriers/{theirs.id}/move"):
        assert client.get(path).status_code == 403
    refused = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "refused", AuditEvent.entity == "barrier")
    ).all()
    assert len(refused) == 2
    assert client.get("/barriers/999999").status_code == 404


def test_the_board_filters_refuse_nonsense_in_words(client, practitioner):
    login(client, practitioner)
    response = client.get("/barriers", query_string={"status": "gone", "kind": "<b>"})
    assert response.status_code == 400
    assert "Choose a status from the list" in response.get_data(as_text=True)


def test_barriers_over_time_for_managers_only(client, practitioner, manager):
    raise_barrier(practitioner)
    login(client, practitioner)
    assert client.get("/barriers/measures").status_code == 403
    client.post("/logout")
    login(client, manager)
    page = client.get("/barriers/measures").get_data(as_text=True)
    assert "Barriers met and removed" in page and "Show the numbers" in page
    assert "North" in page
    other = make_team("South")  # counts, like the measures: any team's (ADR 0034)
    response = client.get("/barriers/measures", query_string={"team": other.id})
    assert response.status_code == 200 and "South" in response.get_data(as_text=True)
    assert "Barriers met and removed, month by month" in client.get("/measures").get_data(
        as_text=True
    )


def test_barrier_moves_are_kept_as_history(practitioner, manager):
    barrier = raise_barrier(practitioner)
    service.move_barrier(
        db.session, barrier, manager, status="with_leader", reason="To Sue", version=None
    )
    db.session.commit()
    moves = db.session.scalars(db.select(BarrierMove).where(BarrierMove.barrier_id == barrier.id))
    assert [(m.to_status, m.reason, m.by_id) for m in moves] == [
        ("raised", None, practitioner.id),
        ("with_leader", "To Sue", manager.id),
    ]
