"""The transfer pages and the close form's outcomes, without JavaScript: forms that keep
what was typed and say what is wrong, access, and a constant number of queries."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent, Case, Transfer
from casework.transfers.service import request_transfer
from tests.conftest import login as sign_in
from tests.conftest import make_demand, make_person, make_team, make_user
from tests.test_query_counts import counted


def login(client, user):
    """Signed in as `user`, whoever was signed in before."""
    client.post("/logout")
    sign_in(client, user)


def ask(case, user, team, **more):
    transfer = request_transfer(
        db.session, case, user, to_team=team, reason="Moved to Southby", **more
    )
    db.session.commit()
    return transfer


def test_the_case_page_offers_a_transfer_to_its_owner(client, case, practitioner, south):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Transfer to another team" in page
    form = client.get(f"/cases/{case.id}/transfer").get_data(as_text=True)
    assert "South (usual practice)" in form and "North (" not in form


def test_asking_without_a_reason_keeps_what_was_typed(client, case, practitioner, south):
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/transfer", data={"to_team_id": south.id, "reason": " "}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say why the case should move" in page and "nhsuk-error-summary" in page
    assert f'<option value="{south.id}" selected' in page
    assert db.session.scalar(select(Transfer)) is None


def test_a_worker_of_the_wrong_team_is_refused_in_words(client, case, practitioner, south, manager):
    west_worker = make_user(make_team("West"), name="Wes Walker")
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/transfer",
        data={"to_team_id": south.id, "to_owner_id": west_worker.id, "reason": "Near her"},
    )
    assert response.status_code == 422
    assert "Choose an active member of South, or nobody" in response.get_data(as_text=True)


def test_asking_and_the_case_page_after(client, case, practitioner, south, south_manager):
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/transfer", data={"to_team_id": south.id, "reason": "Moved"}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Transfer asked of South" in page and "waiting for their answer" in page
    again = client.post(
        f"/cases/{case.id}/transfer", data={"to_team_id": south.id, "reason": "Again"}
    )
    assert again.status_code == 409
    assert "already waiting for an answer" in again.get_data(as_text=True)


def test_the_receiving_manager_sees_identity_only_and_accepts(
    client, case, practitioner, south, south_manager, south_worker
):
    transfer = ask(case, practitioner, south)
    login(client, south_manager)
    team_page = client.get("/team").get_data(as_text=True)
    assert "Irene Thomas" in team_page and "Waiting for an answer" in team_page
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "Irene Thomas" in page and "Moved to Southby" in page
    assert "Private notes" not in page and "To see my sister" not in page
    assert client.get(f"/cases/{case.id}").status_code == 403
    refused = client.post(f"/transfers/{transfer.id}/accept", data={"accept-owner_id": "0"})
    assert refused.status_code == 422
    assert "Choose who in South will own the case" in refused.get_data(as_text=True)
    response = client.post(
        f"/transfers/{transfer.id}/accept", data={"accept-owner_id": south_worker.id}
    )
    assert response.status_code == 302
    new_case = db.session.scalar(select(Case).where(Case.team_id == south.id))
    assert response.location.endswith(f"/cases/{new_case.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert f"Transferred from North on {clock.today().day}" in page
    assert "To see my sister in Southby" in page and "Private notes" not in page
    assert f'href="/cases/{case.id}"' not in page  # South cannot see the old case


def test_the_sending_side_sees_the_new_case_link_when_it_may(
    client, case, practitioner, south, south_manager
):
    from casework.transfers.service import accept_transfer

    transfer = ask(case, practitioner, south)
    new = accept_transfer(db.session, transfer, south_manager, owner=south_manager)
    db.session.commit()
    login(client, practitioner)
    old_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "South accepted this case" in old_page and "Transferred to another team" in old_page
    assert client.get(f"/cases/{new.id}").status_code == 403


def test_declining_needs_a_reason_and_tells_why(client, case, practitioner, south, south_manager):
    transfer = ask(case, practitioner, south)
    login(client, south_manager)
    refused = client.post(f"/transfers/{transfer.id}/decline", data={"decline-reason": ""})
    assert refused.status_code == 422
    assert "Say why your team cannot take the case" in refused.get_data(as_text=True)
    response = client.post(
        f"/transfers/{transfer.id}/decline", data={"decline-reason": "Outside our area"}
    )
    assert response.status_code == 302
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "South declined a transfer" in page and "Outside our area" in page


def test_nobody_else_answers(client, case, practitioner, manager, south, south_worker):
    transfer = ask(case, practitioner, south)
    outsider = make_user(make_team("West"), "manager")
    for who in (practitioner, manager, south_worker, outsider):
        login(client, who)
        response = client.post(
            f"/transfers/{transfer.id}/accept", data={"accept-owner_id": south_worker.id}
        )
        assert response.status_code == 403, who
    assert client.get(f"/transfers/{transfer.id}").status_code == 403  # the outsider
    assert db.session.get(Transfer, transfer.id).status == "pending"


def test_the_named_worker_answers_without_the_team_page(
    client, case, practitioner, south, south_worker
):
    transfer = ask(case, practitioner, south, to_owner=south_worker)
    login(client, south_worker)
    assert client.get("/team").status_code == 403
    listing = client.get("/transfers").get_data(as_text=True)
    assert "Irene Thomas" in listing
    page = client.get(f"/transfers/{transfer.id}").get_data(as_text=True)
    assert "Accept the transfer" in page
    assert f'<option value="{south_worker.id}" selected' in page


def test_the_transfer_page_read_is_audited(client, case, practitioner, south, south_manager):
    transfer = ask(case, practitioner, south)
    login(client, south_manager)
    client.get(f"/transfers/{transfer.id}")
    client.get("/transfers")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert any(e.entity == "transfer" and e.person_id == case.person_id for e in events)
    assert any(e.entity == "transfer_list" for e in events)


def test_the_close_form_offers_each_ending_in_plain_words(client, case, practitioner):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}/close").get_data(as_text=True)
    for words in ("The person died", "The person moved away", "The person declined support"):
        assert words in page
    response = client.post(
        f"/cases/{case.id}/close",
        data={"outcome": "died", "note": "", "summary": ""},
    )
    assert response.status_code == 422
    assert "Say when the person died and how you heard" in response.get_data(as_text=True)
    today = clock.today()
    response = client.post(
        f"/cases/{case.id}/close",
        data={
            "outcome": "died",
            "note": "Her son rang",
            "closed_on[day]": today.day,
            "closed_on[month]": today.month,
            "closed_on[year]": today.year,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.location).get_data(as_text=True)
    assert "Case closed: the person died." in page and "Her son rang" in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).closure_outcome == "died"


def test_an_unknown_ending_is_refused_in_words(client, case, practitioner):
    login(client, practitioner)
    response = client.post(f"/cases/{case.id}/close", data={"outcome": "transferred"})
    assert response.status_code == 422
    assert "Choose how the case ended" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).is_open


def test_an_agreed_closure_still_needs_its_summary(client, case, practitioner):
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/close",
        data={"outcome": "agreed", "agreed_with_person": "y", "agreement_note": "At home"},
    )
    assert response.status_code == 422
    assert "Summarise what changed for the person" in response.get_data(as_text=True)


def _more_transfers(practitioner, south, south_manager, n: int) -> None:
    for _ in range(n):
        person = make_person(practitioner)
        demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=3))
        ask(demand.case, practitioner, south, to_owner=south_manager)
        other, _ = make_demand(make_person(south_manager), south_manager)
        request_transfer(
            db.session, other.case, south_manager, to_team=demand.case.team, reason="Back"
        )
    db.session.commit()


def test_the_team_page_and_the_list_read_the_same_however_many_transfers(
    client, case, practitioner, manager, south, south_manager
):
    _more_transfers(practitioner, south, south_manager, 1)
    login(client, manager)
    for path in ("/team", "/transfers"):
        client.get(path)
        with counted() as before:
            assert client.get(path).status_code == 200
        _more_transfers(practitioner, south, south_manager, 4)
        with counted() as after:
            assert client.get(path).status_code == 200
        assert len(after) == len(before), (path, "\n".join(after))
