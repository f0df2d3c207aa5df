from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, policy
from ..cases.service import change_owner
from ..exceptions import Conflict, DomainError, StaleVersion
from ..extensions import db
from ..forms import parse_version
from ..models import Case, User
from ..pagination import page_number
from ..transfers import service as transfer_service
from ..web import save_form
from . import bp, service
from .forms import AllocateForm


@bp.route("/")
def index():
    if current_user.is_lead:  # figures across the locality, nobody's caseload (ADR 0034)
        return redirect(url_for("measures.compare"))
    if current_user.team_id is None:
        if current_user.is_admin:
            return redirect(url_for("admin.users"))
        return render_template("caseload/no_team.html")
    rows = service.my_cases(db.session, current_user, page_number("page"))
    actions = service.my_actions(db.session, current_user, page_number("actions"))
    if manager_home(rows, actions):
        overview = service.team_overview(db.session, current_user.team_id)
        return render_template("caseload/manager_home.html", overview=overview)
    people = [row.case.person_id for row in rows.items]
    _audit_caseload("mine", people + [action.case.person_id for action in actions.items])
    return render_template("caseload/mine.html", rows=rows, actions=actions)


def manager_home(rows, actions) -> bool:
    """A team's manager who owns no open case and has no open action starts the day from the
    team at a glance, not an empty caseload; `?mine=1` shows their own caseload all the same."""
    return (
        policy.manages_team(current_user, current_user.team_id)
        and not rows.items
        and not actions.items
        and rows.number == actions.number == 1
        and not request.args.get("mine")
    )


def _audit_caseload(which: str, person_ids: list[int]) -> None:
    """A caseload names the people whose cases it lists: one read of all of them a view.
    A list showing nobody read nobody's record, and is not recorded."""
    if person_ids:
        audit.record_list("view", "caseload", person_ids, list=which, path=request.path)
        audit.commit_read()


@bp.route("/team", methods=["GET", "POST"])
def team():
    if not policy.manages_team(current_user, current_user.team_id):
        abort(403, policy.ONLY_MANAGERS)
    team_id = current_user.team_id
    form = AllocateForm()
    members = service.team_members(db.session, team_id)
    form.owner_id.choices = {0: "Choose a worker"} | {u.id: u.with_profession for u in members}

    def show(status: int):
        worker_id = request.args.get("worker", type=int)
        worker = next((m for m in members if m.id == worker_id), None)
        worker_page = page_number("page")
        lists = {
            "waiting": service.awaiting_allocation(db.session, team_id, page_number("waiting")),
            "orphaned": service.needs_new_owner(db.session, team_id, page_number("orphaned")),
            "worker_rows": service.owned_by(db.session, team_id, worker.id, worker_page)
            if worker
            else None,
        }
        transfers = transfer_service.of_team(db.session, team_id, page_number("transfers"))
        selected = {case_id for case_id in form.case_ids.data or [] if policy.fetchable(case_id)}
        if status in (409, 422):  # refused: the chosen cases stay on the page, as they are now
            shown = {row.case.id for rows in lists.values() if rows for row in rows.items}
            lists["chosen"] = service.chosen(db.session, team_id, selected - shown)
        _audit_caseload(
            "team",
            [row.case.person_id for rows in lists.values() if rows for row in rows.items]
            + [transfer.case.person_id for transfer in transfers.items],
        )
        return render_template(
            "caseload/team.html",
            form=form,
            workload=service.team_workload(db.session, team_id),
            flags=service.team_flags(db.session, current_user.team),
            worker=worker,
            selected=selected,
            transfers=transfers,
            **lists,
        ), status

    # every problem with the form at once, in the summary; sent again, saved once
    return save_form(
        form,
        lambda: allocate(team_id, form),
        saved=lambda moved: allocated_message(
            moved, len(form.case_ids.data), db.session.get(User, form.owner_id.data)
        ),
        to=url_for("caseload.team"),
        show=show,
    )


def allocated_message(moved: int, chosen: int, owner: User) -> tuple[str, str]:
    """What the allocation did, and the banner it goes in: nothing moved is no success."""
    if moved == 0:
        cases = "the case you chose" if chosen == 1 else "the cases you chose"
        return f"Nothing changed: {owner.name} already owns {cases}.", "info"
    return f"{moved} case{'s' if moved != 1 else ''} given to {owner.name}.", "success"


def allocate(team_id: int, form: AllocateForm) -> int:
    """Give every chosen case to the chosen worker; all or nothing. Each case's version, as
    the page showed it, is checked: a case someone changed since is refused (409), any other
    refusal is 422, and either names the person whose case it is."""
    new_owner = policy.fetch(User, form.owner_id.data)
    cases = [policy.fetch(Case, case_id) for case_id in form.case_ids.data]
    moved = 0
    for case in cases:
        if case is None or case.team_id != team_id:
            abort(403, policy.ONLY_OWN_TEAMS_CASES)
        if case.owner_id == new_owner.id:
            continue  # already theirs: nothing to record
        moved += 1
        try:
            change_owner(
                db.session,
                case,
                current_user,
                new_owner=new_owner,
                reason=form.reason.data,
                version=parse_version(request.form.get(f"version-{case.id}")),
            )
        except DomainError as error:
            reason = next(iter(error.fields.values()), error.message)
            refusal = Conflict if isinstance(error, StaleVersion) else DomainError
            raise refusal(f"Case for {case.person.name}: {reason}") from error
    return moved
