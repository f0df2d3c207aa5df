"""The demo holds cautions of several kinds (one due for review), circles with the
neighbour exchange of the brief's example (and a visit Kayden was at), and a refused
decision about sharing."""

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import CautionFlag, ConsentDecision, NetworkMember, Person, Team
from casework.safety import service


def test_the_demo_has_cautions_circles_and_consents(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    flags = db.session.scalars(select(CautionFlag)).all()
    assert len({f.category for f in flags}) >= 4 and all(f.active for f in flags)
    riverside = db.session.scalar(select(Team).where(Team.name == "Riverside"))
    due = service.flags_due_for_review(db.session, riverside.id, clock.today())
    assert [(f.person.name, f.category) for f in due] == [("Joan Fletcher", "animal")]
    irene = db.session.scalar(select(Person).where(Person.given_name == "Irene"))
    circle = {m.name: m for m in service.network(db.session, irene)}
    assert circle["Kayden"].relationship == "neighbour" and "Reads with Irene" in (
        circle["Kayden"].role
    )
    assert any(m.relationship == "professional" for m in circle.values())
    (talk,) = [c for case in irene.cases for c in case.conversations if c.attendees]
    assert [m.name for m in talk.attendees] == ["Kayden"]
    decisions = db.session.scalars(select(ConsentDecision)).all()
    assert "refused" in {c.decision for c in decisions}
    assert any(c.expired(clock.today()) for c in decisions)
    assert db.session.scalar(select(NetworkMember).where(NetworkMember.name == "Linda Fletcher"))
