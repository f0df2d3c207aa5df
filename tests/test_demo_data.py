"""The demo's data files (casework/demo/*.toml): installed with the package, and a mistake in
one is named by file and step rather than failing somewhere in the domain."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from casework.demo import DemoError, data
from casework.demo.scenes import STEPS, Scene

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "casework" / "demo"
STAFF_FIELDS = ("by", "to", "owner", "assignee", "who", "answered_by", "pass_to", "to_owner")


def test_every_data_file_is_installed_with_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["casework.demo"]
    installed = {path for pattern in patterns for path in DEMO.glob(pattern)}
    data_files = {
        path
        for path in DEMO.rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
    }
    assert data_files, "the demo has data files"
    assert data_files <= installed, sorted(str(p) for p in data_files - installed)


def test_every_step_names_staff_teams_themes_and_steps_that_exist():
    locality, themes = data.locality(), data.themes()
    problems = []
    for name, steps in data.scenes():
        for number, step in enumerate(steps, 1):
            where = f"{name} step {number}"
            if step.get("do") not in STEPS:
                problems.append(f"{where}: no step {step.get('do')!r}")
            problems += [
                f"{where}: no staff {step[field]!r}"
                for field in STAFF_FIELDS
                if field in step and step[field] not in locality["staff"]
            ]
            if "theme" in step and step["theme"] not in themes:
                problems.append(f"{where}: no theme {step['theme']!r}")
            if "team" in step and step["team"] not in locality["teams"]:
                problems.append(f"{where}: no team {step['team']!r}")
    assert problems == []


def test_the_scenes_play_in_the_order_of_their_file_names():
    names = [name for name, _ in data.scenes()]
    assert names == sorted(names)
    assert names[0] == "01-irene-thomas.toml"
    assert len(names) == len(list((DEMO / "scenes").glob("*.toml")))


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"do": "dance"}, "scene.toml, step 1: there is no step called 'dance'"),
        ({"do": "settle", "action": "kettle"}, "scene.toml, step 1 (settle): 'kettle'"),
    ],
)
def test_a_mistake_in_a_scene_is_named_by_file_and_step(step, message):
    with pytest.raises(DemoError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Scene(locality=None, name="scene.toml", themes={}).play([step])
