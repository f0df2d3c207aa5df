"""A practitioner's journey of the brief, steps 1 to 5, in a real browser."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from casework.extensions import db
from casework.models import Case
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fill_date(page: Page, field: str, when: dt.date) -> None:
    page.fill(f"#{field}-day", str(when.day))
    page.fill(f"#{field}-month", str(when.month))
    page.fill(f"#{field}-year", str(when.year))


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 360, "height": 740}],
    ids=["desktop", "phone"],
)
def test_practitioner_walks_the_journey(page: Page, live_server, team, viewport):
    page.set_viewport_size(viewport)
    suffix = "phone" if viewport["width"] < 500 else "desktop"
    worker = make_user(team, "practitioner", name="Eleisha Ward", email="eleisha@example.org")

    page.goto(live_server + "/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")
    page.fill("#email", worker.email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    shot(page, f"caseload-empty-{suffix}")

    # 1. Find or add a person.
    page.get_by_role("link", name="Find or add a person").first.click()
    page.fill("#q", "Irene Thomas")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 people found")).to_be_visible()
    page.get_by_role("link", name="Add a new person").click()
    expect(page.locator("#given_name")).to_have_value("Irene")
    page.fill("#nhs_number", "943 476 5918")
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not a valid NHS number")
    expect(page.locator("#family_name")).to_have_value("Thomas")
    page.fill("#nhs_number", "943 476 5919")
    fill_date(page, "date_of_birth", dt.date(1961, 4, 2))
    page.get_by_role("button", name="Add person").click()

    # 2. Record a demand: the form says where it will go before saving.
    expect(page.get_by_role("heading", name="Record a demand")).to_be_visible()
    expect(page.locator("#routing")).to_contain_text("This opens a new case owned by you.")
    page.fill("#source", "GP")
    page.get_by_label("Letter").check()
    page.fill("#stated_need", "Hot, painful wrists - help at home")
    page.get_by_label("Value demand: a need we should meet").check()
    shot(page, f"demand-{suffix}")
    page.get_by_role("button", name="Save demand").click()
    expect(page.get_by_text("Demand recorded.")).to_be_visible()

    # 3. Work the case: record a conversation (a home visit) with what matters, in her words.
    page.get_by_role("link", name="Record a conversation").first.click()
    page.fill("#with_whom", "Irene")
    page.fill("#minutes", "50")
    page.fill("#notes", "Visited at home. Wrists swollen; struggling with buttons and pans.")
    page.fill("#what_matters", "I want to live as normally as I can: dress myself, cook my tea.")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator(".cw-what-matters")).to_contain_text("dress myself, cook my tea")

    page.get_by_label("No", exact=True).check()
    page.fill("#referral-real_problem", "Daily living with an incurable wrist condition")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(
        page.get_by_text("Saved whether the referral described the real problem.")
    ).to_be_visible()

    for description, by in [
        ("Practise with the button hook", "The person, their family or neighbours"),
        ("Arrange kitchen adaptations", "The team"),
    ]:
        page.get_by_text("Agree a new action").click()
        page.fill("#action-description", description)
        page.get_by_label(by).check()
        page.get_by_role("button", name="Agree action").click()
        expect(page.get_by_text("Action agreed.")).to_be_visible()
    expect(page.locator("#actions").locator("..")).to_contain_text("Practise with the button hook")
    shot(page, f"case-{suffix}")

    # Close: refused without agreement, keeping what was typed; then agreed.
    page.get_by_role("link", name="Close this case").click()
    page.fill("#agreement_note", "Agreed with Irene at home")
    page.fill("#summary", "Irene dresses and cooks for herself again")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "A case closes only when the person agrees"
    )
    expect(page.locator("#summary")).to_have_value("Irene dresses and cooks for herself again")
    shot(page, f"close-refused-{suffix}")
    page.get_by_label("I have agreed with the person").check()
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_text("Case closed by agreement with Irene.")).to_be_visible()

    # 4. The whole story on the person's page, newest first.
    page.get_by_role("link", name="Irene Thomas's story").click()
    expect(page.locator(".cw-timeline li").first).to_contain_text("Case closed by agreement")
    expect(page.locator(".cw-timeline")).to_contain_text("Demand from GP")
    shot(page, f"person-{suffix}")

    # 5. The caseload: a second demand reopens work straight with the same worker.
    page.get_by_role("link", name="Record a demand").click()
    expect(page.locator("#routing")).to_contain_text("This goes back to Eleisha Ward")
    page.fill("#source", "Irene herself")
    page.get_by_label("Phone").check()
    page.fill("#stated_need", "Wrists worse in the cold")
    page.get_by_role("button", name="Save demand").click()
    page.get_by_role("link", name="My caseload").first.click() if viewport[
        "width"
    ] > 500 else page.goto(live_server + "/")
    expect(page.locator("table")).to_contain_text("Irene Thomas")
    shot(page, f"caseload-{suffix}")

    cases = db.session.scalars(db.select(Case).order_by(Case.id)).all()
    assert [c.status for c in cases] == ["closed", "open"]
    assert cases[1].owner_id == worker.id
    assert cases[1].demands[0].routed_by == "same_worker"
