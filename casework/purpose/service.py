"""A team's purpose, principles and rules. Each save adds the next version (who, when), so
the history is never lost, and a save made from an out-of-date copy is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from .. import audit
from ..exceptions import InvalidValue, StaleVersion
from ..models import Team, TeamPurpose, User
from ..rules import NO_PURPOSE, PURPOSE, PURPOSE_LIST, clean_text

HISTORY = 20  # earlier versions shown on the page


def current(session: Session, team_id: int) -> TeamPurpose | None:
    """The team's latest version, or None before its manager writes one."""
    return session.scalar(
        select(TeamPurpose)
        .options(joinedload(TeamPurpose.changed_by))
        .where(TeamPurpose.team_id == team_id)
        .order_by(TeamPurpose.version.desc())
        .limit(1)
    )


def history(session: Session, team_id: int, limit: int = HISTORY) -> list[TeamPurpose]:
    """The team's versions, the latest first."""
    return list(
        session.scalars(
            select(TeamPurpose)
            .options(joinedload(TeamPurpose.changed_by))
            .where(TeamPurpose.team_id == team_id)
            .order_by(TeamPurpose.version.desc())
            .limit(limit)
        )
    )


def _stale(latest: TeamPurpose | None) -> StaleVersion:
    by = f" ({latest.changed_by.name})" if latest and latest.changed_by else ""
    return StaleVersion(
        f"Someone else{by} changed the team's purpose since you opened it. "
        "Check their change, then make yours again.",
        current=latest,
    )


def save(
    session: Session,
    team: Team,
    user: User,
    *,
    purpose: str | None,
    principles: str | None,
    rules: str | None,
    version: int | None,
) -> TeamPurpose:
    """Write the next version of the team's purpose, principles and rules. `version` is the
    one the manager was looking at (0, or None, when there was none yet)."""
    latest = current(session, team.id)
    seen = version or 0
    if (latest.version if latest else 0) != seen:
        raise _stale(latest)
    errors: dict[str, str] = {}
    purpose = clean_text(purpose, "purpose", errors, required=NO_PURPOSE, limit=PURPOSE)
    principles = clean_text(principles, "principles", errors, limit=PURPOSE_LIST)
    rules = clean_text(rules, "rules", errors, limit=PURPOSE_LIST)
    if errors:
        raise InvalidValue("Check the team's purpose", errors)
    if latest and (latest.purpose, latest.principles, latest.rules) == (
        purpose,
        principles,
        rules,
    ):
        return latest  # nothing changed: no new version
    written = TeamPurpose(
        team_id=team.id,
        version=seen + 1,
        purpose=purpose,
        principles=principles,
        rules=rules,
        changed_by_id=user.id,
    )
    session.add(written)
    try:
        session.flush()
    except IntegrityError as error:  # another manager saved the same next version first
        session.rollback()
        raise _stale(current(session, team.id)) from error
    audit.record(
        "update" if latest else "create",
        "team_purpose",
        written.id,
        user=user,
        team_id=team.id,
        version=written.version,
    )
    return written
