"""Asks of the manager: a practitioner asks for a resource or a permission for a case; the
team's manager says yes or no, with a reason. The team has no fixed limits; it asks, and
both the ask and its answer (who, when, how long it took) stay on record."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from decimal import Decimal

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .. import audit, clock
from ..cases.service import require_open
from ..clock import uk_day
from ..exceptions import Conflict, InvalidValue, ReasonRequired
from ..formatting import uk_date
from ..locking import check_version, flush_checked
from ..models import ASK_KINDS, Ask, Case, User, utcnow
from ..notifications import events
from ..pagination import Page, paginate
from ..rules import (
    ASK_DECISIONS,
    ASK_REASON,
    ASK_WHAT,
    ASK_WHY,
    MAX_PENCE,
    NO_ANSWER_REASON,
    NO_ASK_KIND,
    NO_ASK_WHAT,
    NO_ASK_WHY,
    clean_date,
    clean_text,
)

IN_POUNDS = "Enter the cost in pounds, like 250 or 1,250.50"
RECENT_DAYS = 90  # "recently decided": the manager's page and the figures
_POUNDS = re.compile(
    r"£?\s*(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{1,2}))?"
)


class AlreadyDecided(Conflict):
    """The ask was answered (or withdrawn) already: an answer is never silently replaced."""

    code = "already_decided"


# Money and days


def parse_pounds(typed: str | None) -> int | None:
    """A rough cost as people type it ("250", "£1,250.50") in whole pence; None when blank.
    Raises ValueError saying, in words, what to type instead."""
    raw = (typed or "").strip()
    if not raw:
        return None
    match = _POUNDS.fullmatch(raw)
    if match is None:
        raise ValueError(IN_POUNDS)
    pence = int(Decimal(match["pounds"].replace(",", "")) * 100) + int(
        (match["pence"] or "0").ljust(2, "0")
    )
    if pence > MAX_PENCE:
        raise ValueError("The cost must be £1,000,000 or less")
    return pence


def pounds(pence: int | None) -> str:
    """Pence as money: £40, £1,250.50."""
    if pence is None:
        return ""
    whole, part = divmod(pence, 100)
    return f"£{whole:,}" + (f".{part:02d}" if part else "")


def age_days(ask: Ask, today: dt.date | None = None) -> int:
    """How many days the ask has waited (0 on the day it was asked)."""
    return ((today or clock.today()) - uk_day(ask.asked_at)).days


def days_to_decide(ask: Ask) -> int | None:
    """Days from asking to the answer, by the calendar (0: answered the same day); None until
    a yes or a no (a withdrawn ask was never decided)."""
    if ask.status not in ASK_DECISIONS or ask.decided_at is None:
        return None
    return (uk_day(ask.decided_at) - uk_day(ask.asked_at)).days


# Asking, deciding, withdrawing


def check_cost(cost_pence, errors: dict) -> int | None:
    if cost_pence is None:
        return None
    if isinstance(cost_pence, bool) or not isinstance(cost_pence, int):
        errors["cost"] = IN_POUNDS
    elif not 0 <= cost_pence <= MAX_PENCE:
        errors["cost"] = "The cost must be from £0 to £1,000,000"
    return cost_pence


def ask_manager(
    session: Session,
    case: Case,
    user: User,
    *,
    kind: str,
    what: str | None,
    why: str | None,
    cost_pence: int | None = None,
    needed_by: dt.date | None = None,
) -> Ask:
    """Ask the team's manager for a resource or a permission for this (open) case."""
    require_open(case)
    errors: dict[str, str] = {}
    if kind not in ASK_KINDS:
        errors["kind"] = NO_ASK_KIND
    what = clean_text(what, "what", errors, required=NO_ASK_WHAT, limit=ASK_WHAT)
    why = clean_text(why, "why", errors, required=NO_ASK_WHY, limit=ASK_WHY)
    cost_pence = check_cost(cost_pence, errors)
    needed_by = clean_date(needed_by, "needed_by", errors, past=False)
    if needed_by and needed_by < clock.today():
        errors["needed_by"] = "The date it is needed by must be today or in the future"
    if errors:
        raise InvalidValue("Check the ask", errors)
    ask = Ask(
        case=case,
        team_id=case.team_id,
        kind=kind,
        what=what,
        why=why,
        cost_pence=cost_pence,
        needed_by=needed_by,
        status="open",
        asked_by_id=user.id,
    )
    session.add(ask)
    session.flush()
    audit.record_in_case(
        "create",
        "ask",
        ask.id,
        case,
        user=user,
        kind=kind,
        cost_pence=cost_pence,
    )
    return ask


def require_unanswered(ask: Ask) -> None:
    """Refuse to answer an ask twice: say who answered it, and how."""
    if ask.status in ASK_DECISIONS:
        by = f" by {ask.decided_by.name}" if ask.decided_by else ""
        raise AlreadyDecided(
            f"This ask was already answered {ask.status}{by} on {uk_date(uk_day(ask.decided_at))}"
            f". Reason: {ask.reason}"
        )
    if ask.status == "withdrawn":
        raise AlreadyDecided(
            f"This ask was withdrawn on {uk_date(uk_day(ask.withdrawn_at))}: "
            "there is nothing to answer."
        )


def decide(
    session: Session,
    ask: Ask,
    user: User,
    *,
    decision: str | None,
    reason: str | None,
    version: int | None = None,
) -> Ask:
    """The manager's answer: yes or no, always with a reason. Once given, it stands."""
    require_unanswered(ask)
    check_version(ask, version, "this ask")
    errors: dict[str, str] = {}
    if decision not in ASK_DECISIONS:
        errors["decision"] = "Choose yes or no"
    reason = clean_text(reason, "reason", errors, limit=ASK_REASON)
    if not reason:
        errors["reason"] = NO_ANSWER_REASON
        raise ReasonRequired(NO_ANSWER_REASON, errors)
    if errors:
        raise InvalidValue("Check the answer", errors)
    decided_by_id = user.id  # read first: loading it must not flush half an answer
    ask.decided_by_id, ask.decided_at = decided_by_id, utcnow()
    ask.status, ask.reason = decision, reason
    _save_update(session, ask, user, decision=decision, reason=reason)
    events.ask_answered(ask, user)
    return ask


def withdraw(session: Session, ask: Ask, user: User, *, version: int | None = None) -> Ask:
    """The asker takes back an ask nobody has answered yet (it is no longer needed)."""
    require_unanswered(ask)
    check_version(ask, version, "this ask")
    ask.status = "withdrawn"
    ask.withdrawn_at = utcnow()
    _save_update(session, ask, user, status="withdrawn")
    return ask


def _save_update(session: Session, ask: Ask, user: User, **detail) -> None:
    """Save an answer or a withdrawal (refused if someone saved the ask meanwhile) and audit it."""
    flush_checked(session, "this ask")
    audit.record_in_case("update", "ask", ask.id, ask.case, user=user, **detail)


# Lists, a page at a time


def _listed():
    return select(Ask).options(
        joinedload(Ask.case).joinedload(Case.person),
        joinedload(Ask.asked_by),
        joinedload(Ask.decided_by),
    )


def _of(team_id: int, asked_by_id: int | None) -> tuple:
    """The team's asks, or only those one worker made in it."""
    if asked_by_id is None:
        return (Ask.team_id == team_id,)
    return (Ask.team_id == team_id, Ask.asked_by_id == asked_by_id)


def open_asks(session: Session, team_id: int, page: int = 1, *, asked_by_id=None) -> Page:
    """The team's unanswered asks (or one worker's), the one waiting longest first."""
    condition = (*_of(team_id, asked_by_id), Ask.status == "open")
    return paginate(
        session,
        _listed().where(*condition).order_by(Ask.asked_at, Ask.id),
        page,
        count=select(func.count(Ask.id)).where(*condition),
        item=lambda row: row[0],
    )


def waiting(session: Session, team_id: int) -> tuple[int, Ask | None]:
    """How many of the team's asks wait for an answer, and the one waiting longest."""
    condition = (Ask.team_id == team_id, Ask.status == "open")
    count = session.scalar(select(func.count(Ask.id)).where(*condition))
    oldest = session.scalar(select(Ask).where(*condition).order_by(Ask.asked_at, Ask.id).limit(1))
    return count, oldest


def _recent(today: dt.date | None) -> dt.datetime:
    """The start (UK midnight) of the RECENT_DAYS days before today."""
    return clock.uk_midnight((today or clock.today()) - dt.timedelta(days=RECENT_DAYS))


def recent_decisions(
    session: Session,
    team_id: int,
    page: int = 1,
    *,
    asked_by_id: int | None = None,
    today: dt.date | None = None,
) -> Page:
    """The team's asks (or one worker's) answered in the last RECENT_DAYS days, the latest
    answer first."""
    condition = (
        *_of(team_id, asked_by_id),
        Ask.status.in_(ASK_DECISIONS),
        Ask.decided_at >= _recent(today),
    )
    return paginate(
        session,
        _listed().where(*condition).order_by(Ask.decided_at.desc(), Ask.id.desc()),
        page,
        count=select(func.count(Ask.id)).where(*condition),
        item=lambda row: row[0],
    )


def asks_by(session: Session, user: User, page: int = 1) -> Page:
    """The asks a worker made in their team: the unanswered first, then the latest."""
    condition = (Ask.asked_by_id == user.id, Ask.team_id == user.team_id)
    query = (
        _listed()
        .where(*condition)
        .order_by(when((Ask.status == "open", 0), else_=1), Ask.asked_at.desc(), Ask.id.desc())
    )
    count = select(func.count(Ask.id)).where(*condition)
    return paginate(session, query, page, count=count, item=lambda row: row[0])


def case_asks(session: Session, case: Case) -> list[Ask]:
    """Every ask made for the case, the first asked first."""
    return list(
        session.scalars(
            select(Ask)
            .options(joinedload(Ask.asked_by), joinedload(Ask.decided_by))
            .where(Ask.case_id == case.id)
            .order_by(Ask.asked_at, Ask.id)
        )
    )


def decision_figures(session: Session, team_id: int, *, today: dt.date | None = None) -> dict:
    """Asks answered in the last RECENT_DAYS days: how many, yes and no, and the median days
    from asking to the answer (None when none was answered)."""
    asks = session.scalars(
        select(Ask).where(
            Ask.team_id == team_id, Ask.status.in_(ASK_DECISIONS), Ask.decided_at >= _recent(today)
        )
    ).all()
    days = [days_to_decide(a) for a in asks]
    return {
        "days": RECENT_DAYS,
        "decided": len(asks),
        "yes": sum(a.status == "yes" for a in asks),
        "no": sum(a.status == "no" for a in asks),
        "median_days": statistics.median(days) if days else None,
    }
