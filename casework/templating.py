"""The NHS.UK design system's component macros, remembered.

Every page renders its header, footer and form fields through nhsuk-frontend-jinja's
macros (`header(params)`, `input(params)`, ...): hundreds of macro calls, attribute
lookups and escapes a page, most of a page's time. Their markup depends on nothing but
their one `params` argument, and most calls repeat one made a moment ago (the same
header for the same person, the same empty field). So each component's macros are
wrapped: the markup is kept for the exact params (compared by value, with markup and
plain text kept apart), in a small bounded cache per process, and a call with anything
else (a `caller` block, keyword arguments, params holding objects) goes straight through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from jinja2 import Template, Undefined
from markupsafe import Markup

CACHE_SIZE = 2048  # rendered fragments per process: a few MB at most


class Uncacheable(Exception):
    """The params hold something not compared by value: call the macro itself."""


def _key(value):
    """A hashable value equal only for params that render the same markup."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, Undefined):  # renders as nothing, whatever name it was looked up by
        return ("undefined",)
    if value is None or isinstance(value, str | bool | int | float):
        return (type(value).__name__, value)
    if isinstance(value, Mapping):
        return ("dict", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_key(v) for v in value))
    raise Uncacheable


class _Fragments:
    """A bounded least-recently-used cache of rendered markup, safe across threads."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            markup = self.items.get(key)
            if markup is not None:
                self.items.move_to_end(key)
            return markup

    def put(self, key, markup) -> None:
        with self.lock:
            self.items[key] = markup
            if len(self.items) > self.size:
                self.items.popitem(last=False)


FRAGMENTS = _Fragments(CACHE_SIZE)


def remembered(name: str, macro):
    """`macro` (a one-argument design system macro), answering repeated params from the cache."""

    def call(*args, **kwargs):
        if kwargs or len(args) != 1:
            return macro(*args, **kwargs)
        try:
            key = (name, _key(args[0]))
        except Uncacheable:
            return macro(*args)
        markup = FRAGMENTS.get(key)
        if markup is None:
            markup = macro(*args)
            FRAGMENTS.put(key, markup)
        return markup

    return call


class _RememberedModule:
    """A component's macro module whose macros are `remembered`."""

    def __init__(self, name: str, module):
        self._module = module
        self._name = name
        self._calls: dict = {}

    def __getattr__(self, attribute: str):
        value = getattr(self._module, attribute)
        if not callable(value) or attribute.startswith("_"):
            return value
        if attribute not in self._calls:
            self._calls[attribute] = remembered(f"{self._name}:{attribute}", value)
        return self._calls[attribute]


def is_component(name: str | None) -> bool:
    return bool(name) and name.startswith("nhsuk/components/") and name.endswith("/macro.jinja")


class DesignSystemTemplate(Template):
    """Jinja's template class, except that importing a design system component's macros
    gives them `remembered`."""

    def _get_default_module(self, ctx=None):
        module = super()._get_default_module(ctx)
        if not is_component(self.name):
            return module
        remembered_module = getattr(self, "_remembered_module", None)
        if remembered_module is None or remembered_module._module is not module:
            remembered_module = _RememberedModule(self.name, module)
            self._remembered_module = remembered_module
        return remembered_module
