"""The subject-access export holds the person's cautions (ended ones with their reasons),
their circle and their decisions about sharing; the trail names each change."""

from casework import clock
from casework.extensions import db
from casework.safety import service
from tests.conftest import login


def test_the_export_holds_cautions_circle_and_consents(client, person, practitioner, manager):
    flag = service.raise_flag(
        db.session,
        practitioner,
        person,
        category="access",
        text="Key safe",
        review_on=clock.today(),
    )
    service.end_flag(db.session, practitioner, flag, reason="Moved house")
    service.add_member(db.session, practitioner, person, {"name": "Jo", "relationship": "family"})
    service.record_consent(
        db.session,
        practitioner,
        person,
        decision="refused",
        scope="Nobody",
        recorded_on=clock.today(),
    )
    db.session.commit()
    login(client, manager)
    body = client.get(f"/people/{person.id}/export.json").get_json()
    assert [(f["text"], f["active"], f["end_reason"]) for f in body["flags"]] == [
        ("Key safe", False, "Moved house")
    ]
    assert [m["name"] for m in body["network"]] == ["Jo"]
    assert [(c["decision"], c["expired"]) for c in body["consents"]] == [("refused", False)]
    trail = {(e["action"], e["record"]) for e in body["access_log"]}
    assert {("create", "flag"), ("end", "flag"), ("create", "network_member")} <= trail
    assert ("create", "consent") in trail
