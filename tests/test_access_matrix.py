"""Every route × every method × every role × own team's and another team's records.

The table below is the access policy written out: each cell is the status the app must
answer. A route (or method) missing from the table fails the suite, so no route can be
added without deciding, here, who may use it.

Roles, in the order of each row: anonymous visitor, practitioner, manager, administrator
without a team, administrator who also works in a team, service lead (never in a team,
ADR 0034). Every logged-in role belongs to (or, for the lone administrator and the lead,
stands beside) the North team; "own" records are North's,
"other" records are South's. A cell "200/403" is own/other; a single status is both (or the
route has no record to choose).

Requests are made as the pages and API send them, with bodies that pass the access check
and then fail (or succeed harmlessly) on the rules: an allowed empty form answers 422 (or
shows the form again, or saves a form filled from the record: 302), a refused one 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from casework import clock
from casework.asks.service import ask_manager
from casework.auth.tokens import issue_token
from casework.barriers.service import create_barrier
from casework.cases.service import add_action, log_conversation
from casework.diary.service import plan_contact
from casework.extensions import db
from casework.notifications.service import tell
from casework.people.merge import merge_people
from casework.policy import MAX_ID
from casework.safety.service import add_member, raise_flag
from casework.transfers.service import request_transfer
from casework.trials.service import create as create_trial
from tests.conftest import login, make_demand, make_person, make_team, make_user

ROLES = ("anonymous", "practitioner", "manager", "admin", "admin_in_team", "lead")
# A refusal must say what is really wrong: these words mean it gave no reason of its own.
UNEXPLAINED = "Your role or team does not allow this"

# fmt: off
EXPECTED = {
    # endpoint, method:              anonymous  practitioner  manager  admin  admin in team  lead
    ("static", "GET"):                   "200 | 200 | 200 | 200 | 200 | 200",
    ("nhsuk_assets", "GET"):             "200 | 200 | 200 | 200 | 200 | 200",
    ("health.healthz", "GET"):           "200 | 200 | 200 | 200 | 200 | 200",
    ("auth.login", "GET"):               "200 | 302 | 302 | 302 | 302 | 302",
    ("auth.login", "POST"):              "200 | 302 | 302 | 302 | 302 | 302",
    ("auth.logout", "POST"):             "302 | 302 | 302 | 302 | 302 | 302",
    # Single sign-on: not set up in these tests (tests/auth/test_oidc.py has it on)
    ("auth.oidc_login", "GET"):          "404 | 404 | 404 | 404 | 404 | 404",
    ("auth.oidc_callback", "GET"):       "404 | 404 | 404 | 404 | 404 | 404",
    # Second factor: a signed-in user has no session waiting for a code, so is sent on
    ("auth.second_factor", "GET"):       "302 | 302 | 302 | 302 | 302 | 302",
    ("auth.second_factor", "POST"):      "302 | 302 | 302 | 302 | 302 | 302",
    ("auth.two_factor_setup", "GET"):    "302 | 200 | 200 | 200 | 200 | 200",
    ("auth.two_factor_setup", "POST"):   "302 | 422 | 422 | 422 | 422 | 422",
    ("auth.new_recovery_codes", "POST"): "302 | 302 | 302 | 302 | 302 | 302",
    ("auth.two_factor_off", "POST"):     "302 | 302 | 302 | 302 | 302 | 302",
    ("auth.sign_out_others", "POST"):    "302 | 302 | 302 | 302 | 302 | 302",
    ("account.index", "GET"):            "302 | 200 | 200 | 200 | 200 | 200",
    ("account.new_token", "POST"):       "302 | 201 | 201 | 201 | 201 | 201",
    ("account.revoke_token", "POST"):    "302 | 302/404 | 302/404 | 302/404 | 302/404 | 302/404",
    ("account.change_password", "POST"): "302 | 422 | 422 | 422 | 422 | 422",
    ("caseload.index", "GET"):           "302 | 200 | 200 | 302 | 200 | 302",
    ("caseload.team", "GET"):            "302 | 403 | 200 | 403 | 200 | 403",
    ("caseload.team", "POST"):           "302 | 403 | 422 | 403 | 422 | 403",
    # People: search and registering reach across teams by identity only
    ("people.search", "GET"):            "302 | 200 | 200 | 403 | 200 | 403",
    ("people.new", "GET"):               "302 | 200 | 200 | 403 | 200 | 403",
    ("people.new", "POST"):              "302 | 422 | 422 | 403 | 422 | 403",
    ("people.detail", "GET"):            "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("people.edit", "GET"):              "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("people.edit", "POST"):             "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("audit.person", "GET"):             "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("people.export", "GET"):            "302 | 403 | 200/403 | 403 | 200/403 | 403",
    # A referral may be recorded for anyone on record: it makes them known to the team
    ("demands.new", "GET"):              "302 | 200 | 200 | 403 | 200 | 403",
    ("demands.new", "POST"):             "302 | 422 | 422 | 403 | 422 | 403",
    # A demand passed to another team's case: its confirmation is for its recorder alone
    ("demands.passed", "GET"):           "302 | 404 | 404 | 404 | 404 | 404",
    # Cases and actions: the case's team (the practitioner owns North's case)
    ("cases.detail", "GET"):             "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.about_me", "GET"):           "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.referral", "POST"):          "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    ("cases.add_action", "POST"):        "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("cases.log_conversation", "GET"):   "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.log_conversation", "POST"):  "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    # The form's old address (/visits/new): a redirect to the new one, which decides
    ("cases.moved_conversation_form", "GET"):  "302 | 308 | 308 | 308 | 308 | 308",
    ("cases.moved_conversation_form", "POST"): "302 | 308 | 308 | 308 | 308 | 308",
    ("cases.change_owner", "GET"):       "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.change_owner", "POST"):      "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("cases.close", "GET"):              "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.close", "POST"):             "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("cases.update_action", "GET"):      "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("cases.update_action", "POST"):     "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("actions.edit", "GET"):             "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("actions.edit", "POST"):            "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    # The actions of workers who have gone: the team's manager hands them on
    ("actions.needing_new_owner", "GET"):  "302 | 403 | 200 | 403 | 200 | 403",
    ("actions.needing_new_owner", "POST"): "302 | 403 | 422 | 403 | 422 | 403",
    # Entered in error: who recorded it (the practitioner), the case owner, their manager
    ("corrections.conversation", "GET"):  "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("corrections.conversation", "POST"): "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("corrections.action", "GET"):        "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("corrections.action", "POST"):       "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("corrections.demand", "GET"):        "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("corrections.demand", "POST"):       "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    # Late notes: the case's team, on a closed case (this one is open: sent to a conversation)
    ("corrections.late_note", "GET"):     "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    ("corrections.late_note", "POST"):    "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    # Asks of the manager: the case's team; the team's manager answers, the asker withdraws
    ("asks.index", "GET"):               "302 | 200 | 200 | 403 | 200 | 403",
    ("asks.new", "GET"):                 "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("asks.new", "POST"):                "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("asks.detail", "GET"):              "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("asks.detail", "POST"):             "302 | 403 | 422/403 | 403 | 422/403 | 403",
    ("asks.withdraw", "POST"):           "302 | 302/403 | 403 | 403 | 403 | 403",
    # Transfers: "own" is one asked of North (from South), "other" one between South and West.
    ("transfers.new", "GET"):            "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("transfers.new", "POST"):           "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("transfers.index", "GET"):          "302 | 200 | 200 | 403 | 200 | 403",
    ("transfers.show", "GET"):           "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("transfers.accept", "POST"):        "302 | 403 | 422/403 | 403 | 422/403 | 403",
    ("transfers.decline", "POST"):       "302 | 403 | 422/403 | 403 | 422/403 | 403",
    # The team's purpose: read by its members, written by its manager
    ("purpose.show", "GET"):             "302 | 200 | 200 | 403 | 200 | 403",
    ("purpose.edit", "GET"):             "302 | 403 | 200 | 403 | 200 | 403",
    ("purpose.edit", "POST"):            "302 | 403 | 422 | 403 | 422 | 403",
    # Measures: figures of any team for managers, leads and administrators (ADR 0034); the
    # lists of people behind them only for the team's managers, others told how many
    ("measures.index", "GET"):           "302 | 403 | 200 | 200 | 200 | 200",
    ("measures.figures_csv", "GET"):     "302 | 403 | 200 | 200 | 200 | 200",
    ("measures.compare", "GET"):         "302 | 403 | 200 | 200 | 200 | 200",
    ("measures.drilldown", "GET"):       "302 | 403 | 200 | 200 | 200 | 200",
    ("measures.drilldown_csv", "GET"):   "302 | 403 | 200/403 | 403 | 200/403 | 403",
    ("measures.repeat_demand", "GET"):   "302 | 403 | 200/403 | 403 | 200/403 | 403",
    ("measures.cost_of_journey_list", "GET"): "302 | 403 | 200/403 | 403 | 200/403 | 403",
    # Imports: managers their own team, administrators any; merging administrators only
    ("imports.upload", "GET"):           "302 | 403 | 200 | 200 | 200 | 403",
    ("imports.upload", "POST"):          "302 | 403 | 422 | 422 | 422 | 403",
    ("imports.preview", "GET"):          "302 | 403 | 302 | 302 | 302 | 403",
    ("imports.confirm", "POST"):         "302 | 403 | 302 | 302 | 302 | 403",
    ("imports.cancel", "POST"):          "302 | 403 | 302 | 302 | 302 | 403",
    ("duplicates.index", "GET"):         "302 | 403 | 200 | 200 | 200 | 403",
    ("duplicates.merge_records", "GET"): "302 | 403 | 403 | 200 | 200 | 403",
    ("duplicates.merge_records", "POST"): "302 | 403 | 403 | 422 | 422 | 403",
    ("duplicates.merge_entry", "GET"):   "302 | 403 | 403 | 200 | 200 | 403",
    ("duplicates.merge_entry", "POST"):  "302 | 403 | 403 | 302 | 302 | 403",
    # Their old addresses under /imports/: a permanent redirect for whoever may import
    ("imports.old_duplicates", "GET"):   "302 | 403 | 308 | 308 | 308 | 403",
    ("imports.old_duplicates", "POST"):  "302 | 403 | 308 | 308 | 308 | 403",
    ("imports.old_merge", "GET"):        "302 | 403 | 308 | 308 | 308 | 403",
    ("imports.old_merge", "POST"):       "302 | 403 | 308 | 308 | 308 | 403",
    ("imports.old_merge_entry", "GET"):  "302 | 403 | 308 | 308 | 308 | 403",
    ("imports.old_merge_entry", "POST"): "302 | 403 | 308 | 308 | 308 | 403",
    # Administration: users, teams and the audit trail
    ("admin.users", "GET"):              "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.new_user", "GET"):           "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.new_user", "POST"):          "302 | 403 | 403 | 422 | 422 | 403",
    ("admin.edit_user", "GET"):          "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.edit_user", "POST"):         "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.deactivate_user", "GET"):    "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.deactivate_user", "POST"):   "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.reactivate_user", "GET"):    "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.reactivate_user", "POST"):   "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.sign_out_everywhere", "POST"): "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.reset_two_factor", "POST"):  "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.reset_password", "GET"):     "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.reset_password", "POST"):    "302 | 403 | 403 | 302 | 302 | 403",
    ("admin.new_team", "GET"):           "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.new_team", "POST"):          "302 | 403 | 403 | 422 | 422 | 403",
    ("admin.edit_team", "GET"):          "302 | 403 | 403 | 200 | 200 | 403",
    ("admin.edit_team", "POST"):         "302 | 403 | 403 | 302 | 302 | 403",
    ("audit.trail", "GET"):              "302 | 403 | 403 | 200 | 200 | 403",
    ("audit.trail_csv", "GET"):          "302 | 403 | 403 | 200 | 200 | 403",
    ("audit.relationships", "GET"):      "302 | 403 | 403 | 200 | 200 | 403",
    # The API: a bearer token, never a session; the same rules as the pages
    ("api.openapi", "GET"):              "200 | 200 | 200 | 200 | 200 | 200",
    ("api.search_people", "GET"):        "401 | 200 | 200 | 403 | 200 | 403",
    ("api.create_person", "POST"):       "401 | 201 | 201 | 403 | 201 | 403",
    ("api.read_person", "GET"):          "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("api.person_fhir", "GET"):          "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    # Who is involved: for anyone who can find the person by search, whatever team knows them
    ("api.person_involvement", "GET"):   "401 | 200 | 200 | 403 | 200 | 403",
    ("api.create_demand", "POST"):       "401 | 422 | 422 | 403 | 422 | 403",
    ("api.read_case", "GET"):            "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("api.update_case", "PATCH"):        "401 | 409/403 | 409/403 | 403 | 409/403 | 403",
    ("api.create_conversation", "POST"): "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.create_action", "POST"):       "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.update_action", "PATCH"):      "401 | 409/403 | 409/403 | 403 | 409/403 | 403",
    ("api.conversation_in_error", "POST"): "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.action_in_error", "POST"):     "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.demand_in_error", "POST"):     "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.add_late_note", "POST"):       "401 | 409/403 | 409/403 | 403 | 409/403 | 403",
    ("api.change_owner", "POST"):        "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.close_case", "POST"):          "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.read_measures", "GET"):        "401 | 403 | 200 | 200 | 200 | 200",
    ("api.read_trial_results", "GET"):   "401 | 403 | 200 | 200 | 200 | 200",
    ("api.record_counterfactual", "POST"): "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    # Barriers: the team's members read the board and record them from their cases, its
    # managers move them on; the monthly counts as the measures. Stories: the case's team
    # marks and reads them, its managers list them.
    ("barriers.record", "GET"):          "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("barriers.record", "POST"):         "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("barriers.board", "GET"):           "302 | 200 | 200 | 403 | 200 | 403",
    ("barriers.detail", "GET"):          "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("barriers.move", "GET"):            "302 | 403 | 200/403 | 403 | 200/403 | 403",
    ("barriers.move", "POST"):           "302 | 403 | 422/403 | 403 | 422/403 | 403",
    ("barriers.measures", "GET"):        "302 | 403 | 200 | 200 | 200 | 200",
    ("stories.mark", "POST"):            "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    ("stories.unmark", "POST"):          "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    ("stories.show", "GET"):             "302 | 404/403 | 404/403 | 403 | 404/403 | 403",
    ("stories.index", "GET"):            "302 | 403 | 200 | 403 | 200 | 403",
    # Trials (North the pilot, South usual): created and run by administrators and leads,
    # results for them and the trial's teams' managers; each team's manager keeps its
    # cost catalogue; the case's owner (or its team's manager) records the counterfactual
    ("trials.index", "GET"):             "302 | 403 | 200 | 200 | 200 | 200",
    ("trials.index", "POST"):            "302 | 403 | 403 | 422 | 422 | 422",
    ("trials.show", "GET"):              "302 | 403 | 200 | 200 | 200 | 200",
    ("trials.report", "GET"):            "302 | 403 | 200 | 200 | 200 | 200",
    ("trials.move", "POST"):             "302 | 403 | 403 | 302 | 302 | 302",
    ("trials.cost_catalogue", "GET"):    "302 | 403 | 200 | 200 | 200 | 403",
    ("trials.cost_catalogue", "POST"):   "302 | 403 | 422 | 422 | 422 | 403",
    ("trials.counterfactual", "GET"):    "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("trials.counterfactual", "POST"):   "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.list_barriers", "GET"):        "401 | 200 | 200 | 403 | 200 | 403",
    ("api.create_barrier", "POST"):      "401 | 201 | 201 | 403 | 201 | 403",
    ("api.read_barrier", "GET"):         "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("api.link_case", "POST"):           "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.move_barrier", "POST"):        "401 | 403 | 409/403 | 403 | 409/403 | 403",
    ("api.list_asks", "GET"):            "401 | 200 | 200 | 403 | 200 | 403",
    ("api.read_ask", "GET"):             "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("api.create_ask", "POST"):          "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.decide_ask", "POST"):          "401 | 403 | 409/403 | 403 | 409/403 | 403",
    ("api.create_transfer", "POST"):     "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.list_transfers", "GET"):       "401 | 200 | 200 | 403 | 200 | 403",
    ("api.read_transfer", "GET"):        "401 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("api.accept_transfer", "POST"):     "401 | 403 | 422/403 | 403 | 422/403 | 403",
    ("api.decline_transfer", "POST"):    "401 | 403 | 422/403 | 403 | 422/403 | 403",
    # Cautions, the circle and consent: changed by the teams working with the person; the
    # cautions due for review listed for the team's managers
    ("safety.new_flag", "GET"):          "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.new_flag", "POST"):         "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("safety.end_flag", "GET"):          "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.end_flag", "POST"):         "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("safety.review_flag", "GET"):       "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.review_flag", "POST"):      "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("safety.due", "GET"):               "302 | 403 | 200 | 403 | 200 | 403",
    ("safety.new_member", "GET"):        "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.new_member", "POST"):       "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("safety.edit_member", "GET"):       "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.edit_member", "POST"):      "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("safety.new_consent", "GET"):       "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("safety.new_consent", "POST"):      "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.create_flag", "POST"):         "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.end_flag", "POST"):            "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.create_member", "POST"):       "401 | 201/403 | 201/403 | 403 | 201/403 | 403",
    ("api.update_member", "PATCH"):      "401 | 409/403 | 409/403 | 403 | 409/403 | 403",
    ("api.create_consent", "POST"):      "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    # The working day: a diary for members of a team; plans on the case's team's cases (the
    # worker whose diary it is in may cancel theirs); the no-contact setting, its managers
    ("diary.index", "GET"):              "302 | 200 | 200 | 403 | 200 | 403",
    ("diary.plan_contact", "GET"):       "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("diary.plan_contact", "POST"):      "302 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("diary.cancel", "GET"):             "302 | 200/403 | 200/403 | 403 | 200/403 | 403",
    ("diary.cancel", "POST"):            "302 | 302/403 | 302/403 | 403 | 302/403 | 403",
    ("diary.team_settings", "GET"):      "302 | 403 | 200 | 403 | 200 | 403",
    ("diary.team_settings", "POST"):     "302 | 403 | 422 | 403 | 422 | 403",
    ("api.create_plan", "POST"):         "401 | 422/403 | 422/403 | 403 | 422/403 | 403",
    ("api.cancel_plan", "POST"):         "401 | 409/403 | 409/403 | 403 | 409/403 | 403",
    ("api.read_diary", "GET"):           "401 | 200 | 200 | 403 | 200 | 403",
    # Workers' profiles: anyone signed in reads one; each changes their own details. Each
    # reads and marks only their own notifications (anyone else's: not found).
    ("account.change_details", "POST"):  "302 | 422 | 422 | 422 | 422 | 422",
    ("api.me", "GET"):                   "401 | 200 | 200 | 200 | 200 | 200",
    ("api.change_me", "PATCH"):          "401 | 422 | 422 | 422 | 422 | 422",
    ("api.get_user", "GET"):             "401 | 200 | 200 | 200 | 200 | 200",
    ("notifications.index", "GET"):      "302 | 200 | 200 | 200 | 200 | 200",
    ("notifications.mark_read", "POST"): "302 | 302/404 | 302/404 | 302/404 | 302/404 | 302/404",
    ("notifications.mark_all_read", "POST"): "302 | 302 | 302 | 302 | 302 | 302",
    ("api.list_notifications", "GET"):   "401 | 200 | 200 | 200 | 200 | 200",
    ("api.read_notification", "POST"):   "401 | 200/404 | 200/404 | 200/404 | 200/404 | 200/404",
}
# fmt: on


def period() -> dict:
    """The measures' period as the form sends it: from 1 January last year to today."""
    today = clock.today()
    return {
        "start[day]": 1,
        "start[month]": 1,
        "start[year]": today.year - 1,
        "end[day]": today.day,
        "end[month]": today.month,
        "end[year]": today.year,
    }


def expected(endpoint: str, method: str, role: str, scope: str) -> int:
    cells = EXPECTED[endpoint, method].split("|")
    # A row written before the lead role (a branch merged later): the lead is answered as
    # the administrator without a team, until the row says otherwise.
    index = ROLES.index("admin") if role == "lead" and len(cells) < len(ROLES) else None
    cell = cells[ROLES.index(role) if index is None else index].strip()
    own, _, other = cell.partition("/")
    return int(own if scope == "own" or not other else other)


@dataclass
class World:
    """Two teams, each with a person, a case, an action; people to merge; users to manage."""

    north: object
    south: object
    users: dict
    records: dict = field(default_factory=dict)  # scope -> {name: value}
    tokens: dict = field(default_factory=dict)  # role -> token for the API
    merge_event_id: int = 0
    to_merge: tuple = ()
    trial_id: int = 0


def build_world() -> World:
    north, south = make_team("North", "pilot"), make_team("South", "usual")
    practitioner = make_user(north, "practitioner")
    users = {
        "practitioner": practitioner,
        "manager": make_user(north, "manager"),
        "admin": make_user(None, "admin"),
        "admin_in_team": make_user(north, "admin"),
        "lead": make_user(None, "lead"),
    }
    world = World(north, south, users)
    south_worker = make_user(south, "practitioner")
    for scope, team, worker in (("own", north, practitioner), ("other", south, south_worker)):
        person = make_person(worker)
        demand, _ = make_demand(person, worker)
        action = add_action(db.session, demand.case, worker, description="Ring the GP", by="team")
        conversation = log_conversation(
            db.session, demand.case, worker, held_on=clock.today(), kind="phone", notes="Hello"
        )
        barrier = create_barrier(db.session, team, worker, title="A form", kind="form")
        ask = ask_manager(db.session, demand.case, worker, kind="resource", what="Taxi", why="-")
        flag = raise_flag(
            db.session, worker, person, category="animal", text="Dog", review_on=clock.today()
        )
        member = add_member(db.session, worker, person, {"name": "Jo", "relationship": "family"})
        plan = plan_contact(db.session, demand.case, worker, due_on=clock.today(), kind="visit")
        db.session.commit()
        world.records[scope] = {
            "person_id": person.id,
            "case_id": demand.case_id,
            "demand_id": demand.id,  # not passed: no confirmation for anyone
            "action_id": action.id,
            "conversation_id": conversation.id,
            "ask_id": ask.id,
            "user_id": make_user(team, "practitioner").id,
            "team_id": team.id,
            "team_name": team.name,
            "case_version": demand.case.version,
            "barrier_id": barrier.id,
            "flag_id": flag.id,
            "member_id": member.id,
            "plan_id": plan.id,
        }
    trial = create_trial(
        db.session,
        name="North v South",
        pilot_team=north,
        usual_team=south,
        share=0.5,
        start_on=None,
        by=None,
    )
    world.trial_id = trial.id
    # A transfer asked of North (own) and one between South and West (other), of South's cases.
    west = make_team("West", "usual")
    for scope, to_team in (("own", north), ("other", west)):
        demand, _ = make_demand(make_person(south_worker), south_worker)
        asked = request_transfer(
            db.session, demand.case, south_worker, to_team=to_team, reason="Moved"
        )
        db.session.flush()
        world.records[scope]["transfer_id"] = asked.id
    world.records["other"]["token_id"] = issue_token(db.session, south_worker, "theirs")[0].id
    [theirs] = tell([south_worker], "allocated", text="Theirs")
    for role, user in users.items():
        world.tokens[role] = issue_token(db.session, user, "matrix")[1]
        # a second token of their own, for the revoke page (the first one keeps working)
        world.records.setdefault(role, {})["token_id"] = issue_token(db.session, user, "x")[0].id
        [mine] = tell([user], "allocated", text="Mine")
        db.session.flush()
        world.records[role]["notification_id"] = mine.id
    db.session.flush()
    world.records["other"]["notification_id"] = theirs.id
    keep, other = make_person(practitioner), make_person(practitioner)
    event = merge_people(db.session, users["admin"], keep=keep, other=other)
    db.session.commit()
    world.merge_event_id = event.id
    world.to_merge = (make_person(practitioner).id, make_person(south_worker).id)
    return world


def scoped(rule) -> bool:
    """Whether the route reaches one team's records (so own and other may differ)."""
    by_team = ("measures.", "api.read_measures", "api.create_demand", "barriers.measures")
    ids = {
        "person_id",
        "case_id",
        "action_id",
        "conversation_id",
        "demand_id",
        "ask_id",
        "barrier_id",
        "token_id",
        "user_id",
        "team_id",
        "flag_id",
        "member_id",
        "transfer_id",
        "plan_id",
        "notification_id",
    }
    return bool(rule.arguments & ids) or rule.endpoint.startswith(by_team)


def request_for(world: World, rule, method: str, role: str, scope: str) -> dict:
    """The path, query and body of a request to this route about `scope`'s records."""
    records = {**world.records[scope]}
    if scope == "own":
        own = world.records[role if role in world.records else "practitioner"]
        records["token_id"] = own["token_id"]
        records["notification_id"] = own["notification_id"]
    fixed = {
        "event_id": world.merge_event_id,
        "trial_id": world.trial_id,
        "name": "North v South",
        "figure": "repeat_demand",
        "part": "total",
        "filename": "nhsuk/nhsuk-frontend.min.css"
        if rule.endpoint == "nhsuk_assets"
        else "casework.css",
        **records,
    }
    values = {name: fixed[name] for name in rule.arguments}
    path = world.adapter.build(rule.endpoint, values, method=method)
    query, body = {}, None
    if rule.endpoint.startswith("measures."):
        query = {**period(), "team": records["team_id"]}
    elif rule.endpoint == "api.read_measures":
        query = {
            "from": f"{clock.today().year - 1}-01-01",
            "to": clock.today().isoformat(),
            "team": records["team_name"],
        }
    elif rule.endpoint == "barriers.measures":
        query = {"team": records["team_id"]}
    elif rule.endpoint in ("duplicates.merge_records", "imports.old_merge"):
        query = {"a": world.to_merge[0], "b": world.to_merge[1]}
    elif rule.endpoint in ("people.search", "api.search_people"):
        query = {"q": "Anne"}
    if rule.endpoint.startswith("api."):
        body = api_body(rule.endpoint, records) if method != "GET" else None
    return {"path": path, "query_string": query, "json": body}


def api_body(endpoint: str, records: dict) -> dict:
    """A body that passes validation, so the access decision is what answers."""
    return {
        "api.create_person": {"given_name": "Probe", "family_name": "Person"},
        "api.create_demand": {
            "person_id": records["person_id"],
            "received_on": clock.today().isoformat(),
            "source": "GP",
            "channel": "phone",
            "stated_need": "Help at home",
            "owner_id": MAX_ID,  # nobody: refused by the rules, after the access check
        },
        "api.update_case": {"version": MAX_ID},
        "api.create_conversation": {"held_on": clock.today().isoformat(), "kind": "phone"},
        "api.create_action": {"description": "Call", "by": "team", "assignee_id": MAX_ID},
        "api.update_action": {"version": MAX_ID},
        # no reason: 422 after the access check; a late note on an open case: 409
        "api.conversation_in_error": {},
        "api.action_in_error": {},
        "api.demand_in_error": {},
        "api.add_late_note": {"note": "A letter"},
        "api.change_owner": {"owner_id": MAX_ID, "reason": "Leave"},
        "api.close_case": {"agreed_with_person": False},
        "api.create_barrier": {"title": "Probe", "kind": "other"},
        "api.link_case": {"case_id": records["case_id"], "cost": ""},  # no cost: 422
        "api.move_barrier": {"status": "with_leader", "version": MAX_ID},  # stale: 409
        # a date in the past: refused by the rules, after the access check
        "api.create_ask": {
            "kind": "resource",
            "what": "Taxi",
            "why": "-",
            "needed_by": "2000-01-01",
        },
        "api.decide_ask": {"decision": "yes", "reason": "Fine", "version": MAX_ID},
        # a service the team's catalogue does not hold: 422, after the access check
        "api.record_counterfactual": {"items": [{"service": "Probe", "count": 1}]},
        # each refused by the rules, after the access check
        "api.create_flag": {"category": "animal", "text": "Dog", "review_on": "2000-01-01"},
        "api.end_flag": {},  # no reason
        "api.create_member": {"name": "Jo", "relationship": "family"},  # no rule to break
        "api.update_member": {"version": MAX_ID},  # stale: 409
        "api.create_consent": {"decision": "given", "scope": "GP", "recorded_on": "2999-01-01"},
        "api.create_transfer": {"to_team": "Nowhere", "reason": "Moved"},  # no such team
        "api.accept_transfer": {"owner_id": MAX_ID},  # nobody
        "api.decline_transfer": {},  # no reason
        "api.create_plan": {"due_on": "2000-01-01", "kind": "visit"},  # in the past: 422
        "api.cancel_plan": {"version": MAX_ID},  # stale: 409
        "api.change_me": {"phone": "ring the office"},  # not a phone number: 422
        "api.read_notification": {},
    }[endpoint]


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_and_method_has_a_decision_in_the_table(app):
    routes = {(rule.endpoint, m) for rule in app.url_map.iter_rules() for m in methods(rule)}
    assert routes - EXPECTED.keys() == set(), "Add these routes to EXPECTED"
    assert EXPECTED.keys() - routes == set(), "These routes are gone: remove them from EXPECTED"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_decision_the_table_states(app, client, role):
    world = build_world()
    world.adapter = app.url_map.bind("localhost")
    user = world.users.get(role)
    if user is not None:
        login(client, user)
    answers, wrong = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        for method in methods(rule):
            for scope in ("own", "other") if scoped(rule) else ("own",):
                request = request_for(world, rule, method, role, scope)
                headers = {}
                if rule.endpoint.startswith("api.") and user is not None:
                    headers["Authorization"] = f"Bearer {world.tokens[role]}"
                with client.open(
                    request["path"],
                    method=method,
                    query_string=request["query_string"],
                    json=request["json"],
                    headers=headers,
                ) as response:
                    status = response.status_code
                    said = response.get_data(as_text=True) if status == 403 else ""
                answers += 1
                want = expected(rule.endpoint, method, role, scope)
                if status != want:
                    wrong.append(f"{method} {request['path']} ({scope}): {status}, expected {want}")
                elif status == 403 and UNEXPLAINED in said:
                    wrong.append(f"{method} {request['path']} ({scope}): 403 without its reason")
                if rule.endpoint == "auth.logout" and user is not None:
                    login(client, user)
    assert not wrong, "\n".join(wrong)
    assert answers > 100
