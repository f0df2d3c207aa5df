"""The pages for caution flags, the person's network and their decisions about sharing.
Every rule is in service.py and policy.py; a view maps its refusals onto the form."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy, rules
from ..extensions import db
from ..forms import form_version
from ..people.service import require_not_merged
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
    """The person whose cautions, circle or decisions these are; a merged record's page
    leads to the record it was merged into."""
    person = policy.get_person_for(current_user, person_id, write=True)
    require_not_merged(person)
    return person


def _save(form, person, change, *, saved: str, anchor: str, template: str, to=None, **shown):
    """web.save_form for these pages: back to the person's page at `anchor` (or `to`); the
    form shown again with the person and `shown`, the rules' refusals with 422."""
    return save_form(
        form,
        change,
        saved=saved,
        to=to or url_for("people.detail", person_id=person.id, _anchor=anchor),
        show=lambda status: (
            render_template(template, form=form, person=person, stale=status == 409, **shown),
            status,
        ),
        stale=shown.get("member"),
        refused_status=422,
    )


def _typed(form, *fields: str) -> dict:
    return {name: getattr(form, name).data for name in fields}


@bp.route("/people/<int:person_id>/flags/new", methods=["GET", "POST"])
def new_flag(person_id: int):
    person = _person_to_change(person_id)
    form = FlagForm()
    return _save(
        form,
        person,
        lambda: service.raise_flag(
            db.session, current_user, person, **_typed(form, "category", "text", "review_on")
        ),
        saved="The caution has been added. Everyone who opens the record sees it first.",
        anchor="cautions",
        template="safety/flag_new.html",
    )


@bp.route("/flags/<int:flag_id>/end", methods=["GET", "POST"])
def end_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = EndFlagForm()
    return _save(
        form,
        flag.person,
        lambda: service.end_flag(db.session, current_user, flag, reason=form.reason.data),
        saved="The caution has been ended. It stays in the record with your reason.",
        anchor="cautions",
        template="safety/flag_end.html",
        flag=flag,
    )


@bp.route("/flags/<int:flag_id>/review", methods=["GET", "POST"])
def review_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = ReviewFlagForm()
    return _save(
        form,
        flag.person,
        lambda: service.review_flag(db.session, current_user, flag, review_on=form.review_on.data),
        saved="The caution has a new review date.",
        anchor="cautions",
        to=url_for("safety.due") if policy.can_review_flags(current_user) else None,
        template="safety/flag_review.html",
        flag=flag,
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
    return _save(
        form,
        person,
        lambda: service.add_member(db.session, current_user, person, form.member_data()),
        saved="They have been added to the circle.",
        anchor="network",
        template="safety/member.html",
        member=None,
    )


@bp.route("/network/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    member = policy.get_network_member_for(current_user, member_id, write=True)
    form = NetworkForm(obj=member)
    if request.method == "GET":
        form.may_contact.data = "yes" if member.may_contact else "no"
        form.version.data = str(member.version)
    return _save(
        form,
        member.person,
        lambda: service.update_member(
            db.session, current_user, member, form.member_data(), version=form_version(form)
        ),
        saved="Their details have been saved.",
        anchor="network",
        template="safety/member.html",
        member=member,
    )


@bp.route("/people/<int:person_id>/consents/new", methods=["GET", "POST"])
def new_consent(person_id: int):
    person = _person_to_change(person_id)
    form = ConsentForm()
    fields = ("decision", "scope", "recorded_on", "expires_on")
    return _save(
        form,
        person,
        lambda: service.record_consent(db.session, current_user, person, **_typed(form, *fields)),
        saved="The decision has been recorded.",
        anchor="sharing",
        template="safety/consent_new.html",
    )
