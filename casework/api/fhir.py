"""FHIR R4 export of a person's record (filled in below)."""


def person_bundle(session, user, person) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": []}
