"""Transfers between teams, and how cases end, in the generated history (ADR 0033).

- **Transfers.** Now and then (TRANSFER_SHARE of the cases open long enough; at most one
  a person) a case's team asks the next team along, one the person is not otherwise
  known to, to take the case on; that team's manager answers a few days later. Most are
  accepted: the case closes as `transferred` that day and a linked new case opens in the
  receiving team, owned by one of its workers, with what matters and the open team
  actions carried over. Some are declined with a reason (nothing changes); one asked in
  the last few days may still be waiting today (its case stays open, as it must). The
  new owner's reason, the summary and what is carried over are made by the functions
  `transfers.service.accept_transfer` makes them by.
- **Endings.** A few closures are the person declining support; a person's last case,
  when none of theirs is open, now and then ended because they died or moved away (so
  nothing of theirs comes after). The rest close by agreement.
- **One close rule.** Every closure but a transfer's is checked by the domain's
  `cases.service.closure_problems` (an agreed one needs the agreement and how it was
  given; any other a note of what happened) and every closure's columns are
  `cases.service.closure_columns`: what the app itself would have written.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from ..cases.service import closure_columns, closure_problems, transferred_summary
from ..transfers.service import (
    carried_action,
    carried_what_matters,
    carries_over,
    first_owner_reason,
)
from .sim import CaseSim, TeamPlan, TransferSim, at

TRANSFER_SHARE = 0.03  # of the cases open for a fortnight or more, if the person had none
ACCEPTED_SHARE = 0.75  # of the transfers answered; the rest declined
DECLINED_SUPPORT_SHARE = 0.03  # of the closures that would have been agreed
DIED_SHARE = 0.07  # of people's last cases, once none of theirs is open
MOVED_AWAY_SHARE = 0.05

TRANSFER_REASONS = (
    "Moved into {to}'s area to live with family.",
    "Now in sheltered housing in {to}'s area.",
    "Registered with a GP practice in {to}'s area; the family asked for a team nearer.",
)
DECLINE_REASONS = (
    "Checked with the GP: the person still lives in {from_}'s area.",
    "The person would rather keep the worker they know until the move is settled.",
    "The move has not happened yet: ask again when it has.",
)
AGREEMENT_NOTES = (
    "Agreed at the last home visit: she feels settled and knows how to reach us.",
    "Agreed on the phone with him and his daughter.",
    "Agreed at the review meeting; he will call if things change.",
)
OTHER_NOTES = {  # what happened, as rules.CLOSURE_NOTE_NEEDED asks
    "died": (
        "Her daughter phoned the morning after: she died peacefully at home.",
        "The GP surgery let us know he died in hospital on Tuesday.",
    ),
    "moved_away": (
        "Moved to Leeds to live with his son; told us by phone, GP there has our summary.",
        "Moved into a care home out of the area; her niece let us know.",
    ),
    "declined_support": (
        "Said at the visit she does not want support now; she has our number.",
        "Declined further visits on the phone: his neighbours help and he is managing.",
    ),
}
SUMMARIES = {
    "agreed": (
        "Managing at home with the rails fitted and the lunch club twice a week.",
        "Medication sorted, sleeping better, daughter less worried.",
        "Back on her feet; no falls since the stair rail went in.",
    ),
    "died": ("At home, as she wished, with her family around her.", None),
    "moved_away": ("Moved away before the work was finished; handed on to the new GP.", None),
    "declined_support": ("Knows how to come back to us if things change.", None),
}
# The closure's columns of a case's row, in their order there (history.COLUMNS).
CLOSURE = (
    "closed_on", "closure_agreed", "closure_outcome", "closure_agreement_note",
    "closure_summary", "closed_by_id",
)  # fmt: skip
OPEN = (None,) * len(CLOSURE)
TRANSFER_COLUMNS = (
    "id", "case_id", "from_team_id", "to_team_id", "to_owner_id", "reason", "status",
    "requested_by_id", "requested_at", "answered_by_id", "answered_at", "answer_reason",
    "new_case_id", "version",
)  # fmt: skip


def maybe_transfer(history, case: CaseSim, to_team: TeamPlan) -> CaseSim | None:
    """Now and then, ask `to_team` to take the case on and have it answered. Returns the
    receiving team's new case when the transfer was accepted (the case then closes as
    transferred that day); None otherwise. `case.transfer` says whether one was asked."""
    rng = history.rng
    end = case.closes_on or history.today
    span = (end - case.opened_on).days
    if span < 14 or rng.random() >= TRANSFER_SHARE:
        return None
    asked = case.opened_on + dt.timedelta(days=rng.between(7, span - 3))  # allocated by then
    answered = asked + dt.timedelta(days=rng.between(1, 7))
    if case.closes_on is not None and answered >= case.closes_on:
        return None  # a case waiting for an answer cannot close: this one was not asked
    reason = rng.pick(TRANSFER_REASONS).format(to=to_team.name)
    transfer = case.transfer = TransferSim(to_team, reason, at(asked, rng.between(0, 480)))
    if answered >= history.today:
        return None  # still waiting today; the case is open
    transfer.answered_at = at(answered, rng.between(0, 480))
    if rng.random() >= ACCEPTED_SHARE:
        transfer.status = "declined"
        transfer.answer_reason = rng.pick(DECLINE_REASONS).format(from_=case.team.name)
        return None
    transfer.status = "accepted"
    case.closes_on, case.outcome = answered, "transferred"
    owner = history.worker_on(to_team, answered)
    closes_on = answered + dt.timedelta(days=history.case_length())
    new = CaseSim(
        case.person_id,
        to_team,
        answered,
        closes_on if closes_on < history.today else None,
        owner,
        transferred_from=case,
    )
    reason = first_owner_reason(case.team.name, transfer.reason)
    new.changes.append((transfer.answered_at, None, owner, reason, to_team.manager_id))
    transfer.new_case = new
    return new


def end_cases(history, cases: list[CaseSim]) -> None:
    """How one person's closed cases ended: a few declined support; their last, when none
    of theirs is still open, now and then because they died or moved away."""
    rng = history.rng
    for case in cases:
        agreed = case.closes_on is not None and case.outcome == "agreed"
        if agreed and rng.random() < DECLINED_SUPPORT_SHARE:
            case.outcome = "declined_support"
    if cases and all(case.closes_on is not None for case in cases):
        last = max(cases, key=lambda case: case.closes_on)
        draw = rng.random()
        if last.outcome != "transferred" and draw < DIED_SHARE + MOVED_AWAY_SHARE:
            last.outcome = "died" if draw < DIED_SHARE else "moved_away"


def closure(case: CaseSim, owner_id: int | None, rng) -> tuple:
    """The case's closure columns (CLOSURE), made by the domain's close rule."""
    if case.closes_on is None:
        return OPEN
    if case.outcome == "transferred":
        to_team = case.transfer.to_team
        clean = dict(
            outcome="transferred",
            note=None,
            summary=transferred_summary(to_team.name),
            closed_on=case.closes_on,
        )
        by = to_team.manager_id  # who accepted it
    else:
        agreed = case.outcome == "agreed"
        errors, clean = closure_problems(
            case,
            outcome=case.outcome,
            agreed_with_person=agreed or None,
            agreement_note=rng.pick(AGREEMENT_NOTES) if agreed else None,
            note=None if agreed else rng.pick(OTHER_NOTES[case.outcome]),
            summary=rng.pick(SUMMARIES[case.outcome]),
            closed_on=case.closes_on,
        )
        if errors:
            raise ValueError(f"The generator closed case {case.id} against the rule: {errors}")
        by = owner_id
    columns = closure_columns(**clean, closed_by_id=by)
    return tuple(columns[name] for name in CLOSURE)


def keep_what_carries_over(case: CaseSim, conversations: list, actions: list) -> None:
    """A case accepted by another team: note what its new case takes on, from the rows of
    its conversations and actions (history.COLUMNS' order, after the sorting moment)."""
    if case.transfer is None or case.transfer.status != "accepted":
        return
    said = [row for row in conversations if row[6] is not None]
    current = max(said, key=lambda row: (row[2], row[0]), default=None)  # latest said
    if current is not None:
        current = SimpleNamespace(held_on=current[2], with_whom=current[4], what_matters=current[6])
    open_team = [
        SimpleNamespace(description=row[2], due_on=row[6])
        for row in actions
        if carries_over(row[3], row[7])
    ]
    case.carried = (current, open_team)


def carry_over(case: CaseSim, owner, statuses, rng, children: dict) -> None:
    """The new case of an accepted transfer: the conversation holding what matters and the
    copies of the open team actions, made when it was accepted, by its accepting manager.
    The copies' statuses now are drawn as any action's of the case (`statuses`)."""
    old = case.transferred_from
    if old is None or old.carried is None:
        return
    current, open_team = old.carried
    moment, by = old.transfer.answered_at, old.transfer.to_team.manager_id
    if current is not None:
        said = carried_what_matters(current, old.team.name)
        children["conversations"].append(
            (moment, case.id, said["held_on"], said["kind"], said["with_whom"], None,
             said["what_matters"], said["notes"], by, moment)
        )  # fmt: skip
    for action in open_team:
        copy = carried_action(action, owner)
        status = rng.pick(statuses)
        children["actions"].append(
            (moment, case.id, copy["description"], copy["by"], copy["assignee_id"],
             copy["assignee_team_id"], copy["due_on"], status,
             "Done as agreed." if status == "done" else None, 1, by, moment, by, moment)
        )  # fmt: skip


def transfer_rows(cases: list[CaseSim]) -> list[tuple]:
    """The transfers table's rows (TRANSFER_COLUMNS), in the order they were asked; the
    cases have their ids."""
    asked = sorted(
        (c for c in cases if c.transfer is not None), key=lambda c: c.transfer.requested_at
    )
    rows = []
    for number, case in enumerate(asked, 1):
        t = case.transfer
        answered = t.status != "pending"
        rows.append(
            (number, case.id, case.team.id, t.to_team.id, None, t.reason, t.status,
             case.team.manager_id, t.requested_at, t.to_team.manager_id if answered else None,
             t.answered_at, t.answer_reason, t.new_case.id if t.new_case else None,
             2 if answered else 1)
        )  # fmt: skip
    return rows
