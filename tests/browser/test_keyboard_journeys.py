"""The journeys of the brief, walked with the keyboard alone, with JavaScript on and off.

No mouse and no Playwright clicks or fills: Tab, Shift+Tab, Enter, Space, arrow keys and
typing. Every focus stop must show the NHS.UK focus style; the skip link is the first stop;
forms are tabbed in the order they are laid out; a failed submit puts focus on the error
summary (with JavaScript) whose links take focus to the field in error. With JavaScript
off the same steps must work: JavaScript here is progressive enhancement only."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.demo import load_demo
from casework.extensions import db
from casework.models import Case
from tests.browser.keyboard import (
    activate,
    check_skip_link,
    choose_radio,
    focused,
    follow,
    in_visual_order,
    tab_to,
    type_into,
)
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser
SAMPLE = Path(__file__).resolve().parents[1] / "imports" / "data" / "legacy_demands_sample.csv"
NHS_CSS = (
    Path(__file__).resolve().parents[2]
    / "node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css"
)
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@pytest.fixture
def open_page(browser: Browser):
    contexts = []

    def opener(javascript: bool, **options) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(java_script_enabled=javascript, **options)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


def keyboard_log_in(page: Page, base: str, user, *, javascript: bool) -> None:
    page.goto(base + "/login")
    check_skip_link(page, javascript=javascript)
    type_into(page, page.locator("#email"), user.email)
    type_into(page, page.locator("#password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).not_to_have_text("Log in to Casework")
    settled(page)


def settled(page: Page) -> None:
    """The page has loaded (its stylesheets, fonts and the design system's script too):
    before that a Tab can find no focusable page yet, and the script may still move header
    links under "More". (No wait_for_function: it needs JavaScript, which half the walks
    turn off.)"""
    page.wait_for_load_state("load")


def keyboard_log_out(page: Page) -> None:
    follow(page, page.get_by_role("button", name="Log out"))
    expect(page.locator("h1")).to_have_text("Log in to Casework")


def fill_form(page: Page, steps: list) -> list[dict]:
    """Walk a form's fields in order; returns the focus stops, for the order check."""
    stops = []
    for kind, selector, value in steps:
        if kind == "type":
            stops += type_into(page, page.locator(selector), value)[-1:]
        elif kind == "radio":
            stops += choose_radio(page, selector, value)[-1:]
        elif kind == "check":
            stops += tab_to(page, page.locator(selector))[-1:]
            page.keyboard.press("Space")
        stops[-1] = focused(page)
    return stops


def type_date(selector: str, when: dt.date) -> list:
    return [
        ("type", f"{selector}-day", str(when.day)),
        ("type", f"{selector}-month", str(when.month)),
        ("type", f"{selector}-year", str(when.year)),
    ]


def submit(page: Page, name: str, *, navigates: bool = True) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    if navigates:
        follow(page, button)
    else:
        activate(page, button)


def check_error_summary(page: Page, field_id: str, *, javascript: bool) -> None:
    """After a failed submit: the summary has focus and its link takes focus to the field."""
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    link = summary.locator(f"a[href='#{field_id}']")
    assert link.count() == 1, summary.inner_html()
    if javascript:
        expect(summary).to_be_focused()
        activate(page, link)
        expect(page.locator(f"#{field_id}")).to_be_focused()
    else:  # the summary is the first thing in <main>; its first link goes to its field
        check_skip_link(page, javascript=False)
        first = summary.locator("a").first  # every error is listed: this one may come first
        expect(first).to_be_focused()
        href = first.get_attribute("href")
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == href
        expect(page.locator(href)).to_be_in_viewport()


@JS
def test_a_practitioner_walks_the_journey_by_keyboard(open_page, live_server, team, javascript):
    worker = make_user(team, "practitioner", name="Eleisha Ward", email="eleisha@example.org")
    colleague = make_user(team, "practitioner", name="Sam Okafor", email="sam@example.org")
    page = open_page(javascript)
    keyboard_log_in(page, live_server, worker, javascript=javascript)

    # 1. Find or add a person; a mistake is shown in the error summary and nothing is lost.
    expect(page.locator("h1")).to_have_text("My caseload")
    check_skip_link(page, javascript=javascript)
    follow(page, page.get_by_role("link", name="Find or add a person").first)
    type_into(page, page.locator("#q"), "Irene Thomas")
    page.keyboard.press("Enter")
    expect(page.get_by_text("0 people found")).to_be_visible()
    follow(page, page.get_by_role("link", name="Add a new person"))
    expect(page.locator("#given_name")).to_have_value("Irene")
    check_skip_link(page, javascript=javascript)
    stops = fill_form(
        page,
        [*type_date("#date_of_birth", dt.date(1961, 4, 2)), ("type", "#nhs_number", "943 476 59")],
    )
    submit(page, "Add person")
    check_error_summary(page, "nhs_number", javascript=javascript)
    expect(page.locator("#family_name")).to_have_value("Thomas")
    expect(page.locator("#date_of_birth-year")).to_have_value("1961")
    type_into(page, page.locator("#nhs_number"), "943 476 5919")  # it was 943 476 59
    submit(page, "Add person")
    assert in_visual_order(stops), stops

    # 2. Record a demand: the form says where it will go before saving.
    expect(page.get_by_role("heading", name="Record a demand")).to_be_visible()
    expect(page.locator("#routing")).to_contain_text("This opens a new case owned by you.")
    check_skip_link(page, javascript=javascript)
    stops = fill_form(
        page,
        [
            ("type", "#source", "GP"),
            ("radio", "channel", "Letter"),
            ("type", "#stated_need", "Hot, painful wrists - help at home"),
            ("radio", "kind", "Value demand: a need we should meet"),
        ],
    )
    assert in_visual_order(stops), stops
    submit(page, "Save demand")
    expect(page.get_by_text("Demand recorded.")).to_be_visible()

    # 3. What matters, in her words, on a visit.
    follow(page, page.get_by_role("link", name="Record a conversation").first)
    stops = fill_form(
        page,
        [
            ("type", "#with_whom", "Irene"),
            ("type", "#minutes", "50"),
            ("type", "#notes", "Visited at home. Wrists swollen; struggling with buttons."),
            ("type", "#what_matters", "I want to dress myself and cook my tea."),
        ],
    )
    assert in_visual_order(stops), stops
    submit(page, "Save conversation", navigates=not javascript)  # with it, sent by fetch
    expect(page.locator(".cw-what-matters")).to_contain_text("dress myself and cook my tea")

    # Agree actions: the details opens from the keyboard.
    for description, by in [
        ("Practise with the button hook", "The person, their family or neighbours"),
        ("Arrange kitchen adaptations", "The team"),
    ]:
        activate(page, page.locator(".nhsuk-details__summary", has_text="Agree a new action"))
        fill_form(page, [("type", "#action-description", description), ("radio", "action-by", by)])
        submit(page, "Agree action")
        expect(page.get_by_text("Action agreed.")).to_be_visible()
    expect(page.locator("section[aria-labelledby=actions]")).to_contain_text("button hook")

    # 4. A deliberate change of owner, with a reason.
    follow(page, page.get_by_role("link", name="Change the owner"))
    expect(page.locator("h1")).to_contain_text("Change the owner")
    check_skip_link(page, javascript=javascript)
    submit(page, "Change owner")
    check_error_summary(page, "reason", javascript=javascript)
    type_into(page, page.locator("#reason"), "Sam knows the family; I am moving to nights")
    tab_to(page, page.locator("#owner_id"), back=True)
    page.keyboard.press("ArrowDown")  # a closed select takes the arrow keys
    expect(page.locator("#owner_id")).to_have_value(str(colleague.id))
    submit(page, "Change owner")
    expect(page.get_by_text("Sam Okafor now owns this case.")).to_be_visible()
    keyboard_log_out(page)

    # 5. The new owner closes by mutual agreement, refused first without it.
    keyboard_log_in(page, live_server, colleague, javascript=javascript)
    follow(page, page.get_by_role("link", name="Irene Thomas"))
    follow(page, page.get_by_role("link", name="Close this case"))
    fill_form(
        page,
        [
            ("type", "#agreement_note", "Agreed with Irene at home"),
            ("type", "#summary", "Irene dresses and cooks for herself again"),
        ],
    )
    submit(page, "Close the case")
    check_error_summary(page, "agreed_with_person", javascript=javascript)
    expect(page.locator("#summary")).to_have_value("Irene dresses and cooks for herself again")
    page.keyboard.press("Space")
    expect(page.locator("#agreed_with_person")).to_be_checked()
    submit(page, "Close the case")
    expect(page.get_by_text("Case closed by agreement with Irene.")).to_be_visible()

    # 6. Irene comes back: the new work goes straight to the worker who knows her.
    follow(page, page.get_by_role("link", name="Irene Thomas's story"))
    follow(page, page.get_by_role("link", name="Record a demand"))
    expect(page.locator("#routing")).to_contain_text("This goes back to Sam Okafor")
    fill_form(
        page,
        [
            ("type", "#source", "Irene herself"),
            ("radio", "channel", "Phone"),
            ("type", "#stated_need", "Wrists worse in the cold"),
        ],
    )
    submit(page, "Save demand")
    expect(page.get_by_text("Demand recorded.")).to_be_visible()

    cases = db.session.scalars(db.select(Case).order_by(Case.id)).all()
    assert [c.status for c in cases] == ["closed", "open"]
    assert [c.owner_id for c in cases] == [colleague.id, colleague.id]
    assert cases[1].demands[0].routed_by == "same_worker"


@pytest.fixture
def demo_logins(app) -> dict[str, tuple[str, str]]:
    """The busy demo locality: (email, password) for each role's first login."""
    logins = load_demo(db.session)
    db.session.commit()
    found = {}
    for role, email, password in logins:
        found.setdefault(role, (email, password))
    return found


def keyboard_log_in_as(page: Page, base: str, login: tuple[str, str], *, javascript: bool):
    email, password = login
    page.goto(base + "/login")
    check_skip_link(page, javascript=javascript)
    type_into(page, page.locator("#email"), email)
    type_into(page, page.locator("#password"), password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).not_to_have_text("Log in to Casework")
    settled(page)


def header_link(page: Page, name: str) -> None:
    """Back up from <main> to a link in the header and follow it. The design system's script
    moves the links that do not fit the width under a "More" button: open it first."""
    settled(page)
    header = page.locator("header")
    link = header.get_by_role("link", name=name, exact=True)
    under_more = not link.is_visible()
    if under_more:
        tab_to(page, header.get_by_role("button", name="More"), back=True)
        page.keyboard.press("Enter")
    follow(page, link, back=not under_more)  # the opened menu follows its button


@JS
def test_a_manager_reads_the_measures_by_keyboard(open_page, live_server, demo_logins, javascript):
    page = open_page(javascript)
    keyboard_log_in_as(page, live_server, demo_logins["Team manager"], javascript=javascript)
    check_skip_link(page, javascript=javascript)

    # Measures with XmR charts: each chart is a named image, with its numbers one key away.
    header_link(page, "Measures")
    expect(page.locator("h1")).to_contain_text("Measures")
    chart = page.locator("figure.cw-chart").first
    expect(chart.get_by_role("img")).to_have_accessible_name(re.compile(r"\w+ \w+"))
    expect(chart.locator("figcaption")).not_to_be_empty()
    numbers = chart.locator("table")
    expect(numbers).to_be_hidden()
    activate(page, page.get_by_role("link", name="Go to the charts over time"))
    expect(page.locator("#charts")).to_be_focused()  # not two hundred Tabs past the figures
    activate(page, chart.locator("summary", has_text="Show the numbers"))
    expect(numbers).to_be_visible()
    assert numbers.locator("tbody tr").count() >= 2
    expect(numbers.locator("caption")).not_to_be_empty()

    # Drill into the people behind a figure, and on to one of them.
    follow(page, page.locator("table.cw-measures a").last, back=True)  # Shift+Tab, one away
    expect(page.locator("h1")).to_be_visible()
    person = page.locator("main table a[href^='/people/']").first
    name = person.inner_text()
    follow(page, person)
    expect(page.locator("h1")).to_contain_text(name)

    # The repeat demand review, from the measures page.
    header_link(page, "Measures")
    follow(page, page.get_by_role("link", name="Repeat demand review", exact=False))
    expect(page.locator("h1")).to_contain_text("Repeat demand review")
    expect(page.locator("main h2 a").first).to_be_visible()

    # The team page: allocate a waiting case; a missing reason is caught first.
    header_link(page, "Team")
    expect(page.locator("h1")).to_contain_text("team")
    check_skip_link(page, javascript=javascript)
    waiting = page.locator("#awaiting ~ div input[type=checkbox]").first
    tab_to(page, waiting)
    page.keyboard.press("Space")
    expect(waiting).to_be_checked()
    tab_to(page, page.locator("#owner_id"))
    page.keyboard.press("ArrowDown")
    submit(page, "Allocate")
    check_error_summary(page, "reason", javascript=javascript)
    type_into(page, page.locator("#reason"), "Sam knows the family")
    submit(page, "Allocate")
    expect(page.locator(".nhsuk-notification-banner--success")).to_be_visible()


@JS
def test_an_administrator_manages_users_imports_and_reads_the_audit_trail_by_keyboard(
    open_page, live_server, team, javascript
):
    admin = make_user(team, "admin", name="Ada Admin", email="ada@example.org")
    page = open_page(javascript)
    keyboard_log_in(page, live_server, admin, javascript=javascript)

    # Users and teams: add a team, then a user in it; a missing name is caught first.
    header_link(page, "Users and teams")
    follow(page, page.get_by_role("button", name="Add a team"))
    fill_form(page, [("type", "#name", "Riverside"), ("radio", "cohort", "Usual practice")])
    submit(page, "Add team")
    expect(page.get_by_text("The Riverside team has been added.")).to_be_visible()
    follow(page, page.get_by_role("button", name="Add a user"))
    check_skip_link(page, javascript=javascript)
    stops = fill_form(
        page,
        [
            ("type", "#email", "jo@example.org"),
            ("radio", "role", "Practitioner"),
        ],
    )
    tab_to(page, page.locator("#team_id"))
    page.keyboard.type("Riverside")  # a closed select picks the option typed
    expect(page.locator("#team_id option:checked")).to_have_text("Riverside")
    stops += [focused(page)]
    submit(page, "Add user")
    check_error_summary(page, "name", javascript=javascript)
    type_into(page, page.locator("#name"), "Jo Bloggs")
    submit(page, "Add user")
    expect(page.get_by_text("Jo Bloggs has been added.")).to_be_visible()
    assert in_visual_order(stops), stops

    # An import: the file chosen from the keyboard, previewed, then confirmed.
    header_link(page, "Import and duplicates")
    # Listening before the key is pressed: Playwright intercepts the system's file chooser
    # only once a listener is in place, and a race with it loses the event.
    page.on("filechooser", lambda chooser: None)
    tab_to(page, page.locator("#file"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")  # opens the file chooser
    chooser.value.set_files(SAMPLE)
    assert page.locator("#file").evaluate("input => input.files[0].name") == SAMPLE.name
    tab_to(page, page.locator("#team_id"))
    page.keyboard.type("North")
    submit(page, "Preview the import")
    expect(page.locator("h1")).to_contain_text("Check the import before you confirm it")
    submit(page, "Import 161 referrals")
    expect(page.get_by_text("Imported 161 referrals")).to_be_visible()

    # The audit trail, filtered to what Ada did.
    header_link(page, "Users and teams")
    follow(page, page.get_by_role("link", name="Audit trail", exact=False))
    expect(page.locator("h1")).to_have_text("Audit trail")
    activate(page, page.locator("summary", has_text="Filter the audit trail"))
    tab_to(page, page.locator("#user"))
    page.keyboard.type("Ada")
    submit(page, "Show events")
    expect(page.locator("main table")).to_contain_text("Ada Admin")


def test_the_focus_check_sees_a_missing_focus_style(page: Page):
    """The control: without it, "every stop shows focus" could mean the check is blind."""
    page.set_content(
        '<a href="#a">Styled</a> <a href="#b" class="bare">Bare</a>'
        '<div class="nhsuk-checkboxes"><div class="nhsuk-checkboxes__item">'
        '<input class="nhsuk-checkboxes__input" id="c" type="checkbox"><input type="hidden">'
        '<label class="nhsuk-label nhsuk-checkboxes__label" for="c">Split</label></div></div>'
    )
    page.add_style_tag(path=str(NHS_CSS))
    page.add_style_tag(content=".bare:focus { background: none; box-shadow: none; }")
    page.keyboard.press("Tab")
    assert focused(page)["indicated"] is True
    page.keyboard.press("Tab")
    assert focused(page)["indicated"] is False
    page.keyboard.press("Tab")  # the box is drawn by `input:focus + label`, not reached here
    assert focused(page)["indicated"] is False
