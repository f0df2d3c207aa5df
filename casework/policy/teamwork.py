"""Who may see and change what in a team's own business: barriers and stories, asks and
the team's purpose, cautions and the person's circle, transfers between teams, and the
working day (planned contacts, the diary). Built on the core rules (policy/core.py)."""

from __future__ import annotations

from ..diary.models import Plan
from ..models import Ask, Barrier, Case, CautionFlag, NetworkMember, Person, Transfer, User
from .core import (
    ONLY_CASE_TEAMS_ASKS,
    ONLY_TEAMS_WORKING_WITH_PERSON,
    OWN_BARRIERS,
    _found,
    _read_if,
    _unless_unseen,
    can_close,
    can_see_case,
    can_see_person,
    can_work_on_case,
    can_work_with_person,
    manages_team,
    refuse,
    team_id_of,
)

# Refusals of a team's own business, in the words both the pages and the API give.
NO_TEAM_FOR_ASKS = "Asks are made in a team: your account belongs to no team."
ONLY_MANAGER_ANSWERS = "Only a manager of the team answers its asks, and nobody answers their own."
ONLY_OWNER_OR_MANAGER_TRANSFER = "Only the case's owner or a manager of its team can transfer it."
NO_TEAM_FOR_TRANSFERS = "Transfers are between teams: your account belongs to no team."
NO_TEAM_FOR_DIARY = "A diary is for members of a team: your account belongs to no team."

# Barriers and stories: the team's own learning, read by its members, moved by its managers.


def can_see_barriers(user: User, team_id: int | None) -> bool:
    """The team's barriers board: every member reads it (a team learns together, ADR 0017);
    the cases behind each barrier are the team's own cases."""
    return team_id is not None and team_id_of(user) == team_id


def can_move_barrier(user: User, barrier: Barrier) -> bool:
    """Moving a barrier on (to a leader, removed, kept) is the team's managers' job."""
    return manages_team(user, barrier.team_id)


def get_barrier_for(user: User, barrier_id: int, *, write: bool = False) -> Barrier:
    """A barrier of the user's own team (to move: its managers), else 404 or 403, audited.
    Its reads are audited by the caller, naming the people whose cases it lists."""
    barrier = _found(Barrier, "barrier", barrier_id)
    allowed = can_move_barrier(user, barrier) if write else can_see_barriers(user, barrier.team_id)
    if not allowed:
        message = "Only the team's managers move its barriers on." if write else OWN_BARRIERS
        refuse(403, "barrier", barrier.id, message=message)
    return barrier


def can_list_stories(user: User, team_id: int | None) -> bool:
    """The list of the team's stories, to show to leaders: its managers."""
    return manages_team(user, team_id)


# Asks of the manager, and the team's purpose: the team's own business.


def can_see_asks(user: User, case: Case) -> bool:
    """A case's asks (what the team asked its manager for, and the answers) are for the case's
    own team; a colleague from another team pulled in to do an action does not see them."""
    return can_work_on_case(user, case)


def can_ask(user: User, case: Case) -> bool:
    """Any member of the case's team may ask the team's manager for something for it."""
    return can_work_on_case(user, case)


def can_decide_ask(user: User, ask: Ask) -> bool:
    """The team's managers answer its asks; nobody answers their own."""
    return manages_team(user, ask.team_id) and ask.asked_by_id != user.id


def can_withdraw_ask(user: User, ask: Ask) -> bool:
    """The asker may take back their own ask, while they still work in its team."""
    return ask.asked_by_id == user.id and team_id_of(user) == ask.team_id


def can_list_asks(user: User) -> bool:
    """The asks page: for members of a team."""
    return team_id_of(user) is not None


def sees_team_asks(user: User) -> bool:
    """Managers list every ask of their team; practitioners list the asks they made."""
    return manages_team(user, team_id_of(user))


def get_ask_for(user: User, ask_id: int) -> Ask:
    """An ask, or 404 when there is none and 403 outside its case's team; reads audited."""
    ask = _found(Ask, "ask", ask_id)
    why = _unless_unseen(lambda: can_see_case(user, ask.case), ONLY_CASE_TEAMS_ASKS)
    return _read_if(can_see_asks(user, ask.case), "ask", ask, ask.case.person_id, why)


def can_see_purpose(user: User) -> bool:
    """Every member of a team reads the team's purpose, principles and rules."""
    return team_id_of(user) is not None


def can_edit_purpose(user: User, team_id: int | None) -> bool:
    """Only the team's manager writes them."""
    return manages_team(user, team_id)


# Safety and the people around the person (ADR 0031).


def can_see_flags(user: User) -> bool:
    """Caution flags: staff safety comes first, so every member of a team, which can find
    anyone by search, sees a person's active flags wherever it meets them."""
    return team_id_of(user) is not None


def can_change_safety(user: User, person: Person) -> bool:
    """Raise, review and end flags; keep the network and the decisions about sharing: the
    teams that work with the person."""
    return can_work_with_person(user, person)


def get_flag_for(user: User, flag_id: int) -> CautionFlag:
    """A flag to review or end: 404 when none, 403 outside the teams working with the person."""
    flag = _found(CautionFlag, "flag", flag_id)
    allowed = can_change_safety(user, flag.person)
    why = _unless_unseen(lambda: can_see_person(user, flag.person), ONLY_TEAMS_WORKING_WITH_PERSON)
    return _read_if(allowed, "flag", flag, flag.person_id, why)


def get_network_member_for(user: User, member_id: int, *, write: bool = False) -> NetworkMember:
    """Someone in a person's circle, read with the person's record and changed by the teams
    working with them; else 404 or 403, audited."""
    member = _found(NetworkMember, "network_member", member_id)
    person = member.person
    allowed = can_change_safety(user, person) if write else can_see_person(user, person)
    why = _unless_unseen(lambda: can_see_person(user, person), ONLY_TEAMS_WORKING_WITH_PERSON)
    return _read_if(allowed, "network_member", member, member.person_id, why if write else None)


def can_review_flags(user: User) -> bool:
    """The list of the team's flags due for review: its managers."""
    return manages_team(user, team_id_of(user))


# Transfers between teams (ADR 0033): the two teams' business, and nobody else's.


def can_request_transfer(user: User, case: Case) -> bool:
    """The case's owner, or a manager of its team, asks another team to take it on."""
    return can_work_on_case(user, case) and can_close(user, case)


def can_see_transfer(user: User, transfer: Transfer) -> bool:
    """The sending and the receiving team see a transfer; the receiving team sees only the
    person's identity and the reason, never the case, until it accepts."""
    return team_id_of(user) in (transfer.from_team_id, transfer.to_team_id)


def can_answer_transfer(user: User, transfer: Transfer) -> bool:
    """A manager of the receiving team, or the worker there it names, accepts or declines."""
    if team_id_of(user) != transfer.to_team_id:
        return False
    return manages_team(user, transfer.to_team_id) or transfer.to_owner_id == user.id


def get_transfer_for(user: User, transfer_id: int, *, answer: bool = False) -> Transfer:
    """A transfer of the user's team (to answer: its receiving managers or named worker);
    else 404 or 403, audited. Reading one reads the person's identity: audited as such."""
    transfer = _found(Transfer, "transfer", transfer_id)
    person_id = transfer.case.person_id
    if not can_see_transfer(user, transfer):
        refuse(
            403,
            "transfer",
            transfer.id,
            person_id,
            "This transfer is between two other teams: only they can see it.",
        )
    if answer and not can_answer_transfer(user, transfer):
        refuse(
            403,
            "transfer",
            transfer.id,
            person_id,
            "Only a manager of the receiving team, or the worker the transfer names, answers it.",
        )
    return _read_if(True, "transfer", transfer, person_id)


# The working day: planned contacts, the diary, the team's setting (issue 17).


def can_keep_diary(user: User) -> bool:
    """A diary of planned contacts and actions due: for members of a team."""
    return team_id_of(user) is not None


def can_plan_contact(user: User, case: Case) -> bool:
    """Plan a visit, call, check-in or review: anyone who works on the case (its team)."""
    return can_work_on_case(user, case)


def get_plan_for(user: User, plan_id: int) -> Plan:
    """A planned contact to change (cancel): its case's team, or the worker whose diary it is
    in; else 404 or 403, audited."""
    plan = _found(Plan, "plan", plan_id)
    allowed = can_plan_contact(user, plan.case) or plan.owner_id == user.id
    return _read_if(allowed, "plan", plan, plan.case.person_id)


def can_set_no_contact_days(user: User, team_id: int | None) -> bool:
    """How long without contact before a case is flagged: the team's managers decide."""
    return manages_team(user, team_id)
