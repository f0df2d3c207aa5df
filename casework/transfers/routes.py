"""The transfer pages: ask from the case page, list the team's transfers, and answer one.
The receiving side sees only who the person is, where the case comes from and why, never
the case itself, until it accepts."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit, policy
from ..caseload.service import team_members
from ..extensions import db
from ..formatting import label
from ..models import Team, User
from ..pagination import page_number
from ..rules import CLOSURE_OUTCOMES
from ..web import save_form
from . import service
from .forms import AcceptForm, DeclineForm, TransferForm

bp = Blueprint("transfers", __name__)


@bp.app_context_processor
def transfer_helpers():
    """What the case page needs to say where a case is going, or came from."""
    return {
        "transfers_of_case": lambda case: service.of_case(db.session, case),
        "can_request_transfer": policy.can_request_transfer,
        "can_see_other_case": policy.can_see_case,
        "closure_outcomes": CLOSURE_OUTCOMES,
    }


def _team_choices(case) -> dict[int, str]:
    teams = db.session.scalars(select(Team).where(Team.id != case.team_id).order_by(Team.name))
    return {0: "Choose a team"} | {t.id: f"{t.name} ({label(t.cohort).lower()})" for t in teams}


def _worker_choices(case) -> dict[int, str]:
    """Active workers of the other teams, as rows: "Sol Worker, nurse (South)"."""
    rows = db.session.execute(
        select(User.id, User.name, User.profession, Team.name.label("team"))
        .join(Team, Team.id == User.team_id)
        .where(User.active.is_(True), User.team_id != case.team_id)
        .order_by(Team.name, User.name, User.id)
    )
    return {0: "Nobody in particular: the team's manager decides"} | {
        r.id: f"{r.name}{', ' + r.profession if r.profession else ''} ({r.team})" for r in rows
    }


@bp.route("/cases/<int:case_id>/transfer", methods=["GET", "POST"])
def new(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    if not policy.can_request_transfer(current_user, case):
        abort(403, policy.ONLY_OWNER_OR_MANAGER_TRANSFER)
    if not case.is_open and request.method == "GET":
        flash("This case is closed: a closed case is not transferred.", "info")
        return redirect(url_for("cases.detail", case_id=case.id))
    form = TransferForm()
    form.to_team_id.choices = _team_choices(case)
    form.to_owner_id.choices = _worker_choices(case)

    def ask():
        return service.request_transfer(
            db.session,
            case,
            current_user,
            to_team=policy.fetch(Team, form.to_team_id.data) if form.to_team_id.data else None,
            to_owner=policy.fetch(User, form.to_owner_id.data) if form.to_owner_id.data else None,
            reason=form.reason.data,
        )

    return save_form(
        form,
        ask,
        saved=lambda t: (
            f"Transfer asked of {t.to_team.name}. The case stays yours until they answer."
        ),
        to=url_for("cases.detail", case_id=case_id, _anchor="transfer"),
        show=lambda status: (
            render_template("transfers/new.html", form=form, case=case, person=case.person),
            status,
        ),
    )


@bp.route("/transfers")
def index():
    """The transfers into and out of the user's team, those waiting first."""
    if not policy.can_record_demands(current_user):
        abort(403, policy.NO_TEAM_FOR_TRANSFERS)
    transfers = service.of_team(db.session, current_user.team_id, page_number("page"))
    audit.read_case_list("transfer_list", transfers.items)
    return render_template("transfers/index.html", transfers=transfers)


def _answer_forms(transfer):
    accept = AcceptForm(prefix="accept")
    members = team_members(db.session, transfer.to_team_id)
    accept.owner_id.choices = {0: "Choose a worker"} | {
        u.id: u.name + (f", {u.profession}" if u.profession else "") for u in members
    }
    if not accept.is_submitted():
        accept.owner_id.data = transfer.to_owner_id or (
            current_user.id if not policy.manages_team(current_user, transfer.to_team_id) else 0
        )
    return accept, DeclineForm(prefix="decline")


def _show(transfer, accept, decline, status: int = 200):
    return (
        render_template(
            "transfers/show.html",
            transfer=transfer,
            person=transfer.case.person,
            accept_form=accept,
            decline_form=decline,
            # A refused answer (one sent after someone else's, say) keeps what was typed.
            can_answer=(transfer.is_pending or status != 200)
            and policy.can_answer_transfer(current_user, transfer),
            can_see_case=policy.can_see_case(current_user, transfer.case),
        ),
        status,
    )


@bp.route("/transfers/<int:transfer_id>")
def show(transfer_id: int):
    transfer = policy.get_transfer_for(current_user, transfer_id)
    return _show(transfer, *_answer_forms(transfer))


@bp.route("/transfers/<int:transfer_id>/accept", methods=["POST"])
def accept(transfer_id: int):
    transfer = policy.get_transfer_for(current_user, transfer_id, answer=True)
    accept_form, decline_form = _answer_forms(transfer)
    owner = policy.fetch(User, accept_form.owner_id.data) if accept_form.owner_id.data else None
    return save_form(
        accept_form,
        lambda: service.accept_transfer(db.session, transfer, current_user, owner=owner),
        saved=lambda new: (
            f"Transfer accepted: {new.person.name}'s case is now "
            f"{new.owner.name}'s, in {new.team.name}."
        ),
        to=lambda new: url_for("cases.detail", case_id=new.id),
        show=lambda status: _show(transfer, accept_form, decline_form, status),
    )


@bp.route("/transfers/<int:transfer_id>/decline", methods=["POST"])
def decline(transfer_id: int):
    transfer = policy.get_transfer_for(current_user, transfer_id, answer=True)
    accept_form, decline_form = _answer_forms(transfer)
    return save_form(
        decline_form,
        lambda: service.decline_transfer(
            db.session, transfer, current_user, reason=decline_form.reason.data
        ),
        saved="Transfer declined. The team that asked has been told why.",
        to=url_for("transfers.show", transfer_id=transfer_id),
        show=lambda status: _show(transfer, accept_form, decline_form, status),
    )
