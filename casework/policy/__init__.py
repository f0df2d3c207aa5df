"""Who may see and change what: one place for every page, API call and command.

Practitioners and managers work on the records of their own team: people who
have (or had) a demand or case there, or whom the team registered, and any
case in which they have been pulled in to do an action. Administrators manage
users and teams; they see records only when they also belong to a team. Leads
read every team's figures and nobody's records (ADR 0034).

Callers ask `policy.<rule>`; the rules live in two modules: `core` (records, refusals,
administration, measures) and `teamwork` (a team's own business, built on the core).
"""

from .core import *  # noqa: F403
from .teamwork import *  # noqa: F403
