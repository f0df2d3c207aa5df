"""A select of every colleague (dozens of teams) is written without the design system's slow
per-option macro, with the same markup: label, options, the chosen one, and its error."""

from __future__ import annotations

import re

from flask import render_template_string
from wtforms import Form, SelectField


class Choose(Form):
    owner = SelectField("Who", choices={n: f"Worker {n}" for n in range(45)}, coerce=int)


TEMPLATE = (
    '{% import "macros/forms.html" as forms %}{{ forms.selectField(form.owner, hint="Pick") }}'
)


def test_a_long_list_keeps_label_hint_options_selection_and_error(app):
    form = Choose(data={"owner": 44})
    form.owner.errors = ["Choose who will own the case"]
    with app.test_request_context():
        html = render_template_string(TEMPLATE, form=form)
    assert '<label class="nhsuk-label" for="owner">Who</label>' in html
    assert 'aria-describedby="owner-hint owner-error"' in html
    assert 'class="nhsuk-select nhsuk-select--error"' in html
    assert len(re.findall(r"<option ", html)) == 45
    assert '<option value="44" selected>Worker 44</option>' in html
    assert "Choose who will own the case" in html and "nhsuk-form-group--error" in html


def test_a_short_list_still_goes_through_the_design_system(app):
    class Short(Form):
        owner = SelectField("Who", choices={1: "One", 2: "Two"}, coerce=int)

    with app.test_request_context():
        html = render_template_string(TEMPLATE, form=Short())
    assert 'class="nhsuk-select"' in html and html.count("<option") == 2


def test_the_options_are_the_markup_a_template_loop_writes_with_every_label_escaped(app):
    class Risky(Form):
        who = SelectField(
            "Who",
            choices={n: f'Worker {n} <b>&"Co"</b>' for n in range(45)},
            coerce=int,
        )

    loop = (
        '{% for choice in form.who.iter_choices() %}<option value="{{ choice.value }}"'
        "{{ ' selected' if choice.selected }}>{{ choice.label }}</option>\n{% endfor %}"
    )
    form = Risky(data={"who": 7})
    with app.test_request_context():
        written = render_template_string("{{ form.who | select_options }}", form=form)
        looped = render_template_string(loop, form=form)
    assert written == looped.removesuffix("\n")
    assert (
        '<option value="7" selected>Worker 7 &lt;b&gt;&amp;&#34;Co&#34;&lt;/b&gt;</option>'
        in written
    )
    assert "<b>" not in written
