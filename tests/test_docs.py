"""The documentation holds together: every relative link in README.md and docs/ leads to a
file that exists (and, with a #fragment, to a heading or anchor in it), every docs/ page is
reachable from the README, nothing points outside the repository, and the README stays short."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").rglob("*.md"))
DOCUMENTS = [README, *PAGES]
README_MAX_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(path: Path) -> str:
    """The file without its fenced code blocks (a shell example is not a link)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def links(path: Path) -> list[str]:
    return LINK.findall(prose(path))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = prose(path)
    found, seen = set(ANCHOR.findall(text)), {}
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def relative_links() -> list[tuple[Path, str]]:
    return [
        (doc, target) for doc in DOCUMENTS for target in links(doc) if not EXTERNAL.match(target)
    ]


def test_there_are_pages_and_links_to_check():
    assert len(PAGES) >= 8
    assert len(relative_links()) > 50


@pytest.mark.parametrize(
    "doc,target", relative_links(), ids=lambda v: v if isinstance(v, str) else v.name
)
def test_relative_link_resolves(doc, target):
    path, _, fragment = target.partition("#")
    destination = (doc.parent / path).resolve() if path else doc
    assert destination.exists(), f"{doc.relative_to(ROOT)} links to missing {target}"
    assert ROOT in destination.parents or destination == ROOT, f"{target} leaves the repository"
    if fragment and destination.suffix == ".md":
        where = f"{doc.relative_to(ROOT)}: no #{fragment} in {path or doc.name}"
        assert fragment in anchors(destination), where


def test_slug_follows_github():
    assert slug("Keeping the planner's statistics fresh") == "keeping-the-planners-statistics-fresh"
    assert slug("Demands (intake)") == "demands-intake"
    assert slug("On a phone, without JavaScript, and with a weak signal") == (
        "on-a-phone-without-javascript-and-with-a-weak-signal"
    )


def test_a_missing_target_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("See [there](nowhere.md) and [here](#top).\n\n```sh\n[x](code.md)\n```\n")
    assert links(page) == ["nowhere.md", "#top"]
    assert not (tmp_path / "nowhere.md").exists()
    assert "top" not in anchors(page)


def test_readme_fits_on_a_page():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in links(README)}
    top_level = [p for p in PAGES if p.parent == ROOT / "docs"]
    assert [p.name for p in top_level if p not in linked] == []
    assert (ROOT / "docs" / "adr") in linked


def test_nothing_points_outside_the_repository():
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/product" not in text, doc.name
