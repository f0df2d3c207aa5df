import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, clock, policy
from ..audit.trail import load_names, person_trail, who
from ..exceptions import DuplicateNhsNumber, InvalidValue
from ..extensions import db
from ..forms import apply_domain_errors, form_version
from ..models import Case
from ..pagination import page_number
from ..safety.service import flags_by_person, person_safety
from ..web import save_form
from . import bp, service
from .forms import PersonForm
from .involvement import by_team, involvement, involvement_by_person
from .merge import live_record_id
from .timeline import person_timeline

RECENTLY_LOOKED = 10  # on the person's page; the rest on a page of its own


@bp.route("")
def search():
    if not policy.can_find_people(current_user):
        return render_template("caseload/no_team.html"), 403
    q = request.args.get("q", "").strip()
    results = service.search_page(db.session, current_user, q, page_number()) if q else None
    shown = [result.person.id for result in results.items] if results is not None else []
    if results is not None:
        audit.record_list("search", "person", shown, query=q[:100], results=len(results.items))
        audit.commit_read()
    return render_template(
        "people/search.html",
        q=q,
        results=results,
        involved=involvement_by_person(db.session, shown),
        # staff safety comes first: every team that finds the person sees their cautions
        flags=flags_by_person(db.session, shown if policy.can_see_flags(current_user) else []),
        by_team=by_team,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not policy.can_record_demands(current_user):
        return render_template("caseload/no_team.html"), 403
    form = PersonForm()
    duplicates = []
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in service.PERSON_FIELDS}
        try:
            duplicates = service.duplicates_for(db.session, data)
            if not duplicates or form.confirm_new.data:
                person = service.create_person(db.session, current_user, data)
                db.session.commit()
                flash(f"{person.name} has been added.", "success")
                return redirect(url_for("demands.new", person_id=person.id))
            # The possible duplicates are shown by name: a read of each of their records.
            shown = [p.id for p in duplicates]
            audit.record_list("view", "registration", shown, path=request.path)
            audit.commit_read()
        except DuplicateNhsNumber as error:
            apply_domain_errors(form, error)
        except InvalidValue as error:
            apply_domain_errors(form, error)
    elif request.method == "GET":
        # Carry over what was typed into the search box.
        q = request.args.get("q", "")
        if q and not any(ch.isdigit() for ch in q):
            given, _, family = q.partition(" ")
            form.given_name.data, form.family_name.data = given, family
    return render_template(
        "people/new.html",
        form=form,
        duplicates=duplicates,
        visible={p.id for p in duplicates if policy.can_see_person(current_user, p)},
    ), 422 if form.errors else 200  # possible duplicates alone are a question, not an error


@bp.route("/<int:person_id>")
def detail(person_id: int):
    live = live_record_id(db.session, person_id)
    if live is not None:  # merged away: the record now lives on under another id
        flash("That record was merged into this one.")
        return redirect(url_for("people.detail", person_id=live))
    person = policy.get_person_for(current_user, person_id)
    events, other_teams = person_timeline(db.session, current_user, person)
    can_work = policy.can_work_with_person(current_user, person)
    looked, looked_total = person_trail(db.session, person, limit=RECENTLY_LOOKED)
    open_case = db.session.scalar(
        db.select(Case).where(
            Case.person_id == person.id,
            Case.team_id == current_user.team_id,
            Case.closed_on.is_(None),
        )
    )
    return render_template(
        "people/detail.html",
        person=person,
        events=events,
        other_teams=other_teams,
        open_case=open_case,
        can_work=can_work,
        looked=looked,
        looked_total=looked_total,
        describe=load_names(db.session, looked).describe,
        who=who,
        can_export=policy.can_export_person(current_user, person),
        safety=person_safety(db.session, person),
        involved=involvement(db.session, person),
    )


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id: int):
    person = policy.get_person_for(current_user, person_id, write=True)
    service.require_not_merged(person)
    form = PersonForm(obj=person)
    return save_form(
        form,
        lambda: service.update_person(
            db.session,
            current_user,
            person,
            {name: getattr(form, name).data for name in service.PERSON_FIELDS},
            version=form_version(form),
        ),
        saved="Details saved.",
        to=url_for("people.detail", person_id=person.id),
        show=lambda status: (
            render_template("people/edit.html", form=form, person=person, stale=status == 409),
            status,
        ),
        stale=person,
        refused=(DuplicateNhsNumber, InvalidValue),
        refused_status=422,
    )


@bp.route("/<int:person_id>/export.json")
def export(person_id: int):
    from .subject_access import export_person  # it reads through the API's shapes

    person = policy.get_person_to_export(current_user, person_id)
    record = export_person(db.session, person, viewer=current_user)
    db.session.commit()
    name = f"subject-access-person-{person.id}-{clock.today().isoformat()}.json"
    return Response(
        json.dumps(record, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
