"""The barriers pages: record one met from a case, the team's board, a barrier with the
cases behind it, moving it on, and barriers met and removed month by month."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from .. import audit, clock, policy
from ..exceptions import InvalidValue
from ..extensions import db
from ..formatting import uk_date
from ..forms import form_version, show_stale
from ..measures.charts import xmr_chart
from ..models import Barrier, Team
from ..rules import NO_BARRIER_MOVE
from ..web import save_form
from . import bp, service
from .forms import NEW, BarrierMetForm, BoardFilterForm, MoveForm
from .service import KIND_LABELS, MOVES, STATUS_LABELS


@bp.app_template_filter("barrier_label")
def barrier_label(value: str | None) -> str:
    """A barrier's kind or status in words."""
    return KIND_LABELS.get(value) or STATUS_LABELS.get(value) or (value or "")


@bp.app_context_processor
def barrier_rules():
    """What the case page's barriers and story section may offer, decided by the policy."""
    return {"barriers_may_work_on": policy.can_work_on_case}


def _team_id() -> int:
    team_id = policy.team_id_of(current_user)
    if not policy.can_see_barriers(current_user, team_id):
        abort(403, "The barriers board is for the members of a team.")
    return team_id


def _met_form(case) -> BarrierMetForm:
    form = BarrierMetForm()
    form.barrier_id.choices = {NEW: "A new barrier: describe it below"} | {
        b.id: f"{b.title} ({STATUS_LABELS[b.status].lower()})"
        for b in service.team_barriers(db.session, case.team_id)
    }
    form.barrier_id.validate_choice = False  # an unknown one is said in words below
    return form


@bp.route("/cases/<int:case_id>/barriers/new", methods=["GET", "POST"])
def record(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = _met_form(case)

    def record_met():
        barrier = None
        if form.barrier_id.data != NEW:
            barrier = policy.fetch(Barrier, form.barrier_id.data)
            if barrier is None or barrier.team_id != case.team_id:
                choose = "Choose one of the team's barriers from the list"
                raise InvalidValue(choose, {"barrier_id": choose})
        return service.record_met(
            db.session,
            case,
            current_user,
            barrier=barrier,
            cost=form.cost.data,
            title=form.title.data,
            kind=form.kind.data,
            description=form.description.data,
            owner_org=form.owner_org.data,
        )

    return save_form(
        form,
        record_met,
        saved=lambda link: f"Barrier recorded: {link.barrier.title}.",
        to=url_for("cases.detail", case_id=case.id, _anchor="barriers"),
        show=lambda status: (
            render_template("barriers/record.html", form=form, case=case, person=case.person),
            status,
        ),
        refused_status=422,
    )


@bp.route("/barriers")
def board():
    team_id = _team_id()
    form = BoardFilterForm(request.args)
    status = 200
    chosen = {}
    if form.validate():
        chosen = {"status": form.status.data or None, "kind": form.kind.data or None}
    else:
        form.status.errors = ["Choose a status from the list"] if form.status.errors else []
        form.kind.errors = ["Choose a kind from the list"] if form.kind.errors else []
        status = 400
    rows = service.board(db.session, team_id, **chosen)
    return render_template(
        "barriers/board.html",
        form=form,
        rows=rows,
        team=db.session.get(Team, team_id),
        can_move=policy.manages_team(current_user, team_id),
        can_list_stories=policy.can_list_stories(current_user, team_id),
        filtered=any(chosen.values()),
    ), status


@bp.route("/barriers/<int:barrier_id>")
def detail(barrier_id: int):
    barrier = service.with_cases(db.session, policy.get_barrier_for(current_user, barrier_id))
    links = barrier.links
    # The cases behind the barrier name people: reading them is a read of their records.
    audit.record_list(
        "view", "barrier", [link.case.person_id for link in links], barrier.id, path=request.path
    )
    audit.commit_read()
    return render_template(
        "barriers/detail.html",
        barrier=barrier,
        links=links,
        can_move=policy.can_move_barrier(current_user, barrier),
    )


@bp.route("/barriers/<int:barrier_id>/move", methods=["GET", "POST"])
def move(barrier_id: int):
    barrier = policy.get_barrier_for(current_user, barrier_id, write=True)
    form = MoveForm(obj=barrier)
    form.status.choices = {s: STATUS_LABELS[s] for s in MOVES[barrier.status]}
    if not form.is_submitted():
        form.status.data = MOVES[barrier.status][0]
        form.reason.data = ""

    def saved_first(form, error) -> int:
        status = show_stale(form, error, barrier)
        form.status.choices = {s: STATUS_LABELS[s] for s in MOVES[barrier.status]}
        return status

    def say_where():
        if form.status.errors:
            form.status.errors = [NO_BARRIER_MOVE]

    return save_form(
        form,
        lambda: service.move_barrier(
            db.session,
            barrier,
            current_user,
            status=form.status.data,
            reason=form.reason.data,
            version=form_version(form),
        ),
        saved=lambda _: f"{barrier.title}: {STATUS_LABELS[barrier.status].lower()}.",
        to=url_for("barriers.board"),
        show=lambda status: (
            render_template("barriers/move.html", form=form, barrier=barrier, stale=status == 409),
            status,
        ),
        stale=saved_first,
        invalid=say_where,
    )


@bp.route("/barriers/measures")
def measures():
    """Barriers met and removed month by month: counts, like the measures, for any team (a
    manager starts at their own) or every team together."""
    if not policy.can_see_measures(current_user):
        abort(403, policy.ONLY_MEASURES_READERS)
    raw = request.args.get("team", "")
    team_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    if "team" not in request.args:
        team_id = policy.default_measures_team(current_user)
    if not policy.can_see_team_measures(current_user, team_id):
        abort(403, policy.OWN_BARRIERS)
    team = db.session.get(Team, team_id) if team_id is not None else None
    if team_id is not None and team is None:
        abort(404)  # unreachable for a manager; an administrator's unknown team
    months = service.by_month(db.session, team_id, clock.today())
    labels = [f"{m.start:%B %Y}" for m in months]
    charts = [
        xmr_chart(
            title="Barriers met",
            description="The number of times a barrier was recorded on a case, one point "
            "per month.",
            labels=labels,
            values=[m.met for m in months],
            better=None,  # more recorded can be better noticing as much as more barriers
            unit="count",
        ),
        xmr_chart(
            title="Barriers removed",
            description="The number of barriers leaders removed, one point per month.",
            labels=labels,
            values=[m.removed for m in months],
            better="higher",
            unit="count",
        ),
    ]
    return render_template(
        "barriers/measures.html",
        months=months,
        charts=charts,
        team=team,
        teams=list(db.session.scalars(db.select(Team).order_by(Team.name))),
        everyone=True,  # counts, like the measures: any team, or every team (ADR 0034)
        first=uk_date(months[0].start),
    )
