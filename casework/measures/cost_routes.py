"""The cost of the journey on the measures page: the closed cases behind the figure, with
their actual and counterfactual costs (casework/trials/costs.py), a page at a time."""

from __future__ import annotations

from flask import render_template

from ..extensions import db
from ..models import Person, Team
from ..pagination import counted_page, page_count
from ..trials.costs import closed_case_costs
from . import bp
from .routes import PAGE_SIZE, _audit_list, filter_args, list_request


@bp.route("/list/cost-of-journey")
def cost_of_journey_list():
    form, f, cohort, page, chosen = list_request()
    if f is None:
        return render_template("measures/index.html", form=form, f=None), 400
    total, rows = closed_case_costs(
        db.session, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    people = {
        p.id: p
        for p in db.session.query(Person).filter(Person.id.in_(r["person_id"] for r in rows))
    }
    _audit_list(
        "view",
        [row["person_id"] for row in rows],
        figure="cost_of_journey",
        part="cases",
        f=chosen,
        page=page,
    )
    return render_template(
        "measures/costs.html",
        f=chosen,
        rows=rows,
        people=people,
        total=total,
        cohort=cohort,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        listing=counted_page(rows, page, total, PAGE_SIZE),
        args=filter_args(f, list_cohort=cohort),
        team_name=db.session.get(Team, f.team_id).name if f.team_id else None,
    )
