"""The design system's macros, remembered (casework/templating.py): the same markup as the
macro itself gives, for exactly the same params, and never another call's markup."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from casework import templating


@pytest.fixture
def fragments(monkeypatch):
    cache = templating._Fragments(3)
    monkeypatch.setattr(templating, "FRAGMENTS", cache)
    return cache


def plain(app, name: str, macro: str):
    """The macro as nhsuk-frontend-jinja writes it, not remembered."""
    source = app.jinja_env.loader.get_source(app.jinja_env, name)[0]
    return getattr(app.jinja_env.from_string(source, template_class=_Plain).module, macro)


class _Plain(templating.Template):
    pass


def remembered(app, name: str, macro: str):
    template = app.jinja_env.get_template(name)
    assert isinstance(template, templating.DesignSystemTemplate)
    return getattr(template._get_default_module(), macro)


PARAMS = [
    {"text": "Save", "classes": "nhsuk-button--secondary"},
    {"text": "<b>Save</b>"},
    {"html": Markup("<b>Save</b>")},
    {"text": Markup("<b>Save</b>")},
    {"text": "Save", "attributes": {"data-x": "1", "aria-describedby": "hint"}},
]


@pytest.mark.parametrize("params", PARAMS)
def test_a_remembered_macro_gives_the_same_markup_as_the_macro(app, fragments, params):
    name = "nhsuk/components/button/macro.jinja"
    expected = plain(app, name, "button")(params)
    button = remembered(app, name, "button")
    assert button(params) == expected
    assert button(params) == expected  # from the cache, the second time


def test_markup_and_plain_text_are_never_taken_for_each_other(app, fragments):
    button = remembered(app, "nhsuk/components/button/macro.jinja", "button")
    escaped = button({"text": "<b>Save</b>"})
    raw = button({"text": Markup("<b>Save</b>")})
    assert "&lt;b&gt;Save" in escaped and "<b>Save</b>" in raw


def test_each_different_params_gets_its_own_markup(app, fragments):
    button = remembered(app, "nhsuk/components/button/macro.jinja", "button")
    for text in ("One", "Two", "One", "Three", "Two"):
        assert [t for t in ("One", "Two", "Three") if t in button({"text": text})] == [text]


def test_the_cache_keeps_only_the_most_recently_used(app, fragments):
    button = remembered(app, "nhsuk/components/button/macro.jinja", "button")
    for text in ("One", "Two", "Three", "Four"):
        button({"text": text})
    assert len(fragments.items) == 3
    kept = [dict(key[1][1])["text"][1] for key in fragments.items]
    assert kept == ["Two", "Three", "Four"]


def test_params_holding_objects_go_straight_to_the_macro(app, fragments):
    class Label:
        def __str__(self):
            return "Changed each time"

    button = remembered(app, "nhsuk/components/button/macro.jinja", "button")
    assert "Changed each time" in button({"text": Label()})
    assert not fragments.items


def test_a_page_is_the_same_whether_its_macros_are_remembered_or_not(client, app, monkeypatch):
    first = client.get("/login").get_data(as_text=True)
    again = client.get("/login").get_data(as_text=True)
    monkeypatch.setattr(templating, "remembered", lambda name, macro: macro)
    app.jinja_env.cache.clear()
    fresh = client.get("/login").get_data(as_text=True)

    def without_token(page):
        return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", page)

    assert without_token(first) == without_token(again) == without_token(fresh)
