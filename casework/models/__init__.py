"""The data model: teams, workers, people, demands, cases and what happens in them.

Every write records who and when. Time-dependent defaults are callables. One module a
part of the domain; every model and constant is importable from here
(`from casework.models import Case`), and importing this package declares every table
(migrations/env.py compares them with the migrated schema).

    base       utcnow, as_utc (the values a column may take: casework/rules.py)
    staff      Team, User
    auth       ApiToken, UserSession, RecoveryCode
    people     Person
    cases      Case, Demand, Conversation, Action, OwnershipChange
    corrections  EnteredInError (a mixin of the three above), LateNote
    teamwork   Ask, TeamPurpose
    barriers   Barrier, BarrierCase, BarrierMove, Story
    audit      AuditEvent, AuditEventPerson
    facts      DemandFact, CaseFact, MeasureFactsState
    safety     CautionFlag, NetworkMember, ConversationAttendee, ConsentDecision
    idempotency  IdempotencyKey, FormToken (nothing saved twice)
    transfers  Transfer
    notifications  Notification
"""

from __future__ import annotations

from ..rules import (
    ACTION_BY,
    ACTION_STATUSES,
    ASK_KINDS,
    ASK_STATUSES,
    BARRIER_KINDS,
    BARRIER_STATUSES,
    CHANNELS,
    COHORTS,
    CONVERSATION_KINDS,
    DEMAND_KINDS,
    REFERRAL_MATCHES,
    ROLES,
    ROUTES,
)
from .audit import AuditEvent, AuditEventPerson
from .auth import SESSION_STAGES, ApiToken, RecoveryCode, UserSession
from .barriers import Barrier, BarrierCase, BarrierMove, Story
from .base import as_utc, utcnow
from .cases import Action, Case, Conversation, Demand, OwnershipChange
from .corrections import EnteredInError, LateNote
from .facts import CaseFact, DemandFact, MeasureFactsState
from .idempotency import FormToken, IdempotencyKey
from .notifications import Notification
from .people import Person
from .safety import CautionFlag, ConsentDecision, ConversationAttendee, NetworkMember
from .staff import Team, User
from .teamwork import Ask, TeamPurpose
from .transfers import Transfer

__all__ = [
    "ACTION_BY",
    "ACTION_STATUSES",
    "ASK_KINDS",
    "ASK_STATUSES",
    "BARRIER_KINDS",
    "BARRIER_STATUSES",
    "CHANNELS",
    "COHORTS",
    "CONVERSATION_KINDS",
    "DEMAND_KINDS",
    "REFERRAL_MATCHES",
    "ROLES",
    "ROUTES",
    "SESSION_STAGES",
    "Action",
    "ApiToken",
    "Ask",
    "AuditEvent",
    "AuditEventPerson",
    "Barrier",
    "BarrierCase",
    "BarrierMove",
    "Case",
    "CaseFact",
    "CautionFlag",
    "ConsentDecision",
    "Conversation",
    "ConversationAttendee",
    "Demand",
    "EnteredInError",
    "LateNote",
    "DemandFact",
    "FormToken",
    "IdempotencyKey",
    "MeasureFactsState",
    "NetworkMember",
    "Notification",
    "OwnershipChange",
    "Person",
    "RecoveryCode",
    "Story",
    "Team",
    "TeamPurpose",
    "Transfer",
    "User",
    "UserSession",
    "as_utc",
    "utcnow",
]
