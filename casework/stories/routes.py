"""Mark a closed case as a story to share, read it (pseudonymised), and the team's list."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from .. import audit, policy
from ..extensions import db
from ..pagination import page_number
from ..web import back_to, save_form
from . import bp, service
from .forms import StoryForm


def _back(case_id: int) -> str:
    return url_for("cases.detail", case_id=case_id, _anchor="story")


def _out_of_date():
    abort(400, StoryForm.OUT_OF_DATE)


@bp.route("/cases/<int:case_id>/story", methods=["POST"])
def mark(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = StoryForm()
    return save_form(
        form,
        lambda: service.mark_story(db.session, case, current_user),
        saved="Marked as a story to share. Read it through before you show it.",
        to=url_for("stories.show", case_id=case.id),
        show=back_to(form, _back(case.id)),
        invalid=_out_of_date,
        flash_refusal="info",
    )


@bp.route("/cases/<int:case_id>/story/stop", methods=["POST"])
def unmark(case_id: int):
    case = policy.get_case_for(current_user, case_id, write=True)
    form = StoryForm()
    return save_form(
        form,
        lambda: service.unmark_story(db.session, case, current_user),
        saved="This case is no longer a story to share.",
        to=_back(case.id),
        show=back_to(form, _back(case.id)),
        invalid=_out_of_date,
        refused=(),
    )


@bp.route("/cases/<int:case_id>/story")
def show(case_id: int):
    """The story, pseudonymised: for the team that owns the case (the read is audited as a
    read of the case). There is no named version: the team reads the case itself."""
    case = policy.get_case_for(current_user, case_id, write=True)
    if case.story is None:
        abort(404, "This case is not a story to share: mark it from the case page first.")
    return render_template("stories/story.html", story=service.narrative(case), case=case)


@bp.route("/stories")
def index():
    team_id = policy.team_id_of(current_user)
    if not policy.can_list_stories(current_user, team_id):
        abort(403, "The list of the team's stories is for its managers.")
    stories = service.team_stories(db.session, team_id, page_number())
    # Pseudonymised, but drawn from people's records: the list is a read of each person shown.
    people = sorted({s.case.person_id for s in stories.items})
    audit.record("view", "story_list", None, person_ids=people)
    audit.commit_read()
    return render_template(
        "stories/index.html",
        stories=stories,
        shown=[(story, service.narrative(story.case)) for story in stories.items],
    )
