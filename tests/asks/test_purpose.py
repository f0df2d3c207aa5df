"""The team's purpose, principles and rules: written by its manager, versioned and audited,
read by every member (and by nobody outside the team)."""

from sqlalchemy import select

from casework.extensions import db
from casework.models import AuditEvent, TeamPurpose
from casework.purpose import service
from tests.conftest import login, make_team, make_user

PURPOSE = {
    "purpose": "Help people live the life they want, end to end.",
    "principles": "- Decisions on knowledge and evidence\n\n* Own the journey end to end\n",
    "rules": "Do not break the law\nDo not make the person's situation worse",
}


def test_the_empty_page_tells_the_manager_what_to_do(client, manager):
    login(client, manager)
    page = client.get("/team/purpose").get_data(as_text=True)
    assert "Write the team's purpose" in page
    assert "/team/purpose/edit" in page


def test_the_empty_page_tells_a_practitioner_who_writes_it(client, practitioner):
    login(client, practitioner)
    page = client.get("/team/purpose").get_data(as_text=True)
    assert "Your team's manager has not written down" in page
    assert "/team/purpose/edit" not in page


def test_the_manager_writes_it_and_every_member_reads_it(client, manager, practitioner):
    login(client, manager)
    response = client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"})
    assert response.status_code == 302
    reader = client.application.test_client()
    login(reader, practitioner)
    page = reader.get("/team/purpose").get_data(as_text=True)
    assert PURPOSE["purpose"] in page
    assert "<li>Decisions on knowledge and evidence</li>" in page
    assert "<li>Do not make the person&#39;s situation worse</li>" in page
    assert "Written by Morgan Manager" in page and "version 1" in page
    assert "How we work" in reader.get("/").get_data(as_text=True)  # in the menu


def test_each_change_is_a_new_version_with_who_and_when_and_is_audited(client, manager):
    login(client, manager)
    client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"})
    client.post("/team/purpose/edit", data={**PURPOSE, "purpose": "Second", "version": "1"})
    versions = db.session.scalars(select(TeamPurpose).order_by(TeamPurpose.version)).all()
    assert [(v.version, v.purpose, v.changed_by_id) for v in versions] == [
        (1, PURPOSE["purpose"], manager.id),
        (2, "Second", manager.id),
    ]
    page = client.get("/team/purpose").get_data(as_text=True)
    assert "Earlier versions (1)" in page and PURPOSE["purpose"] in page
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "team_purpose").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.detail["version"]) for e in events] == [("create", 1), ("update", 2)]


def test_saving_the_same_words_adds_no_version(client, manager):
    login(client, manager)
    client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"})
    client.post("/team/purpose/edit", data={**PURPOSE, "version": "1"})
    assert db.session.scalar(select(TeamPurpose.version).order_by(TeamPurpose.version.desc())) == 1


def test_a_save_from_an_out_of_date_page_is_refused_and_keeps_what_was_typed(client, manager, team):
    login(client, manager)
    client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"})
    other = client.application.test_client()
    login(other, make_user(team, "manager", name="Nia Second"))
    response = other.post(
        "/team/purpose/edit", data={**PURPOSE, "purpose": "Mine, typed late", "version": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else (Morgan Manager) changed the team&#39;s purpose" in page
    assert "Mine, typed late" in page
    assert 'name="version" type="hidden" value="1"' in page
    assert db.session.scalar(select(TeamPurpose.purpose)) == PURPOSE["purpose"]


def test_two_managers_saving_the_same_next_version_collide(manager, team):
    from casework.exceptions import StaleVersion

    service.save(db.session, team, manager, version=0, **PURPOSE)
    db.session.commit()
    try:
        db.session.add(TeamPurpose(team_id=team.id, version=1, purpose="Racing"))
        db.session.flush()
    except Exception as error:  # the unique index refuses the second version 1
        db.session.rollback()
        assert "unique" in str(error).lower()
    else:
        raise AssertionError("two versions 1 of one team's purpose were stored")
    try:
        service.save(db.session, team, manager, version=0, **{**PURPOSE, "purpose": "Late"})
    except StaleVersion:
        pass
    else:
        raise AssertionError("a save from version 0 after version 1 was not refused")


def test_a_purpose_is_required_and_limited(client, manager):
    login(client, manager)
    response = client.post(
        "/team/purpose/edit", data={"purpose": " ", "rules": "Keep", "version": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the team&#39;s purpose" in page and ">Keep</textarea>" in page
    response = client.post("/team/purpose/edit", data={"purpose": "x" * 2001, "version": "0"})
    assert "Our purpose must be 2,000 characters or fewer" in response.get_data(as_text=True)


def test_only_the_manager_edits_and_only_the_team_reads(client, practitioner, manager):
    login(client, practitioner)
    assert client.get("/team/purpose/edit").status_code == 403
    assert client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"}).status_code == 403
    assert db.session.scalar(select(TeamPurpose.id)) is None
    south = client.application.test_client()
    login(south, make_user(make_team("South"), "manager"))
    south.post("/team/purpose/edit", data={**PURPOSE, "purpose": "South's own", "version": "0"})
    page = south.get("/team/purpose").get_data(as_text=True)
    assert "South&#39;s own" in page
    assert "South&#39;s own" not in client.get("/team/purpose").get_data(as_text=True)


def test_the_team_page_shows_the_purpose_and_the_asks_waiting(client, manager):
    login(client, manager)
    page = client.get("/team").get_data(as_text=True)
    assert "has not written down its purpose yet" in page and "none waiting" in page
    client.post("/team/purpose/edit", data={**PURPOSE, "version": "0"})
    page = client.get("/team").get_data(as_text=True)
    assert PURPOSE["purpose"] in page
