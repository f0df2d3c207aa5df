"""The demo's data files, read from the package: the locality, its themes and its scenes.

locality.toml   the two teams, their staff, the logins printed, the seed
themes/*.toml   the background people's stories, one file per theme
scenes/*.toml   what happened to whom, played in the order of their file names
"""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.abc import Traversable


def _folder() -> Traversable:
    return resources.files(__package__)


def _read(file: Traversable) -> dict:
    with file.open("rb") as f:
        return tomllib.load(f)


def locality() -> dict:
    return _read(_folder() / "locality.toml")


def themes() -> dict[str, dict]:
    """Every theme, by the name of its file (falls.toml: "falls")."""
    files = (f for f in (_folder() / "themes").iterdir() if f.name.endswith(".toml"))
    return {f.name.removesuffix(".toml"): _read(f) for f in files}


def scenes() -> list[tuple[str, list[dict]]]:
    """Every scene's name and steps, in the order of the file names."""
    files = sorted(
        (f for f in (_folder() / "scenes").iterdir() if f.name.endswith(".toml")),
        key=lambda f: f.name,
    )
    return [(f.name, _read(f).get("step", [])) for f in files]


def pronouns(sex: str, given: str) -> dict[str, str]:
    """The names a theme's text may use: {g} the first name; {he}, {him}, {his}, {He}, {His}."""
    he, him, his = ("she", "her", "her") if sex == "F" else ("he", "him", "his")
    return dict(g=given, he=he, him=him, his=his, He=he.title(), His=his.title())
