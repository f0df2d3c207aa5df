# ruff: noqa: E501 (PAGES is a table: one line a page, read across)
"""Every page each role can reach, in each of its interesting states, on the demo locality in a
real browser: zero axe-core violations at WCAG 2.2 AA, no sideways scroll on a 360px phone, a
title that says where you are, the person's name on every page about them, UK dates, charts
with words and numbers. Screenshots of each at desktop and phone widths go to
test-artifacts/pages/.

Adding a page is one line in PAGES. The visits run in order on one demo database, one browser
context per role (logged in once), so a later line sees what an earlier one saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from casework import clock, create_app
from casework.admin.service import create_user
from casework.cases.service import add_action
from casework.demo import load_demo
from casework.diary.models import Plan
from casework.extensions import db
from casework.models import (
    Action,
    Ask,
    Barrier,
    Case,
    CautionFlag,
    Conversation,
    Demand,
    NetworkMember,
    Person,
    Team,
    Transfer,
    User,
)
from casework.people.service import create_person
from casework.stories.service import pseudonym_for
from casework.trials import service as trials_service
from casework.trials.models import CostItem, TrialAllocation
from tests.browser import checks
from tests.browser.conftest import serve
from tests.conftest import PASSWORD, TEMPLATE_CACHE, _config
from tests.imports.samples import UK_SAMPLE

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "pages"
# The legacy sample (tests/imports/data) saved from Excel with UK dates, 27/08/1950 (issue 21).
IMPORT_FILE = UK_SAMPLE


@dataclasses.dataclass(frozen=True)
class Visit:
    """One page in one state. `path` and `title` may name demo records: {irene}, {irene_case}.

    do: steps after loading, each ("fill", selector, text), ("check", label),
        ("select", selector, option label), ("upload", selector, file), ("click", button name),
        ("follow", link name) or ("open", a details section's summary).
    title: what the tab says before " – Casework".
    person: the name that must be visible on a page about a person.
    shows: text that must be visible afterwards (a banner, an error, an empty state).
    """

    name: str
    role: str
    path: str
    title: str
    person: str | None = None
    do: tuple = ()
    shows: str | None = None
    status: int | None = None  # None: 200, or 200 or 422 when the title says "Error:"


IRENE, KAMAL, NASREEN, TERRY = "Irene Thomas", "Kamal Patel", "Nasreen Begum", "Terry Wood"
GWEN, LEN, ALBERT = "Gwen Roberts", "Len Carter", "Albert Hughes"
MOHAMMED = "Mohammed Khan"
WINIFRED = "Winifred Osei"
MOHAMMED_ASK = "A rescue pack and a month of the night-time support line for Mohammed"
ALARM = "The alarm service will not fit a pendant alarm without its own assessment visit"
V = Visit
PAGES = [
    # Anyone: the login page and its errors.
    V("login", "anonymous", "/login", "Log in"),
    V("login-errors", "anonymous", "/login", "Error: Log in", do=(("click", "Log in"),), shows="Enter your email address"),
    V("login-refused", "anonymous", "/login", "Error: Log in", do=(("fill", "#email", "nobody@example.org"), ("fill", "#password", "wrong"), ("click", "Log in")), shows="not right"),
    # A practitioner: their caseload, finding a person, the person's story, a case and its forms.
    V("caseload", "practitioner", "/", "My caseload"),
    V("caseload-empty", "newcomer", "/", "My caseload", shows="You have no open cases"),
    V("no-team", "teamless", "/", "No team yet"),
    V("search", "practitioner", "/people", "Find a person"),
    V("search-results", "practitioner", "/people?q=Irene+Thomas", "Results for Irene Thomas – Find a person", shows=IRENE),
    V("search-none", "practitioner", "/people?q=Zebedee+Quill", "Results for Zebedee Quill – Find a person", shows="0 people found"),
    V("person-new", "practitioner", "/people/new", "Add a person"),
    V("person-new-errors", "practitioner", "/people/new", "Error: Add a person", do=(("fill", "#nhs_number", "943 476 5918"), ("click", "Add person")), shows="Enter the person's first name"),
    V("person-added", "practitioner", "/people/new", "Record a demand – Ash Marlowe", person="Ash Marlowe", do=(("fill", "#given_name", "Ash"), ("fill", "#family_name", "Marlowe"), ("fill", "#date_of_birth-day", "9"), ("fill", "#date_of_birth-month", "3"), ("fill", "#date_of_birth-year", "1948"), ("click", "Add person")), shows="Ash Marlowe has been added."),
    V("person", "practitioner", "/people/{irene}", IRENE, person=IRENE),
    V("person-empty", "practitioner", "/people/{nobody}", "Robin Fairweather", person="Robin Fairweather"),
    V("person-edit", "practitioner", "/people/{irene}/edit", f"Change details – {IRENE}", person=IRENE),
    V("person-edit-errors", "practitioner", "/people/{irene}/edit", f"Error: Change details – {IRENE}", person=IRENE, do=(("fill", "#family_name", ""), ("click", "Save details")), shows="There is a problem"),
    V("person-edit-saved", "practitioner", "/people/{irene}/edit", IRENE, person=IRENE, do=(("fill", "#preferred_contact", "Ring her grandson Kayden first"), ("click", "Save details")), shows="Details saved."),
    V("demand-new", "practitioner", "/people/{irene}/demands/new", f"Record a demand – {IRENE}", person=IRENE),
    V("demand-new-errors", "practitioner", "/people/{irene}/demands/new", f"Error: Record a demand – {IRENE}", person=IRENE, do=(("click", "Save demand"),), shows="There is a problem"),
    V("demand-saved", "practitioner", "/people/{irene}/demands/new", f"Case – {IRENE}", person=IRENE, do=(("fill", "#source", "Her daughter"), ("check", "Phone"), ("fill", "#stated_need", "Worried about the stairs"), ("click", "Save demand")), shows="Demand recorded."),
    # Someone another team already works with: the choice before saving, and passing.
    V("demand-new-known-elsewhere", "practitioner", "/people/{winifred}/demands/new", f"Record a demand – {WINIFRED}", person=WINIFRED, shows="Pass this demand to Dana Hughes in Northgate"),
    V("demand-new-known-elsewhere-errors", "practitioner", "/people/{winifred}/demands/new", f"Error: Record a demand – {WINIFRED}", person=WINIFRED, do=(("fill", "#source", "Her nephew"), ("check", "Phone"), ("fill", "#stated_need", "Struggling with the stairs"), ("click", "Save demand")), shows="Choose whether to pass this demand"),
    V("demand-passed", "practitioner", "/demands/{winifred_passed}/passed", f"Demand passed – {WINIFRED}", person=WINIFRED, shows="Demand passed to Dana Hughes"),
    V("demand-passing", "practitioner", "/people/{winifred}/demands/new", f"Demand passed – {WINIFRED}", person=WINIFRED, do=(("fill", "#source", "Her nephew"), ("check", "Phone"), ("fill", "#stated_need", "Struggling with the stairs"), ("check", re.compile("Pass this demand to Dana Hughes")), ("click", "Save demand")), shows="is already working with"),
    V("case", "practitioner", "/cases/{irene_case}", f"Case – {IRENE}", person=IRENE),
    V("case-closed", "practitioner", "/cases/{terry_case}", f"Case – {TERRY}", person=TERRY),
    V("about-me", "practitioner", "/cases/{irene_case}/about-me", f"About me – {IRENE}", person=IRENE),
    V("conversation-new", "practitioner", "/cases/{irene_case}/conversations/new", f"Record a conversation – {IRENE}", person=IRENE),
    V("conversation-new-errors", "practitioner", "/cases/{irene_case}/conversations/new", f"Error: Record a conversation – {IRENE}", person=IRENE, do=(("fill", "#minutes", "lots"), ("click", "Save conversation")), shows="Enter the minutes as a whole number from 0 to 1440"),
    V("conversation-saved", "practitioner", "/cases/{irene_case}/conversations/new", f"Case – {IRENE}", person=IRENE, do=(("fill", "#with_whom", "Irene"), ("fill", "#minutes", "30"), ("fill", "#notes", "Visited at home."), ("click", "Save conversation")), shows="Conversation saved."),  # the tab's draft kept "lots" from the line above
    V("action-agreed", "practitioner", "/cases/{irene_case}", f"Case – {IRENE}", person=IRENE, do=(("open", "Agree a new action"), ("fill", "#action-description", "Ring the stair-lift company"), ("check", "The team"), ("click", "Agree action")), shows="Action agreed."),
    V("action-errors", "practitioner", "/cases/{irene_case}", f"Error: Case – {IRENE}", person=IRENE, do=(("open", "Agree a new action"), ("click", "Agree action")), shows="There is a problem"),
    V("action", "practitioner", "/actions/{irene_action}", f"Update an action – {IRENE}", person=IRENE),
    V("action-update-errors", "practitioner", "/actions/{irene_action}", f"Error: Update an action – {IRENE}", person=IRENE, do=(("check", "Dropped"), ("fill", "#outcome", ""), ("click", "Save")), shows="There is a problem"),
    V("action-updated", "practitioner", "/actions/{irene_action}", f"Case – {IRENE}", person=IRENE, do=(("check", "Done"), ("fill", "#outcome", "Irene rang them herself"), ("click", "Save")), shows="Action marked done."),
    V("action-edit", "practitioner", "/actions/{irene_action}/edit", f"Change an action – {IRENE}", person=IRENE),
    V("action-edit-errors", "practitioner", "/actions/{irene_action}/edit", f"Error: Change an action – {IRENE}", person=IRENE, do=(("fill", "#description", ""), ("fill", "#due_on-day", "1"), ("fill", "#due_on-month", "1"), ("fill", "#due_on-year", "1800"), ("click", "Save the change")), shows="There is a problem"),
    V("action-changed", "practitioner", "/actions/{irene_action}/edit", f"Case – {IRENE}", person=IRENE, do=(("fill", "#description", "Ring the stair-lift company about a survey"), ("click", "Save the change")), shows="Action changed."),
    V("action-in-error", "practitioner", "/actions/{irene_action}/entered-in-error", f"Mark the action entered in error – {IRENE}", person=IRENE),
    V("demand-in-error", "practitioner", "/demands/{irene_demand}/entered-in-error", f"Mark the demand entered in error – {IRENE}", person=IRENE),
    V("conversation-in-error", "practitioner", "/conversations/{irene_conversation}/entered-in-error", f"Mark the conversation entered in error – {IRENE}", person=IRENE),
    V("conversation-in-error-errors", "practitioner", "/conversations/{irene_conversation}/entered-in-error", f"Error: Mark the conversation entered in error – {IRENE}", person=IRENE, do=(("click", "Mark entered in error"),), shows="There is a problem"),
    V("conversation-marked", "practitioner", "/cases/{irene_case}", f"Case – {IRENE}", person=IRENE, do=(("follow", re.compile("^Entered in error \\(the visit on")), ("fill", "#reason", "Logged twice: the same visit is recorded earlier today"), ("click", "Mark entered in error")), shows="The conversation is marked entered in error"),
    V("late-note", "practitioner", "/cases/{terry_case}/notes/new", f"Add a late note – {TERRY}", person=TERRY),
    V("late-note-errors", "practitioner", "/cases/{terry_case}/notes/new", f"Error: Add a late note – {TERRY}", person=TERRY, do=(("click", "Add the note"),), shows="There is a problem"),
    V("late-note-saved", "practitioner", "/cases/{terry_case}/notes/new", f"Case – {TERRY}", person=TERRY, do=(("fill", "#note", "A letter from the council: the rail is fitted"), ("click", "Add the note")), shows="Late note added."),
    V("owner", "practitioner", "/cases/{kamal_case}/owner", f"Change the owner – {KAMAL}", person=KAMAL),
    V("owner-errors", "practitioner", "/cases/{kamal_case}/owner", f"Error: Change the owner – {KAMAL}", person=KAMAL, do=(("click", "Change owner"),), shows="There is a problem"),
    V("close", "practitioner", "/cases/{nasreen_case}/close", f"Close the case – {NASREEN}", person=NASREEN),
    V("close-errors", "practitioner", "/cases/{nasreen_case}/close", f"Error: Close the case – {NASREEN}", person=NASREEN, do=(("click", "Close the case"),), shows="A case closes only when the person agrees"),
    V("close-saved", "practitioner", "/cases/{nasreen_case}/close", f"Case – {NASREEN}", person=NASREEN, do=(("check", re.compile("I have agreed with the person")), ("fill", "#agreement_note", "Agreed at home"), ("fill", "#summary", "Nasreen manages her medicines again"), ("click", "Close the case")), shows="Case closed"),
    # Transfers between teams and the other endings of a case (scene 20).
    V("transfer-new", "practitioner", "/cases/{irene_case}/transfer", f"Transfer to another team – {IRENE}", person=IRENE),
    V("transfer-new-errors", "practitioner", "/cases/{irene_case}/transfer", f"Error: Transfer to another team – {IRENE}", person=IRENE, do=(("click", "Ask the team to take the case"),), shows="Choose the team to transfer the case to"),
    V("transfers", "practitioner", "/transfers", "Transfers between teams", shows=LEN),
    V("transferred-case", "practitioner", "/cases/{gwen_case}", f"Case – {GWEN}", person=GWEN, shows="Transferred from Northgate on"),
    V("case-died", "practitioner", "/cases/{albert_case}", f"Case – {ALBERT}", person=ALBERT, shows="The person died"),
    V("transfer", "manager", "/transfers/{len_transfer}", f"Transfer from Northgate to Riverside – {LEN}", person=LEN, shows="Accept the transfer"),
    V("transfer-decline-errors", "manager", "/transfers/{len_transfer}", f"Error: Transfer from Northgate to Riverside – {LEN}", person=LEN, do=(("click", "Decline"),), shows="Say why your team cannot take the case"),
    V("account", "practitioner", "/account", "Your account"),
    V("details-errors", "practitioner", "/account", "Error: Your account", do=(("fill", "#phone", "after five"), ("click", "Save your details")), shows="There is a problem"),
    V("details-saved", "practitioner", "/account", "Your account", do=(("fill", "#working_hours", "Monday to Thursday, 8am to 4pm"), ("check", "Yes, email me once a day when I have unread notifications"), ("click", "Save your details")), shows="Your details have been saved."),
    V("notifications", "practitioner", "/notifications", "Notifications", shows="Unread"),
    V("notification-read", "practitioner", "/notifications", "Notifications", do=(("click", re.compile("^Mark as read")),), shows="Notification marked as read."),
    V("notifications-unread", "practitioner", "/notifications?unread=1", "Unread notifications"),
    V("notifications-all-read", "practitioner", "/notifications", "Notifications", do=(("click", "Mark all as read"),), shows="marked as read."),
    V("notifications-none-unread", "practitioner", "/notifications?unread=1", "Unread notifications", shows="You have no unread notifications."),
    V("password-errors", "practitioner", "/account", "Error: Your account", do=(("fill", "#current", "not my password"), ("click", "Change password")), shows="There is a problem"),
    V("token-made", "practitioner", "/account", "Your account", do=(("fill", "#label", "My phone"), ("click", "Make a token")), shows="Token made.", status=201),
    V("two-factor-setup", "practitioner", "/account/two-factor", "Set up two-factor sign-in"),
    V("two-factor-setup-errors", "practitioner", "/account/two-factor", "Error: Set up two-factor sign-in", do=(("fill", "#code", "123"), ("click", "Turn on two-factor sign-in")), shows="There is a problem"),
    V("forbidden", "practitioner", "/admin/users", "You do not have access to this page", status=403),
    V("not-found", "practitioner", "/people/99999999", "Page not found", status=404),
    V("bad-request", "manager", "/measures/list/repeat_demand/total?list_cohort=everyone", "Sorry, there is a problem with that request", status=400),
    # Barriers met and asks of the manager, from a case; the team's purpose.
    V("barrier-new", "practitioner", "/cases/{irene_case}/barriers/new", f"Record a barrier – {IRENE}", person=IRENE),
    V("barrier-new-errors", "practitioner", "/cases/{irene_case}/barriers/new", f"Error: Record a barrier – {IRENE}", person=IRENE, do=(("click", "Record the barrier"),), shows="There is a problem"),
    V("barrier-recorded", "practitioner", "/cases/{irene_case}/barriers/new", f"Case – {IRENE}", person=IRENE, do=(("fill", "#title", "The pharmacy will only deliver to people on its own list"), ("check", "An IT system"), ("fill", "#owner_org", "High Street pharmacy"), ("fill", "#cost", "Irene: “I walked there twice for nothing.”"), ("click", "Record the barrier")), shows="Barrier recorded"),
    V("barriers-board", "practitioner", "/barriers", "Barriers"),
    V("ask-new", "practitioner", "/cases/{irene_case}/asks/new", f"Ask the manager – {IRENE}", person=IRENE),
    V("ask-new-errors", "practitioner", "/cases/{irene_case}/asks/new", f"Error: Ask the manager – {IRENE}", person=IRENE, do=(("fill", "#cost", "a lot"), ("click", "Send the ask")), shows="There is a problem"),
    V("ask-sent", "practitioner", "/cases/{irene_case}/asks/new", f"Ask: A stair rail fitted this week – {IRENE}", person=IRENE, do=(("check", re.compile("A resource:")), ("fill", "#what", "A stair rail fitted this week"), ("fill", "#why", "Irene is frightened of the stairs"), ("fill", "#cost", "80"), ("click", "Send the ask")), shows="Your ask has gone to the team's manager."),
    V("asks-mine", "practitioner", "/asks", "Your asks of the manager"),
    V("purpose", "practitioner", "/team/purpose", "How we work – Riverside team"),
    # The working day: the diary, planning a contact, fulfilling and cancelling one.
    V("diary", "practitioner", "/diary", "My diary", shows="Overdue ("),
    V("plan-new", "practitioner", "/cases/{irene_case}/plans/new", f"Plan a contact – {IRENE}", person=IRENE),
    V("plan-new-errors", "practitioner", "/cases/{irene_case}/plans/new", f"Error: Plan a contact – {IRENE}", person=IRENE, do=(("fill", "#due_on-day", "1"), ("fill", "#due_on-month", "1"), ("fill", "#due_on-year", "2001"), ("click", "Plan the contact")), shows="must be today or later"),
    V("plan-saved", "practitioner", "/cases/{irene_case}/plans/new", f"Case – {IRENE}", person=IRENE, do=(("check", "Phone call"), ("fill", "#due_on-day", "{tomorrow_day}"), ("fill", "#due_on-month", "{tomorrow_month}"), ("fill", "#due_on-year", "{tomorrow_year}"), ("fill", "#note", "Ring Karen about the kettle tipper"), ("click", "Plan the contact")), shows="Phone call planned for"),
    V("plan-cancel", "practitioner", "/plans/{irene_plan}/cancel", f"Cancel a planned contact – {IRENE}", person=IRENE),
    V("plan-cancelled", "practitioner", "/plans/{irene_plan}/cancel?from=diary", "My diary", do=(("fill", "#reason", "Irene is staying with Karen this week"), ("click", "Cancel the contact")), shows="is cancelled"),
    V("conversation-plan", "practitioner", "/cases/{kamal_case}/conversations/new?plan={kamal_plan}", f"Record a conversation – {KAMAL}", person=KAMAL, shows="Was this a planned contact?"),
    # A manager: the team, allocation, measures and their lists, imports and duplicates.
    V("asks-team", "manager", "/asks", "Asks of the manager"),
    V("ask", "manager", "/asks/{mohammed_ask}", f"Ask: {MOHAMMED_ASK} – {MOHAMMED}", person=MOHAMMED),
    V("ask-answer-errors", "manager", "/asks/{mohammed_ask}", f"Error: Ask: {MOHAMMED_ASK} – {MOHAMMED}", person=MOHAMMED, do=(("click", "Save the answer"),), shows="There is a problem"),
    V("ask-answered", "manager", "/asks/{mohammed_ask}", "Asks of the manager", do=(("check", "Yes"), ("fill", "#reason", "Yes: it will save a night in hospital"), ("click", "Save the answer")), shows="You answered yes"),
    V("purpose-edit", "manager", "/team/purpose/edit", "Change how we work – Riverside team"),
    V("purpose-saved", "manager", "/team/purpose/edit", "How we work – Riverside team", do=(("fill", "#rules", "Do not break the law.\nDo no harm."), ("click", "Save")), shows="The team's purpose, principles and rules are saved."),
    V("barrier", "manager", "/barriers/{alarm}", f"{ALARM} – Barriers"),
    V("barrier-move", "manager", "/barriers/{alarm}/move", f"Move on – {ALARM}"),
    V("barrier-move-errors", "manager", "/barriers/{alarm}/move", f"Error: Move on – {ALARM}", do=(("check", "Removed"), ("click", "Save")), shows="There is a problem"),
    V("barrier-moved", "manager", "/barriers/{alarm}/move", "Barriers", do=(("check", "Removed"), ("fill", "#reason", "Telecare now accepts our assessment"), ("click", "Save")), shows="removed"),
    V("barriers-by-month", "manager", "/barriers/measures", "Barriers met and removed – Measures"),
    V("stories", "manager", "/stories", "Stories to share"),
    V("story", "manager", "/cases/{joan_case}/story", "{joan_story}'s story"),
    V("team", "manager", "/team", "Riverside team"),
    V("team-errors", "manager", "/team", "Error: Riverside team", do=(("click", "Allocate"),), shows="There is a problem"),
    V("team-allocated", "manager", "/team", "Riverside team", do=(("check", re.compile("Choose the case for")), ("select", "#owner_id", "Jo Lewis, Support worker"), ("fill", "#reason", "Jo has room this week"), ("click", "Allocate")), shows="given to Jo Lewis"),
    V("team-settings", "manager", "/team/settings", "Settings – Riverside team"),
    V("team-settings-errors", "manager", "/team/settings", "Error: Settings – Riverside team", do=(("fill", "#no_contact_days", "0"), ("click", "Save settings")), shows="There is a problem"),
    V("team-settings-saved", "manager", "/team/settings", "Riverside team", do=(("fill", "#no_contact_days", "21"), ("click", "Save settings")), shows="now flagged"),
    V("team-actions", "manager", "/team/actions", "Actions that need a new owner", shows="Dana Gone"),
    V("team-actions-errors", "manager", "/team/actions", "Error: Actions that need a new owner", do=(("click", "Hand on"),), shows="There is a problem"),
    V("team-actions-handed", "manager", "/team/actions", "Actions that need a new owner", do=(("check", re.compile("Choose the action")), ("select", "#new_assignee_id", "Jo Lewis"), ("fill", "#reason", "Dana has left the service"), ("click", "Hand on")), shows="handed on to Jo Lewis"),
    V("person-audit", "manager", "/people/{irene}/audit", f"Who has looked at {IRENE}'s record", person=IRENE),
    V("owner-saved", "manager", "/cases/{kamal_case}/owner", f"Case – {KAMAL}", person=KAMAL, do=(("select", "#owner_id", "Sam Okafor, Occupational therapist"), ("fill", "#reason", "Sam knows the family"), ("click", "Change owner")), shows="Sam Okafor"),
    V("measures", "manager", "/measures", "Measures"),
    V("measures-errors", "manager", "/measures?start[day]=31&start[month]=2&start[year]=2026", "Error: Measures", shows="There is a problem", status=400),
    V("measures-list", "manager", "/measures", "Repeat demand: Repeat demands", do=(("follow", re.compile("^\\d+ Pilot repeats$")),)),
    V("repeat-demand", "manager", "/measures/repeat-demand", "Repeat demand review"),
    V("measures-costs", "manager", "/measures", "Cost of the journey: the cases counted", do=(("follow", re.compile("^\\d+ of \\d+ cases recorded Pilot$")),)),
    V("compare", "manager", "/measures/compare", "Compare teams"),
    V("compare-errors", "manager", "/measures/compare?left=all&right=all", "Error: Compare teams", shows="There is a problem", status=400),
    # A service lead: every team's figures, no one's records (ADR 0034).
    V("lead-home", "lead", "/", "Compare teams", shows="Usual practice teams"),
    V("lead-measures", "lead", "/measures?team={riverside}", "Measures"),
    V("measures-how-many", "lead", "/measures/list/repeat_demand/total?team={riverside}", "How many: Repeat demand, demands received in the period", shows="how many, not who"),
    # Safety: a caution before the visit, the person's circle and their decisions about sharing.
    V("flag-new", "practitioner", "/people/{irene}/flags/new", f"Add a caution – {IRENE}", person=IRENE),
    V("flag-new-errors", "practitioner", "/people/{irene}/flags/new", f"Error: Add a caution – {IRENE}", person=IRENE, do=(("click", "Add the caution"),), shows="There is a problem"),
    V("flag-review", "practitioner", "/flags/{irene_flag}/review", f"Review a caution – {IRENE}", person=IRENE),
    V("flag-end", "practitioner", "/flags/{irene_flag}/end", f"End a caution – {IRENE}", person=IRENE),
    V("flag-end-errors", "practitioner", "/flags/{irene_flag}/end", f"Error: End a caution – {IRENE}", person=IRENE, do=(("click", "End the caution"),), shows="There is a problem"),
    V("flags-due", "manager", "/flags/due", "Cautions due for review"),
    V("member-new", "practitioner", "/people/{irene}/network/new", f"Add someone to the circle – {IRENE}", person=IRENE),
    V("member-new-errors", "practitioner", "/people/{irene}/network/new", f"Error: Add someone to the circle – {IRENE}", person=IRENE, do=(("click", "Save"),), shows="There is a problem"),
    V("member-edit", "practitioner", "/network/{irene_member}/edit", "Change {irene_member_name}'s details – " + IRENE, person=IRENE),
    V("consent-new", "practitioner", "/people/{irene}/consents/new", f"Record a decision about sharing – {IRENE}", person=IRENE),
    V("consent-new-errors", "practitioner", "/people/{irene}/consents/new", f"Error: Record a decision about sharing – {IRENE}", person=IRENE, do=(("click", "Record the decision"),), shows="There is a problem"),
    # Test and learn: the demo's trial, its results and report, the catalogue, a counterfactual.
    V("trial", "manager", "/trials/{trial}", "Home first – trial", shows="People in the pilot arm were"),
    V("trial-errors", "manager", "/trials/{trial}?follow_up_days=forever", "Home first – trial", shows="Enter the follow-up", status=422),
    V("trial-report", "manager", "/trials/{trial}/report", "Evaluation report – Home first"),
    V("costs", "manager", "/costs", "Cost catalogue – Riverside", shows="Example figure"),
    V("costs-errors", "manager", "/costs", "Error: Cost catalogue – Riverside", do=(("fill", "#service", "Day centre"), ("fill", "#cost", "-5"), ("click", "Save the cost")), shows="There is a problem"),
    V("counterfactual", "manager", "/cases/{trial_case}/counterfactual", "What the usual system would have done – case {trial_case}"),
    V("counterfactual-saved", "manager", "/cases/{trial_case}/counterfactual", "Case – {trial_person}", do=(("fill", "#count-{ot}", "2"), ("click", "Save")), shows="Saved what the usual system would have done."),
    V("import", "manager", "/imports/demands", "Import legacy referrals"),
    V("import-errors", "manager", "/imports/demands", "Error: Import legacy referrals", do=(("click", "Preview the import"),), shows="There is a problem"),
    V("import-preview", "manager", "/imports/demands", f"Check the import (page 1 of 4) – {IMPORT_FILE.name}", do=(("upload", "#file", IMPORT_FILE), ("click", "Preview the import")), shows="Born 27 August 1950"),
    V("import-preview-more", "manager", "/imports/demands", f"Check the import (page 2 of 4) – {IMPORT_FILE.name}", do=(("upload", "#file", IMPORT_FILE), ("click", "Preview the import"), ("follow", re.compile("^Next"))), shows="Rows 51 to 100 of this list are shown."),
    V("import-done", "manager", "/imports/demands", "Import legacy referrals", do=(("upload", "#file", IMPORT_FILE), ("click", "Preview the import"), ("click", re.compile("^Import \\d+ referrals"))), shows="Imported"),
    V("duplicates-manager", "manager", "/people/duplicates", "Possible duplicate records"),
    # An administrator: users, teams, the audit trail, merging duplicates.
    V("no-records", "admin", "/", "Users and teams"),
    V("trials", "admin", "/trials", "Trials"),
    V("trial-new-errors", "admin", "/trials", "Error: Trials", do=(("fill", "#name", "Second trial"), ("fill", "#share", "2"), ("click", "Start the trial")), shows="There is a problem"),
    V("users", "admin", "/admin/users", "Users and teams"),
    V("user-new", "admin", "/admin/users/new", "Add a user – Users and teams"),
    V("user-new-errors", "admin", "/admin/users/new", "Error: Add a user – Users and teams", do=(("click", "Add user"),), shows="There is a problem"),
    V("user-added", "admin", "/admin/users/new", "Users and teams", do=(("fill", "#email", "lee.moss@riverside.example.nhs.uk"), ("fill", "#name", "Lee Moss"), ("check", "Practitioner"), ("select", "#team_id", "Riverside"), ("click", "Add user")), shows="Lee Moss has been added."),
    V("user-edit", "admin", "/admin/users/{chris}/edit", "Change Chris Byrne's details – Users and teams"),
    V("user-edit-errors", "admin", "/admin/users/{chris}/edit", "Error: Change Chris Byrne's details – Users and teams", do=(("fill", "#name", ""), ("click", "Save details")), shows="There is a problem"),
    V("user-edit-saved", "admin", "/admin/users/{chris}/edit", "Users and teams", do=(("click", "Save details"),), shows="saved"),
    V("user-password", "admin", "/admin/users/{chris}/password", "Reset Chris Byrne's password – Users and teams"),
    V("user-password-reset", "admin", "/admin/users/{chris}/password", "Users and teams", do=(("click", "Reset password"),), shows="Chris Byrne's password has been reset."),
    V("user-deactivate", "admin", "/admin/users/{chris}/deactivate", "Deactivate Chris Byrne – Users and teams"),
    V("user-deactivated", "admin", "/admin/users/{chris}/deactivate", "Users and teams", do=(("click", "Deactivate Chris Byrne"),), shows="Chris Byrne has been deactivated"),
    V("user-reactivate", "admin", "/admin/users/{pat}/reactivate", "Reactivate Pat Green – Users and teams"),
    V("user-reactivated", "admin", "/admin/users/{pat}/reactivate", "Users and teams", do=(("click", "Reactivate Pat Green"),), shows="Pat Green has been reactivated"),
    V("team-new", "admin", "/admin/teams/new", "Add a team – Users and teams"),
    V("team-new-errors", "admin", "/admin/teams/new", "Error: Add a team – Users and teams", do=(("click", "Add team"),), shows="There is a problem"),
    V("team-added", "admin", "/admin/teams/new", "Users and teams", do=(("fill", "#name", "Hillside"), ("check", "Pilot (the bubble)"), ("click", "Add team")), shows="The Hillside team has been added."),
    V("team-edit", "admin", "/admin/teams/{riverside}/edit", "Change the Riverside team – Users and teams"),
    V("audit", "admin", "/admin/audit", "Audit trail"),
    V("relationships", "admin", "/admin/relationships", "Relationships started", shows="Albert Mensah"),
    V("audit-filtered", "admin", "/admin/audit?person={irene}", "Audit trail", shows="events"),
    V("audit-errors", "admin", "/admin/audit?start[day]=31&start[month]=2&start[year]=2026", "Error: Audit trail", shows="There is a problem", status=400),
    V("duplicates", "admin", "/people/duplicates", "Possible duplicate records", shows=TERRY),
    V("merge", "admin", "/people/duplicates/merge?a={terry}&b={terry_again}", "Compare and merge records {terry} and {terry_again}", person=TERRY),
    V("merge-errors", "admin", "/people/duplicates/merge?a={terry}&b={terry_again}", "Error: Compare and merge records {terry} and {terry_again}", do=(("click", "Merge these records"),), shows="There is a problem"),
    V("merge-done", "admin", "/people/duplicates/merge?a={terry}&b={terry_again}", "Merge of record {terry_again} into record {terry}", do=(("check", re.compile("Keep record {terry}")), ("click", "Merge these records")), shows="has been merged into record"),
    V("merge-undone", "admin", "/people/duplicates", "Merge of record {terry_again} into record {terry}", do=(("follow", re.compile("record {terry_again}")), ("click", "Undo this merge")), shows="This merge was undone"),
    # Last, as it logs the worker out everywhere else: a changed password.
    V("password-changed", "newcomer", "/account", "Your account", do=(("fill", "#current", PASSWORD), ("fill", "#new", "a new and longer passphrase"), ("fill", "#confirm", "a new and longer passphrase"), ("click", "Change password")), shows="Your password has been changed."),
]  # fmt: skip

# GET routes with no page of their own, and why.
NOT_PAGES = {
    "static": "files: stylesheets, scripts, images",
    "nhsuk_assets": "files: the design system's stylesheet, scripts and icons",
    "health.healthz": "JSON for monitoring",
    "imports.preview": "the preview's later pages, reached by its Next link: import-preview-more",
    "audit.trail_csv": "a CSV download of the audit page's events",
    "measures.figures_csv": "a CSV download of the measures page's table",
    "measures.drilldown_csv": "a CSV download of a drill-down list",
    "measures.cost_of_journey_list": "reached by following the cost figure's link: measures-costs",
    "people.export": "a JSON download (subject access request)",
    "duplicates.merge_entry": "reached by following a link, in merge-undone",
    # Old addresses that answer 308 to their page (tests/people/test_merge_pages.py,
    # tests/test_pages.py check each)
    "cases.moved_conversation_form": "the old /visits/new: a redirect to conversation-new",
    "imports.old_duplicates": "the old /imports/duplicates: a redirect to duplicates",
    "imports.old_merge": "the old /imports/duplicates/merge: a redirect to merge",
    "imports.old_merge_entry": "the old /imports/merges/<id>: a redirect to the merge entry",
    "auth.oidc_login": "a redirect to the single sign-on provider (test_single_sign_on.py)",
    "auth.oidc_callback": "the provider's answer: a redirect to the page or back to log in",
    "auth.second_factor": "only after the password of a user with a second factor: "
    "tests/browser/test_two_factor.py visits it, with axe, on a phone, with and without scripts",
}
# Pages written for machines: the API answers in JSON.
NOT_PAGE_PREFIXES = ("api.",)


def endpoint_of(app, path: str) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.match(urlsplit(path.format_map(_AnyId())).path, method="GET")[0]


class _AnyId(dict):
    def __missing__(self, key):
        return "1"


def test_every_page_for_a_get_route_is_visited_or_explained(app):
    """A new page must get a line in PAGES (or a reason in NOT_PAGES)."""
    visited = {endpoint_of(app, v.path) for v in PAGES}
    routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    missing = {e for e in routes - visited - set(NOT_PAGES) if not e.startswith(NOT_PAGE_PREFIXES)}
    assert missing == set(), "add a line to PAGES for each, or a reason to NOT_PAGES"
    assert set(NOT_PAGES) <= routes, "NOT_PAGES names a route that no longer exists"


def test_each_kind_of_page_has_its_own_title():
    kinds: dict[str, set[str]] = {}
    for v in PAGES:
        page = v.path.split("?")[0]
        kinds.setdefault(v.title.removeprefix("Error: "), set()).add(page)
    shared = {title: pages for title, pages in kinds.items() if len(pages) > 1}
    # A save that ends on another page (the case, the users list) shares that page's title.
    landing = {v.title for v in PAGES if v.shows and not v.title.startswith("Error")}
    assert {t: p for t, p in shared.items() if t not in landing} == {}
    assert len({v.name for v in PAGES}) == len(PAGES)


# The demo locality, served once for the whole module.


@pytest.fixture(scope="module")
def demo(databases, migrated_template, tmp_path_factory):
    """The app on a database holding the demo locality, served on a local port; yields the
    base URL, the records the pages name, and a password for each role."""
    folder = tmp_path_factory.mktemp("demo")
    url = databases.fresh(migrated_template, folder)
    app = create_app(_config(folder, url, WTF_CSRF_ENABLED=True))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        logins = {email: password for _, email, password in load_demo(db.session)}
        records, passwords = demo_records(logins)
        db.session.commit()
        db.session.remove()
    with serve(app) as base:
        yield app, base, records, passwords
    with app.app_context():
        db.engine.dispose()
    databases.release(url)


def demo_records(logins: dict[str, str]) -> tuple[dict, dict]:
    """The demo people, cases and users the pages visit, and a few records the demo lacks
    (a worker with no cases yet, one with no team, a person with no story, a duplicate)."""

    def person(given: str, family: str) -> Person:
        return db.session.scalar(
            select(Person).where(Person.given_name == given, Person.family_name == family)
        )

    def user(name: str) -> User:
        return db.session.scalar(select(User).where(User.name == name))

    def open_case(p: Person, closed: bool = False) -> Case:
        done = Case.closed_on.is_not(None) if closed else Case.closed_on.is_(None)
        return db.session.scalar(select(Case).where(Case.person_id == p.id, done).order_by(Case.id))

    riverside = db.session.scalar(select(Team).where(Team.name == "Riverside"))
    eleisha, morgan, ada = user("Eleisha Ward"), user("Morgan Reed"), user("Ada Lovell")
    irene, kamal, nasreen, terry = (person(*n.split()) for n in (IRENE, KAMAL, NASREEN, TERRY))
    irene_case = open_case(irene)
    joan_case = open_case(person("Joan", "Fletcher"), closed=True)
    newcomer, _ = create_user(
        db.session,
        email="rowan.newby@riverside.example.nhs.uk",
        name="Rowan Newby",
        role="practitioner",
        team=riverside,
        password=PASSWORD,
    )
    teamless, _ = create_user(
        db.session,
        email="kit.able@example.nhs.uk",
        name="Kit Able",
        role="practitioner",
        team=riverside,
        password=PASSWORD,
    )
    teamless.team_id = None  # as a user left from before every practitioner needed a team
    nobody = create_person(
        db.session, eleisha, {"given_name": "Robin", "family_name": "Fairweather"}
    )
    terry_again = create_person(
        db.session,
        eleisha,
        {"given_name": "TERRY", "family_name": "wood", "date_of_birth": terry.date_of_birth},
    )
    # A colleague who has gone, leaving an open action: the manager's list to hand on.
    dana, _ = create_user(
        db.session,
        email="dana.gone@riverside.example.nhs.uk",
        name="Dana Gone",
        role="practitioner",
        team=riverside,
        password=PASSWORD,
    )
    add_action(
        db.session,
        open_case(kamal),
        eleisha,
        description="Go with Kamal to the housing office",
        by="team",
        assignee=dana,
    )
    dana.active = False
    db.session.flush()
    trial = trials_service.find(db.session, "Home first")
    trial_case = db.session.scalar(
        select(Case)
        .join(Demand, Demand.case_id == Case.id)
        .join(TrialAllocation, TrialAllocation.demand_id == Demand.id)
        .where(TrialAllocation.allocation == "pilot", Case.closed_on.is_not(None))
        .order_by(Case.id)
        .limit(1)
    )
    irene_member = db.session.scalar(
        select(NetworkMember).where(NetworkMember.person_id == irene.id).order_by(NetworkMember.id)
    )
    tomorrow = clock.today() + dt.timedelta(days=1)

    def open_plan(case) -> int:
        return db.session.scalar(
            select(Plan.id)
            .where(Plan.case_id == case.id, Plan.status == "planned")
            .order_by(Plan.id)
        )

    records = {
        "irene": irene.id,
        "irene_case": irene_case.id,
        "irene_action": db.session.scalar(
            select(Action.id).where(Action.case_id == irene_case.id).order_by(Action.id)
        ),
        "irene_conversation": db.session.scalar(
            select(Conversation.id)
            .where(Conversation.case_id == irene_case.id)
            .order_by(Conversation.id)
        ),
        "irene_demand": db.session.scalar(
            select(Demand.id).where(Demand.case_id == irene_case.id).order_by(Demand.id)
        ),
        "kamal_case": open_case(kamal).id,
        "irene_plan": open_plan(irene_case),
        "kamal_plan": open_plan(open_case(kamal)),
        # a planned contact's day: tomorrow, asked of the clock when the suite runs
        "tomorrow_day": str(tomorrow.day),
        "tomorrow_month": str(tomorrow.month),
        "tomorrow_year": str(tomorrow.year),
        "nasreen_case": open_case(nasreen).id,
        "terry": terry.id,
        "terry_case": open_case(terry, closed=True).id,
        "terry_again": terry_again.id,
        "nobody": nobody.id,
        "chris": user("Chris Byrne").id,
        "pat": user("Pat Green").id,
        "riverside": riverside.id,
        "mohammed_ask": db.session.scalar(select(Ask.id).where(Ask.what == MOHAMMED_ASK)),
        "alarm": db.session.scalar(select(Barrier.id).where(Barrier.title == ALARM)),
        "joan_case": joan_case.id,
        "gwen_case": open_case(person("Gwen", "Roberts")).id,
        "albert_case": open_case(person("Albert", "Hughes"), closed=True).id,
        "len_transfer": db.session.scalar(
            select(Transfer.id)
            .join(Case, Case.id == Transfer.case_id)
            .where(Case.person_id == person("Len", "Carter").id)
        ),
        "joan_story": pseudonym_for(joan_case).name,
        "irene_flag": db.session.scalar(
            select(CautionFlag.id).where(CautionFlag.person_id == irene.id).order_by(CautionFlag.id)
        ),
        "irene_member": irene_member.id,
        "winifred": person("Winifred", "Osei").id,
        "winifred_passed": db.session.scalar(
            select(Demand.id).where(Demand.routed_by == "passed_to_owner").order_by(Demand.id)
        ),
        "irene_member_name": irene_member.name,
        "trial": trial.id,
        "trial_case": trial_case.id,
        "trial_person": trial_case.person.name,
        "ot": db.session.scalar(
            select(CostItem.id).where(
                CostItem.team_id == riverside.id, CostItem.service == "OT assessment"
            )
        ),
    }
    passwords = {
        "practitioner": (eleisha.email, logins[eleisha.email]),
        "manager": (morgan.email, logins[morgan.email]),
        "admin": (ada.email, logins[ada.email]),
        "lead": (user("Lin Carter").email, logins[user("Lin Carter").email]),
        "newcomer": (newcomer.email, PASSWORD),
        "teamless": (teamless.email, PASSWORD),
    }
    return records, passwords


@pytest.fixture(scope="module")
def pages(demo, browser: Browser):
    """One logged-in tab per role, opened when first needed and kept for the module."""
    _, base, _, passwords = demo
    opened: dict[str, Page] = {}

    def tab(role: str) -> Page:
        if role not in opened:
            context = browser.new_context(viewport=checks.DESKTOP)
            context.set_default_timeout(5000)  # a missing element fails fast, not in 30 s
            context.set_default_navigation_timeout(20000)  # a busy 2-core machine is slow
            page = context.new_page()
            page.statuses = []
            page.on(
                "response",
                lambda r, page=page: (
                    r.request.resource_type == "document"
                    and r.frame == page.main_frame
                    and page.statuses.append(r.status)
                ),
            )
            if role != "anonymous":
                email, password = passwords[role]
                page.goto(base + "/login")
                page.fill("#email", email)
                page.fill("#password", password)
                page.get_by_role("button", name="Log in").click()
                expect(page.get_by_role("button", name="Log out")).to_be_attached()
            opened[role] = page
        return opened[role]

    yield tab
    for page in opened.values():
        page.context.close()


def fill_in(page: Page, step: tuple, records: dict) -> None:
    kind, *args = step
    args = [_named(a, records) for a in args]
    if kind == "fill":
        page.fill(args[0], args[1])
    elif kind == "check":
        page.get_by_label(args[0], exact=isinstance(args[0], str)).first.check()
    elif kind == "select":
        page.select_option(args[0], label=args[1])
    elif kind == "upload":
        page.set_input_files(args[0], str(args[1]))
    elif kind == "click":
        page.get_by_role("button", name=args[0], exact=isinstance(args[0], str)).first.click()
        page.wait_for_load_state()
    elif kind == "follow":
        page.get_by_role("link", name=args[0], exact=isinstance(args[0], str)).first.click()
        page.wait_for_load_state()
    elif kind == "open":  # a "details" section
        page.get_by_text(args[0], exact=True).click()
    else:
        raise ValueError(f"unknown step {kind}")


def _named(value, records: dict):
    if isinstance(value, str):
        return value.format_map(records)
    if isinstance(value, re.Pattern):
        return re.compile(value.pattern.format_map(records))
    return value


@pytest.mark.parametrize("visit", PAGES, ids=[v.name for v in PAGES])
def test_page(visit: Visit, demo, pages):
    _, base, records, _ = demo
    page = pages(visit.role)
    page.set_viewport_size(checks.DESKTOP)
    page.statuses.clear()
    page.goto(base + visit.path.format_map(records))
    for step in visit.do:
        fill_in(page, step, records)
    problems = []

    # A refused form answers 422 or 200 (pages differ), never a 500.
    statuses = {visit.status} if visit.status else {200, 422} if "Error:" in visit.title else {200}
    assert page.statuses[-1] in statuses, f"{page.url} answered {page.statuses}"
    if visit.shows:
        expect(page.get_by_text(_named(visit.shows, records)).first).to_be_visible()
    title = _named(visit.title, records) + " – " + checks.SERVICE
    if page.title() != title:
        problems.append(f"the title is {page.title()!r}, not {title!r}")
    h1 = checks.heading(page)
    if page.locator("h1").count() != 1:
        problems.append(f"{page.locator('h1').count()} h1 headings")
    elif not checks.words(h1) & checks.words(title):
        problems.append(f"the title {title!r} and the heading {h1!r} share no word")
    text = checks.visible_text(page)
    if visit.person and visit.person not in page.locator("main").inner_text():
        problems.append(f"{visit.person}'s name is not on the page")
    code = " ".join(page.locator("main code, main input, main textarea").all_inner_texts())
    dates = [d for d in checks.machine_dates(text) if d not in code]
    if dates:
        problems.append(f"dates written for machines: {dates[:5]}")
    problems += checks.chart_problems(page)
    problems += [f"desktop: {v}" for v in checks.accessibility_violations(page)]
    shot(page, visit, "desktop")

    page.set_viewport_size(checks.PHONE)
    problems += [f"phone: {p}" for p in checks.sideways_scroll(page)]
    problems += [f"phone: {v}" for v in checks.accessibility_violations(page)]
    shot(page, visit, "phone")
    assert problems == [], "\n".join(problems)


def shot(page: Page, visit: Visit, width: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{visit.role}-{visit.name}-{width}.png"), full_page=True)


# The checks themselves: each sees a fault when there is one (else zero would prove nothing).


def test_the_checks_see_faults_when_there_are_some(page: Page):
    page.set_viewport_size(checks.PHONE)
    page.set_content(
        "<!doctype html><html lang='en'><title>t</title><main><h1>A page</h1>"
        "<img src='x.png'><div style='width: 500px'>Too wide</div>"
        "<div style='overflow-x: auto'><table><tr><td style='min-width: 600px'>wide</td></tr>"
        "</table></div><svg class='cw-chart__svg'></svg><p>Seen on 2026-12-02</p></main>"
    )
    assert any(v.startswith("image-alt") for v in checks.accessibility_violations(page))
    found = checks.sideways_scroll(page)
    assert any("the page is" in p for p in found)
    assert any("div" in p and "right edge" in p for p in found)
    assert any("scrolls sideways" in p for p in found)
    assert checks.machine_dates(checks.visible_text(page)) == ["2026-12-02"]
    assert checks.chart_problems(page) == [
        "chart 1 has no text alternative",
        "chart 1 has no data table",
    ]
    assert checks.heading(page) == "A page"
