"""The OpenAPI 3.1 description, built from the declared operations (request schemas come
from the very specs that validate requests) and the response shapes below."""

from __future__ import annotations

from ..models import (
    ACTION_BY,
    ACTION_STATUSES,
    CHANNELS,
    COHORTS,
    CONVERSATION_KINDS,
    DEMAND_KINDS,
    REFERRAL_MATCHES,
    ROUTES,
)
from .operations import OPERATIONS

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Malformed JSON: the body is not JSON, not a JSON object, or has a key twice",
    401: "No token, or a wrong, revoked or deactivated user's token",
    403: "Your role or team does not allow this",
    404: "No such record (or no such address)",
    409: "Conflicts with the record's current state (stale version, duplicate, closed case)",
    413: "The request body is too large",
    415: "The body is not sent as JSON: the header must be `Content-Type: application/json`",
    422: "Valid JSON whose values are missing or not valid: `fields` names each one",
}


def _nullable(schema: dict) -> dict:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
N_STRING, N_INTEGER, N_DATE, N_MOMENT = (_nullable(s) for s in (STRING, INTEGER, DATE, MOMENT))


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    if description:
        schema["description"] = description
    return schema


def _enum(values, nullable: bool = False) -> dict:
    if nullable:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return {"type": "string", "enum": list(values)}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


PERSON = {
    "id": INTEGER,
    "given_name": STRING,
    "family_name": STRING,
    "date_of_birth": N_DATE,
    "nhs_number": N_STRING,
    "phone": N_STRING,
    "address": N_STRING,
    "postcode": N_STRING,
    "preferred_contact": N_STRING,
    "merged_into_id": N_INTEGER,
    "version": INTEGER,
    "created_at": MOMENT,
    "updated_at": MOMENT,
}

COUNT = {"type": "integer", "minimum": 0}
RATE = {"type": ["number", "null"], "minimum": 0}
RATES = {"rate", "ratio", "mean", "median", "p90"}  # may be null: no data
MEASURE_PARTS = {
    "repeat_demand": ("repeat", "total", "rate", "while_open", "after_closure", "no_case"),
    "demands_per_person": ("demands", "people", "ratio"),
    "referral_mismatch": ("no", "partly", "yes", "recorded", "rate"),
    "failure_demand": ("failure", "value", "unclassified", "rate"),
    "handoffs": ("closed", "zero_handoffs", "rate", "mean"),
    "same_worker": ("recontacts", "same_worker", "rate", "owner_left"),
    "closed_by_agreement": ("closed", "agreed", "rate"),
    "end_to_end_days": ("closed", "median", "p90"),
    "returned_within_90_days": ("eligible", "returned", "rate"),
    "actions": ("person", "team", "done", "dropped", "open"),
}

SCHEMAS = {
    "Error": _object(
        {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "A machine word"},
                    "message": {"type": "string", "description": "A sentence for a person"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "What is wrong with each named field",
                    },
                    "existing_id": {
                        "type": "integer",
                        "description": "duplicate_nhs_number: the person already on record",
                    },
                    "merged_into_id": {
                        "type": "integer",
                        "description": "merged_record: the record this one was merged into",
                    },
                    "current": {
                        "type": "object",
                        "description": "stale_version: the record as it is now",
                    },
                },
                "required": ["code", "message", "fields"],
            }
        }
    ),
    "Person": _object(PERSON),
    "PersonCreated": _object(
        {**PERSON, "possible_duplicates": {"type": "array", "items": INTEGER}}
    ),
    "PersonDetail": _object(
        {
            **PERSON,
            "cases": _list("CaseSummary"),
            "demands": _list("Demand"),
            "flags": _list("Flag"),
            "network": _list("NetworkMember"),
            "consents": _list("Consent"),
        },
        "The person with the cases and demands your team may see, oldest first; their "
        "active cautions, their circle and their decisions about sharing (latest first)",
    ),
    "Identity": _object(
        {
            "id": INTEGER,
            "given_name": STRING,
            "family_name": STRING,
            "date_of_birth": N_DATE,
            "nhs_number": N_STRING,
            "known_to_your_team": {"type": "boolean"},
        }
    ),
    "SearchResults": _object({"results": _list("Identity")}),
    "Measures": _object(
        {
            "from": DATE,
            "to": DATE,
            "cohort": _enum(("pilot", "usual", "all")),
            "team": N_STRING,
            **{
                figure: _object({part: RATE if part in RATES else COUNT for part in parts})
                for figure, parts in MEASURE_PARTS.items()
            },
        },
        "Every figure of measures.md; a rate is a fraction (0..1), null when its denominator is 0",
    ),
    "Demand": _object(
        {
            "id": INTEGER,
            "person_id": INTEGER,
            "team": STRING,
            "case_id": N_INTEGER,
            "received_on": DATE,
            "source": STRING,
            "channel": _enum(CHANNELS),
            "stated_need": STRING,
            "kind": _enum(DEMAND_KINDS, nullable=True),
            "routed_by": _enum(ROUTES, nullable=True),
            "imported": {"type": "boolean"},
            "is_repeat": {"type": "boolean"},
            "case_owner_id": N_INTEGER,
            "recorded_at": MOMENT,
        }
    ),
    "CaseSummary": _object(
        {
            "id": INTEGER,
            "status": _enum(("open", "closed")),
            "owner_id": N_INTEGER,
            "team": STRING,
            "opened_on": DATE,
            "closed_on": N_DATE,
        }
    ),
    "Conversation": _object(
        {
            "id": INTEGER,
            "case_id": INTEGER,
            "held_on": DATE,
            "kind": _enum(CONVERSATION_KINDS),
            "with_whom": N_STRING,
            "minutes": N_INTEGER,
            "what_matters": N_STRING,
            "notes": N_STRING,
            "recorded_by_id": N_INTEGER,
            "recorded_at": MOMENT,
        }
    ),
    "Action": _object(
        {
            "id": INTEGER,
            "case_id": INTEGER,
            "description": STRING,
            "by": _enum(ACTION_BY),
            "assignee_id": N_INTEGER,
            "network_member_id": N_INTEGER,
            "due_on": N_DATE,
            "status": _enum(ACTION_STATUSES),
            "outcome": N_STRING,
            "version": INTEGER,
            "created_at": MOMENT,
            "updated_at": MOMENT,
        }
    ),
    "OwnershipChange": _object(
        {
            "from_id": N_INTEGER,
            "to_id": N_INTEGER,
            "at": MOMENT,
            "reason": STRING,
            "by_id": N_INTEGER,
        }
    ),
    "Closure": _object(
        {
            "agreed_with_person": {"type": "boolean"},
            "agreement_note": N_STRING,
            "summary": N_STRING,
            "closed_on": DATE,
            "closed_by_id": N_INTEGER,
        }
    ),
    "Case": _object(
        {
            "id": INTEGER,
            "person_id": INTEGER,
            "team": STRING,
            "cohort": _enum(COHORTS),
            "status": _enum(("open", "closed")),
            "owner_id": N_INTEGER,
            "opened_on": DATE,
            "closed_on": N_DATE,
            "what_matters": {**N_STRING, "description": "The current statement, their words"},
            "what_matters_history": {
                "type": "array",
                "items": _object(
                    {"statement": STRING, "said_on": DATE, "conversation_id": INTEGER}
                ),
                "description": "Every statement, the latest first",
            },
            "referral_match": _enum(REFERRAL_MATCHES, nullable=True),
            "real_problem": N_STRING,
            "demands": _list("Demand"),
            "conversations": _list("Conversation"),
            "actions": _list("Action"),
            "ownership_history": _list("OwnershipChange"),
            "closure": {"oneOf": [{"type": "null"}, _ref("Closure")]},
            "version": INTEGER,
        }
    ),
    "FhirBundle": {
        "type": "object",
        "description": "A FHIR R4 Bundle of type collection (validated in the test suite "
        "with the fhir.resources R4B models)",
        "properties": {
            "resourceType": {"const": "Bundle"},
            "type": {"const": "collection"},
            "entry": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "fullUrl": STRING,
                        "resource": {
                            "type": "object",
                            "properties": {"resourceType": STRING},
                            "required": ["resourceType"],
                        },
                    },
                    "required": ["fullUrl", "resource"],
                },
            },
        },
        "required": ["resourceType", "type", "entry"],
    },
    "Health": _object({"status": _enum(("ok", "unavailable"))}),
}


def _responses(op) -> dict:
    status, schema = op.response
    media = "application/fhir+json" if schema == "FhirBundle" else "application/json"
    responses = {
        str(status): {
            "description": STATUS_TEXT[status],
            "content": {media: {"schema": _ref(schema)}},
        }
    }
    errors = set(op.errors) | ({401} if not op.public else set())
    if op.body is not None:
        errors |= {400, 413, 415, 422}
    for code in sorted(errors):
        responses[str(code)] = {
            "description": STATUS_TEXT[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return responses


def _operation(op) -> dict:
    entry = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": _responses(op),
    }
    if op.description:
        entry["description"] = op.description
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
        for name in _path_names(op.path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": spec.required, "schema": spec.schema()}
        for name, spec in op.query.items()
    ]
    if parameters:
        entry["parameters"] = parameters
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body.schema()}},
        }
    if op.public:
        entry["security"] = []
    return entry


def _path_names(path: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)}", path)


HEALTHZ = {
    "get": {
        "operationId": "healthz",
        "summary": "Can the app reach its database? For load balancers and monitoring",
        "tags": ["Health"],
        "security": [],
        "responses": {
            "200": {
                "description": "The database answers",
                "content": {"application/json": {"schema": _ref("Health")}},
            },
            "503": {
                "description": "The database does not answer",
                "content": {"application/json": {"schema": _ref("Health")}},
            },
        },
    }
}


OPENAPI = {
    "get": {
        "operationId": "openapi",
        "summary": "This description (OpenAPI 3.1), public",
        "tags": ["Health"],
        "security": [],
        "responses": {
            "200": {
                "description": "The OpenAPI document",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }
}


def describe() -> dict:
    """The whole OpenAPI document."""
    from ..asks.api import SCHEMAS as ASK_SCHEMAS
    from ..barriers.openapi import schemas as barrier_schemas
    from ..safety.api import SCHEMAS as SAFETY_SCHEMAS

    paths: dict = {"/healthz": HEALTHZ, "/api/v1/openapi.json": OPENAPI}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Casework API",
            "version": "1",
            "description": "Person-centred case management: people, demands and cases. "
            "JSON in and out; dates YYYY-MM-DD; timestamps ISO 8601 in UTC. Errors: "
            '{"error": {"code", "message", "fields"}}. Get a token with '
            "'casework users token EMAIL' or from your account page.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": t}
            for t in ("People", "Demands", "Cases", "Asks", "Barriers", "Safety", "Health")
        ],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **ASK_SCHEMAS, **barrier_schemas(), **SAFETY_SCHEMAS},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token: 'casework users token EMAIL' prints one",
                }
            },
        },
    }
