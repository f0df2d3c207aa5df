from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import clock, policy
from ..caseload.service import team_members
from ..diary.service import plan_choices
from ..extensions import db
from ..formatting import uk_date
from ..forms import apply_domain_errors, form_version
from ..models import Team, User
from ..rules import CLOSURE_OUTCOMES
from ..safety import service as safety
from ..web import moved_to, save_form
from . import bp, service
from .forms import (
    ActionForm,
    ActionUpdateForm,
    CloseForm,
    ConversationForm,
    OwnerForm,
    ReferralForm,
)


def _colleagues():
    """Anyone who can be pulled in to do an action: active workers in any team, as rows of
    (id, name, profession, team) — every worker in the system is hundreds of rows, too many
    to load as records on every case page."""
    return db.session.execute(
        select(User.id, User.name, User.profession, Team.name.label("team"))
        .join(Team, Team.id == User.team_id)
        .where(User.active.is_(True))
        .order_by(User.name, User.id)  # two of one name in a stable order
    )


def _circle_choices(case) -> dict[int, str]:
    """The person's circle as choices: "Kayden (neighbour)"."""
    return {m.id: m.named for m in safety.network(db.session, case.person)}


def action_form(case) -> ActionForm:
    form = ActionForm(prefix="action")
    owner_name = case.owner.name if case.owner else "you"
    form.assignee_id.choices = {0: f"The case owner ({owner_name})"} | {
        u.id: f"{u.name}{', ' + u.profession if u.profession else ''} ({u.team})"
        for u in _colleagues()
        if u.id != case.owner_id
    }
    form.network_member_id.choices = {0: "Nobody named"} | _circle_choices(case)
    return form


def render_case(case, *, referral_form=None, new_action_form=None, stale=None, status=200):
    referral_form = referral_form or ReferralForm(prefix="referral", obj=case)
    if referral_form.referral_match.data is None:
        referral_form.referral_match.data = ""
    return (
        render_template(
            "cases/detail.html",
            case=case,
            person=case.person,
            referral_form=referral_form,
            action_form=new_action_form or action_form(case),
            circle={m.id: m for m in safety.network(db.session, case.person)},
            stale=stale,
            can_close=policy.can_close(current_user, case),
            can_change_owner=policy.can_change_owner(current_user, case),
        ),
        status,
    )


@bp.route("/cases/<int:case_id>")
def detail(case_id: int):
    case = policy.get_case_for(current_user, case_id)
    return render_case(case)


@bp.route("/cases/<int:case_id>/about-me")
def about_me(case_id: int):
    """A plain-English summary for the person to keep: printed, never a PDF of our records."""
    case = policy.get_case_for(current_user, case_id)
    circle = safety.network(db.session, case.person)
    return render_template(
        "cases/about_me.html",
        case=case,
        person=case.person,
        circle=circle,
        helpers={m.id: m for m in circle},
    )


@bp.route("/cases/<int:case_id>/referral", methods=["POST"])
def referral(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = ReferralForm(prefix="referral")
    return save_form(
        form,
        lambda: service.record_referral_judgement(
            db.session,
            case,
            current_user,
            referral_match=form.referral_match.data or None,
            real_problem=form.real_problem.data,
            version=form_version(form),
        ),
        saved="Saved whether the referral described the real problem.",
        to=url_for("cases.detail", case_id=case.id, _anchor="referral"),
        show=lambda status: render_case(
            case, referral_form=form, stale=status == 409 or None, status=status
        ),
        stale=case,
        refused_status=422,
    )


@bp.route("/cases/<int:case_id>/actions", methods=["POST"])
def add_action(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = action_form(case)

    def add():
        assignee = policy.fetch(User, form.assignee_id.data) if form.assignee_id.data else None
        return service.add_action(
            db.session,
            case,
            current_user,
            description=form.description.data,
            by=form.by.data,
            assignee=assignee if form.by.data == "team" else None,
            due_on=form.due_on.data,
            network_member_id=form.network_member_id.data or None,
        )

    return save_form(
        form,
        add,
        saved="Action agreed.",
        to=url_for("cases.detail", case_id=case.id, _anchor="actions"),
        # the rule's own status: 422 for the action's details, 409 for a case closed meanwhile
        show=lambda status: render_case(case, new_action_form=form, status=status),
    )


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
def update_action(action_id: int):
    action = policy.get_action_for(current_user, action_id)
    form = ActionUpdateForm(obj=action)
    return save_form(
        form,
        lambda: service.update_action(
            db.session,
            action,
            current_user,
            status=form.status.data,
            outcome=form.outcome.data,
            version=form_version(form),
        ),
        saved=lambda _: f"Action marked {form.status.data}.",
        to=lambda _: url_for("cases.detail", case_id=action.case_id, _anchor="actions"),
        show=lambda status: (
            render_template(
                "cases/action.html",
                form=form,
                action=action,
                case=action.case,
                person=action.case.person,
                stale=status == 409,
            ),
            status,
        ),
        stale=action,
        refused_status=422,
    )


@bp.route("/cases/<int:case_id>/conversations/new", methods=["GET", "POST"])
def log_conversation(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if not case.is_open and request.method == "GET":  # offer what a closed case takes
        flash("This case is closed: add a late note, or record a new demand.", "info")
        return redirect(url_for("corrections.late_note", case_id=case_id))
    form = ConversationForm()
    if not form.is_submitted():
        form.held_on.process(None, clock.today())
        form.version.data = str(case.version)
        form.plan_id.data = request.args.get("plan", 0, type=int)  # "Record it", from a plan
    return save_form(
        form,
        lambda: service.log_conversation(
            db.session,
            case,
            current_user,
            held_on=form.held_on.data,
            kind=form.kind.data,
            with_whom=form.with_whom.data,
            minutes=form.minutes.data,
            what_matters=form.what_matters.data,
            notes=form.notes.data,
            network_member_ids=form.network_member_ids.data,
            version=form_version(form),
            plan_id=form.plan_id.data or None,
        ),
        saved="Conversation saved.",
        to=url_for("cases.detail", case_id=case_id),  # after the commit, case.id would reload
        show=lambda status: show_conversation_form(form, case, status),
        stale=case,
    )


def show_conversation_form(form: ConversationForm, case, status: int):
    # The circle is read only to show the form: a saved conversation goes straight on.
    form.network_member_ids.choices = _circle_choices(case)
    form.plan_id.choices = plan_choices(case)
    return (
        render_template(
            "cases/conversation.html",
            form=form,
            case=case,
            person=case.person,
            stale=status == 409 and case.is_open,
        ),
        status,
    )


@bp.route("/cases/<int:case_id>/owner", methods=["GET", "POST"])
def change_owner(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if not policy.can_change_owner(current_user, case):
        abort(403, policy.ONLY_OWNER_OR_MANAGER_OWNER)
    form = OwnerForm(obj=case)
    members = team_members(db.session, case.team_id)
    form.owner_id.choices = {0: "Choose a worker"} | {
        u.id: u.with_profession + (" (you)" if u.id == current_user.id else "")
        for u in members
        if u.id != case.owner_id
    }
    if request.method == "GET" and case.owner_id is None and current_user.team_id == case.team_id:
        form.owner_id.data = current_user.id
    new_owner = None

    def change():
        nonlocal new_owner
        new_owner = policy.fetch(User, form.owner_id.data) if form.owner_id.data else None
        service.change_owner(
            db.session,
            case,
            current_user,
            new_owner=new_owner,
            reason=form.reason.data,
            version=form_version(form),
        )

    return save_form(
        form,
        change,
        saved=lambda _: f"{new_owner.name} now owns this case.",
        to=lambda _: url_for("cases.detail", case_id=case.id, _anchor="owner"),
        show=lambda status: (
            render_template(
                "cases/owner.html", form=form, case=case, person=case.person, stale=status == 409
            ),
            status,
        ),
        stale=case,
    )


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
def close(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if not policy.can_close(current_user, case):
        abort(403, policy.ONLY_OWNER_OR_MANAGER_CLOSE)
    form = CloseForm(obj=case)
    if not form.is_submitted():
        if not case.is_open:
            flash("This case is already closed.", "info")
            return redirect(url_for("cases.detail", case_id=case.id))
        form.closed_on.process(None, clock.today())

    def show(status: int):
        open_actions = [a for a in case.current_actions if a.status == "agreed"]
        return render_template(
            "cases/close.html",
            form=form,
            case=case,
            person=case.person,
            open_actions=open_actions,
            stale=status == 409,
        ), status

    if not case.is_open:  # closed by someone else while this person was typing
        by = f" by {case.closed_by.name}" if case.closed_by else ""
        form.form_errors.append(f"This case was closed on {uk_date(case.closed_on)}{by}.")
        return show(409)
    closure = {
        "outcome": form.outcome.data,
        "agreed_with_person": bool(form.agreed_with_person.data),
        "agreement_note": form.agreement_note.data,
        "note": form.note.data,
        "summary": form.summary.data,
        "closed_on": form.closed_on.data,
    }

    def every_problem():
        """Every problem at once: the form's own and the closure rule's."""
        errors, _ = service.closure_problems(case, **closure)
        apply_domain_errors(form, {k: v for k, v in errors.items() if not getattr(form, k).errors})

    return save_form(
        form,
        lambda: service.close_case(
            db.session, case, current_user, **closure, version=form_version(form)
        ),
        saved=lambda _: closed_words(case),
        to=lambda _: url_for("cases.detail", case_id=case.id),
        show=show,
        stale=case,
        invalid=every_problem,
    )


def closed_words(case) -> str:
    """The banner after closing, saying how the case ended."""
    if case.closure_outcome == "agreed":
        return f"Case closed by agreement with {case.person.given_name}."
    return f"Case closed: {CLOSURE_OUTCOMES[case.closure_outcome].lower()}."


# The form's address before the one word (ADR 0030): bookmarks, and a form opened before then.
bp.add_url_rule(
    "/cases/<int:case_id>/visits/new",
    "moved_conversation_form",
    moved_to("cases.log_conversation"),
    methods=["GET", "POST"],
)
