"""Every text anyone can send has a length limit, said in plain English: every text field of
every web form, every string of every API operation, and every request as a whole."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

import casework
from casework.forms import MaxLength
from tests.conftest import login, make_person

# Importing these starts a server's app (production checks included); they hold no forms.
ENTRY_POINTS = {"casework.wsgi", "casework.gunicorn_conf"}


def every_form_class() -> list[type[FlaskForm]]:
    found = []
    for module in pkgutil.walk_packages(casework.__path__, "casework."):
        if module.name in ENTRY_POINTS:
            continue
        loaded = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            base = cls.__module__ == "casework.forms"  # the class every form derives from
            if issubclass(cls, FlaskForm) and cls.__module__ == loaded.__name__ and not base:
                found.append(cls)
    return found


def text_fields(form_class) -> list[tuple[str, object]]:
    """(name, unbound field) of every field a person types text into. Hidden fields are
    not typed: each is parsed strictly where it is read (a version, an upload's token)."""
    return [
        (name, unbound)
        for name, unbound in inspect.getmembers(form_class)
        if hasattr(unbound, "field_class")
        and issubclass(unbound.field_class, StringField)
        and not issubclass(unbound.field_class, HiddenField)
    ]


def test_the_forms_are_found():
    names = {cls.__name__ for cls in every_form_class()}
    assert {"PersonForm", "ConversationForm", "LoginForm", "NewUserForm"} <= names


@pytest.mark.parametrize("form_class", every_form_class(), ids=lambda cls: cls.__name__)
def test_every_text_field_of_every_form_has_a_plain_english_limit(form_class):
    for name, unbound in text_fields(form_class):
        validators = unbound.kwargs.get("validators") or []
        assert any(isinstance(v, MaxLength) for v in validators), (
            f"{form_class.__name__}.{name} has no MaxLength"
        )


def _strings(schema: dict):
    """Every string schema in a field's schema (through anyOf and allOf)."""
    if schema.get("type") == "string":
        yield schema
    for part in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _strings(part)


def test_every_string_the_api_takes_has_a_limit(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            fields = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                fields.update(schemas[body["schema"]["$ref"].rpartition("/")[2]]["properties"])
            for name, schema in fields.items():
                for string in _strings(schema):
                    if "format" in string or "enum" in string:
                        continue  # a date or a choice: bounded by its format or choices
                    checked += 1
                    limited = string.get("maxLength") or any(
                        part.get("maxLength") for part in schema.get("allOf", [])
                    )
                    assert limited, f"{method} {path}: {name} has no maxLength"
    assert checked > 10


def test_too_long_text_is_refused_in_words_and_kept(client, practitioner):
    person = make_person(practitioner, given_name="Anne")
    login(client, practitioner)
    long_name = "Annabel" * 15  # 105 characters
    response = client.post(
        f"/people/{person.id}/edit",
        data={"version": person.version, "given_name": long_name, "family_name": "Example"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "First name must be 100 characters or fewer" in page
    assert long_name in page  # kept as typed, to shorten rather than type again


def test_a_form_too_large_to_read_is_refused_not_an_error(client, practitioner):
    person = make_person(practitioner)
    login(client, practitioner)
    response = client.post(
        f"/people/{person.id}/edit", data={"given_name": "A", "address": "x" * 3 * 1024 * 1024}
    )
    assert response.status_code == 413
    assert "That was too large to send" in response.get_data(as_text=True)
