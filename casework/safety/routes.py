"""The pages for caution flags, the person's network and their decisions about sharing.
Every rule is in service.py and policy.py; a view maps its refusals onto the form."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy, rules
from ..extensions import db
from ..forms import form_version
from ..web import save_form
from . import bp, service
from .forms import ConsentForm, EndFlagForm, FlagForm, NetworkForm, ReviewFlagForm

# Template globals (not context): the shared macros that show people use them too.


@bp.app_template_global()
def flags_of(person_ids) -> dict:
    """Each person's active flags, in one query, for anyone in a team (staff safety comes
    first); an empty list for a person without."""
    if not policy.can_see_flags(current_user):
        return defaultdict(list)
    return service.flags_by_person(db.session, person_ids)


@bp.app_template_global()
def flag_label(flag) -> str:
    return rules.FLAG_CATEGORIES[flag.category]


@bp.app_template_global()
def relationship_label(member) -> str:
    return rules.RELATIONSHIPS[member.relationship]


@bp.app_template_global()
def decision_label(consent) -> str:
    return rules.CONSENT_DECISIONS[consent.decision]


def _person_to_change(person_id: int):
    person = policy.get_person_for(current_user, person_id, write=True)
    if person.merged_into_id is not None:
        abort(409, "This record was merged into another: record on that one instead.")
    return person


def _person_page(person_id: int, anchor: str) -> str:
    return url_for("people.detail", person_id=person_id, _anchor=anchor)


@bp.route("/people/<int:person_id>/flags/new", methods=["GET", "POST"])
def new_flag(person_id: int):
    person = _person_to_change(person_id)
    form = FlagForm()
    fields = ("category", "text", "review_on")
    return save_form(
        form,
        lambda: service.raise_flag(
            db.session, current_user, person, **{f: getattr(form, f).data for f in fields}
        ),
        saved="The caution has been added. Everyone who opens the record sees it first.",
        to=_person_page(person.id, "cautions"),
        show=lambda status: (
            render_template("safety/flag_new.html", form=form, person=person),
            status,
        ),
        refused_status=422,
    )


@bp.route("/flags/<int:flag_id>/end", methods=["GET", "POST"])
def end_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = EndFlagForm()
    return save_form(
        form,
        lambda: service.end_flag(db.session, current_user, flag, reason=form.reason.data),
        saved="The caution has been ended. It stays in the record with your reason.",
        to=_person_page(flag.person_id, "cautions"),
        show=lambda status: (
            render_template("safety/flag_end.html", form=form, flag=flag, person=flag.person),
            status,
        ),
        refused_status=422,
    )


@bp.route("/flags/<int:flag_id>/review", methods=["GET", "POST"])
def review_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = ReviewFlagForm()
    back = url_for("safety.due") if policy.can_review_flags(current_user) else None
    return save_form(
        form,
        lambda: service.review_flag(db.session, current_user, flag, review_on=form.review_on.data),
        saved="The caution has a new review date.",
        to=back or _person_page(flag.person_id, "cautions"),
        show=lambda status: (
            render_template("safety/flag_review.html", form=form, flag=flag, person=flag.person),
            status,
        ),
        refused_status=422,
    )


@bp.route("/flags/due")
def due():
    """The team's cautions whose review date has come: for its managers."""
    if not policy.can_review_flags(current_user):
        abort(403, "The cautions due for review are listed for the team's managers.")
    flags = service.flags_due_for_review(db.session, current_user.team_id)
    if flags:
        audit.record_list("view", "flag_list", [f.person_id for f in flags], path=request.path)
        audit.commit_read()
    return render_template("safety/due.html", flags=flags)


@bp.route("/people/<int:person_id>/network/new", methods=["GET", "POST"])
def new_member(person_id: int):
    person = _person_to_change(person_id)
    form = NetworkForm()
    return save_form(
        form,
        lambda: service.add_member(db.session, current_user, person, form.member_data()),
        saved="They have been added to the circle.",
        to=_person_page(person.id, "network"),
        show=lambda status: (
            render_template("safety/member.html", form=form, person=person, member=None),
            status,
        ),
        refused_status=422,
    )


@bp.route("/network/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    member = policy.get_network_member_for(current_user, member_id, write=True)
    form = NetworkForm(obj=member)
    if request.method == "GET":
        form.may_contact.data = "yes" if member.may_contact else "no"
        form.version.data = str(member.version)
    return save_form(
        form,
        lambda: service.update_member(
            db.session, current_user, member, form.member_data(), version=form_version(form)
        ),
        saved="Their details have been saved.",
        to=_person_page(member.person_id, "network"),
        show=lambda status: (
            render_template(
                "safety/member.html",
                form=form,
                person=member.person,
                member=member,
                stale=status == 409,
            ),
            status,
        ),
        stale=member,
        refused_status=422,
    )


@bp.route("/people/<int:person_id>/consents/new", methods=["GET", "POST"])
def new_consent(person_id: int):
    person = _person_to_change(person_id)
    form = ConsentForm()
    fields = ("decision", "scope", "recorded_on", "expires_on")
    return save_form(
        form,
        lambda: service.record_consent(
            db.session, current_user, person, **{f: getattr(form, f).data for f in fields}
        ),
        saved="The decision has been recorded.",
        to=_person_page(person.id, "sharing"),
        show=lambda status: (
            render_template("safety/consent_new.html", form=form, person=person),
            status,
        ),
        refused_status=422,
    )
