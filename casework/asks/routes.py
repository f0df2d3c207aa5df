from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy
from ..extensions import db
from ..forms import form_version
from ..pagination import page_number
from ..web import back_to, save_form
from . import bp, service
from .forms import AskForm, DecisionForm, WithdrawForm


@bp.app_template_filter("pounds")
def pounds(pence):
    return service.pounds(pence)


@bp.app_context_processor
def ask_helpers():
    """What the asks templates (also included in the case page) need to say an ask's age."""
    return {
        "ask_age": service.age_days,
        "ask_days_to_decide": service.days_to_decide,
        "asks_of_case": lambda case: service.case_asks(db.session, case),
        "asks_waiting": lambda team_id: service.waiting(db.session, team_id),
        "can_see_asks": policy.can_see_asks,
        "can_ask": policy.can_ask,
    }


@bp.route("/asks")
def index():
    """Managers: the team's open asks, oldest first, and the recent answers. Practitioners:
    the asks they made."""
    if not policy.can_list_asks(current_user):
        abort(403, policy.NO_TEAM_FOR_ASKS)
    team_id = current_user.team_id
    if policy.sees_team_asks(current_user):
        waiting = service.open_asks(db.session, team_id, page_number("page"))
        decided = service.recent_decisions(db.session, team_id, page_number("decided"))
        _audit_asks([*waiting.items, *decided.items])
        return render_template(
            "asks/team.html",
            waiting=waiting,
            decided=decided,
            figures=service.decision_figures(db.session, team_id),
            recent_days=service.RECENT_DAYS,
        )
    asks = service.asks_by(db.session, current_user, page_number("page"))
    _audit_asks(asks.items)
    return render_template("asks/mine.html", asks=asks)


def _audit_asks(asks) -> None:
    """Each ask names its person, as the API's list does: one read of them all a view."""
    if asks:
        people = [ask.case.person_id for ask in asks]
        audit.record_list("view", "ask_list", people, path=request.path)
        audit.commit_read()


@bp.route("/cases/<int:case_id>/asks/new", methods=["GET", "POST"])
def new(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = AskForm()
    return save_form(
        form,
        lambda: service.ask_manager(
            db.session,
            case,
            current_user,
            kind=form.kind.data,
            what=form.what.data,
            why=form.why.data,
            cost_pence=form.cost.pence,
            needed_by=form.needed_by.data,
        ),
        saved="Your ask has gone to the team's manager.",
        to=lambda ask: url_for("asks.detail", ask_id=ask.id),
        show=lambda status: (
            render_template("asks/new.html", form=form, case=case, person=case.person),
            status,
        ),
    )


@bp.route("/asks/<int:ask_id>", methods=["GET", "POST"])
def detail(ask_id: int):
    """The ask, its answer, and for the team's manager the form to answer it."""
    ask = policy.get_ask_for(current_user, ask_id)
    form = DecisionForm(obj=ask)
    if form.is_submitted() and not policy.can_decide_ask(current_user, ask):
        abort(403, policy.ONLY_MANAGER_ANSWERS)
    return save_form(
        form,
        lambda: service.decide(
            db.session,
            ask,
            current_user,
            decision=form.decision.data,
            reason=form.reason.data,
            version=form_version(form),
        ),
        saved=lambda _: f"You answered {ask.status} to {ask.what}.",
        to=url_for("asks.index"),
        show=lambda status: (
            render_template(
                "asks/detail.html",
                ask=ask,
                case=ask.case,
                person=ask.case.person,
                form=form,
                withdraw_form=WithdrawForm(obj=ask),
                can_decide=policy.can_decide_ask(current_user, ask),
                can_withdraw=policy.can_withdraw_ask(current_user, ask),
                stale=status == 409,
            ),
            status,
        ),
        stale=ask,
    )


@bp.route("/asks/<int:ask_id>/withdraw", methods=["POST"])
def withdraw(ask_id: int):
    ask = policy.get_ask_for(current_user, ask_id)
    if not policy.can_withdraw_ask(current_user, ask):
        abort(403, "Only the person who asked can withdraw an ask.")
    form = WithdrawForm()
    back = url_for("asks.detail", ask_id=ask.id)
    return save_form(
        form,
        lambda: service.withdraw(db.session, ask, current_user, version=form_version(form)),
        saved="Your ask is withdrawn.",
        to=back,
        show=back_to(form, back),
        flash_refusal="info",
    )
