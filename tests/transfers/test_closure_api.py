"""Closing a case through the API with an outcome (api.md, "Closure outcomes")."""


def test_the_api_closes_with_an_outcome(api, case):
    path = f"/cases/{case.id}/close"
    status, body = api.post(path, {"outcome": "moved_away"})
    assert status == 422 and list(body["error"]["fields"]) == ["note"]
    status, body = api.post(path, {"outcome": "transferred", "note": "x"})
    assert status == 422 and "outcome" in body["error"]["fields"]
    status, body = api.post(path, {"outcome": "moved_away", "note": "To Leeds, said her GP"})
    assert status == 200, body
    closure = body["closure"]
    assert closure["outcome"] == "moved_away" and closure["note"] == "To Leeds, said her GP"
    assert closure["agreed_with_person"] is False and closure["agreement_note"] is None
    assert body["transferred_from_case_id"] is None


def test_the_api_default_is_agreement(api, case):
    path = f"/cases/{case.id}/close"
    status, body = api.post(path, {"agreed_with_person": False, "agreement_note": "x"})
    assert status == 422 and "agreed_with_person" in body["error"]["fields"]
    status, body = api.post(path, {"agreed_with_person": True, "agreement_note": "At home"})
    assert status == 200
    assert body["closure"]["outcome"] == "agreed"
    assert body["closure"]["agreement_note"] == "At home" and body["closure"]["note"] is None
