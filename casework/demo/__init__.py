"""A demo locality: two teams, their workers, forty people and two years of work, and a
trial between the teams with its 84 people.

`load_demo(session)` builds it into an empty database through the same domain
functions the pages use (record_demand, log_conversation, add_action,
change_owner, close_case...), so routing, ownership history and the audit
trail are real. What happens is data, not code (ADR 0028):

- locality.toml: the teams, their staff, the logins printed, the seed;
- scenes/*.toml: what happened to whom, step by step, played in file-name order;
- themes/*.toml: the stories the background people's cases follow.

The story it tells is the one in the product brief: Northgate works in the
usual way (referrals taken at face value, one case per referral, people
coming back); Riverside is the pilot "bubble" (one named worker, what matters
in the person's own words, actions split between the person and the team,
closure by agreement, re-contact back to the same worker).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from . import data
from .locality import DemoError, Locality
from .scenes import Scene

__all__ = ["DemoError", "load_demo"]


def load_demo(session: Session) -> list[tuple[str, str, str]]:
    """Build the demo locality into an empty database; return (role, email, password) logins.

    The caller commits. Raises DemoError if the story no longer fits the rules.
    """
    locality = Locality(session)
    themes = data.themes()
    target = session() if isinstance(session, scoped_session) else session
    event.listen(target, "transient_to_pending", locality.stamp)
    try:
        locality.teams_and_staff()
        for name, steps in data.scenes():
            Scene(locality, name, themes).play(steps)
        session.flush()
    finally:
        event.remove(target, "transient_to_pending", locality.stamp)
    return locality.logins()
