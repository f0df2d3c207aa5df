"""The administrator's rules, without the web pages."""

import pytest
from sqlalchemy import select

from casework.admin import service
from casework.auth.service import authenticate, check_password
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import PASSWORD, login, make_team, make_user


def audit_events(action, entity, entity_id):
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == action,
            AuditEvent.entity == entity,
            AuditEvent.entity_id == entity_id,
        )
    ).all()


def test_update_user_changes_name_role_and_team_and_audits_before_and_after(
    admin_user, practitioner, team
):
    south = make_team("South", "usual")
    service.update_user(
        db.session,
        practitioner,
        name="  Eleisha Ward-Jones ",
        role="manager",
        team=south,
        actor=admin_user,
    )
    db.session.commit()

    assert (practitioner.name, practitioner.role, practitioner.team_id) == (
        "Eleisha Ward-Jones",
        "manager",
        south.id,
    )
    [event] = audit_events("update", "user", practitioner.id)
    assert event.user_id == admin_user.id
    assert event.detail["before"] == {
        "name": "Eleisha Ward",
        "role": "practitioner",
        "team_id": team.id,
    }
    assert event.detail["after"] == {
        "name": "Eleisha Ward-Jones",
        "role": "manager",
        "team_id": south.id,
    }


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_update_user_refuses_a_practitioner_or_manager_without_a_team(
    admin_user, practitioner, role
):
    with pytest.raises(InvalidValue) as refused:
        service.update_user(
            db.session, practitioner, name="Eleisha Ward", role=role, team=None, actor=admin_user
        )
    assert "team_id" in refused.value.fields
    assert practitioner.team is not None
    assert audit_events("update", "user", practitioner.id) == []


def test_update_user_refuses_an_empty_name_and_an_unknown_role(admin_user, practitioner, team):
    with pytest.raises(InvalidValue) as refused:
        service.update_user(
            db.session, practitioner, name="  ", role="boss", team=team, actor=admin_user
        )
    assert set(refused.value.fields) == {"name", "role"}
    assert practitioner.name == "Eleisha Ward"


def test_administrator_cannot_remove_their_own_admin_role(admin_user, team):
    with pytest.raises(InvalidValue) as refused:
        service.update_user(
            db.session,
            admin_user,
            name=admin_user.name,
            role="manager",
            team=team,
            actor=admin_user,
        )
    assert "own administrator role" in refused.value.fields["role"]
    assert admin_user.role == "admin"


def test_administrator_can_remove_another_administrators_role(admin_user, team):
    other = make_user(None, "admin")
    service.update_user(
        db.session, other, name=other.name, role="manager", team=team, actor=admin_user
    )
    assert other.role == "manager"


def test_administrator_can_move_themselves_into_a_team(admin_user, team):
    service.update_user(
        db.session, admin_user, name=admin_user.name, role="admin", team=team, actor=admin_user
    )
    assert admin_user.team_id == team.id


def signed_in(client, user):
    login(client, user)
    assert client.get("/people").status_code == 200


def still_signed_in(client) -> bool:
    return client.get("/people").status_code == 200


def test_deactivating_ends_sessions_and_stops_login(client, admin_user, practitioner):
    signed_in(client, practitioner)
    service.deactivate_user(db.session, practitioner, admin_user)
    db.session.commit()

    assert practitioner.active is False
    assert not still_signed_in(client)
    assert authenticate(practitioner.email, PASSWORD) is None
    [event] = audit_events("deactivate", "user", practitioner.id)
    assert event.user_id == admin_user.id


def test_administrator_cannot_deactivate_themselves(admin_user):
    with pytest.raises(InvalidValue):
        service.deactivate_user(db.session, admin_user, admin_user)
    assert admin_user.active is True
    assert audit_events("deactivate", "user", admin_user.id) == []


def test_reactivating_lets_the_worker_log_in_again_but_not_with_an_old_session(
    client, admin_user, practitioner
):
    signed_in(client, practitioner)
    service.deactivate_user(db.session, practitioner, admin_user)
    service.reactivate_user(db.session, practitioner, admin_user)
    db.session.commit()

    assert practitioner.active is True
    assert not still_signed_in(client)
    assert authenticate(practitioner.email, PASSWORD) == practitioner
    assert len(audit_events("reactivate", "user", practitioner.id)) == 1


def test_reset_password_with_a_chosen_password_returns_nothing_and_never_audits_it(
    client, admin_user, practitioner
):
    signed_in(client, practitioner)
    chosen = "a brand new long password"
    assert service.reset_password(db.session, practitioner, admin_user, chosen) is None
    db.session.commit()

    assert check_password(practitioner, chosen)
    assert not check_password(practitioner, PASSWORD)
    assert not still_signed_in(client)
    [event] = audit_events("reset_password", "user", practitioner.id)
    assert event.user_id == admin_user.id
    assert chosen not in repr(event.detail)


def test_reset_password_without_a_password_generates_one_that_works(admin_user, practitioner):
    generated = service.reset_password(db.session, practitioner, admin_user)
    db.session.commit()

    assert generated
    assert check_password(practitioner, generated)
    [event] = audit_events("reset_password", "user", practitioner.id)
    assert generated not in repr(event.detail)


def test_reset_password_refuses_a_short_password(admin_user, practitioner):
    with pytest.raises(InvalidValue) as refused:
        service.reset_password(db.session, practitioner, admin_user, "short")
    assert "password" in refused.value.fields
    assert check_password(practitioner, PASSWORD)
    assert audit_events("reset_password", "user", practitioner.id) == []


def test_team_list_counts_only_active_members(admin_user, team, practitioner, manager):
    make_team("Empty", "usual")
    service.deactivate_user(db.session, practitioner, admin_user)
    db.session.commit()

    counts = {t.name: n for t, n in service.teams_with_active_counts(db.session)}
    assert counts == {"North": 1, "Empty": 0}
