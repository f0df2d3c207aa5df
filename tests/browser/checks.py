"""What every page must pass in a real browser: axe-core at WCAG 2.2 AA, no sideways scroll
on a 360px phone, a title that says where you are, UK dates, charts with text alternatives."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVICE = "Casework"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {resultTypes: ['violations'], runOnly: tags});
  return result.violations.map(v => ({id: v.id, help: v.help, url: v.helpUrl,
    targets: v.nodes.map(n => n.target.join(' '))}));
}"""


# The page settled: its fonts loaded and two frames drawn, so the header's script has
# finished moving the menu items that do not fit into "More".
SETTLED = """async () => {
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations, one line each: rule, help, URL and the elements.

    Checked on the settled page; violations found are checked once more half a second
    later, and only those still there count: twice in CI the header's menu items failed
    colour contrast while being moved, never on a page at rest. A real failure stays."""
    page.wait_for_load_state()
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # not a <script> tag: the CSP refuses inline scripts
    page.evaluate(SETTLED)
    found = _axe(page)
    if found:
        page.wait_for_timeout(500)
        page.evaluate(SETTLED)
        found = [line for line in _axe(page) if line in found]
    return found


def _axe(page: Page) -> list[str]:
    return [
        f"{v['id']}: {v['help']} <{v['url']}> at {v['targets']}"
        for v in page.evaluate(RUN_AXE, WCAG_TAGS)
    ]


# Elements wider than the window, outside any box that clips them (visually hidden text is
# clipped to 1px; a table inside a scrolling wrapper would count, as that is sideways scroll).
STICKING_OUT = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    if (style.clip !== 'auto' || style.clipPath !== 'none') continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const s = getComputedStyle(up);
      if (s.clip !== 'auto' || s.clipPath !== 'none' || s.display === 'none') {
        clipped = true;
        break;
      }
    }
    if (clipped) continue;
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
    const name = [el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), ...classes].join('.');
    out.push(name + ' right edge at ' + Math.round(box.right) + 'px');
  }
  return out;
}"""


FITS = "document.documentElement.scrollWidth <= window.innerWidth"
# Boxes in the page that scroll sideways themselves, and what inside them is too wide.
SCROLLING_BOXES = """() => [...document.querySelectorAll('main *')]
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
                && el.scrollWidth > el.clientWidth + 1)
  .map(el => {
    const edge = el.getBoundingClientRect().right;
    const wide = [...el.querySelectorAll('*')]
      .filter(c => c.getBoundingClientRect().right > edge + 1).slice(-2)
      .map(c => c.tagName.toLowerCase() + ' "' + c.textContent.trim().slice(0, 30) + '"');
    return el.tagName.toLowerCase() + '.' + el.className + ' scrolls sideways: ' + wide.join(', ');
  })"""


def sideways_scroll(page: Page) -> list[str]:
    """Why the page scrolls sideways at its current width: empty when it does not."""
    problems = []
    for _ in range(10):  # the NHS header script moves links under "More" as the window narrows
        if page.evaluate(FITS):
            break
        page.wait_for_timeout(100)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"the page is {scroll}px wide in a {inner}px window")
    problems += page.evaluate(STICKING_OUT)[:10]
    problems += page.evaluate(SCROLLING_BOXES)
    return problems


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def machine_dates(text: str) -> list[str]:
    """Dates written for machines (2026-12-02, 02/12/2026) in text meant for people."""
    return ISO_DATE.findall(text) + NUMERIC_DATE.findall(text)


def visible_text(page: Page) -> str:
    """What a sighted reader sees (innerText leaves out hidden elements and input values)."""
    return page.evaluate("document.body.innerText")


def heading(page: Page) -> str:
    """The h1 without its caption (the caption says whose record, or which period)."""
    return page.evaluate(
        """() => { const h = document.querySelector('h1'); if (!h) return '';
          const copy = h.cloneNode(true);
          copy.querySelectorAll('.nhsuk-caption-l, .nhsuk-caption-m').forEach(c => c.remove());
          return copy.textContent.replace(/\\s+/g, ' ').trim(); }"""
    )


STOPWORDS = {"the", "and", "for", "this", "with", "your", "into", "from", "that", "have"}


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 2} - STOPWORDS


def chart_problems(page: Page) -> list[str]:
    """Each chart needs a text alternative (an accessible name and description) and a data
    table beside it."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.cw-chart__svg')].flatMap((svg, i) => {
          const problems = [];
          const named = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby')
                        || svg.querySelector('title');
          if (svg.getAttribute('role') !== 'img' || !named)
            problems.push('chart ' + (i + 1) + ' has no text alternative');
          const figure = svg.closest('figure, section, .cw-chart');
          if (!figure || !figure.querySelector('table'))
            problems.push('chart ' + (i + 1) + ' has no data table');
          return problems; })"""
    )
