"""One-time tokens on every web form (casework/once.py, ADR 0036): a form sent again (the back
button, a double click, a weak signal resending) does not save twice; it goes where the
first send went and says so. With CSRF on, as in production, so the pages carry both tokens."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import threading

import pytest
import time_machine
from flask_wtf import FlaskForm as FlaskWtfForm
from sqlalchemy import func, select

from casework import TOKEN_BLUEPRINTS, clock, once, rules
from casework import forms as casework_forms
from casework.cases import service as cases_service
from casework.extensions import db
from casework.models import Action, Case, Conversation, Demand, FormToken, Person
from tests.conftest import PASSWORD, make_demand, make_person, make_user
from tests.test_input_limits import every_form_class


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def hidden(page: str, action: str) -> dict[str, str]:
    """The CSRF and one-time tokens of the form on `page` that posts to `action` (or, when
    none names it, of the page's own form: posted to the page's address)."""
    named = re.search(rf'<form[^>]*action="{re.escape(action)}"', page)
    start = named.start() if named else re.search(r'<form method="post" (?!action)', page).start()
    form = page[start : page.index("</form>", start)]
    found = dict(
        re.findall(r'<input[^>]*name="([a-z-]*csrf_token|once)"[^>]*value="([^"]+)"', form)
    )
    assert len(found) == 2 and "once" in found, form[:300]
    return found


def sign_in(client, user) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert 'name="once"' not in page  # nobody signed in yet: nothing to save twice
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.status_code == 302


def dated(name: str, day: dt.date) -> dict:
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    return demand.case


def sent_twice(client, page_url: str, action: str, data: dict):
    """Open the page once, send its form twice (the second send is the back button's, or a
    weak signal's resend): both responses."""
    tokens = hidden(client.get(page_url).get_data(as_text=True), action)
    first = client.post(action, data=data | tokens)
    second = client.post(action, data=data | tokens)
    return first, second


def test_a_visit_sent_twice_is_saved_once(client, practitioner, case):
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    visit = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Talked about stairs"}
    first, second = sent_twice(client, url, url, visit)

    assert first.status_code == 302
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert rules.ALREADY_SAVED in page
    assert count(Conversation) == 1


def test_a_demand_sent_twice_makes_one_demand(client, practitioner):
    person = make_person(practitioner)
    sign_in(client, practitioner)
    url = f"/people/{person.id}/demands/new"
    demand = dated("received_on", clock.today()) | {
        "source": "GP",
        "channel": "letter",
        "stated_need": "Struggling with stairs",
        "kind": "failure",
        "owner_id": "0",
        "trial": "0",
    }
    first, second = sent_twice(client, url, url, demand)

    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert count(Demand) == 1 and count(Case) == 1
    assert rules.ALREADY_SAVED in client.get(second.headers["Location"]).get_data(as_text=True)


def test_a_new_person_sent_twice_is_added_once(client, practitioner):
    sign_in(client, practitioner)
    person = {"given_name": "Rosa", "family_name": "Twice"} | dated(
        "date_of_birth", dt.date(1950, 3, 1)
    )
    first, second = sent_twice(client, "/people/new", "/people/new", person)
    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Person) == 1


def test_an_action_sent_twice_is_agreed_once(client, practitioner, case):
    sign_in(client, practitioner)
    action = f"/cases/{case.id}/actions"
    data = {"action-description": "Ring the council", "action-by": "person"}  # its prefix
    first, second = sent_twice(client, f"/cases/{case.id}", action, data)
    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert count(Action) == 1


def test_two_sends_racing_save_once(app, practitioner, case):
    """A double click reaching two servers at once: one saves, the other goes where it went."""
    web = app.test_client()
    sign_in(web, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    data = dated("held_on", clock.today()) | {"kind": "phone", "notes": "Rang"}
    data |= hidden(web.get(url).get_data(as_text=True), url)
    cookie = web.get_cookie("session")
    start, answers = threading.Barrier(3), []

    def send():
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        start.wait(10)
        answers.append(client.post(url, data=data))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a.status_code for a in answers) == [302, 303, 303], [
        a.get_data(as_text=True)[-3000:] for a in answers
    ]
    assert len({a.headers["Location"] for a in answers}) == 1
    assert count(Conversation) == 1


def test_a_send_that_lost_the_race_goes_where_the_winner_went(
    client, practitioner, case, monkeypatch
):
    """The second send passed the early check before the first committed (two servers):
    its claim then fails on the unique (user, token), and it goes where the first went."""
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    tokens = hidden(client.get(url).get_data(as_text=True), url)
    visit = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Once"}
    first = client.post(url, data=visit | tokens)
    looks = []
    real = once.spent

    def not_yet_committed(token):  # the early check sees nothing; the claim then collides
        looks.append(token)
        return None if len(looks) == 1 else real(token)

    monkeypatch.setattr(once, "spent", not_yet_committed)
    second = client.post(url, data=visit | tokens)
    assert len(looks) == 2  # the early look, then the look after the failed claim
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert rules.ALREADY_SAVED in client.get(second.headers["Location"]).get_data(as_text=True)
    assert count(Conversation) == 1


def test_a_form_shown_again_with_errors_can_be_sent(client, practitioner, case):
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    tokens = hidden(client.get(url).get_data(as_text=True), url)
    wrong = client.post(url, data=tokens | {"kind": "visit", "notes": "No date"})
    assert wrong.status_code == 422
    fresh = hidden(wrong.get_data(as_text=True), url)
    assert fresh["once"] != tokens["once"]
    good = dated("held_on", clock.today()) | {"kind": "visit", "notes": "With a date"}
    assert client.post(url, data=good | fresh).status_code == 302
    assert count(Conversation) == 1


def test_a_refused_save_leaves_its_token_unspent(client, practitioner, manager, case):
    """The rule said no (the case was closed meanwhile): nothing saved, nothing spent, so the
    same page may be sent once the case is open again, or its text copied elsewhere."""
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    tokens = hidden(client.get(url).get_data(as_text=True), url)
    cases_service.close_case(
        db.session, case, manager, agreed_with_person=True, agreement_note="Agreed", summary="OK"
    )
    db.session.commit()
    data = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Kept"}
    refused = client.post(url, data=data | tokens)
    assert refused.status_code == 409 and "Kept" in refused.get_data(as_text=True)
    assert count(FormToken) == 0 and count(Conversation) == 0


def test_another_users_token_is_not_accepted(app, practitioner, team, case):
    """A page opened by one worker and sent by another (a shared computer): not saved under
    the second, nor sent to where the first's save went."""
    colleague = make_user(team)
    url = f"/cases/{case.id}/conversations/new"
    data = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Mine"}
    mine = app.test_client()
    sign_in(mine, practitioner)
    tokens = hidden(mine.get(url).get_data(as_text=True), url)
    assert mine.post(url, data=data | tokens).status_code == 302

    theirs = app.test_client()
    sign_in(theirs, colleague)
    csrf = hidden(theirs.get(url).get_data(as_text=True), url)["csrf_token"]
    sent = theirs.post(url, data=data | {"csrf_token": csrf, "once": tokens["once"]})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert rules.FORM_OPENED_BY_SOMEONE_ELSE in page and "Mine" in page  # kept as typed
    assert count(Conversation) == 1


@pytest.mark.parametrize("token", ["1.2", "x" * 200, "12.abc.0000", "not a token"])
def test_a_tampered_token_is_not_accepted(client, practitioner, case, token):
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    tokens = hidden(client.get(url).get_data(as_text=True), url) | {"once": token}
    data = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Typed"}
    sent = client.post(url, data=data | tokens)
    assert sent.status_code == 422
    assert rules.FORM_OPENED_BY_SOMEONE_ELSE in sent.get_data(as_text=True)
    assert count(Conversation) == 0


def test_a_page_opened_too_long_ago_is_sent_again_by_choice(app, client, practitioner, case):
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    tokens = hidden(client.get(url).get_data(as_text=True), url)
    data = dated("held_on", clock.today()) | {"kind": "visit", "notes": "Old page"}
    later = clock.now() + dt.timedelta(days=rules.FORM_TOKEN_DAYS, hours=1)
    with time_machine.travel(later, tick=False):
        client = app.test_client()  # the old session has long timed out: a new one
        sign_in(client, practitioner)
        csrf = hidden(client.get(url).get_data(as_text=True), url)["csrf_token"]
        sent = client.post(url, data=data | {"csrf_token": csrf, "once": tokens["once"]})
        page = sent.get_data(as_text=True)
        assert sent.status_code == 422 and rules.FORM_OPENED_TOO_LONG_AGO in page
        assert "Old page" in page
        assert count(Conversation) == 0
        assert client.post(url, data=data | hidden(page, url)).status_code == 302
    assert count(Conversation) == 1


def test_maintain_forgets_tokens_no_form_can_carry_any_more(client, runner, practitioner, case):
    sign_in(client, practitioner)
    url = f"/cases/{case.id}/conversations/new"
    data = dated("held_on", clock.today()) | {"kind": "visit", "notes": "One"}
    sent_twice(client, url, url, data)
    assert count(FormToken) == 1
    assert "0 spent form tokens" in runner.invoke(args=["maintain"]).output
    later = clock.now() + dt.timedelta(days=rules.FORM_TOKEN_DAYS + 2)
    with time_machine.travel(later, tick=False):
        assert "1 spent form tokens" in runner.invoke(args=["maintain"]).output
    assert count(FormToken) == 0


def test_every_form_derives_from_the_projects_form():
    """So every form gets the one-time token beside its CSRF token, with no edit of its own:
    a form made from Flask-WTF's class directly would not."""
    strays = [
        cls.__name__
        for cls in every_form_class()
        if issubclass(cls, FlaskWtfForm) and not issubclass(cls, casework_forms.FlaskForm)
    ]
    assert strays == [], "import FlaskForm from casework.forms, not flask_wtf"


# Every page a form is posted to, and how it keeps a form sent twice from saving twice.
WALKED_HERE = {  # the tests above send each twice
    "cases.log_conversation",
    "demands.new",
    "people.new",
    "cases.add_action",
}
# Posted to without a one-time token, or saving nothing a second send could repeat.
EXEMPT = {
    # Signing in and out: nobody is signed in to own a token (none is drawn), and a second
    # sign-in or log-out saves nothing for anyone (ADR 0036).
    "auth.login": "signs in: nobody signed in, no token drawn",
    "auth.second_factor": "signs in: nobody signed in yet, no token drawn",
    "auth.logout": "signs out: sent again, nobody is signed in any more",
    # A dry run, rolled back: the back button must let someone choose another file.
    "imports.upload": "shows a preview; the import itself is imports.confirm",
    "imports.cancel": "forgets the kept file of a preview; nothing in the database",
}


def saves_through_save_form(view) -> bool:
    """The view calls web.save_form, itself or through helpers of its module that do."""
    module = inspect.getmodule(view)
    sources = {
        name: inspect.getsource(function)
        for name, function in vars(module).items()
        if inspect.isfunction(function) and function.__module__ == module.__name__
    }
    calls = re.compile(r"\bsave_form\(")
    reaching: set[str] = set()
    while True:  # the helpers that call save_form, or call a helper that does, and so on
        found = {name for name, source in sources.items() if calls.search(source)}
        if found <= reaching:
            break
        reaching |= found
        calls = re.compile(r"\b(" + "|".join(["save_form", *sorted(reaching)]) + r")\(")
    return bool(calls.search(inspect.getsource(view)))


def test_every_form_that_changes_data_spends_its_token(app):
    """A new page that takes a form cannot be forgotten: it saves through web.save_form, or
    is sent twice in tests/test_once_every_form.py (or above), or is exempt, saying why."""
    from tests.test_once_every_form import FORMS

    walked = WALKED_HERE | {form.endpoint for form in FORMS}
    unaccounted = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "POST" not in rule.methods or rule.endpoint.split(".")[0] in TOKEN_BLUEPRINTS:
            continue  # the API: its Idempotency-Key instead (ADR 0036)
        if hasattr(view, "moved_to") or rule.endpoint in walked | EXEMPT.keys():
            continue  # a redirect to the form's new address, which spends it
        if not saves_through_save_form(view):
            unaccounted.append(rule.endpoint)
    assert unaccounted == [], "spend the one-time token (once.spend/settle) and walk it"
    assert walked.isdisjoint(EXEMPT)
