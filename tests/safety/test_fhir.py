"""Cautions, the circle and decisions about sharing in the FHIR R4 bundle: each resource
parses with fhir.resources, every reference resolves, and they read as the record."""

import datetime as dt

from fhir.resources.R4B.bundle import Bundle

from casework import clock
from casework.cases.service import add_action
from casework.extensions import db
from casework.safety import service
from tests.api.test_fhir import fhir_model, walk_references


def test_flags_circle_and_consents_are_in_the_bundle(api, case, practitioner):
    person = case.person
    dog = service.raise_flag(
        db.session, practitioner, person, category="animal", text="Dog <b>", review_on=clock.today()
    )
    ended = service.raise_flag(
        db.session, practitioner, person, category="infection", text="Flu", review_on=clock.today()
    )
    service.end_flag(db.session, practitioner, ended, reason="Better")
    kayden = service.add_member(
        db.session,
        practitioner,
        person,
        {"name": "Kayden", "relationship": "neighbour", "phone": "0113", "may_contact": False},
    )
    gp = service.add_member(
        db.session,
        practitioner,
        person,
        {
            "name": "Dr Shah",
            "relationship": "professional",
            "role": "GP",
            "may_contact": True,
            "email": "gp@example.org",
        },
    )
    service.record_consent(
        db.session,
        practitioner,
        person,
        decision="refused",
        scope="Nothing to <her> son",
        recorded_on=clock.today(),
    )
    service.record_consent(
        db.session,
        practitioner,
        person,
        decision="given",
        scope="GP",
        recorded_on=clock.today() - dt.timedelta(days=400),
        expires_on=clock.today() - dt.timedelta(days=1),
    )
    add_action(
        db.session,
        case,
        practitioner,
        description="Cleaning",
        by="person",
        network_member_id=kayden.id,
    )
    db.session.commit()

    status, bundle = api.get(f"/people/{person.id}/fhir")
    assert status == 200
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        fhir_model(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert set(walk_references(bundle["entry"])) <= urls
    of = {}
    for entry in bundle["entry"]:
        of.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])

    (flag,) = of["Flag"]  # the ended one is not carried
    assert (flag["status"], flag["code"]["text"]) == ("active", dog.text)
    assert flag["category"][0]["text"] == "Animal"  # the words the flag pages use
    assert "end" not in flag["period"]  # still active past its review date, until ended
    related = {r["name"][0]["text"]: r for r in of["RelatedPerson"]}
    assert set(related) == {"Kayden", "Dr Shah"}
    assert "telecom" not in related["Kayden"]  # the person does not agree to contact
    assert related["Dr Shah"]["telecom"] == [{"system": "email", "value": "gp@example.org"}]
    circle = [t for t in of["CareTeam"] if t["name"].startswith("Professionals around")]
    assert [p["role"][0]["text"] for p in circle[0]["participant"]] == ["Professional; GP"]
    consents = sorted(of["Consent"], key=lambda c: c["dateTime"])
    assert [(c["status"], c["provision"]["type"]) for c in consents] == [
        ("inactive", "permit"),
        ("active", "deny"),
    ]
    assert "Nothing to &lt;her&gt; son" in consents[1]["text"]["div"]
    (plan,) = of["CarePlan"]
    performer = plan["activity"][0]["detail"]["performer"][0]
    assert performer["type"] == "RelatedPerson" and gp.id != kayden.id
    assert any(
        e["fullUrl"] == performer["reference"] and e["resource"]["name"][0]["text"] == "Kayden"
        for e in bundle["entry"]
    )
