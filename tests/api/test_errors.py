"""Every error status of the contract, in its shape: {"error": {"code", "message", "fields"}}."""

import datetime as dt
import http.client
import io
import json
import threading

import pytest
from werkzeug.serving import make_server

from casework import clock
from casework.extensions import db
from tests.conftest import make_demand, make_person, make_team, make_user


def assert_error(status, body, expected_status, code=None):
    assert status == expected_status, body
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(
        make_person(practitioner), practitioner, clock.today() - dt.timedelta(days=3)
    )
    return demand.case


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b'"a string"', b"", b"\xff\xfe", b'{"minutes": NaN}', b"[" * 5000],
)
def test_a_body_that_is_not_a_json_object_is_400(api, case, raw):
    status, body = api.post(
        f"/cases/{case.id}/conversations", data=raw, content_type="application/json"
    )
    assert_error(status, body, 400, "malformed_json")


@pytest.mark.parametrize(
    "content_type",
    ["", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_not_sent_as_json_is_415(api, practitioner, content_type):
    for method, path in (("POST", "/people"), ("PATCH", "/cases/1")):
        status, body = api.call(
            method,
            path,
            data=b'{"given_name": "Anne", "family_name": "Example"}',
            content_type=content_type,
        )
        error = assert_error(status, body, 415, "unsupported_media_type")
        assert error["fields"] == {}
        assert "Content-Type: application/json" in error["message"]


def test_json_with_its_charset_named_is_read(api, practitioner):
    status, body = api.post(
        "/people",
        data=b'{"given_name": "Anne", "family_name": "Example"}',
        content_type="application/json; charset=utf-8",
    )
    assert status == 201, body


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        ({"family_name": "Example"}, "given_name", "Required"),
        ({"given_name": 5, "family_name": "E"}, "given_name", "Must be a string"),
        ({"given_name": None, "family_name": "E"}, "given_name", "Must not be null"),
        ({"given_name": "A" * 101, "family_name": "E"}, "given_name", "100 characters"),
        (
            {"given_name": "A", "family_name": "E", "date_of_birth": "02/04/1961"},
            "date_of_birth",
            "YYYY-MM-DD",
        ),
        (
            {"given_name": "A", "family_name": "E", "date_of_birth": "1961-02-30"},
            "date_of_birth",
            "real date",
        ),
        (
            {"given_name": "A", "family_name": "E", "nhs_number": "9434765918"},
            "nhs_number",
            "not a valid NHS number",
        ),
        ({"given_name": "A", "family_name": "E", "favourite": "tea"}, "favourite", "Unknown field"),
        ({"given_name": "A\x00", "family_name": "E"}, "given_name", "control character"),
        ({"given_name": "A\ud800", "family_name": "E"}, "given_name", "surrogate"),
        # Digits of other scripts are digits to Python, not to the NHS number check.
        (
            {"given_name": "A", "family_name": "E", "nhs_number": "\uff19434765919"},
            "nhs_number",
            "",
        ),
        (
            {"given_name": "A", "family_name": "E", "nhs_number": "\u0669434765919"},
            "nhs_number",
            "",
        ),
    ],
)
def test_invalid_person_values_are_422_naming_the_field(api, payload, field, says):
    status, body = api.post("/people", payload)
    error = assert_error(status, body, 422)
    assert says in error["fields"][field]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "chat"}, "kind"),
        ({"minutes": 1441}, "minutes"),
        ({"minutes": -1}, "minutes"),
        ({"minutes": "45"}, "minutes"),
        ({"minutes": True}, "minutes"),
        ({"minutes": 4.5}, "minutes"),
        ({"held_on": "2026-13-01"}, "held_on"),
        ({"held_on": 20261101}, "held_on"),
        ({"held_on": (clock.today() + dt.timedelta(days=2)).isoformat()}, "held_on"),
    ],
)
def test_invalid_conversation_values_are_422(api, case, payload, field):
    good = {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Talked"}
    status, body = api.post(f"/cases/{case.id}/conversations", {**good, **payload})
    assert field in assert_error(status, body, 422)["fields"]


def test_dates_from_before_any_real_record_are_refused_as_typos(api, case):
    status, body = api.post(
        "/people", {"given_name": "A", "family_name": "E", "date_of_birth": "0001-01-01"}
    )
    assert "after 1 January 1900" in assert_error(status, body, 422)["fields"]["date_of_birth"]
    demand = {"person_id": case.person_id, "source": "GP", "channel": "phone", "stated_need": "x"}
    status, body = api.post("/demands", {**demand, "received_on": "1989-12-31"})
    assert "after 1 January 1990" in assert_error(status, body, 422)["fields"]["received_on"]


def test_a_whole_number_sent_as_30_point_0_is_refused(api, case):
    status, body = api.post(
        f"/cases/{case.id}/conversations",
        {"held_on": clock.today().isoformat(), "kind": "phone", "notes": "Call", "minutes": 30.0},
    )
    assert "whole number" in assert_error(status, body, 422)["fields"]["minutes"]


def test_ids_that_are_on_no_record_are_422_not_ignored(api, case, practitioner):
    status, body = api.post(
        "/demands",
        {
            "person_id": case.person_id,
            "received_on": clock.today().isoformat(),
            "source": "GP",
            "channel": "phone",
            "stated_need": "Help",
            "owner_id": 999999,
        },
    )
    assert "owner_id" in assert_error(status, body, 422)["fields"]
    status, body = api.post(f"/cases/{case.id}/owner", {"owner_id": 2**31 - 1, "reason": "x"})
    assert "owner_id" in assert_error(status, body, 422)["fields"]
    status, body = api.post(
        f"/cases/{case.id}/actions", {"description": "Rail", "by": "team", "assignee_id": 424242}
    )
    assert "assignee_id" in assert_error(status, body, 422)["fields"]


def test_missing_version_on_a_case_edit_is_422(api, case):
    status, body = api.patch(f"/cases/{case.id}", {"referral_match": "no"})
    assert "version" in assert_error(status, body, 422)["fields"]
    assert api.get(f"/cases/{case.id}")[1]["referral_match"] is None


def test_no_token_wrong_token_or_another_scheme_is_401(client, case):
    for headers in (
        {},
        {"Authorization": "Bearer cw_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        response = client.get(f"/api/v1/cases/{case.id}", headers=headers)
        assert_error(response.status_code, response.get_json(), 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_other_teams_records_are_refused(api, case):
    outsider = make_user(make_team("South", "usual"))
    their_demand, _ = make_demand(make_person(outsider), outsider)
    their_case = their_demand.case
    from casework.cases.service import add_action

    action = add_action(db.session, their_case, outsider, description="Visit", by="team")
    db.session.commit()
    assert_error(*api.get(f"/people/{their_case.person_id}"), 403, "forbidden")
    assert_error(*api.get(f"/people/{their_case.person_id}/fhir"), 403)
    assert_error(*api.get(f"/cases/{their_case.id}"), 403)
    assert_error(*api.patch(f"/cases/{their_case.id}", {"version": 1}), 403)
    assert_error(*api.patch(f"/actions/{action.id}", {"status": "done"}), 403)
    assert_error(
        *api.post(
            f"/cases/{their_case.id}/conversations",
            {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "x"},
        ),
        403,
    )
    # Search still finds them (nobody is registered twice), as identity only.
    status, body = api.get("/people", query_string={"q": their_case.person.family_name})
    assert status == 200
    assert body["results"] == [
        {
            "id": their_case.person_id,
            "given_name": "Anne",
            "family_name": their_case.person.family_name,
            "date_of_birth": "1961-04-02",
            "nhs_number": None,
            "known_to_your_team": False,
        }
    ]
    # A referral to this team makes them known here: their record, not the other team's case.
    status, demand = api.post(
        "/demands",
        {
            "person_id": their_case.person_id,
            "received_on": clock.today().isoformat(),
            "source": "GP",
            "channel": "phone",
            "stated_need": "Help",
        },
    )
    assert (status, demand["routed_by"]) == (201, "new_case")
    assert demand["case_id"] != their_case.id
    assert api.get(f"/people/{their_case.person_id}")[0] == 200
    assert_error(*api.get(f"/cases/{their_case.id}"), 403)


def test_a_practitioner_cannot_close_or_reassign_a_colleagues_case(api_as, team, case):
    colleague = api_as(make_user(team))
    assert_error(
        *colleague.post(
            f"/cases/{case.id}/close", {"agreed_with_person": True, "agreement_note": "x"}
        ),
        403,
    )
    assert_error(*colleague.post(f"/cases/{case.id}/owner", {"owner_id": 1, "reason": "x"}), 403)


def test_a_user_without_a_team_cannot_register_people_or_search(api_as, admin_user):
    admin = api_as(admin_user)
    assert_error(*admin.post("/people", {"given_name": "A", "family_name": "B"}), 403)
    assert_error(*admin.get("/people", query_string={"q": "Anne"}), 403)


@pytest.mark.parametrize("path", ["/people/999999", "/cases/0", "/cases/" + "9" * 30, "/nothing"])
def test_unknown_records_and_addresses_are_404(api, path):
    assert_error(*api.get(path), 404, "not_found")


def test_a_method_the_address_does_not_have_is_405_with_allow(client, api, case):
    response = client.delete(
        f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {api.token}"}
    )
    assert_error(response.status_code, response.get_json(), 405, "method_not_allowed")
    assert "PATCH" in response.headers["Allow"]
    response = client.patch(
        f"/api/v1/cases/{2**31}",
        json={"version": 1},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 404  # an impossible id is not found, whatever the method


def test_conflicts_with_the_current_state_are_409(api, case):
    assert_error(
        *api.patch(f"/cases/{case.id}", {"version": case.version + 5}), 409, "stale_version"
    )
    api.post(f"/cases/{case.id}/close", {"agreed_with_person": True, "agreement_note": "Agreed"})
    assert_error(
        *api.post(
            f"/cases/{case.id}/conversations",
            {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "x"},
        ),
        409,
        "already_closed",
    )
    assert_error(*api.post(f"/cases/{case.id}/actions", {"description": "x", "by": "team"}), 409)


def test_a_body_that_is_too_large_is_413(api, case):
    huge = b'{"notes": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    status, body = api.post(
        f"/cases/{case.id}/conversations", data=huge, content_type="application/json"
    )
    assert_error(status, body, 413)


def five_megabytes():
    """A JSON body streamed in 64 kB chunks, with no Content-Length: 5 MB in all."""
    yield b'{"notes": "'
    for _ in range(80):
        yield b"x" * 65_536
    yield b'"}'


def test_a_streamed_body_that_is_too_large_is_413_from_a_real_server(app, api, case):
    """Transfer-Encoding: chunked through Werkzeug's own server, which reads the chunks and
    stops at MAX_CONTENT_LENGTH (2 MB): too large, not malformed JSON."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request(
            "POST",
            f"/api/v1/cases/{case.id}/conversations",
            body=five_megabytes(),
            headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert_error(response.status, json.loads(response.read()), 413)
        connection.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_streamed_body_that_is_too_large_is_413(api, case):
    """The same through the test client, as a server that ends the stream (gunicorn, and
    Werkzeug's for chunked bodies) says it does: wsgi.input_terminated."""
    status, body = api.post(
        f"/cases/{case.id}/conversations",
        input_stream=io.BytesIO(b"".join(five_megabytes())),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(status, body, 413)


@pytest.mark.parametrize("value", [1.0, 2.5, True, "1", 1e3])
def test_an_id_is_a_json_integer_never_a_float_or_a_boolean(api, practitioner, value):
    assert make_person(practitioner).id == 1
    raw = json.dumps(
        {
            "person_id": value,  # 1.0 and true would be person 1, who is on record
            "received_on": clock.today().isoformat(),
            "source": "GP",
            "channel": "phone",
            "stated_need": "Help",
        }
    )
    status, body = api.post("/demands", data=raw, content_type="application/json")
    error = assert_error(status, body, 422)
    assert "whole number" in error["fields"]["person_id"]


def test_a_key_twice_is_malformed_json_naming_the_key(api, case):
    raw = b'{"kind": "visit", "held_on": "2026-01-01", "kind": "phone"}'
    status, body = api.post(
        f"/cases/{case.id}/conversations", data=raw, content_type="application/json"
    )
    error = assert_error(status, body, 400, "malformed_json")
    assert "The JSON has the key 'kind' twice" in error["message"]


@pytest.mark.parametrize("number", ["0", "-1", "abc", "1.0", "", "100001", "9" * 40])
def test_a_page_out_of_range_or_not_a_number_is_422_naming_it(api, case, number):
    status, body = api.get(f"/asks?page={number}")
    error = assert_error(status, body, 422)
    assert set(error["fields"]) == {"page"}


def test_a_page_in_range_is_that_page(api, case):
    assert api.get("/asks?page=2")[1]["page"] == 2
    assert api.get("/asks")[1]["page"] == 1


def test_the_description_says_what_page_takes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    (page,) = [p for p in spec["paths"]["/api/v1/asks"]["get"]["parameters"] if p["name"] == "page"]
    assert page["schema"]["type"] == "integer"
    assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, 100_000)
