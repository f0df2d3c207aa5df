"""Who may see and change what, the core: whose records a user works on (people, cases,
demands, actions), refusals and their audit, administration, measures and exports.

Practitioners and managers work on the records of their own team: people who
have (or had) a demand or case there, or whom the team registered, and any
case in which they have been pulled in to do an action. Administrators manage
users and teams; they see records only when they also belong to a team.
"""

from __future__ import annotations

import functools

from flask import abort, request
from sqlalchemy import exists, false, or_, select
from sqlalchemy.orm import aliased

from .. import audit
from ..extensions import db
from ..models import (
    Action,
    ApiToken,
    Case,
    Conversation,
    Demand,
    Notification,
    Person,
    User,
)

MAX_ID = 2**31 - 1  # PostgreSQL's integer

# What a refusal (403) says: the real reason, in plain English, on the page and in the API's
# error alike. A record of another team is only one reason among several.
NOT_YOUR_TEAMS_RECORD = (
    "This record belongs to a team you are not part of. "
    "If you need to work with this person, ask your team manager."
)
ONLY_THE_CASES_TEAM = (
    "Only members of the case's own team can change it. If you were asked to do an action "
    "on it, update that action."
)
ONLY_TEAMS_WORKING_WITH_PERSON = (
    "Only a team that works with this person can change their record: record a demand "
    "for your team first."
)
ONLY_ACTION_TEAM_OR_ASSIGNEE = (
    "Only the case's team, or the colleague the action was given to, can update it."
)
ONLY_CASE_TEAMS_ASKS = "A case's asks are for the members of the case's own team."
ONLY_MANAGERS = "Only a team's manager can see this page."
ONLY_ADMINISTRATORS = "Only administrators can see this page."
ONLY_ADMINISTRATORS_MERGE = "Only administrators can merge records or undo a merge."
ONLY_IMPORTERS = "Imports and possible duplicates are for administrators and team managers."
ONLY_MEASURES_READERS = "Measures are for team managers, leads and administrators."
ONLY_OWN_TEAMS_MEASURES = "You may see the measures of your own team only."
ONLY_OWNER_OR_MANAGER_OWNER = (
    "Only the case's owner or a manager of the team can change this case's owner."
)
ONLY_OWNER_OR_MANAGER_CLOSE = "Only the case's owner or a manager of the team can close it."
ONLY_OWN_TEAMS_CASES = "You can allocate only your own team's cases."
OWN_BARRIERS = "You may see the barriers of your own team only."


def fetchable(ident) -> bool:
    """An id some record could have: a positive integer the database can hold."""
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID


def fetch(model, ident):
    """The record with this id, or None: also for ids no database could hold."""
    if not fetchable(ident):
        return None
    return db.session.get(model, ident)


def team_id_of(user: User) -> int | None:
    """The team whose records the user works on, if any. A lead has none (ADR 0034): the
    role reads figures across the locality, never the records behind them."""
    return user.team_id if user.active and user.role != "lead" else None


def case_visible_clause(user: User):
    """SQL condition: the case is one the user may see (their team's, or pulled in)."""
    team_id = team_id_of(user)
    if team_id is None:
        return false()
    return _case_visible(team_id, user.id)


def person_in_team_clause(user: User):
    """SQL condition: the person is known to the user's own team, so the team may work with them."""
    team_id = team_id_of(user)
    if team_id is None:
        return false()
    return _person_in_team(team_id)


def person_visible_clause(user: User):
    """SQL condition: the person is one whose record the user may read."""
    team_id = team_id_of(user)
    if team_id is None:
        return false()
    return _person_visible(team_id, user.id)


# The conditions depend on nothing but the ids they are built from, and building one costs
# about a millisecond (SQLAlchemy's constructs), several times on a page: each is built once
# per process for each team (and user) and reused; a statement that embeds one is new each
# time, and the ids are bound parameters as before.
CLAUSES_KEPT = 1024


@functools.lru_cache(maxsize=CLAUSES_KEPT)
def _case_visible(team_id: int, user_id: int):
    # Not correlated: the user's cases are listed once, by the assignee index. Correlated
    # (EXISTS … actions.case_id = cases.id AND assignee_id = …), SQLite searched that index
    # for every case it looked at, the user's every action each time: person search at
    # 200,000 people took 235 ms, from 12 ms, once the index existed (issue 17).
    pulled_in = Case.id.in_(select(Action.case_id).where(Action.assignee_id == user_id))
    return or_(Case.team_id == team_id, pulled_in)


@functools.lru_cache(maxsize=CLAUSES_KEPT)
def _person_in_team(team_id: int):
    merged_in = aliased(Person)
    return or_(
        Person.registered_by_team_id == team_id,
        exists().where(Demand.person_id == Person.id, Demand.team_id == team_id),
        exists().where(Case.person_id == Person.id, Case.team_id == team_id),
        # a record merged into this one keeps its registering team's access
        exists().where(
            merged_in.merged_into_id == Person.id, merged_in.registered_by_team_id == team_id
        ),
    )


@functools.lru_cache(maxsize=CLAUSES_KEPT)
def _person_visible(team_id: int, user_id: int):
    return or_(
        _person_in_team(team_id),
        exists().where(Case.person_id == Person.id, _case_visible(team_id, user_id)),
    )


def can_see_person(user: User, person: Person) -> bool:
    return _holds(Person, person.id, person_visible_clause(user))


def can_work_with_person(user: User, person: Person) -> bool:
    """Change the person's details or record a demand: their own team only."""
    return _holds(Person, person.id, person_in_team_clause(user))


def can_see_case(user: User, case: Case) -> bool:
    return _holds(Case, case.id, case_visible_clause(user))


def can_work_on_case(user: User, case: Case) -> bool:
    """Change the case: its own team. A colleague pulled in reads it and updates their action."""
    return team_id_of(user) is not None and case.team_id == team_id_of(user)


def _holds(model, ident: int, condition) -> bool:
    return bool(db.session.scalar(select(model.id).where(model.id == ident, condition)))


def can_record_demands(user: User) -> bool:
    return team_id_of(user) is not None


def get_person_for_demand(user: User, person_id: int) -> Person:
    """The person a new demand (a referral to the user's team) is about.

    Any member of a team may record one for anyone on record: search shows other
    teams' people by identity so nobody is registered twice, and the referral is
    what makes the person known to this team (and their record readable by it).
    Until it is saved, the form shows only their name."""
    person = _found(Person, "person", person_id)
    if not can_record_demands(user):
        refuse(
            403,
            "person",
            person.id,
            person.id,
            "Only members of a team can record a demand: your account belongs to no team.",
        )
    _audit_read("person", person, person.id)
    return person


def can_find_people(user: User) -> bool:
    """Search: every member of a team finds anyone on record, by identity, so nobody is
    registered twice."""
    return team_id_of(user) is not None


def can_see_involvement(user: User) -> bool:
    """Who is involved with a person (each case's team, status, owner and the owner's direct
    line; no notes, no what matters): whoever can find the person by search, so a worker
    can reach the colleague who already knows them."""
    return can_find_people(user)


def get_person_for_involvement(user: User, person_id: int) -> Person:
    """The person whose involvement line the user asks for: 404 when none, 403 for a user
    who cannot search (both audited); the read is audited as a read of the person."""
    person = _found(Person, "person", person_id)
    return _read_if(can_see_involvement(user), "person", person, person.id)


def get_passed_demand_for(user: User, demand_id: int) -> Demand:
    """A demand the user passed to another team's case, for its confirmation: only its
    recorder, and only while passed; anyone else is told there is none (the demand is the
    other team's record). Audited as a read of the person."""
    demand = fetch(Demand, demand_id)
    if demand is None or demand.recorded_by_id != user.id or demand.routed_by != "passed_to_owner":
        refuse(404, "demand", demand_id)
    return _read_if(True, "demand", demand, demand.person_id)


def manages_team(user: User, team_id: int | None) -> bool:
    """Managers (and administrators who belong to the team) allocate its work."""
    return team_id is not None and team_id_of(user) == team_id and user.role in ("manager", "admin")


def can_change_owner(user: User, case: Case) -> bool:
    """Owners hand over, managers reallocate, anyone in the team may take unowned work."""
    if manages_team(user, case.team_id):
        return True
    if case.owner_id is None:
        return team_id_of(user) == case.team_id
    return case.owner_id == user.id


def can_close(user: User, case: Case) -> bool:
    return case.owner_id == user.id or manages_team(user, case.team_id)


def can_administer(user: User) -> bool:
    return user.active and user.role == "admin"


def can_import(user: User) -> bool:
    """Legacy imports: administrators for any team, managers for their own team."""
    return can_administer(user) or (user.role == "manager" and team_id_of(user) is not None)


def can_see_duplicates(user: User) -> bool:
    """Administrators see every possible duplicate (they merge); managers their team's."""
    return can_import(user)


def duplicates_scope(user: User) -> set[int] | None:
    """The people whose possible duplicates the user may list: None means everyone."""
    if can_administer(user):
        return None
    return set(db.session.scalars(select(Person.id).where(person_in_team_clause(user))))


def can_merge_people(user: User) -> bool:
    """Merging (and undoing a merge) reaches across teams: administrators only."""
    return can_administer(user)


def get_person_to_merge(user: User, person_id) -> Person:
    """A record an administrator is about to merge: 404 when none, 403 for anyone else."""
    if not can_merge_people(user):
        abort(403, ONLY_ADMINISTRATORS_MERGE)
    person = _found(Person, "person", person_id)
    _audit_read("person", person, person.id)
    return person


def can_import_into(user: User, team_id: int | None) -> bool:
    if team_id is None:
        return False
    return can_administer(user) or (user.role == "manager" and team_id_of(user) == team_id)


def _found(model, entity: str, ident):
    """The record, or 404 (the refusal audited) when there is none."""
    record = fetch(model, ident)
    if record is None:
        refuse(404, entity, ident)
    return record


def _read_if(allowed: bool, entity: str, record, person_id: int, why=None):
    """The record, its read audited, when the user may have it; else 403 (audited), saying
    why: `why()`, asked only on refusal, says what a user who may read the record may not
    do to it; None (or no `why`) means the record is another team's."""
    if not allowed:
        refuse(403, entity, record.id, person_id, (why and why()) or NOT_YOUR_TEAMS_RECORD)
    _audit_read(entity, record, person_id)
    return record


def _unless_unseen(sees, message: str):
    """A refusal's reason for someone who reads the record (`sees()`) but may not do this to
    it; for anyone else the record is another team's (None)."""
    return lambda: message if sees() else None


def _audit_read(entity: str, record, person_id: int) -> None:
    """Every page that shows a person's record is a read, and is audited.

    Committed here, at once: a read happened even if rendering the page fails later.
    """
    if request.method == "GET":
        audit.record("view", entity, record.id, person_id=person_id, path=request.path)
        audit.commit_read()


def refuse(
    status: int, entity: str, ident, person_id: int | None = None, message: str | None = None
):
    """Refuse a record (403) or say there is none (404), and audit the refusal as its own
    event, committed at once: someone probing for records they may not see is visible."""
    audit.record(
        "refused",
        entity,
        ident if fetchable(ident) else None,
        person_id=person_id,
        status=status,
        method=request.method,
        path=request.path[:200],
    )
    db.session.commit()
    abort(status, message)


def get_person_for(user: User, person_id: int, *, write: bool = False) -> Person:
    """The person, or 404 when there is none and 403 when the user may not see (or change) them."""
    person = _found(Person, "person", person_id)
    allowed = can_work_with_person(user, person) if write else can_see_person(user, person)
    why = _unless_unseen(lambda: can_see_person(user, person), ONLY_TEAMS_WORKING_WITH_PERSON)
    return _read_if(allowed, "person", person, person.id, why if write else None)


def get_case_for(user: User, case_id: int, *, write: bool = False) -> Case:
    """The case, or 404 when there is none and 403 when the user may not see (or change) it."""
    case = _found(Case, "case", case_id)
    allowed = can_work_on_case(user, case) if write else can_see_case(user, case)
    # a colleague pulled in to do an action reads the case, and changes only their action
    why = _unless_unseen(lambda: can_see_case(user, case), ONLY_THE_CASES_TEAM)
    return _read_if(allowed, "case", case, case.person_id, why if write else None)


def get_action_for(user: User, action_id: int) -> Action:
    """An action its case's team may update, and so may the colleague pulled in to do it."""
    action = _found(Action, "action", action_id)
    allowed = can_work_on_case(user, action.case) or action.assignee_id == user.id
    why = _unless_unseen(lambda: can_see_case(user, action.case), ONLY_ACTION_TEAM_OR_ASSIGNEE)
    return _read_if(allowed, "action", action, action.case.person_id, why)


IN_ERROR_MODELS = {"demand": Demand, "conversation": Conversation, "action": Action}
NOT_YOURS_TO_MARK = (
    "Only the person who recorded it, the owner of its case or their manager can mark it "
    "entered in error."
)


def can_enter_in_error(user: User, record) -> bool:
    """Mark a demand, conversation or action entered in error: who recorded it, the owner of
    its case, or the manager of the case's team (ADR 0037)."""
    if team_id_of(user) is None:
        return False
    case = record.case
    author_id = getattr(record, "recorded_by_id", None) or getattr(record, "created_by_id", None)
    if user.id == author_id or (case is not None and case.owner_id == user.id):
        return True
    return manages_team(user, case.team_id if case is not None else record.team_id)


def get_record_in_error_for(user: User, entity: str, ident: int):
    """The demand, conversation or action to mark entered in error: 404 when there is none,
    403 when the user may not see it or may not mark it (saying who may)."""
    record = _found(IN_ERROR_MODELS[entity], entity, ident)
    case = record.case
    person_id = case.person_id if case is not None else record.person_id
    seen = can_see_case(user, case) if case is not None else can_see_person(user, record.person)
    if seen and not can_enter_in_error(user, record):
        refuse(403, entity, record.id, person_id, NOT_YOURS_TO_MARK)
    return _read_if(seen, entity, record, person_id)


def get_own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own API tokens; anyone else's is not found (not even its existence)."""
    record = fetch(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        abort(404)
    return record


def get_worker(user: User, worker_id: int) -> User:
    """A worker's profile (name, team, role, profession, direct line): any signed-in user
    may read it, since colleagues and the people helped need to reach each other."""
    worker = fetch(User, worker_id)
    if worker is None:
        abort(404)
    return worker


def get_own_notification(user: User, notification_id: int) -> Notification:
    """One of the user's own notifications; anyone else's is not found (not even its
    existence)."""
    record = fetch(Notification, notification_id)
    if record is None or record.user_id != user.id:
        abort(404)
    return record


def notification_links(user: User) -> tuple:
    """SQL conditions, for a notification's case and person, that the reader may still see
    them (the list links to them only then: a case may have moved on since)."""
    case_seen = exists().where(Case.id == Notification.case_id, case_visible_clause(user))
    person_seen = exists().where(Person.id == Notification.person_id, person_visible_clause(user))
    return case_seen, person_seen


def sees_whole_locality(user: User) -> bool:
    """Administrators and leads (service leads across the locality, ADR 0034): every team's
    figures and every trial. Neither reads a person's record for it: records come with a
    team (an administrator who belongs to one works in it; a lead never belongs to one)."""
    return user.active and user.role in ("admin", "lead")


def can_see_measures(user: User) -> bool:
    """The measures pages: team managers, leads and administrators.

    Figures are counts, so whoever may see measures may see any team's and cohort's, and
    compare them side by side (a pilot team's manager reads usual practice's figures, ADR
    0034). The people behind a figure are another matter: can_see_measure_lists."""
    if not user.active:
        return False
    return sees_whole_locality(user) or (user.role == "manager" and user.team_id is not None)


def default_measures_team(user: User, cohort: str = "all") -> int | None:
    """The team whose figures are shown when none is chosen: a manager's own team, unless
    they ask for the other cohort (their team has none of its records: then every team of
    that cohort, so a pilot team's manager asking for usual practice gets it); everyone
    else (leads, administrators) every team together."""
    if user.role != "manager" or user.team is None:
        return None
    return user.team_id if cohort in ("all", user.team.cohort) else None


def can_see_team_measures(user: User, team_id: int | None) -> bool:
    """One team's figures (team_id), or every team's together (None): anyone who sees
    measures, for any team (ADR 0034)."""
    return can_see_measures(user)


def can_see_measure_lists(user: User, team_id: int | None) -> bool:
    """The lists behind the figures (and the repeat demand review) name people and show their
    demands, cases and actions: they are records, so only for the one team whose records the
    user manages. Everyone else who sees the figure is told how many, not who: leads and
    administrators without a team, and managers looking at another team or at every team
    together; nobody lists every team's people together (ADR 0011, ADR 0034)."""
    return manages_team(user, team_id)


def can_export_person(user: User, person: Person) -> bool:
    """A subject access export: the manager of a team that knows the person (ADR 0011).
    Practitioners read the record on screen; the export is for whoever answers the request."""
    return manages_team(user, team_id_of(user)) and can_work_with_person(user, person)


def get_person_to_export(user: User, person_id: int) -> Person:
    """The person whose record the user may export; refusals audited. The export records
    its own event (not a view)."""
    person = _found(Person, "person", person_id)
    if not can_export_person(user, person):
        refuse(
            403,
            "person",
            person.id,
            person.id,
            "A subject access export is for the managers of a team that knows the person.",
        )
    return person
