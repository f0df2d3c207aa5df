"""Walking pages with the keyboard alone: Tab, Shift+Tab, Enter, Space and the arrow keys.

Every stop is checked for a visible focus indicator in the computed style (the NHS.UK
yellow: an outline, box shadow or background, on the element, a child, or a radio's or
checkbox's drawn box), so a page whose focus style is lost or hidden fails here."""

from playwright.sync_api import Locator, Page

# What the browser says about the focused element. NHS.UK draws focus in #ffeb3b.
FOCUS = """(target) => {
  const YELLOW = 'rgb(255, 235, 59)';
  const shows = (s) =>
    (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && s.outlineColor === YELLOW) ||
    s.boxShadow.includes(YELLOW) || s.backgroundColor === YELLOW;
  const drawn = (el) => [null, '::before', '::after'].some((p) => shows(getComputedStyle(el, p)));
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const parts = [el, ...el.querySelectorAll('*'), ...(el.labels || [])];
  const drawnBy = el.labels && el.labels[0] && getComputedStyle(el).opacity === '0';
  const box = (drawnBy ? el.labels[0] : el).getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    indicated: parts.some(drawn),
    seen: box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true}),
    in_main: !!el.closest('main'),
    top: Math.round(box.top + window.scrollY),
    left: Math.round(box.left + window.scrollX),
    target: el === target,
  };
}"""

POSITIVE_TABINDEX = "[...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0)"


def focused(page: Page, target=None) -> dict | None:
    return page.evaluate(FOCUS, target)


def assert_visible_focus(stop: dict | None) -> None:
    assert stop is not None, "focus was lost to the page itself"
    assert stop["seen"], f"the focused element cannot be seen: {stop}"
    assert stop["indicated"], f"no visible focus indicator on {stop}"


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 60) -> list[dict]:
    """Press Tab (or Shift+Tab) until the target has focus; every stop on the way must show
    its focus. Returns the stops, the target last."""
    element = target.element_handle(timeout=3000)
    if (stop := focused(page, element)) and stop["target"]:
        return [stop]
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stop = focused(page, element)
        if stop is None:  # past the last stop, to the browser's own controls, and round
            continue
        assert_visible_focus(stop)
        stops.append(stop)
        if stop["target"]:
            return stops
    raise AssertionError(f"{limit} presses of Tab never reached {target}: {stops[-5:]}")


def activate(page: Page, target: Locator, key: str = "Enter", limit: int = 60) -> list[dict]:
    """Tab to a link, button or summary and press Enter (or Space)."""
    stops = tab_to(page, target, limit=limit)
    page.keyboard.press(key)
    return stops


def follow(page: Page, target: Locator, *, back: bool = False, limit: int = 60) -> list[dict]:
    """Tab to a link or button that loads a page, press Enter, and wait for the page."""
    stops = tab_to(page, target, back=back, limit=limit)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return stops


def type_into(page: Page, target: Locator, text: str) -> list[dict]:
    stops = tab_to(page, target)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)  # as typed, in one go: keys one by one are slow
    return stops


def choose_radio(page: Page, name: str, label: str) -> list[dict]:
    """Tab into a radio group (to its checked radio, or the first), then press the arrow keys
    (which select as they move) until the wanted option is chosen."""
    radios = page.locator(f"input[type=radio][name='{name}']")
    checked = page.locator(f"input[type=radio][name='{name}']:checked")
    stops = tab_to(page, checked if checked.count() else radios.first)
    wanted = page.locator("fieldset", has=radios.first).get_by_label(label, exact=True)
    for _ in range(radios.count()):
        if wanted.is_checked():
            return stops
        page.keyboard.press("ArrowDown")
        assert_visible_focus(focused(page))
    assert wanted.is_checked(), f"the arrow keys never reached {label}"
    return stops


def in_visual_order(stops: list[dict]) -> bool:
    """Each stop is below the one before, or on the same line and to its right."""
    pairs = zip(stops, stops[1:], strict=False)
    return all(
        b["top"] > a["top"] + 2 or (abs(b["top"] - a["top"]) <= 2 and b["left"] > a["left"])
        for a, b in pairs
    )


def check_skip_link(page: Page, *, javascript: bool) -> None:
    """The first Tab on a fresh page is the skip link; Enter takes focus into <main>. (After
    the skip link, a form posts to its page's address with #maincontent, and the browser
    keeps that fragment through the redirect: there the first Tab is already in <main>.)"""
    if page.evaluate("location.hash") == "#maincontent":
        page.keyboard.press("Tab")
        assert_visible_focus(stop := focused(page))
        assert stop["in_main"], f"at #maincontent, Tab went to {stop}"
        return
    start = focused(page)
    if start is not None:  # the NHS.UK script focused a success banner or error summary
        assert_visible_focus(start)
        assert start["in_main"], f"focus started on {start}"
        tab_to(page, page.locator(".nhsuk-skip-link"), back=True)
    else:
        page.keyboard.press("Tab")
    stop = focused(page)
    assert_visible_focus(stop)
    assert stop["text"] == "Skip to main content", stop
    assert page.evaluate(POSITIVE_TABINDEX) == [], "a positive tabindex breaks the order"
    page.keyboard.press("Enter")
    if javascript:  # the NHS.UK script focuses <main> itself
        assert page.evaluate("document.activeElement.id") == "maincontent"
    else:  # the browser moves its starting point there: the next Tab is inside <main>
        assert page.evaluate("location.hash") == "#maincontent"
    page.keyboard.press("Tab")
    stop = focused(page)
    assert_visible_focus(stop)
    assert stop["in_main"], f"after the skip link, Tab went to {stop}"
