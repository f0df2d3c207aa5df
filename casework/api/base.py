"""How an API operation is declared: `@spec.validate(...)` (spectree, ADR 0026) with the
request and response models in the view's signature, from which the same declaration
both checks each request and writes the OpenAPI document at /api/v1/openapi.json.

Kept here: the body is read as strict JSON (ADR 0021: UTF-8, no duplicate keys, no NaN,
413/415/400), a refusal keeps the contract's error shape, and an id in a path is any run
of digits, described as an integer a database can hold.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from pydantic import Field as Described
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData, Server
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from .. import policy, rules
from ..exceptions import DomainError, InvalidValue
from .fields import PATH_ID, PATH_NAME

bp = Blueprint("api", __name__, url_prefix="/api/v1")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")  # in a query string: longer is no id or page

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Malformed: the body is not JSON, not a JSON object, or has a key twice; or the "
    "address holds a control character",
    401: "No token, or a wrong, revoked or deactivated user's token",
    403: "Your role or team does not allow this",
    404: "No such record (or no such address)",
    409: "Conflicts with the record's current state (stale version, duplicate, closed case)",
    413: "The request body is too large",
    415: "The body is not sent as JSON: the header must be `Content-Type: application/json`",
    422: "Valid JSON whose values are missing or not valid: `fields` names each one",
    503: "The database does not answer",
}


class AnyIdConverter(BaseConverter):
    """`<id:…>`: any run of digits. Ids no database could hold reach the policy loaders,
    which answer 404; a converter that refused them would let Werkzeug answer 405 when
    another method's rule shares the path."""

    regex = r"[0-9]{1,40}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


bp.record_once(lambda state: state.app.url_map.converters.setdefault("id", AnyIdConverter))


class MalformedBody(DomainError):
    """The body is not JSON, or not a JSON object: 400."""

    status = 400
    code = "malformed_json"


class UnsupportedMediaType(DomainError):
    """A body sent as something other than JSON in UTF-8: 415."""

    status = 415
    code = "unsupported_media_type"


class InvalidBody(DomainError):
    """Valid JSON whose values do not fit the operation's fields: 422."""

    code = "invalid_fields"


class ErrorDetail(BaseModel):
    code: Annotated[str, Described(description="A machine word")]
    message: Annotated[str, Described(description="A sentence for a person")]
    fields: Annotated[dict[str, str], Described(description="What is wrong with each field")]
    existing_id: Annotated[
        int | None, Described(description="duplicate_nhs_number: the person already on record")
    ] = None
    merged_into_id: Annotated[
        int | None, Described(description="merged_record: the record this one was merged into")
    ] = None
    current: Annotated[
        dict | None, Described(description="stale_version: the record as it is now")
    ] = None


class Error(BaseModel):
    """The contract's error shape: {"error": {"code", "message", "fields", ...}}."""

    error: ErrorDetail


class _DuplicateKey(ValueError):
    """An object with the same key twice: which one was meant cannot be known."""


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"The JSON has the key '{key[:100]}' twice: send it once")
        found[key] = value
    return found


def read_json() -> dict:
    """The request body parsed as a strict JSON object (UTF-8), or MalformedBody; a body that
    does not say it is JSON (Content-Type: application/json) is not read at all."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            "Send the body as JSON in UTF-8, with the header 'Content-Type: application/json'"
        )
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A streamed (chunked) body has no length to refuse up front: Werkzeug stops reading
        # it at the limit, which would leave cut-off JSON (a misleading 400). Too large.
        raise RequestEntityTooLarge()
    try:
        data = json.loads(
            raw.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_refuse_duplicates,
        )
    except _DuplicateKey as error:
        raise MalformedBody(str(error)) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedBody(
            "The request body is not valid JSON: send a JSON object encoded as UTF-8"
        ) from None
    if not isinstance(data, dict):
        raise MalformedBody('The request body must be a JSON object, like {"name": "value"}')
    return data


def _query_values(model) -> dict:
    """The query string's declared values: a whole number in digits becomes an integer where
    an integer is declared; anything else stays text, for the model to refuse."""
    values = {}
    for name, field in model.model_fields.items():
        name = field.alias or name  # noqa: PLW2901 - `from` is a Python word
        if name in request.args:
            raw = request.args.getlist(name)
            value = raw[0] if len(raw) == 1 else raw
            if field.annotation in (int, int | None) and isinstance(value, str):
                value = int(value) if _WHOLE_NUMBER.fullmatch(value) else value
            values[name] = value
    return values


_WORDS = {
    "missing": "Required",
    "extra_forbidden": "Unknown field: check its spelling against /api/v1/openapi.json",
    "string_type": "Must be a string",
    "int_type": "Must be a whole number, written without a decimal point",
    "bool_type": "Must be true or false",
}


def _fields(error: ValidationError) -> dict[str, str]:
    """What is wrong with each field, in the contract's words."""
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0])[:100] if problem["loc"] else "body"
        if problem["type"] == "value_error":
            words = str(problem["ctx"]["error"])
        elif problem["input"] is None and problem["type"] != "missing":
            words = "Must not be null"
        else:
            words = _WORDS.get(problem["type"], problem["msg"])
        fields.setdefault(name, words)
    return fields


class CaseworkFlask(FlaskPlugin):
    """Spectree's Flask plugin, reading bodies strictly and ids as database integers."""

    def request_validation(self, request, query, json, form, headers, cookies):
        request.context = Context(
            query.model_validate(_query_values(query)) if query else None,
            json.model_validate(read_json()) if json else None,
            None,
            None,
            None,
        )

    def parse_path(self, route, path_parameter_descriptions):
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        for parameter in parameters:
            if parameter["schema"] is None:  # our `id` converter
                parameter["schema"] = dict(PATH_ID)
            elif parameter["schema"] == {"type": "string"}:  # string(maxlength=…): a name
                parameter["schema"] = dict(PATH_NAME)
            parameter.pop("description", None)
        return path, parameters

    def get_func_operation_id(self, func, path, method):
        return func.__name__


def refuse_invalid(req, resp, req_validation_error, instance, model_adapter) -> None:
    """A request whose values do not fit: the contract's 422, naming each field."""
    if req_validation_error is not None:
        raise InvalidBody(
            "Some fields are missing or not valid: see fields", _fields(req_validation_error)
        )


class FhirResponse(Response):
    """A successful answer sent as FHIR JSON (application/fhir+json)."""

    def generate_spec(self, naming_strategy=None):
        spec = (
            super().generate_spec(naming_strategy) if naming_strategy else super().generate_spec()
        )
        for status, answer in spec.items():
            if status.startswith("2") and "application/json" in answer.get("content", {}):
                answer["content"] = {"application/fhir+json": answer["content"]["application/json"]}
        return spec


def answers(
    status: int,
    model,
    *errors: int,
    body: bool = False,
    public: bool = False,
    kind: type[Response] = Response,
) -> Response:
    """The answers an operation gives: `model` with `status`, and the contract's error body
    with each error status (401 unless public; 400, 413, 415 and 422 when it reads a body)."""
    codes = set(errors) | ({400, 413, 415, 422} if body else set()) | (set() if public else {401})
    described = {f"HTTP_{status}": (model, STATUS_TEXT[status])}
    described.update({f"HTTP_{code}": (Error, STATUS_TEXT[code]) for code in sorted(codes)})
    return kind(**described)


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same request again safely: the same key and body from the same "
    "user within 24 hours returns the first answer again and changes nothing; the same key "
    "with another request → 422; while the first is still being worked on → 409. "
    "1 to 200 visible ASCII characters, for example a UUID (ADR 0036).",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": rules.IDEMPOTENCY_KEY,
        "pattern": rules.IDEMPOTENCY_KEY_PATTERN,
    },
}
_ANSWERS_TO_A_KEY = {
    "409": "A request with the same Idempotency-Key is still being processed",
    "422": "Valid JSON whose values are missing or not valid, or an Idempotency-Key already "
    "used for another request",
}


class CaseworkSpecTree(SpecTree):
    """Spectree, with what the API layer does for every POST said on each: the optional
    Idempotency-Key header (casework/api/idempotency.py) and the answers it may give."""

    def _generate_spec(self):
        document = super()._generate_spec()
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in document["paths"].values():
            if "post" not in operations:
                continue
            operations["post"]["parameters"].append(dict(IDEMPOTENCY_KEY))
            for status, words in _ANSWERS_TO_A_KEY.items():
                operations["post"]["responses"].setdefault(
                    status, {"description": words, "content": error}
                )
        return document


spec = CaseworkSpecTree(
    backend=CaseworkFlask,
    mode="strict",  # only the operations declared with spec.validate
    page_templates={},  # the document only: no pages loading scripts from elsewhere
    title="Casework API",
    version="1",
    description="Person-centred case management: people, demands and cases. JSON in and "
    "out; dates YYYY-MM-DD; timestamps ISO 8601 in UTC. Errors: "
    '{"error": {"code", "message", "fields"}}. Get a token with '
    "'casework users token EMAIL' or from your account page.",
    servers=[Server(url="/")],
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type="http",
                scheme="bearer",
                description="An API token: 'casework users token EMAIL' prints one",
            ),
        )
    ],
    security={"bearer": []},
    before=refuse_invalid,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)


def referenced(model, ident: int | None, name: str, what: str):
    """The record a body refers to by id, or 422 naming the field: never silently nobody."""
    if ident is None:
        return None
    record = policy.fetch(model, ident)
    if record is None:
        raise InvalidValue("Check the ids in the request", {name: f"There is no {what} {ident}"})
    return record


def page_answer(shape, page, each):
    """A page of a list as the API answers it: its records (each as `each` shows one), the
    page's number, whether another follows and how many there are in all."""
    return shape(
        results=[each(item) for item in page.items],
        page=page.number,
        has_next=page.has_next,
        total=page.total,
    )


def require_team() -> None:
    if not policy.can_record_demands(current_user):
        abort(403, "Only members of a team can do this: your account belongs to no team.")


@bp.route("/openapi.json")
@spec.validate(resp=Response("HTTP_200"), tags=["Health"], security={})
def openapi():
    """This description (OpenAPI 3.1), public"""
    return jsonify(spec.spec)
