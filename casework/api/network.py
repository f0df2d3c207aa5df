"""The person's circle (api.md, "Safety and the people around the person"): family,
friends, neighbours, carers, professionals and community groups, whom an action may
name (`network_member_id`). Never a person the service helps."""

from __future__ import annotations

from flask_login import current_user

from .. import policy, rules
from ..extensions import db
from ..models import NetworkMember as MemberRecord
from ..safety import service as safety
from .base import answers, bp, spec
from .fields import Body, Choice, Flag, Id, Shape, Text
from .flags import person_to_change

EMAIL = Text(rules.EMAIL, pattern=rules.EMAIL_PATTERN, refusal=rules.EMAIL_SHAPE)
MAY_CONTACT = "The person agrees they may be contacted"
MEMBER_NAME_WORDS = "Their name, or the group's"


class MemberIn(Body):
    name: Text(rules.MEMBER_NAME, MEMBER_NAME_WORDS, required=True, example="Jo")
    relationship: Choice(rules.RELATIONSHIPS)
    role: Text(rules.MEMBER_ROLE, example="daughter; has LPA") | None = None
    organisation: Text(rules.ORGANISATION) | None = None
    phone: Text(rules.PHONE) | None = None
    email: EMAIL | None = None
    may_contact: Flag = False
    notes: Text(rules.MEMBER_NOTES) | None = None


class MemberChange(MemberIn):
    """The same fields, each left out keeping its value; none of the required ones null."""

    name: Text(rules.MEMBER_NAME, MEMBER_NAME_WORDS, required=True) = None
    relationship: Choice(rules.RELATIONSHIPS) = None
    may_contact: Flag = None
    version: Id("The member's `version` as last read; when sent, a stale one is 409") | None = None


class NetworkMember(Shape):
    """Someone in the person's circle: never a person the service helps"""

    id: int
    person_id: int
    name: str
    relationship: Choice(rules.RELATIONSHIPS)
    role: str | None
    organisation: str | None
    phone: str | None
    email: str | None
    may_contact: bool
    notes: str | None
    version: int


def member_json(member: MemberRecord) -> NetworkMember:
    return NetworkMember(
        id=member.id,
        person_id=member.person_id,
        name=member.name,
        relationship=member.relationship,
        role=member.role,
        organisation=member.organisation,
        phone=member.phone,
        email=member.email,
        may_contact=member.may_contact,
        notes=member.notes,
        version=member.version,
    )


@bp.post("/people/<id:person_id>/network")
@spec.validate(resp=answers(201, NetworkMember, 403, 404, 409, body=True), tags=["Safety"])
def create_member(person_id: int, json: MemberIn):
    """Add someone to the person's circle

    Family, friends, neighbours, carers, professionals, community groups. An action may
    then name them (`network_member_id`).
    """
    person = person_to_change(person_id)
    member = safety.add_member(db.session, current_user, person, json.model_dump())
    db.session.commit()
    return member_json(member), 201


@bp.patch("/network/<id:member_id>")
@spec.validate(resp=answers(200, NetworkMember, 403, 404, 409, body=True), tags=["Safety"])
def update_member(member_id: int, json: MemberChange):
    """Change what is known of someone in the person's circle

    Fields left out keep their value. Send `version` to have a change made from an
    out-of-date copy refused (409).
    """
    member = policy.get_network_member_for(current_user, member_id, write=True)
    sent = json.sent()
    version = sent.pop("version", None)
    safety.update_member(db.session, current_user, member, sent, version=version)
    db.session.commit()
    return member_json(member)
