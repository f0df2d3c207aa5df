"""Every web form that saves by hand (its view does not go through web.save_form) spends its
one-time token (casework/once.py, ADR 0036): sent twice, with CSRF on as in production, the
second send saves nothing, goes where the first went and says "This was already saved".

FORMS walks each of them; tests/test_once.py checks against the app's url map that every
POST page is walked here, saves through web.save_form, or is exempt for a stated reason."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import func, select

from casework import clock, rules
from casework.asks.service import ask_manager
from casework.auth.tokens import issue_token
from casework.cases.service import close_case
from casework.extensions import db
from casework.models import FormToken
from casework.notifications.service import tell
from casework.people.merge import merge_people
from casework.stories.service import mark_story
from casework.trials.costs import set_cost
from casework.trials.service import create as create_trial
from tests.conftest import make_demand, make_person, make_team, make_user
from tests.test_once import hidden, sign_in


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@dataclass(frozen=True)
class Form:
    """A form saved by hand: who sends it, and `open(client, world)`, which opens its page
    and gives (the page, the address its form posts to, what is typed into it)."""

    endpoint: str
    who: str
    open: Callable
    goes_to: Callable | None = None  # where a second send goes, when the first shows a page
    # The save began a new session (a new CSRF secret): the old page's second send is
    # refused by the CSRF check before its token is looked at, and saves nothing either.
    new_session: bool = False

    def __str__(self) -> str:
        return self.endpoint


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def own_case(w):
    demand, _ = make_demand(make_person(w.practitioner), w.practitioner)
    return demand.case


def closed_case(w):
    case = own_case(w)
    close_case(db.session, case, w.manager, agreed_with_person=True, agreement_note="Agreed",
               summary="Going well")  # fmt: skip
    db.session.commit()
    return case


def allocation(client, w):
    demand, _ = make_demand(make_person(w.manager), w.manager)  # awaiting allocation
    case = demand.case
    data = {"case_ids": str(case.id), "owner_id": str(w.practitioner.id), "reason": "Knows them"}
    return page(client, "/team"), "/team", data | {f"version-{case.id}": str(case.version)}


def withdrawal(client, w):
    case = own_case(w)
    ask = ask_manager(db.session, case, w.practitioner, kind="resource", what="Taxi", why="Ill")
    db.session.commit()
    action = f"/asks/{ask.id}/withdraw"
    return page(client, f"/asks/{ask.id}"), action, {"version": str(ask.version)}


def counterfactual(client, w):
    item = set_cost(db.session, w.team, "GP visit", "40", by=w.manager)
    case = own_case(w)
    db.session.commit()
    url = f"/cases/{case.id}/counterfactual"
    return page(client, url), url, {f"count-{item.id}": "3", "note": "Three visits"}


def trial_status(client, w):
    trial = create_trial(db.session, name="North v South", pilot_team=w.team,
                         usual_team=make_team("South", "usual"), share=0.5, start_on=None,
                         by=None)  # fmt: skip
    db.session.commit()
    action = f"/trials/{trial.id}/status"
    return page(client, f"/trials/{trial.id}"), action, {"to": "paused"}


IMPORTED = (
    "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,stated_need,"
    "kind\n,Rita,Imported,1950-03-01,{day},GP,letter,Help with stairs,value\n"
)


def import_confirmation(client, w):
    form = hidden(page(client, "/imports/demands"), "/imports/demands")
    rows = io.BytesIO(IMPORTED.format(day=clock.today().isoformat()).encode())
    form |= {"team_id": str(w.team.id), "cohort": "usual", "file": (rows, "legacy.csv")}
    preview = client.post("/imports/demands", data=form, content_type="multipart/form-data")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text[-2000:]
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', text).group(1)
    return text, "/imports/demands/confirm", {"token": token}


def twins(w):
    born = {"given_name": "Robert", "family_name": "Smith"}
    return make_person(w.practitioner, **born), make_person(w.practitioner, **born)


def merge(client, w):
    a, b = twins(w)
    url = f"/people/duplicates/merge?a={a.id}&b={b.id}"
    data = {"keep": str(a.id), "version_a": str(a.version), "version_b": str(b.version)}
    return page(client, url), url, data


def undo_merge(client, w):
    a, b = twins(w)
    event = merge_people(db.session, w.admin, keep=a, other=b)
    db.session.commit()
    url = f"/people/merges/{event.id}"
    return page(client, url), url, {}


def account(action: str, data: dict | Callable):
    def opened(client, w):
        typed = data(w) if callable(data) else data
        return page(client, "/account"), action, typed

    return opened


def signed_in_elsewhere(client, w):
    sign_in(client.application.test_client(), w.practitioner)  # another browser
    return page(client, "/account"), "/account/sign-out-others", {}


def revoke(client, w):
    record, _ = issue_token(db.session, w.practitioner, "Old laptop")
    db.session.commit()
    return page(client, "/account"), f"/account/tokens/{record.id}/revoke", {}


def two_factor_on(user) -> str:
    """The user's second factor set up; a code from their app now."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = clock.now()
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).now()


def with_a_code(action: str):
    def opened(client, w):
        code = two_factor_on(w.practitioner)
        return page(client, "/account"), action, {"code": code}

    return opened


def two_factor_setup(client, w):
    text = page(client, "/account/two-factor")
    db.session.refresh(w.practitioner)
    code = pyotp.TOTP(w.practitioner.totp_secret).now()
    return text, "/account/two-factor", {"code": code}


def admin_confirms(action: str):
    def opened(client, w):
        url = f"/admin/users/{w.practitioner.id}/edit"
        return page(client, url), action.format(id=w.practitioner.id), {}

    return opened


def admin_resets_password(client, w):
    url = f"/admin/users/{w.practitioner.id}/password"
    return page(client, url), url, {"password": ""}  # empty: Casework makes one up


def story(client, w):
    case = closed_case(w)
    return page(client, f"/cases/{case.id}"), f"/cases/{case.id}/story", {}


def story_stopped(client, w):
    case = closed_case(w)
    mark_story(db.session, case, w.practitioner)
    db.session.commit()
    return page(client, f"/cases/{case.id}"), f"/cases/{case.id}/story/stop", {}


def notification_read(client, w):
    [told] = tell([w.practitioner], "allocated", text="A case for you")
    db.session.commit()
    return page(client, "/notifications"), f"/notifications/{told.id}/read", {}


def all_read(client, w):
    tell([w.practitioner], "allocated", text="A case for you")
    db.session.commit()
    return page(client, "/notifications"), "/notifications/read", {}


FORMS = [
    Form("caseload.team", "manager", allocation),
    Form("asks.withdraw", "practitioner", withdrawal),
    Form("trials.counterfactual", "practitioner", counterfactual),
    Form("trials.move", "admin", trial_status),
    Form("imports.confirm", "manager", import_confirmation),
    Form("duplicates.merge_records", "admin", merge),
    Form("duplicates.merge_entry", "admin", undo_merge),
    Form("account.change_details", "practitioner",
         account("/account/details", {"profession": "Social worker", "email_digest": "no"})),
    Form("account.change_password", "practitioner",
         account("/account/password", {"current": "correct horse battery staple",
                                       "new": "a new long passphrase here",
                                       "confirm": "a new long passphrase here"}),
         new_session=True),
    Form("account.new_token", "practitioner", account("/account/tokens", {"label": "GP"}),
         goes_to=lambda w: "/account"),
    Form("account.revoke_token", "practitioner", revoke),
    Form("auth.sign_out_others", "practitioner", signed_in_elsewhere),
    Form("auth.two_factor_setup", "practitioner", two_factor_setup,
         goes_to=lambda w: "/account#two-factor"),
    Form("auth.new_recovery_codes", "practitioner",
         with_a_code("/account/two-factor/recovery-codes"),
         goes_to=lambda w: "/account#two-factor"),
    Form("auth.two_factor_off", "practitioner", with_a_code("/account/two-factor/off")),
    Form("admin.sign_out_everywhere", "admin", admin_confirms("/admin/users/{id}/sign-out")),
    Form("admin.reset_two_factor", "admin", admin_confirms("/admin/users/{id}/two-factor/reset")),
    Form("admin.reset_password", "admin", admin_resets_password),
    Form("stories.mark", "practitioner", story),
    Form("stories.unmark", "practitioner", story_stopped),
    Form("notifications.mark_read", "practitioner", notification_read),
    Form("notifications.mark_all_read", "practitioner", all_read),
]  # fmt: skip


def rows() -> dict[str, int]:
    """How many rows each table holds (the sessions table aside: following a redirect
    touches it), and how many audit events: a second send that saved anything shows here."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in ("user_sessions",)
    }


@pytest.fixture
def world(team, practitioner, manager):
    admin = make_user(team, "admin", name="Ada Admin")  # works in the team too
    return SimpleNamespace(team=team, practitioner=practitioner, manager=manager, admin=admin)


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_a_form_saved_by_hand_sent_twice_saves_once(client, world, form):
    sign_in(client, getattr(world, form.who))
    shown, action, data = form.open(client, world)
    adapter = client.application.url_map.bind("localhost")
    assert adapter.match(action.partition("?")[0], "POST")[0] == form.endpoint
    tokens = hidden(shown, action)
    first = client.post(action, data=data | tokens)
    assert first.status_code in (200, 201, 302), first.get_data(as_text=True)[-3000:]
    assert form.goes_to is None or first.status_code != 302
    assert db.session.scalar(select(func.count()).select_from(FormToken)) == 1  # spent
    before = rows()

    second = client.post(action, data=data | tokens)

    if form.new_session:
        assert second.status_code == 400 and rows() == before
        return
    assert second.status_code == 303, second.get_data(as_text=True)[-3000:]
    went = form.goes_to(world) if form.goes_to else first.headers["Location"]
    assert second.headers["Location"] == went
    assert rows() == before
    landed = client.get(second.headers["Location"])
    assert rules.ALREADY_SAVED in landed.get_data(as_text=True)
