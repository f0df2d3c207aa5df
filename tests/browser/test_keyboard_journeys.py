"""The journeys of the brief, walked with the keyboard alone, with JavaScript on and off.

No mouse and no Playwright clicks or fills: Tab, Shift+Tab, Enter, Space, arrow keys and
typing. Every focus stop must show the NHS.UK focus style; the skip link is the first stop;
forms are tabbed in the order they are laid out; a failed submit puts focus on the error
summary (with JavaScript) whose links take focus to the field in error. With JavaScript
off the same steps must work: JavaScript here is progressive enhancement only."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from casework.extensions import db
from casework.models import Case
from tests.browser.keyboard import (
    activate,
    check_skip_link,
    choose_radio,
    focused,
    in_visual_order,
    tab_to,
    type_into,
)
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser
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


def keyboard_log_out(page: Page) -> None:
    activate(page, page.get_by_role("button", name="Log out"))
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


def submit(page: Page, name: str) -> None:
    activate(page, page.get_by_role("button", name=name, exact=True))


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
    else:  # the summary is the first thing in <main>; its link goes to the field
        check_skip_link(page, javascript=False)
        expect(link).to_be_focused()
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == f"#{field_id}"
        expect(page.locator(f"#{field_id}")).to_be_in_viewport()


@JS
def test_a_practitioner_walks_the_journey_by_keyboard(open_page, live_server, team, javascript):
    worker = make_user(team, "practitioner", name="Eleisha Ward", email="eleisha@example.org")
    colleague = make_user(team, "practitioner", name="Sam Okafor", email="sam@example.org")
    page = open_page(javascript)
    keyboard_log_in(page, live_server, worker, javascript=javascript)

    # 1. Find or add a person; a mistake is shown in the error summary and nothing is lost.
    expect(page.locator("h1")).to_have_text("My caseload")
    check_skip_link(page, javascript=javascript)
    activate(page, page.get_by_role("link", name="Find or add a person").first)
    type_into(page, page.locator("#q"), "Irene Thomas")
    page.keyboard.press("Enter")
    expect(page.get_by_text("0 people found")).to_be_visible()
    activate(page, page.get_by_role("link", name="Add a new person"))
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
    activate(page, page.get_by_role("link", name="Log a visit or call").first)
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
    submit(page, "Save conversation")
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
    activate(page, page.get_by_role("link", name="Change the owner"))
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
    activate(page, page.get_by_role("link", name="Irene Thomas"))
    activate(page, page.get_by_role("link", name="Close this case by agreement"))
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
    activate(page, page.get_by_role("link", name="Irene Thomas's story"))
    activate(page, page.get_by_role("link", name="Record a demand"))
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
