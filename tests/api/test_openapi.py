"""The OpenAPI description is true: schemathesis drives every operation from it, in-process,
with a real token, valid and invalid inputs alike, and fails on any 5xx, any status the
description does not list, or any response that does not match its documented schema."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Config, GenerationMode

from casework import clock
from casework.asks.service import ask_manager
from casework.barriers.service import create_barrier
from casework.cases.service import add_action, log_conversation
from casework.diary.service import plan_contact
from casework.extensions import db
from casework.notifications.service import tell
from casework.safety.service import add_member, raise_flag, record_consent
from casework.transfers.service import request_transfer
from tests.api.conftest import token_for
from tests.conftest import make_demand, make_person, make_team, make_user

# Per operation and mode: the whole spec runs in about a minute. Set API_FUZZ_EXAMPLES=500
# for a longer hunt before a release.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))

# A request the document allows may still break a rule that JSON Schema cannot say: these
# and only these. Each is the domain function's refusal (a code other than invalid_fields,
# the code of a request refused for its shape), on the field named.
DOMAIN_ONLY = {
    "date_of_birth": "today or earlier, and after 1900",
    "received_on": "today or earlier, and after 1990",
    "held_on": "today or earlier, and not long before the case opened",
    "closed_on": "today or earlier, and not before the case opened",
    "needed_by": "today or later",
    "from": "after 1990, and not after `to`",
    "to": "not before `from`",
    "nhs_number": "the modulus 11 check digit",
    "person_id": "a person on record",
    "owner_id": "an active member of the team, on record",
    "assignee_id": "an active member of the team, on record",
    "case_id": "a case on record",
    "pass_to_case_id": "an open case of this person in another team",
    "agreement_note": "required with agreement",
    "reason": "required for some moves of a barrier, to end a caution, and to mark a record "
    "entered in error",
    "note": "required for a late note, and when a case ends otherwise than by agreement",
    "agreed_with_person": "true when the outcome is agreed",
    "to_team": "a team on record, not the case's own",
    "to_owner_id": "an active member of the receiving team",
    "outcome": "required when an action is dropped",
    "team": "a team on record",
    "postcode": "a real postcode once written in capitals",
    "trial": "a running trial on record, with the recorder's team in it",
    "items[n].service": "a service of the team's cost catalogue",
    "review_on": "today or later, within two years",
    "recorded_on": "today or earlier",
    "expires_on": "not before recorded_on",
    "network_member_id": "a member of this case's person's circle",
    "network_member_ids": "members of this case's person's circle",
    "due_on": "a planned contact: today or later, within two years; an action's: from 30 "
    "days before its case opened to ten years ahead",
    "plan_id": "an open planned contact of this case",
    "notes": "notes or what matters: one of the two (the schema cannot say either-or)",
    "phone": "a worker's direct line: digits, spaces, brackets, hyphens, a leading +, 6 digits",
    "Idempotency-Key": "not already used by this user for another request in 24 hours",
}


def _only_decimal_points(body, error) -> bool:
    """JSON Schema counts 3.0 as an integer; the API (ADR 0021) refuses a whole number
    written with a decimal point, alone or in a list. The one shape rule the schema cannot
    say."""
    return isinstance(body, dict) and all(
        _holds_a_float(body.get(name)) and "without a decimal point" in words
        for name, words in error["fields"].items()
    )


def _holds_a_float(value) -> bool:
    """A float, or a list or object with one inside (a counterfactual's items)."""
    if isinstance(value, dict):
        return any(_holds_a_float(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_holds_a_float(inner) for inner in value)
    return isinstance(value, float)


@schemathesis.check
def refused_only_by_a_domain_rule(ctx, response, case):
    """Positive data: a 422 names only the rules above, never the request's shape."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 422:
        return None
    error = response.json()["error"]
    if error["code"] == "invalid_fields" and not _only_decimal_points(case.body, error):
        raise AssertionError(f"The schema allowed what the app refused: {error}")
    if error["code"] == "invalid_fields":
        return None
    named = {re.sub(r"\[[0-9]+\]", "[n]", field) for field in error["fields"]}
    unexplained = named - set(DOMAIN_ONLY)
    if unexplained:
        raise AssertionError(f"Refused for rules the schema should say: {error}")
    return None


def fresh_context(app):
    """Each request in its own app context (and database session), as in production."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


@pytest.fixture
def api_token(app, practitioner) -> str:
    return token_for(practitioner)


@pytest.fixture
def api_schema(app, team, practitioner, api_token):
    """The spec the app serves, loaded from the app itself, with a token and some records
    (ids 1, 2, …) so that generated ids sometimes find a real person, case or action."""
    colleague = make_user(team)
    for n in range(3):
        demand, _ = make_demand(
            make_person(practitioner, given_name=f"Person{n}"),
            practitioner,
            clock.today() - dt.timedelta(days=5),
        )
        log_conversation(
            db.session,
            demand.case,
            practitioner,
            held_on=clock.today(),
            kind="visit",
            what_matters="Staying at home",
        )
        add_action(db.session, demand.case, practitioner, description="Rail", by="team")
        add_action(db.session, demand.case, practitioner, description="Ask Jo", by="person")
        ask_manager(db.session, demand.case, practitioner, kind="resource", what="Taxi", why="-")
        tell([practitioner, colleague], "allocated", text="A case given", case=demand.case)
        create_barrier(db.session, team, practitioner, title=f"Barrier {n}", kind="form")
        person = demand.case.person
        raise_flag(
            db.session,
            practitioner,
            person,
            category="animal",
            text="A dog",
            review_on=clock.today() + dt.timedelta(days=30),
        )
        add_member(db.session, practitioner, person, {"name": "Jo", "relationship": "family"})
        plan_contact(db.session, demand.case, practitioner, due_on=clock.today(), kind="visit")
        record_consent(
            db.session,
            practitioner,
            person,
            decision="given",
            scope="GP",
            recorded_on=clock.today(),
        )
    # A transfer into the practitioner's team, which they may read (not answer) by id.
    south = make_team("South", "usual")
    south_worker = make_user(south)
    elsewhere, _ = make_demand(make_person(south_worker, given_name="Moving"), south_worker)
    request_transfer(db.session, elsewhere.case, south_worker, to_team=team, reason="Moved")
    db.session.commit()
    assert colleague.id
    config = Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {api_token}"},
            "checks": {
                # 409 (a closed case, a stale version) and 422 for a domain rule: see
                # refused_only_by_a_domain_rule, which narrows the 422s.
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
                }
            },
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fresh_context(app), config=config)


OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/people"),
    ("GET", "/api/v1/people"),
    ("GET", "/api/v1/people/{person_id}"),
    ("GET", "/api/v1/people/{person_id}/fhir"),
    ("GET", "/api/v1/people/{person_id}/involvement"),
    ("POST", "/api/v1/demands"),
    ("GET", "/api/v1/cases/{case_id}"),
    ("PATCH", "/api/v1/cases/{case_id}"),
    ("POST", "/api/v1/cases/{case_id}/conversations"),
    ("POST", "/api/v1/cases/{case_id}/actions"),
    ("PATCH", "/api/v1/actions/{action_id}"),
    ("POST", "/api/v1/conversations/{conversation_id}/entered-in-error"),
    ("POST", "/api/v1/actions/{action_id}/entered-in-error"),
    ("POST", "/api/v1/demands/{demand_id}/entered-in-error"),
    ("POST", "/api/v1/cases/{case_id}/notes"),
    ("POST", "/api/v1/cases/{case_id}/owner"),
    ("POST", "/api/v1/cases/{case_id}/close"),
    ("GET", "/api/v1/measures"),
    ("GET", "/api/v1/asks"),
    ("GET", "/api/v1/asks/{ask_id}"),
    ("POST", "/api/v1/cases/{case_id}/asks"),
    ("POST", "/api/v1/asks/{ask_id}/decision"),
    ("GET", "/api/v1/barriers"),
    ("POST", "/api/v1/barriers"),
    ("GET", "/api/v1/barriers/{barrier_id}"),
    ("POST", "/api/v1/barriers/{barrier_id}/cases"),
    ("POST", "/api/v1/barriers/{barrier_id}/status"),
    ("GET", "/api/v1/trials/{name}/results"),
    ("POST", "/api/v1/cases/{case_id}/counterfactual"),
    ("POST", "/api/v1/people/{person_id}/flags"),
    ("POST", "/api/v1/flags/{flag_id}/end"),
    ("POST", "/api/v1/people/{person_id}/network"),
    ("PATCH", "/api/v1/network/{member_id}"),
    ("POST", "/api/v1/people/{person_id}/consents"),
    ("POST", "/api/v1/cases/{case_id}/transfers"),
    ("GET", "/api/v1/transfers"),
    ("GET", "/api/v1/transfers/{transfer_id}"),
    ("POST", "/api/v1/transfers/{transfer_id}/accept"),
    ("POST", "/api/v1/transfers/{transfer_id}/decline"),
    ("POST", "/api/v1/cases/{case_id}/plans"),
    ("POST", "/api/v1/plans/{plan_id}/cancel"),
    ("GET", "/api/v1/diary"),
    ("GET", "/api/v1/users/me"),
    ("PATCH", "/api/v1/users/me"),
    ("GET", "/api/v1/users/{user_id}"),
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/{notification_id}/read"),
]
NO_INPUT = {("GET", "/healthz"), ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/users/me")}


def test_the_fuzzed_operations_are_every_operation_described(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    described = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    assert described == set(OPERATIONS)


# schemathesis' own pytest plugin does not run on pytest 9 yet ('_nodeid'), so each
# operation is driven through its public strategy API with Hypothesis directly.
@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [
        (method, path, mode)
        for method, path in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if mode == GenerationMode.POSITIVE or (method, path) not in NO_INPUT
    ],
)
def test_every_operation_behaves_as_described(api_schema, api_token, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def behaves(case):
        # Every check, positive data acceptance and negative data rejection included;
        # a 422 for valid-shaped data must be one of DOMAIN_ONLY's rules.
        # The token passed as the request's own header too: with a header parameter declared
        # (Idempotency-Key on every POST), schemathesis would otherwise take the configured
        # token for a generated one, and count its success as auth not enforced.
        case.call_and_validate(
            headers={"Authorization": f"Bearer {api_token}"},
            additional_checks=[refused_only_by_a_domain_rule],
        )

    behaves()


def test_the_description_lists_every_route_of_the_api(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = {
        (re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed <= described
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_request_schemas_come_from_the_models_that_validate(client):
    """The document shows exactly the fields the model accepts, and no others."""
    from casework.api.demands import DemandIn

    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/api/v1/demands"]["post"]["requestBody"]["content"]["application/json"]
    schema = spec["components"]["schemas"][body["schema"]["$ref"].rpartition("/")[2]]
    assert set(schema["properties"]) == set(DemandIn.model_fields)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "person_id",
        "received_on",
        "source",
        "channel",
        "stated_need",
    }
