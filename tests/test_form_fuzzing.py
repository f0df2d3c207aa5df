"""Hypothesis posts hostile values to every form of the app, as a logged-in user allowed to
use it: long strings, any Unicode, control characters, markup, numbers where text goes and
text where numbers go, fields left out, fields sent twice, fields nobody asked for.

Nothing may answer 5xx; markup is never echoed as markup; and when a form is refused, the
page that says so shows again what was typed. The list of forms below must match the app's
routes: a new form that is not fuzzed here fails `test_every_form_is_fuzzed`.
(The API is fuzzed by schemathesis in tests/api/test_openapi.py.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import unicodedata
from collections.abc import Callable

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField

from casework import clock
from casework.account.forms import (
    ChangePasswordForm,
    DetailsForm,
    NewTokenForm,
    RevokeTokenForm,
)
from casework.actions.forms import ActionEditForm, HandOnForm
from casework.admin.forms import (
    ConfirmForm,
    EditUserForm,
    NewUserForm,
    ResetPasswordForm,
    TeamForm,
)
from casework.asks.forms import AskForm, DecisionForm, WithdrawForm
from casework.asks.service import ask_manager
from casework.audit.forms import AuditFilterForm
from casework.auth.forms import ButtonForm, CodeForm, LoginForm
from casework.auth.tokens import issue_token
from casework.barriers.forms import BarrierMetForm, BoardFilterForm, MoveForm
from casework.barriers.service import create_barrier
from casework.caseload.forms import AllocateForm
from casework.cases.forms import (
    ActionForm,
    ActionUpdateForm,
    CloseForm,
    ConversationForm,
    OwnerForm,
    ReferralForm,
)
from casework.cases.service import add_action, close_case, log_conversation
from casework.corrections.forms import InErrorForm, LateNoteForm
from casework.demands.forms import DemandForm
from casework.diary.forms import CancelPlanForm, NoContactForm, PlanForm
from casework.diary.service import plan_contact
from casework.extensions import db
from casework.imports.forms import ConfirmImportForm, UploadForm
from casework.measures.forms import CompareForm, MeasuresForm
from casework.notifications.routes import MarkReadForm
from casework.notifications.service import tell
from casework.people.forms import MergeForm, PersonForm, UndoMergeForm
from casework.people.merge import merge_people
from casework.purpose.forms import PurposeForm
from casework.safety.forms import ConsentForm, EndFlagForm, FlagForm, NetworkForm, ReviewFlagForm
from casework.safety.service import add_member, raise_flag
from casework.stories.forms import StoryForm
from casework.transfers.forms import AcceptForm, DeclineForm, TransferForm
from casework.transfers.service import request_transfer
from casework.trials.forms import CostForm, CounterfactualForm, TrialForm
from casework.trials.service import create as create_trial
from tests.conftest import login, make_demand, make_person, make_team, make_user
from tests.test_input_limits import every_form_class

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SCRIPT = "<script>alert(1)</script>"


@dataclasses.dataclass
class World:
    """Records for the forms to act on; each form has its own where it changes things."""

    practitioner: object
    manager: object
    admin: object
    case_id: int
    action_id: int
    person_id: int
    token_id: int
    target_user_id: int
    spare_team_id: int
    merge_a: int
    merge_b: int
    merge_event_id: int
    ask_id: int = 0
    barrier_id: int = 0
    closed_case_id: int = 0
    trial_id: int = 0
    flag_id: int = 0
    member_id: int = 0
    plan_id: int = 0
    notification_id: int = 0
    conversation_id: int = 0
    demand_id: int = 0
    transfer_id: int = 0


@dataclasses.dataclass
class Form:
    user: str | None  # who posts it: practitioner, manager, admin, or nobody logged in
    url: Callable[[World], str]
    form: type[FlaskForm] | None
    prefix: str = ""
    extra: Callable[[World], list[str]] = lambda world: []  # fields outside the form class


FORMS: dict[str, Form] = {
    "auth.login": Form(None, lambda w: "/login", LoginForm),
    "auth.logout": Form("practitioner", lambda w: "/logout", None),
    # With no password step before it, the code page sends the browser back to log in.
    "auth.second_factor": Form(None, lambda w: "/login/code", CodeForm),
    "auth.two_factor_setup": Form("practitioner", lambda w: "/account/two-factor", CodeForm),
    "auth.new_recovery_codes": Form(
        "practitioner", lambda w: "/account/two-factor/recovery-codes", CodeForm
    ),
    "auth.two_factor_off": Form("practitioner", lambda w: "/account/two-factor/off", CodeForm),
    "auth.sign_out_others": Form("practitioner", lambda w: "/account/sign-out-others", ButtonForm),
    "account.new_token": Form("practitioner", lambda w: "/account/tokens", NewTokenForm),
    "account.change_password": Form(
        "practitioner", lambda w: "/account/password", ChangePasswordForm
    ),
    "account.revoke_token": Form(
        "practitioner", lambda w: f"/account/tokens/{w.token_id}/revoke", RevokeTokenForm
    ),
    "account.change_details": Form("practitioner", lambda w: "/account/details", DetailsForm),
    "notifications.mark_read": Form(
        "practitioner",
        lambda w: f"/notifications/{w.notification_id}/read",
        MarkReadForm,
        extra=lambda w: ["unread", "page"],
    ),
    "notifications.mark_all_read": Form(
        "practitioner", lambda w: "/notifications/read", MarkReadForm, extra=lambda w: ["unread"]
    ),
    "caseload.team": Form(
        "manager", lambda w: "/team", AllocateForm, extra=lambda w: [f"version-{w.case_id}"]
    ),
    "people.new": Form("practitioner", lambda w: "/people/new", PersonForm),
    "people.edit": Form("practitioner", lambda w: f"/people/{w.person_id}/edit", PersonForm),
    "demands.new": Form("practitioner", lambda w: f"/people/{w.person_id}/demands/new", DemandForm),
    "cases.referral": Form(
        "practitioner", lambda w: f"/cases/{w.case_id}/referral", ReferralForm, "referral"
    ),
    "cases.add_action": Form(
        "practitioner", lambda w: f"/cases/{w.case_id}/actions", ActionForm, "action"
    ),
    "cases.update_action": Form(
        "practitioner", lambda w: f"/actions/{w.action_id}", ActionUpdateForm
    ),
    "cases.log_conversation": Form(
        "practitioner", lambda w: f"/cases/{w.case_id}/conversations/new", ConversationForm
    ),
    "cases.change_owner": Form("manager", lambda w: f"/cases/{w.case_id}/owner", OwnerForm),
    "cases.close": Form("practitioner", lambda w: f"/cases/{w.case_id}/close", CloseForm),
    "asks.new": Form("practitioner", lambda w: f"/cases/{w.case_id}/asks/new", AskForm),
    "asks.detail": Form("manager", lambda w: f"/asks/{w.ask_id}", DecisionForm),
    "asks.withdraw": Form("practitioner", lambda w: f"/asks/{w.ask_id}/withdraw", WithdrawForm),
    "purpose.edit": Form("manager", lambda w: "/team/purpose/edit", PurposeForm),
    "admin.new_user": Form("admin", lambda w: "/admin/users/new", NewUserForm),
    "admin.edit_user": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/edit", EditUserForm
    ),
    "admin.deactivate_user": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/deactivate", ConfirmForm
    ),
    "admin.reactivate_user": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/reactivate", ConfirmForm
    ),
    "admin.sign_out_everywhere": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/sign-out", ConfirmForm
    ),
    "admin.reset_two_factor": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/two-factor/reset", ConfirmForm
    ),
    "admin.reset_password": Form(
        "admin", lambda w: f"/admin/users/{w.target_user_id}/password", ResetPasswordForm
    ),
    "admin.new_team": Form("admin", lambda w: "/admin/teams/new", TeamForm),
    "admin.edit_team": Form("admin", lambda w: f"/admin/teams/{w.spare_team_id}/edit", TeamForm),
    "imports.upload": Form("admin", lambda w: "/imports/demands", UploadForm),
    "imports.confirm": Form("admin", lambda w: "/imports/demands/confirm", ConfirmImportForm),
    "imports.cancel": Form("admin", lambda w: "/imports/demands/cancel", ConfirmImportForm),
    "duplicates.merge_records": Form(
        "admin",
        lambda w: f"/people/duplicates/merge?a={w.merge_a}&b={w.merge_b}",
        MergeForm,
    ),
    "duplicates.merge_entry": Form(
        "admin", lambda w: f"/people/merges/{w.merge_event_id}", UndoMergeForm
    ),
    "barriers.record": Form(
        "practitioner", lambda w: f"/cases/{w.case_id}/barriers/new", BarrierMetForm
    ),
    "barriers.move": Form("manager", lambda w: f"/barriers/{w.barrier_id}/move", MoveForm),
    "stories.mark": Form("practitioner", lambda w: f"/cases/{w.closed_case_id}/story", StoryForm),
    "stories.unmark": Form(
        "practitioner", lambda w: f"/cases/{w.closed_case_id}/story/stop", StoryForm
    ),
    "trials.index": Form("admin", lambda w: "/trials", TrialForm),
    "trials.move": Form("admin", lambda w: f"/trials/{w.trial_id}/status", None),
    "trials.cost_catalogue": Form("manager", lambda w: "/costs", CostForm),
    "trials.counterfactual": Form(
        "practitioner", lambda w: f"/cases/{w.case_id}/counterfactual", CounterfactualForm
    ),
    "safety.new_flag": Form("practitioner", lambda w: f"/people/{w.person_id}/flags/new", FlagForm),
    "safety.end_flag": Form("practitioner", lambda w: f"/flags/{w.flag_id}/end", EndFlagForm),
    "safety.review_flag": Form(
        "practitioner", lambda w: f"/flags/{w.flag_id}/review", ReviewFlagForm
    ),
    "safety.new_member": Form(
        "practitioner", lambda w: f"/people/{w.person_id}/network/new", NetworkForm
    ),
    "safety.edit_member": Form(
        "practitioner", lambda w: f"/network/{w.member_id}/edit", NetworkForm
    ),
    "safety.new_consent": Form(
        "practitioner", lambda w: f"/people/{w.person_id}/consents/new", ConsentForm
    ),
    "diary.plan_contact": Form("practitioner", lambda w: f"/cases/{w.case_id}/plans/new", PlanForm),
    "diary.cancel": Form("practitioner", lambda w: f"/plans/{w.plan_id}/cancel", CancelPlanForm),
    "diary.team_settings": Form("manager", lambda w: "/team/settings", NoContactForm),
    "actions.edit": Form("practitioner", lambda w: f"/actions/{w.action_id}/edit", ActionEditForm),
    "actions.needing_new_owner": Form(
        "manager", lambda w: "/team/actions", HandOnForm, extra=lambda w: [f"version-{w.action_id}"]
    ),
    "corrections.conversation": Form(
        "practitioner",
        lambda w: f"/conversations/{w.conversation_id}/entered-in-error",
        InErrorForm,
    ),
    "corrections.action": Form(
        "practitioner", lambda w: f"/actions/{w.action_id}/entered-in-error", InErrorForm
    ),
    "corrections.demand": Form(
        "practitioner", lambda w: f"/demands/{w.demand_id}/entered-in-error", InErrorForm
    ),
    "corrections.late_note": Form(
        "practitioner", lambda w: f"/cases/{w.closed_case_id}/notes/new", LateNoteForm
    ),
    "transfers.new": Form("practitioner", lambda w: f"/cases/{w.case_id}/transfer", TransferForm),
    # The transfer's page holds both answers, each form with its own prefix.
    "transfers.accept": Form(
        "manager", lambda w: f"/transfers/{w.transfer_id}/accept", AcceptForm, prefix="accept"
    ),
    "transfers.decline": Form(
        "manager", lambda w: f"/transfers/{w.transfer_id}/decline", DeclineForm, prefix="decline"
    ),
}
# Forms that are read with GET (filters), never posted.
GET_FORMS = {
    MeasuresForm: Form("manager", lambda w: "/measures", MeasuresForm),
    CompareForm: Form("manager", lambda w: "/measures/compare", CompareForm),
    AuditFilterForm: Form("admin", lambda w: "/admin/audit", AuditFilterForm),
    BoardFilterForm: Form("practitioner", lambda w: "/barriers", BoardFilterForm),
}


def test_every_form_is_fuzzed(app):
    posted = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and not rule.endpoint.startswith("api.")
        # an old address redirecting to a form's new one (casework/web.py): no form of its own
        and not hasattr(app.view_functions[rule.endpoint], "moved_to")
    }
    assert posted == set(FORMS), "fuzz every form: add the new ones to FORMS"
    covered = {spec.form for spec in FORMS.values()} | set(GET_FORMS)
    assert set(every_form_class()) <= covered, "a form class that no fuzzed page posts"


# The values

HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }}{% raw %}",
    '=HYPERLINK("http://evil.example","x")',
    "'; DROP TABLE people; --",
    "../../../etc/passwd",
    "\u202etxt.exe",
    "Zoë O’Brien-Łukasz 🙂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "true",
    "[]",
    "",
    "   ",
]
long_text = st.builds(
    lambda n, c: c * n,
    st.sampled_from([101, 255, 2_001, 10_001, 20_001, 600_000]),
    st.sampled_from(["x", "é", "<", "\n"]),
)
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=6),  # control characters
    st.integers().map(str),
    long_text,
)
sent = st.one_of(st.none(), value, st.lists(value, min_size=2, max_size=3))  # none: left out


def field_names(spec: Form, app) -> dict[str, str]:
    """Each name a browser would send for the form, with the kind of field it belongs to."""
    if spec.form is None:
        return {}
    with app.test_request_context():
        form = spec.form(prefix=spec.prefix, meta={"csrf": False})
        names = {}
        for field in form:
            if field.type == "DateInputField":
                names.update({f"{field.name}[{part}]": "date" for part in field.PARTS})
            elif field.type == "FileField":
                names[field.name] = "file"
            elif isinstance(field, StringField) and not isinstance(
                field, PasswordField | HiddenField
            ):
                names[field.name] = "text"
            else:
                names[field.name] = "other"
    return names


@pytest.fixture
def world(team, practitioner, manager, admin_user) -> World:
    today = clock.today()
    received = today - dt.timedelta(days=30)  # a month ago: the case has some history
    demand, _ = make_demand(make_person(practitioner), practitioner, received)
    action = add_action(db.session, demand.case, practitioner, description="Rail", by="team")
    ask = ask_manager(db.session, demand.case, practitioner, kind="resource", what="A", why="B")
    record, _ = issue_token(db.session, practitioner, "fuzz")
    a, b = make_person(practitioner), make_person(practitioner)
    merged, kept = make_person(practitioner), make_person(practitioner)
    event = merge_people(db.session, admin_user, keep=kept, other=merged)
    barrier = create_barrier(db.session, team, practitioner, title="A form", kind="form")
    closed, _ = make_demand(make_person(practitioner), practitioner, received)
    close_case(
        db.session,
        closed.case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed at home",
        summary="Better",
    )
    spare = make_team("Spare")
    trial = create_trial(
        db.session,
        name="Fuzz",
        pilot_team=team,
        usual_team=spare,
        share=0.5,
        start_on=None,
        by=None,
    )
    flag = raise_flag(
        db.session,
        practitioner,
        demand.person,
        category="animal",
        text="Dog",
        review_on=today,
    )
    member = add_member(
        db.session, practitioner, demand.person, {"name": "Jo", "relationship": "family"}
    )
    plan = plan_contact(db.session, demand.case, practitioner, due_on=today, kind="visit")
    [told] = tell([practitioner], "allocated", text="A case given", case=demand.case)
    conversation = log_conversation(
        db.session,
        demand.case,
        practitioner,
        held_on=received + dt.timedelta(days=1),
        kind="visit",
        notes="Hi",
    )
    elsewhere = make_user(spare, name="Spare Worker")  # asks this team to take a case on
    theirs, _ = make_demand(make_person(elsewhere), elsewhere)
    transfer = request_transfer(db.session, theirs.case, elsewhere, to_team=team, reason="Nearer")
    db.session.commit()
    return World(
        transfer_id=transfer.id,
        notification_id=told.id,
        trial_id=trial.id,
        plan_id=plan.id,
        practitioner=practitioner,
        manager=manager,
        admin=admin_user,
        case_id=demand.case_id,
        action_id=action.id,
        person_id=demand.person_id,
        token_id=record.id,
        target_user_id=make_user(team, name="Target Worker").id,
        spare_team_id=spare.id,
        merge_a=a.id,
        merge_b=b.id,
        merge_event_id=event.id,
        ask_id=ask.id,
        barrier_id=barrier.id,
        closed_case_id=closed.case_id,
        flag_id=flag.id,
        member_id=member.id,
        conversation_id=conversation.id,
        demand_id=demand.id,
    )


def shown_as_typed(text: str) -> bool:
    """A value a page can show back exactly: printable, not blank at either end."""
    return (
        bool(text)
        and text == text.strip()
        and len(text) <= 20_001
        and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)
    )


@pytest.mark.parametrize("endpoint", sorted(FORMS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.generate),  # no shrinking: with 600 kB values it takes minutes
)
@given(data=st.data())
def test_hostile_values_in_every_form(app, world, endpoint, data):
    spec = FORMS[endpoint]
    names = field_names(spec, app)
    for name in spec.extra(world):  # noqa: S610 (not Django)
        names[name] = "other"
    posted: list[tuple[str, object]] = []
    typed: dict[str, str] = {}
    for name, kind in names.items():
        if kind == "file":
            content = data.draw(st.one_of(st.binary(max_size=300), value.map(str.encode)))
            posted.append((name, (io.BytesIO(content), data.draw(st.text(max_size=20)))))
            continue
        chosen = data.draw(sent, label=name)
        for one in chosen if isinstance(chosen, list) else [] if chosen is None else [chosen]:
            posted.append((name, one))
        if kind == "text" and isinstance(chosen, str):
            typed[name] = chosen
    posted += data.draw(st.lists(st.tuples(st.text(min_size=1, max_size=8), value), max_size=2))

    client = app.test_client()  # its own cookies: a logout or login does not carry over
    if spec.user:
        login(client, getattr(world, spec.user))
    response = client.post(spec.url(world), data=MultiDict(posted))
    page = response.get_data(as_text=True)
    # The test client spools a body over 500 kB to a temporary file and leaves it open when
    # the app refuses the request unread (413): close it here, as a WSGI server would.
    response.request.environ["wsgi.input"].close()

    assert response.status_code < 500, (endpoint, response.status_code)
    assert SCRIPT not in page
    if response.status_code in (200, 409, 422) and "There is a problem" in page:
        for name, text in typed.items():
            if shown_as_typed(text):
                assert str(escape(text)) in page, (endpoint, name, text[:80])


@pytest.mark.parametrize("form_class", sorted(GET_FORMS, key=lambda cls: cls.__name__))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.generate),
)
@given(data=st.data())
def test_hostile_values_in_every_filter(app, world, form_class, data):
    """Filters are read from the address: hostile values get a page (or a clear refusal),
    never a 5xx, and never markup."""
    spec = GET_FORMS[form_class]
    query: list[tuple[str, str]] = []
    for name in field_names(spec, app):
        chosen = data.draw(st.one_of(st.none(), value.filter(lambda text: len(text) < 2_001)))
        if chosen is not None:
            query.append((name, chosen))
    client = app.test_client()
    login(client, getattr(world, spec.user))
    response = client.get(spec.url(world), query_string=MultiDict(query))
    assert response.status_code < 500, (form_class.__name__, response.status_code)
    assert SCRIPT not in response.get_data(as_text=True)
