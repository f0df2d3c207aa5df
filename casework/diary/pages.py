"""The pages of the working day: my diary, plan a contact from a case, cancel a plan, and the
team's "no contact for too long" setting. Every rule is in service.py and policy.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, clock, policy
from ..extensions import db
from ..formatting import uk_date
from ..forms import apply_domain_errors, form_version
from ..pagination import page_number
from ..rules import PLAN_KINDS
from ..web import save_form
from . import service
from .forms import CancelPlanForm, NoContactForm, PlanForm
from .models import Plan

bp = Blueprint("diary", __name__)
DAYS_AHEAD = 7  # "this week": today and the six days after it


# Template globals: the case page and the conversation form use them.


@bp.app_template_global()
def previous_case_of(case):
    """The case a re-contact case follows, or None."""
    return service.previous_case(db.session, case)


@bp.app_template_global()
def plan_kind(plan) -> str:
    return PLAN_KINDS[plan.kind]


@dataclass
class Entry:
    """A line of the diary: a planned contact or an action, on its day."""

    due_on: dt.date
    plan: object = None
    action: object = None

    @property
    def case(self):
        return (self.plan or self.action).case


@bp.route("/diary")
def index():
    if not policy.can_keep_diary(current_user):
        abort(403, policy.NO_TEAM_FOR_DIARY)
    today = clock.today()
    found = service.diary(
        db.session,
        current_user,
        today,
        today + dt.timedelta(days=DAYS_AHEAD - 1),
        with_overdue=False,  # those a page at a time, however many have piled up
    )
    entries = sorted(
        [Entry(p.due_on, plan=p) for p in found.plans]
        + [Entry(a.due_on, action=a) for a in found.actions],
        key=lambda e: (e.due_on, e.action is not None, (e.plan or e.action).id),
    )
    overdue = service.overdue(db.session, current_user, page_number("overdue"))
    late = [
        Entry(item.due_on, plan=item) if isinstance(item, Plan) else Entry(item.due_on, action=item)
        for item in overdue.items
    ]
    people = found.people() + [entry.case.person_id for entry in late]
    if people:
        audit.record_list("view", "diary", people, path=request.path)
        audit.commit_read()
    return render_template(
        "diary/index.html",
        overdue=late,
        overdue_page=overdue,
        today_entries=[e for e in entries if e.due_on == today],
        week=[e for e in entries if e.due_on > today],
        last_day=today + dt.timedelta(days=DAYS_AHEAD - 1),
    )


@bp.route("/cases/<int:case_id>/plans/new", methods=["GET", "POST"])
def plan_contact(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if not case.is_open and request.method == "GET":
        flash("This case is closed: plan no more contacts on it.", "info")
        return redirect(url_for("cases.detail", case_id=case.id))
    form = PlanForm()
    if not form.is_submitted():
        form.kind.data = "visit"

    def every_problem():
        """Every problem at once: the form's own and the rule's on the date."""
        errors: dict[str, str] = {}
        service.plan_problems(form.due_on.data, form.kind.data, None, errors, clock.today())
        if form.due_on.data is None:
            errors.pop("due_on", None)  # the form says why, in its own words
        apply_domain_errors(form, {k: v for k, v in errors.items() if not getattr(form, k).errors})

    return save_form(
        form,
        lambda: service.plan_contact(
            db.session,
            case,
            current_user,
            due_on=form.due_on.data,
            kind=form.kind.data,
            note=form.note.data,
        ),
        saved=lambda plan: f"{PLAN_KINDS[plan.kind]} planned for {uk_date(plan.due_on)}.",
        to=url_for("cases.detail", case_id=case.id, _anchor="plans"),
        show=lambda status: (
            render_template("diary/plan_new.html", form=form, case=case, person=case.person),
            status,
        ),
        invalid=every_problem,
    )


@bp.route("/plans/<int:plan_id>/cancel", methods=["GET", "POST"])
def cancel(plan_id: int):
    plan = policy.get_plan_for(current_user, plan_id)
    form = CancelPlanForm(obj=plan)
    from_diary = request.args.get("from") == "diary"
    back = (
        url_for("diary.index")
        if from_diary
        else url_for("cases.detail", case_id=plan.case_id, _anchor="plans")
    )
    return save_form(
        form,
        lambda: service.cancel_plan(
            db.session, plan, current_user, reason=form.reason.data, version=form_version(form)
        ),
        saved=lambda _: f"The {service.plan_words(plan).split(':')[0]} is cancelled.",
        to=back,
        show=lambda status: (
            render_template(
                "diary/cancel.html",
                form=form,
                plan=plan,
                case=plan.case,
                person=plan.case.person,
                back=back,
                words=service.plan_words(plan),
            ),
            status,
        ),
        stale=plan,
    )


@bp.route("/team/settings", methods=["GET", "POST"])
def team_settings():
    if not policy.can_set_no_contact_days(current_user, current_user.team_id):
        abort(403, "Only the team's managers change its settings.")
    team = current_user.team
    form = NoContactForm(obj=team)
    return save_form(
        form,
        lambda: service.set_no_contact_days(
            db.session, team, current_user, form.no_contact_days.data
        ),
        saved=lambda _: (
            f"Cases with no contact for more than {team.no_contact_days} days are now flagged."
        ),
        to=url_for("caseload.team"),
        show=lambda status: (
            render_template("diary/team_settings.html", form=form, team=team),
            status,
        ),
    )
