"""The pages for caution flags, the person's network and their decisions about sharing.
Every rule is in service.py and policy.py; a view maps its refusals onto the form."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy
from ..exceptions import DomainError, StaleVersion
from ..extensions import db
from ..forms import apply_domain_errors, form_version, show_stale
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
    return service.CATEGORY_LABELS[flag.category]


@bp.app_template_global()
def relationship_label(member) -> str:
    return service.RELATIONSHIP_LABELS[member.relationship]


@bp.app_template_global()
def decision_label(consent) -> str:
    return service.DECISION_LABELS[consent.decision]


def _person_to_change(person_id: int):
    person = policy.get_person_for(current_user, person_id, write=True)
    if person.merged_into_id is not None:
        abort(409, "This record was merged into another: record on that one instead.")
    return person


def _save(form, change, message: str, target: str):
    """Run a change the form asked for; commit, say so and go back to the person, or keep
    what was typed with the rule's refusal on the fields (422), or 409 for a stale copy."""
    if not form.validate_on_submit():
        return 422 if form.is_submitted() else 200
    try:
        change()
        db.session.commit()
    except StaleVersion as error:
        db.session.rollback()
        return error
    except DomainError as error:
        db.session.rollback()
        apply_domain_errors(form, error)
        return 422
    flash(message, "success")
    return redirect(target)


@bp.route("/people/<int:person_id>/flags/new", methods=["GET", "POST"])
def new_flag(person_id: int):
    person = _person_to_change(person_id)
    form = FlagForm()
    fields = ("category", "text", "review_on")
    done = _save(
        form,
        lambda: service.raise_flag(
            db.session, current_user, person, **{f: getattr(form, f).data for f in fields}
        ),
        "The caution has been added. Everyone who opens the record sees it first.",
        url_for("people.detail", person_id=person.id, _anchor="cautions"),
    )
    if not isinstance(done, int):
        return done
    return render_template("safety/flag_new.html", form=form, person=person), done


@bp.route("/flags/<int:flag_id>/end", methods=["GET", "POST"])
def end_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = EndFlagForm()
    done = _save(
        form,
        lambda: service.end_flag(db.session, current_user, flag, reason=form.reason.data),
        "The caution has been ended. It stays in the record with your reason.",
        url_for("people.detail", person_id=flag.person_id, _anchor="cautions"),
    )
    if not isinstance(done, int):
        return done
    return render_template("safety/flag_end.html", form=form, flag=flag, person=flag.person), done


@bp.route("/flags/<int:flag_id>/review", methods=["GET", "POST"])
def review_flag(flag_id: int):
    flag = policy.get_flag_for(current_user, flag_id)
    form = ReviewFlagForm()
    back = url_for("safety.due") if policy.can_review_flags(current_user) else None
    done = _save(
        form,
        lambda: service.review_flag(db.session, current_user, flag, review_on=form.review_on.data),
        "The caution has a new review date.",
        back or url_for("people.detail", person_id=flag.person_id, _anchor="cautions"),
    )
    if not isinstance(done, int):
        return done
    return render_template(
        "safety/flag_review.html", form=form, flag=flag, person=flag.person
    ), done


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
    done = _save(
        form,
        lambda: service.add_member(db.session, current_user, person, form.member_data()),
        "They have been added to the circle.",
        url_for("people.detail", person_id=person.id, _anchor="network"),
    )
    if not isinstance(done, int):
        return done
    return render_template("safety/member.html", form=form, person=person, member=None), done


@bp.route("/network/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id: int):
    member = policy.get_network_member_for(current_user, member_id, write=True)
    form = NetworkForm(obj=member)
    if request.method == "GET":
        form.may_contact.data = "yes" if member.may_contact else "no"
        form.version.data = str(member.version)
    done = _save(
        form,
        lambda: service.update_member(
            db.session, current_user, member, form.member_data(), version=form_version(form)
        ),
        "Their details have been saved.",
        url_for("people.detail", person_id=member.person_id, _anchor="network"),
    )
    stale = isinstance(done, StaleVersion)
    if stale:
        member = policy.get_network_member_for(current_user, member_id, write=True)
        done = show_stale(form, done, member)
    if not isinstance(done, int):
        return done
    return render_template(
        "safety/member.html", form=form, person=member.person, member=member, stale=stale
    ), done


@bp.route("/people/<int:person_id>/consents/new", methods=["GET", "POST"])
def new_consent(person_id: int):
    person = _person_to_change(person_id)
    form = ConsentForm()
    fields = ("decision", "scope", "recorded_on", "expires_on")
    done = _save(
        form,
        lambda: service.record_consent(
            db.session, current_user, person, **{f: getattr(form, f).data for f in fields}
        ),
        "The decision has been recorded.",
        url_for("people.detail", person_id=person.id, _anchor="sharing"),
    )
    if not isinstance(done, int):
        return done
    return render_template("safety/consent_new.html", form=form, person=person), done
