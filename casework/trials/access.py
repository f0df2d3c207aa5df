"""Who may do what with trials and costs (declared once; pages, API and CLI ask here).

Administrators and leads (casework/policy.py: sees_whole_locality, ADR 0034) create,
pause and end trials and read every trial's results."""

from __future__ import annotations

from .. import policy
from ..models import Case, User
from .models import Trial

# What each refusal says (403), on the pages and in the API.
ONLY_RESULTS_READERS = "A trial's results are for administrators, leads and its teams' managers."
ONLY_TRIALS_READERS = "Trials are for administrators, leads and team managers."
ONLY_COST_READERS = "Cost catalogues are for administrators and team managers."
ONLY_TRIAL_MANAGERS = "Only administrators and leads create, pause and end trials."
ONLY_OWN_CATALOGUE = "Each team's manager keeps its own cost catalogue: choose your own team."
ONLY_OWNER_OR_MANAGER = "Only the case's owner or a manager of the team can record this."


def can_manage_trials(user: User) -> bool:
    return policy.sees_whole_locality(user)


def can_see_results(user: User, trial: Trial) -> bool:
    """Administrators, leads, and the managers of either team in the trial."""
    if not user.active:
        return False
    if policy.sees_whole_locality(user):
        return True
    return user.role == "manager" and user.team_id in trial.team_ids


def can_record_into(user: User, trial: Trial) -> bool:
    """Members of either team record the demands of a trial."""
    return user.active and user.team_id is not None and user.team_id in trial.team_ids


def can_see_costs(user: User) -> bool:
    return user.active and (user.role == "admin" or (user.role == "manager" and user.team_id))


def can_set_costs(user: User, team_id: int) -> bool:
    """Each team's manager keeps its catalogue; administrators keep every team's."""
    return user.active and (
        user.role == "admin" or (user.role == "manager" and user.team_id == team_id)
    )


def can_record_counterfactual(user: User, case: Case) -> bool:
    """The case's owner, or a manager of its team."""
    if not user.active or user.team_id != case.team_id:
        return False
    return case.owner_id == user.id or user.role in ("manager", "admin")
