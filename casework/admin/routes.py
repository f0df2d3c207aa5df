from flask import render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Team, User
from . import bp


@bp.route("/users")
def users():
    return render_template(
        "admin/users.html",
        users=db.session.scalars(select(User).order_by(User.name)).all(),
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(),
    )
