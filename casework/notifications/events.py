"""What workers are told when their work changes hands, in one place: the domain functions
call these after the change, in the same transaction. The words name the case by number
and the colleague who acted, never the person helped nor a health or care detail (the same
words reach the list, the API and, counted, the email digest)."""

from __future__ import annotations

from ..formatting import uk_date
from ..models import Action, Ask, Case, Demand, Team, User
from .service import managers_of, tell

ANSWERS = {"yes": "yes", "no": "no"}


def case_given(case: Case, owner: User, actor: User, *, at_intake: bool = False) -> None:
    """`allocated`: a case given to a worker by someone else (a change of owner, a bulk
    allocation, a new case routed to them at intake). Taking a case oneself tells nobody."""
    where = " at intake" if at_intake else ""
    tell([owner], "allocated", text=f"Case #{case.id} was given to you{where} by {actor.name}.",
         case=case, actor=actor)  # fmt: skip


def demand_routed(demand: Demand, route_kind: str, owner: User | None, actor: User) -> None:
    """A new demand routed to a worker by someone else: `recontact` when it joins their open
    case or comes back to them after they closed the person's case; `allocated` when it
    opens a new case that someone else chose them for."""
    if owner is None:
        return
    case = demand.case
    if route_kind == "open_case":
        text = f"A new demand joined your case #{case.id}, recorded by {actor.name}."
    elif route_kind == "same_worker":
        text = (
            f"Someone you helped before came back: case #{case.id} was opened for you, "
            f"recorded by {actor.name}."
        )
    elif route_kind == "new_case":
        case_given(case, owner, actor, at_intake=True)
        return
    else:  # passed to another team's case: its own notification (passed_to_you)
        return
    tell([owner], "recontact", text=text, case=case, actor=actor)


def demand_passed(case: Case, team: Team, actor: User) -> None:
    """`passed_to_you`: a demand another team passed to an open case (route 0). Its owner
    hears of it, or, while it awaits allocation, its team's managers."""
    told = [case.owner_id] if case.owner_id else managers_of(case.team_id)
    tell(told, "passed_to_you",
         text=f"A demand was passed to your case #{case.id} by {actor.name} in {team.name}.",
         case=case, actor=actor)  # fmt: skip


def relationship_started(case: Case, known: list[Case], actor: User) -> None:
    """`relationship_started`: `case` is its team's first with someone the teams of the
    `known` cases already work with; the owner of each of those still open is told."""
    for other in known:
        if other.is_open and other.owner_id:
            text = (
                f"{case.team.name} has started working with the person in your case "
                f"#{other.id} (recorded by {actor.name})."
            )
            tell([other.owner_id], "relationship_started", text=text, case=other, actor=actor)


def ask_answered(ask: Ask, actor: User) -> None:
    """`ask_answered`: the asker learns the manager's answer."""
    answer = ANSWERS.get(ask.status, ask.status)
    text = f"Your ask for case #{ask.case_id} was answered {answer} by {actor.name}."
    tell([ask.asked_by_id] if ask.asked_by_id else [], "ask_answered", text=text,
         case=ask.case, actor=actor)  # fmt: skip


def overdue_text(action: Action) -> str:
    """`action_overdue`'s words, which also mark that this action was told about (so the
    same action, with the same due date, is told about once)."""
    return (
        f"An action on case #{action.case_id} was due on {uk_date(action.due_on)} and is "
        f"still open (action #{action.id})."
    )
