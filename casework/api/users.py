"""Workers' profiles (api.md, "Workers' profiles"): who a worker is and how to reach them,
for any signed-in user; a worker changes their own profession, direct line, working hours
and the daily email. Never a password, a token or a sign-in detail."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..admin.service import update_own_details
from ..extensions import db
from ..models import User
from .base import answers, bp, spec
from .fields import Body, Choice, Flag, Shape, Text


class Worker(Shape):
    """A worker as colleagues and the people they help reach them"""

    id: int
    name: str
    team: str | None
    role: Choice(rules.ROLES)
    profession: str | None
    phone: str | None
    working_hours: str | None
    active: bool


class Me(Worker):
    """The caller's own profile, with whether they get the daily email of notifications"""

    email_digest: bool


class MyDetails(Body):
    profession: Text(rules.PROFESSION, "As the people helped would say it") | None = None
    phone: Text(rules.PHONE, "Direct line: digits, spaces, brackets, hyphens, a leading +") | (
        None
    ) = None
    working_hours: Text(rules.WORKING_HOURS, "When they can be reached") | None = None
    email_digest: Flag | None = None


def worker_json(user: User) -> Worker:
    return Worker(
        id=user.id,
        name=user.name,
        team=user.team.name if user.team else None,
        role=user.role,
        profession=user.profession,
        phone=user.phone,
        working_hours=user.working_hours,
        active=user.active,
    )


def me_json(user: User) -> Me:
    return Me(**worker_json(user).model_dump(), email_digest=user.email_digest)


@bp.get("/users/me")
@spec.validate(resp=answers(200, Me), tags=["Users"])
def me():
    """Your own profile"""
    return me_json(current_user)


@bp.patch("/users/me")
@spec.validate(resp=answers(200, Me, body=True), tags=["Users"])
def change_me(json: MyDetails):
    """Change your profession, direct line, working hours or the daily email

    Fields left out keep their value; `null` or empty text clears a detail. `email_digest`
    true: one email a day of your unread notifications (`casework notify send`).
    """
    changes = json.sent()
    if changes.get("email_digest", True) is None:
        changes.pop("email_digest")  # null: left as it is
    user = current_user._get_current_object()
    update_own_details(db.session, user, changes, actor=user)
    db.session.commit()
    return me_json(user)


@bp.get("/users/<id:user_id>")
@spec.validate(resp=answers(200, Worker, 404), tags=["Users"])
def get_user(user_id: int):
    """A worker's profile: name, team, role, profession and direct line

    Any signed-in user, so colleagues can reach each other.
    """
    return worker_json(policy.get_worker(current_user, user_id))
