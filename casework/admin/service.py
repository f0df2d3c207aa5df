"""Teams and users: what administrators do, for the pages and the CLI alike."""

from __future__ import annotations

import re

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from .. import audit
from ..auth import sessions, two_factor
from ..auth.service import (
    hash_password,
    random_password,
    set_password,
    validate_password,
)
from ..auth.tokens import revoke_all
from ..exceptions import InvalidValue
from ..models import COHORTS, ROLES, Team, User
from ..pagination import Page, paginate
from ..rules import (
    PHONE,
    PROFESSION,
    WORKER_PHONE_DIGITS,
    WORKER_PHONE_PATTERN,
    WORKER_PHONE_SHAPE,
    WORKING_HOURS,
    clean_text,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_team(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))


def _team_errors(session: Session, name: str, cohort: str, team: Team | None = None) -> dict:
    """What is wrong with a team's name and cohort, field by field."""
    errors = {}
    if not name:
        errors["name"] = "Enter the team's name"
    elif len(name) > 100:
        errors["name"] = "The team's name must be 100 characters or fewer"
    else:
        other = find_team(session, name)
        if other is not None and (team is None or other.id != team.id):
            errors["name"] = f"There is already a team called {name}"
    if cohort not in COHORTS:
        errors["cohort"] = "Choose pilot or usual practice"
    return errors


def create_team(session: Session, name: str, cohort: str, actor: User | None = None) -> Team:
    """Add a team; its cohort says whether it works in the pilot or in usual practice."""
    name = (name or "").strip()
    errors = _team_errors(session, name, cohort)
    if errors:
        raise InvalidValue("Check the team's details", errors)
    team = Team(name=name, cohort=cohort)
    session.add(team)
    session.flush()
    audit.record("create", "team", team.id, user=actor, name=name, cohort=cohort)
    return team


def update_team(session: Session, team: Team, name: str, cohort: str, actor: User) -> Team:
    """Rename a team or move it between the pilot and usual practice."""
    name = (name or "").strip()
    errors = _team_errors(session, name, cohort, team)
    if errors:
        raise InvalidValue("Check the team's details", errors)
    before = {"name": team.name, "cohort": team.cohort}
    team.name, team.cohort = name, cohort
    audit.record(
        "update", "team", team.id, user=actor, before=before, after={"name": name, "cohort": cohort}
    )
    return team


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    team: Team | None = None,
    password: str | None = None,
    actor: User | None = None,
    profile: dict | None = None,
) -> tuple[User, str | None]:
    """Add a user; returns the user and the generated password when none was given.
    `profile` may hold their profession, phone and working hours (clean_profile's rules)."""
    email = (email or "").strip().lower()
    name = (name or "").strip()
    profile, errors = clean_profile(**(profile or {}))
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = "Enter an email address like name@example.nhs.uk"
    elif find_user(session, email):
        errors["email"] = "There is already a user with this email address"
    errors.update(_user_errors(name, role, team))
    generated = None
    if password:
        try:
            validate_password(password)
        except InvalidValue as error:
            errors.update(error.fields)
    else:
        password = generated = random_password()
    if errors:
        raise InvalidValue("Check the user's details", errors)
    user = User(
        email=email,
        name=name,
        role=role,
        team=team,
        active=True,
        password_hash=hash_password(password),
        **profile,
    )
    session.add(user)
    session.flush()
    audit.record(
        "create",
        "user",
        user.id,
        user=actor,
        email=email,
        role=role,
        team_id=team.id if team else None,
        **{name: value for name, value in profile.items() if value},
    )
    return user, generated


PROFILE = ("profession", "phone", "working_hours")


def clean_profile(
    profession: str | None = None, phone: str | None = None, working_hours: str | None = None
) -> tuple[dict, dict[str, str]]:
    """A worker's profession, direct phone and working hours, cleaned (empty is None), and
    what is wrong with them, field by field: how the people they help, and colleagues,
    reach them. The one check of them, for the admin pages, the account page, CLI and API."""
    errors: dict[str, str] = {}
    clean = {
        "profession": clean_text(profession, "profession", errors, limit=PROFESSION),
        "phone": clean_text(phone, "phone", errors, limit=PHONE),
        "working_hours": clean_text(working_hours, "working_hours", errors, limit=WORKING_HOURS),
    }
    number = clean["phone"]
    if number and "phone" not in errors:
        digits = sum(character.isdigit() for character in number)
        if not re.match(WORKER_PHONE_PATTERN, number) or digits < WORKER_PHONE_DIGITS:
            errors["phone"] = WORKER_PHONE_SHAPE
    return clean, errors


def update_own_details(session: Session, user: User, changes: dict, actor: User) -> User:
    """A worker changes their own profession, phone, working hours and whether they get
    the daily email of notifications: only the fields in `changes`; the rest stay."""
    unknown = set(changes) - {*PROFILE, "email_digest"}
    if unknown:
        raise ValueError(f"Not a worker's own detail: {', '.join(sorted(unknown))}")
    profile, errors = clean_profile(
        **{name: changes.get(name, getattr(user, name)) for name in PROFILE}
    )
    digest = changes.get("email_digest", user.email_digest)
    if not isinstance(digest, bool):
        errors["email_digest"] = "Choose whether to get the daily email"
    if errors:
        raise InvalidValue("Check your details", errors)
    after = {**profile, "email_digest": digest}
    before = {name: getattr(user, name) for name in after}
    if before == after:
        return user
    for name, value in after.items():
        setattr(user, name, value)
    changed = [name for name in after if before[name] != after[name]]
    audit.record(
        "update",
        "user",
        user.id,
        user=actor,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return user


def _user_errors(name: str, role: str | None, team: Team | None) -> dict[str, str]:
    """What is wrong with a user's name, role and team, field by field."""
    errors = {}
    if not name:
        errors["name"] = "Enter the person's full name"
    elif len(name) > 100:
        errors["name"] = "Names must be 100 characters or fewer"
    if role not in ROLES:
        errors["role"] = "Choose practitioner, team manager, administrator or lead"
    elif role in ("practitioner", "manager") and team is None:
        errors["team_id"] = "Practitioners and managers must belong to a team"
    elif role == "lead" and team is not None:  # figures across the locality, no records
        errors["team_id"] = "A lead works across the locality and belongs to no team"
    return errors


def _snapshot(user: User, profile: bool = False) -> dict:
    """What the audit keeps of a change of a user: with `profile`, their profession, phone
    and working hours too."""
    snapshot = {"name": user.name, "role": user.role, "team_id": user.team_id}
    return snapshot | ({name: getattr(user, name) for name in PROFILE} if profile else {})


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: str | None,
    team: Team | None,
    actor: User,
    profile: dict | None = None,
) -> User:
    """Change a user's name, role and team, by the same rules as adding a user; with
    `profile`, their profession, phone and working hours too."""
    name = (name or "").strip()
    given = profile is not None
    profile, errors = clean_profile(**(profile or {}))
    errors.update(_user_errors(name, role, team))
    if user.id == actor.id and user.role == "admin" and role != "admin" and "role" not in errors:
        errors["role"] = (
            "You cannot remove your own administrator role. Ask another administrator to do it."
        )
    if errors:
        raise InvalidValue("Check the user's details", errors)
    before = _snapshot(user, given)
    user.name, user.role, user.team = name, role, team
    if given:
        for field, value in profile.items():
            setattr(user, field, value)
    session.flush()
    after = _snapshot(user, given)
    audit.record("update", "user", user.id, user=actor, before=before, after=after)
    if (before["role"], before["team_id"]) != (after["role"], after["team_id"]):
        # What they may see has changed: they sign in again with their new rights.
        own = sessions.current() if user.id == actor.id else None
        sessions.end_all(user, "role_or_team_changed", keep=own)
    return user


def reset_two_factor(session: Session, user: User, actor: User | None) -> None:
    """Clear a worker's second factor (a lost or new phone): their sessions end, and they
    set it up again at their next sign-in where their role needs it."""
    two_factor.clear(user)
    sessions.end_all(user, "two_factor_reset")
    audit.record("two_factor_reset", "user", user.id, user=actor)


def sign_out_everywhere(session: Session, user: User, actor: User | None) -> int:
    """End every session of the user at once (a lost phone, a shared computer left signed
    in); returns how many. Their API tokens are not touched: revoke those separately."""
    own = sessions.current() if actor is not None and user.id == actor.id else None
    count = sessions.end_all(user, "signed_out_everywhere", keep=own)
    audit.record("sign_out_everywhere", "user", user.id, user=actor, sessions=count)
    return count


def deactivate_user(session: Session, user: User, actor: User) -> User:
    """Stop a user logging in and end their sessions; their cases wait for a new owner."""
    if user.id == actor.id:
        raise InvalidValue(
            "You cannot deactivate your own account. Ask another administrator to do it."
        )
    if not user.active:
        return user
    user.active = False
    sessions.end_all(user, "deactivated")
    revoke_all(session, user, actor)
    audit.record("deactivate", "user", user.id, user=actor)
    return user


def reactivate_user(session: Session, user: User, actor: User) -> User:
    """Let a deactivated user log in again with their existing password."""
    if user.active:
        return user
    user.active = True
    audit.record("reactivate", "user", user.id, user=actor)
    return user


def reset_password(
    session: Session, user: User, actor: User | None, password: str | None = None
) -> str | None:
    """Give a user a new password and end their sessions; returns it when it was generated."""
    generated = None
    if not password:
        password = generated = random_password()
    set_password(user, password, actor)
    # Never the password itself: only whether the service made it up.
    audit.record("reset_password", "user", user.id, user=actor, generated=generated is not None)
    return generated


def users_by_name(session: Session, page: int = 1) -> Page:
    """One page of every user, active or not, by name, with their teams loaded: the
    administrator's list (a whole care system has hundreds)."""
    query = select(User).options(selectinload(User.team)).order_by(User.name, User.id)
    count = select(func.count(User.id))
    return paginate(session, query, page, count=count, item=lambda row: row[0])


def teams_with_active_counts(session: Session) -> list[tuple[Team, int]]:
    """Every team with how many active members it has."""
    rows = session.execute(
        select(Team, func.count(User.id))
        .outerjoin(User, and_(User.team_id == Team.id, User.active.is_(True)))
        .group_by(Team.id)
        .order_by(Team.name)
    )
    return [(team, count) for team, count in rows]
