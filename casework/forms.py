"""Form pieces shared by every feature: the base form class every form derives from (CSRF and
the one-time token), the text rule every text field carries, the NHS three-part date field
and choice helpers."""

from __future__ import annotations

import datetime as dt
import re

import flask_wtf
from markupsafe import Markup, escape
from wtforms import Field, IntegerField
from wtforms.utils import unset_value
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from . import clock, once
from .exceptions import DomainError
from .text import CONTROL_CHARACTER_MESSAGE, has_control_character


class FlaskForm(flask_wtf.FlaskForm):
    """Every form of the project (`from casework.forms import FlaskForm`, never Flask-WTF's):
    Flask-WTF's form, whose `{{ form.csrf_token }}` also draws, next to the CSRF token, the
    form's one-time token (casework/once.py), so that a form sent twice saves once. Nothing
    to add to a new form or its template; saving through web.save_form spends the token."""

    class Meta:
        def render_field(self, field, render_kw):
            drawn = super().render_field(field, render_kw)
            if field.type == "CSRFTokenField":
                return drawn + once.hidden_input()
            return drawn


class DateInputField(Field):
    """A date typed as day, month and year (the NHS date input), kept as typed on error."""

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, required_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.parts = {"day": "", "month": "", "year": ""}

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        if data is unset_value or data is None:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        if isinstance(data, dt.date):
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is None:
            return
        keys = [f"{self.name}[{p}]" for p in self.PARTS]
        if not any(k in formdata for k in keys):
            return
        self.parts = {
            part: (formdata.get(key) or "").strip()[:8]
            for part, key in zip(self.PARTS, keys, strict=True)
        }
        # Validators such as Optional() look at raw_data to decide the field was left blank.
        self.raw_data = [value for value in self.parts.values() if value]
        self.data = None
        if not any(self.parts.values()):
            return
        missing = [p for p in self.PARTS if not self.parts[p]]
        if missing:
            self.process_errors.append(f"{self.label.text} must include a {' and '.join(missing)}")
            return
        try:
            day, month, year = (int(self.parts[p]) for p in self.PARTS)
            if year < 1000:
                raise ValueError
            self.data = dt.date(year, month, day)
        except ValueError:
            self.process_errors.append(f"{self.label.text} must be a real date")

    def pre_validate(self, form):
        if self.data is None and not self.process_errors and self.required_message:
            raise ValidationError(self.required_message)


class WholeNumberField(IntegerField):
    """A number field whose refusal of "lots" or "1.5" is in plain words, not WTForms' "Not a
    valid integer value"."""

    def __init__(self, label=None, validators=None, *, message="Enter a whole number", **kw):
        super().__init__(label, validators, **kw)
        self.not_a_number = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_a_number) from None


class MaxLength(Length):
    """Every text field's rule (tests/test_input_limits.py checks each carries it): its limit,
    said in plain English ("Notes must be 20,000 characters or fewer") and given to the
    browser as maxlength, and no control character (casework/text.py), NUL included, so
    that what the API refuses no form lets in. `name` overrides the field's label."""

    def __init__(self, limit: int, name: str | None = None):
        super().__init__(max=limit)
        self.name = name

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_control_character(field.data):
            raise ValidationError(CONTROL_CHARACTER_MESSAGE)
        if len(field.data or "") > self.max:
            name = self.name or re.sub(r"\s*\(optional\)$", "", field.label.text)
            raise ValidationError(f"{name} must be {self.max:,} characters or fewer")


class Chosen(InputRequired):
    """A select whose first option ("Choose a worker", value 0) is a prompt, not a choice:
    leaving it is refused with the message, like leaving the field out."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if not field.data:
            field.errors[:] = []
            raise StopValidation(self.message)


def select_options(field) -> Markup:
    """A select's options, one a line, the chosen one `selected`: the markup the template loop
    wrote, built here because a list of every colleague is hundreds of options, and the loop
    spent a few milliseconds of each case page on them."""
    options = (
        f'<option value="{escape(choice.value)}"{" selected" if choice.selected else ""}>'
        f"{escape(choice.label)}</option>"
        for choice in field.iter_choices()
    )
    return Markup("\n".join(options))  # noqa: S704 - each value and label escaped above


def form_version(form) -> int | None:
    """The version the person was looking at when they started typing, if the form says."""
    return parse_version(form.version.data)


def parse_version(value) -> int | None:
    """A version sent back by a page: a small whole number, or None (anything else)."""
    raw = str(value if value is not None else "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return None


def show_stale(form, error, record) -> int:
    """Keep what the person typed, say someone else saved first, and let them save over it."""
    form.form_errors.append(error.message)
    form.version.data = str(record.version)
    return 409


def not_in_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(f"{field.label.text} must be today or in the past")


def apply_domain_errors(form, refusal: DomainError | dict[str, str]) -> None:
    """Show a domain rule's refusal on the fields it names, or on the form as a whole when
    it names none (a closed case, say): a refusal is never shown without its reason."""
    fields = refusal if isinstance(refusal, dict) else (refusal.fields or {"": refusal.message})
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)
