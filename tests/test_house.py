"""The shape of the house: no import circle in casework/, and (with known exceptions that
are being shrunk) no module over 600 lines and no function over 80.

The import graph is read with ast, not by importing. Every import counts, those inside
functions too: an import put off into a function still ties the two modules together
(the circle formatting -> forms -> once -> models -> rules -> formatting was closed by
one), and a house without circles needs none. `if TYPE_CHECKING:` imports
never run and are left out too. `from . import x` counts as an import of the submodule x
when x is one, else of the package; an import of a.b.c counts as one of a.b.c only (its
parent packages are loaded first but do not import it back).

One edge is left out: a module importing a name from its own package (or an ancestor),
as each feature's routes.py does with `from . import bp`. Python runs a package's
__init__ before any of its submodules, so the name is there (the Flask blueprint pattern:
bp is defined, then `from . import routes`); it cannot close a circle through other
modules, because the package's __init__ is the only module on the way back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import casework

ROOT = Path(casework.__file__).parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Known offenders, being shrunk by other work on issue 20: the lead empties these sets
# after merging. Nothing may join them.
LONG_MODULES: set[str] = set()
LONG_FUNCTIONS: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def every_import(tree: ast.Module):
    """Every import statement of the module, those inside functions too, but not those
    under `if TYPE_CHECKING:` (which never run)."""
    never_run = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in never_run:
            yield node


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in every_import(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
            continue
        base = package
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            if submodule in known:
                found.add(submodule)
            elif target in known and not name.startswith(f"{target}."):
                found.add(target)  # not a name from its own package: see the docstring
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_imports():
    graph = import_graph()
    assert "casework.rules" in graph["casework.demands.routing"]
    assert "casework.api.base" in graph["casework.api.people"]


def test_no_import_circle_in_casework():
    assert circles(import_graph()) == []


def test_no_module_over_600_lines_but_the_known_ones():
    long = {
        name
        for name, path in modules().items()
        if len(path.read_text().splitlines()) > MAX_MODULE_LINES
    }
    assert long <= LONG_MODULES, sorted(long - LONG_MODULES)


def test_no_function_over_80_lines_but_the_known_ones():
    long = set()
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if function and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.add(f"{name}.{node.name}")
    assert long <= LONG_FUNCTIONS, sorted(long - LONG_FUNCTIONS)


# Issue 20: each message, label, title and fragment declared once. Only repeats that are
# truly different things sharing words may stand here, each with its reason.
# A repeat allowed only with the reason the two are different things (none now).
REPEATS_ALLOWED: dict[str, str] = {}


def repeated_strings() -> dict[str, list[str]]:
    """Each string constant of 25 characters or more with a space (docstrings aside) that
    stands more than once in casework/, with where."""
    seen: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text())
        bodies = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, bodies) and node.body and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and len(text) >= 25 and " " in text and id(node) not in docs:
                seen.setdefault(text, []).append(f"{module_name(path)}:{node.lineno}")
    return {text: where for text, where in seen.items() if len(where) > 1}


def test_no_string_stands_twice_in_casework():
    repeated = repeated_strings()
    twice = {text: where for text, where in repeated.items() if text not in REPEATS_ALLOWED}
    assert twice == {}, "declare each once (rules.py, or its package's own module)"
    assert set(REPEATS_ALLOWED) <= set(repeated), "an allowed repeat is gone: take it off"
