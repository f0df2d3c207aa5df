"""A person's record as a FHIR R4 Bundle (type `collection`), for shared care records.

Plain dicts, built from what the user may see (the same records as the person's page):

- Patient (UK Core), identified by the NHS number under https://fhir.nhs.uk/Id/nhs-number;
- per case an EpisodeOfCare (status, careManager = the owner, team, period, the demands
  that came in as referralRequest) and a CarePlan whose activities are the agreed actions
  (performer: the Patient for the person's own, the Practitioner for the team's);
- a Goal per what-matters statement, in the person's words, expressed by the Patient:
  the current one active (completed once the case closed), earlier ones cancelled on
  the day a newer statement replaced them (statusDate), so the history reads in order;
- an Encounter per conversation, linked to its EpisodeOfCare;
- a ServiceRequest per demand;
- the Practitioners, CareTeams and Organizations these refer to, so every reference
  resolves inside the bundle (urn:uuid full URLs, stable for the same record);
- a Flag per active caution, a RelatedPerson per member of the person's circle (the
  professionals also in a CareTeam of their own), and a Consent per decision about
  sharing (an expired one inactive); an action a member does names them as performer.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from ..formatting import label
from ..models import Case, Person, Team, User, utcnow
from ..people.timeline import visible_record
from ..rules import CLOSURE_OUTCOMES, FLAG_CATEGORIES
from ..safety.service import PersonSafety, person_safety
from ..text import without_control_characters
from .fields import day, moment

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# Names the urn:uuid of each record: the same record always has the same full URL.
NAMESPACE = uuid.UUID("5b7d1f0e-3a4c-4e57-9a55-6b0c2f1d8e21")

ENCOUNTER_CLASS = {
    "visit": ("HH", "home health"),
    "phone": ("VR", "virtual"),
    "video": ("VR", "virtual"),
    "meeting": ("AMB", "ambulatory"),
    "other": ("AMB", "ambulatory"),
}
ACTIVITY_STATUS = {"agreed": "not-started", "done": "completed", "dropped": "cancelled"}
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
XHTML = "http://www.w3.org/1999/xhtml"


def full_url(kind: str, ident) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{ident}')}"


def ref(kind: str, ident, display: str | None = None) -> dict:
    reference = {"reference": full_url(kind, ident), "type": kind}
    if display:
        reference["display"] = display
    return reference


def _resource(kind: str, ident, profile: str | None = None, **fields) -> dict:
    resource = {"resourceType": kind, "id": str(uuid.uuid5(NAMESPACE, f"{kind}/{ident}"))}
    if profile:
        resource["meta"] = {"profile": [UK_CORE + profile]}
    resource.update({k: v for k, v in fields.items() if v not in (None, [], {})})
    return resource


def _period(start: dt.date | None, end: dt.date | None) -> dict:
    return {k: v for k, v in {"start": day(start), "end": day(end)}.items() if v}


class BundleBuilder:
    """Collects resources once each, keyed by their full URL."""

    def __init__(self):
        self.entries: dict[str, dict] = {}

    def add(self, kind: str, ident, resource: dict) -> None:
        self.entries.setdefault(full_url(kind, ident), resource)

    def practitioner(self, user: User | None) -> dict | None:
        if user is None:
            return None
        self.add(
            "Practitioner",
            user.id,
            _resource(
                "Practitioner",
                user.id,
                "Practitioner",
                name=[{"text": user.name}],
                active=user.active,
            ),
        )
        return ref("Practitioner", user.id, user.name)

    def team(self, team: Team) -> dict:
        """The team as an Organization, and as the CareTeam an EpisodeOfCare names."""
        self.add(
            "Organization",
            team.id,
            _resource("Organization", team.id, "Organization", name=team.name, active=True),
        )
        self.add(
            "CareTeam",
            team.id,
            _resource(
                "CareTeam",
                team.id,
                None,
                status="active",
                name=team.name,
                managingOrganization=[ref("Organization", team.id, team.name)],
            ),
        )
        return ref("CareTeam", team.id, team.name)


def patient(person: Person) -> dict:
    telecom = [{"system": "phone", "value": person.phone}] if person.phone else []
    address = []
    if person.address or person.postcode:
        address = [
            {k: v for k, v in {"text": person.address, "postalCode": person.postcode}.items() if v}
        ]
    return _resource(
        "Patient",
        person.id,
        "Patient",
        identifier=[{"system": NHS_NUMBER, "value": person.nhs_number}]
        if person.nhs_number
        else [],
        name=[{"use": "official", "family": person.family_name, "given": [person.given_name]}],
        birthDate=day(person.date_of_birth),
        telecom=telecom,
        address=address,
    )


def _goals(builder: BundleBuilder, case: Case, subject: dict) -> list[dict]:
    """A Goal per what-matters statement: the latest current, earlier ones superseded."""
    statements = list(reversed(case.what_matters_history))  # oldest first
    goals = []
    for index, said in enumerate(statements):
        later = statements[index + 1] if index + 1 < len(statements) else None
        if later is not None:
            status, status_date = "cancelled", later.held_on
            reason = "Replaced by a later statement in the person's own words"
        elif case.is_open:
            status, status_date, reason = "active", said.held_on, None
        else:
            status, status_date, reason = "completed", case.closed_on, None
        builder.add(
            "Goal",
            said.id,
            _resource(
                "Goal",
                said.id,
                None,
                lifecycleStatus=status,
                statusDate=day(status_date),
                statusReason=reason,
                description={"text": said.what_matters},
                subject=subject,
                expressedBy=subject,
                startDate=day(said.held_on),
                note=[{"text": "What matters to the person, in their own words"}],
            ),
        )
        goals.append(ref("Goal", said.id))
    return goals


def _activity(builder: BundleBuilder, action, subject: dict) -> dict:
    performer = subject if action.by == "person" else builder.practitioner(action.assignee)
    if action.network_member_id is not None:  # someone from the circle does it
        performer = ref("RelatedPerson", action.network_member_id)
    detail = {
        "status": "entered-in-error" if action.in_error else ACTIVITY_STATUS[action.status],
        "description": action.description,
        "performer": [performer] if performer else [],
    }
    if action.due_on:
        detail["scheduledPeriod"] = {"end": day(action.due_on)}
    activity = {"detail": {k: v for k, v in detail.items() if v not in (None, [])}}
    if action.outcome:
        activity["outcomeCodeableConcept"] = [{"text": action.outcome}]
    return activity


def _case(builder: BundleBuilder, case: Case, demands, subject: dict) -> None:
    care_team = builder.team(case.team)
    owner = builder.practitioner(case.owner)
    referrals = [ref("ServiceRequest", d.id) for d in demands if d.case_id == case.id]
    builder.add(
        "EpisodeOfCare",
        case.id,
        _resource(
            "EpisodeOfCare",
            case.id,
            None,
            identifier=[{"system": "urn:casework:case", "value": str(case.id)}],
            status="active" if case.is_open else "finished",
            patient=subject,
            managingOrganization=ref("Organization", case.team_id, case.team.name),
            period=_period(case.opened_on, case.closed_on),
            careManager=owner,
            team=[care_team],
            referralRequest=referrals,
        ),
    )
    episode = ref("EpisodeOfCare", case.id)
    for conversation in case.conversations:
        code, display = ENCOUNTER_CLASS[conversation.kind]
        recorder = builder.practitioner(conversation.recorded_by)
        builder.add(
            "Encounter",
            conversation.id,
            _resource(
                "Encounter",
                conversation.id,
                "Encounter",
                status="entered-in-error" if conversation.in_error else "finished",
                **{"class": {"system": ACT_CODE, "code": code, "display": display}},
                type=[{"text": label(conversation.kind)}],
                subject=subject,
                episodeOfCare=[episode],
                # The worker who recorded it, then who from the circle was there.
                participant=([{"individual": recorder}] if recorder else [])
                + [{"individual": ref("RelatedPerson", m.id)} for m in conversation.attendees],
                period=_period(conversation.held_on, conversation.held_on),
                length={
                    "value": conversation.minutes,
                    "unit": "min",
                    "system": "http://unitsofmeasure.org",
                    "code": "min",
                }
                if conversation.minutes is not None
                else None,
            ),
        )
    builder.add(
        "CarePlan",
        case.id,
        _resource(
            "CarePlan",
            case.id,
            None,
            status="active" if case.is_open else "completed",
            intent="plan",
            title="What we agreed",
            subject=subject,
            period=_period(case.opened_on, case.closed_on),
            author=owner,
            careTeam=[care_team],
            goal=_goals(builder, case, subject),
            activity=[_activity(builder, a, subject) for a in case.actions],
            note=_closure_notes(case),
        ),
    )


def _closure_notes(case) -> list[dict]:
    """How the case ended (ADR 0033), and what changed for the person."""
    if case.is_open:
        return []
    ended = [{"text": f"How it ended: {CLOSURE_OUTCOMES[case.closure_outcome or 'agreed']}"}]
    return ended + ([{"text": case.closure_summary}] if case.closure_summary else [])


def _demand(builder: BundleBuilder, demand, subject: dict) -> None:
    status = "active" if demand.case and demand.case.is_open else "completed"
    if demand.case is None:
        status = "unknown"  # imported history, never routed into a case
    if demand.in_error:
        status = "entered-in-error"
    builder.team(demand.team)
    builder.add(
        "ServiceRequest",
        demand.id,
        _resource(
            "ServiceRequest",
            demand.id,
            None,
            status=status,
            intent="order",
            category=[{"text": label(demand.kind)}] if demand.kind else [],
            code={"text": demand.stated_need},
            subject=subject,
            authoredOn=day(demand.received_on),
            requester={"display": demand.source},
            performer=[ref("Organization", demand.team_id, demand.team.name)],
            note=[{"text": f"Arrived by {label(demand.channel).lower()}"}],
        ),
    )


def _flags(builder: BundleBuilder, safety: PersonSafety, subject: dict) -> None:
    for flag in safety.flags:
        author = builder.practitioner(flag.raised_by)
        builder.add(
            "Flag",
            flag.id,
            _resource(
                "Flag",
                flag.id,
                None,
                status="active",
                category=[
                    {
                        "coding": [{"system": FLAG_CATEGORY, "code": "safety"}],
                        "text": FLAG_CATEGORIES[flag.category],
                    }
                ],
                code={"text": flag.text},
                subject=subject,
                # No end: a caution stays active past its review date until someone ends it.
                period={"start": moment(flag.raised_at)},
                author=author,
            ),
        )


def _circle(builder: BundleBuilder, person: Person, safety: PersonSafety, subject) -> None:
    """The person's circle as RelatedPersons; the professionals also as a CareTeam. Contact
    details only of those the person agrees may be contacted."""
    professionals = []
    for member in safety.network:
        telecom = [{"system": "phone", "value": member.phone}] if member.phone else []
        telecom += [{"system": "email", "value": member.email}] if member.email else []
        role = "; ".join(p for p in (label(member.relationship), member.role) if p)
        builder.add(
            "RelatedPerson",
            member.id,
            _resource(
                "RelatedPerson",
                member.id,
                None,
                active=True,
                patient=subject,
                relationship=[{"text": role}],
                name=[{"text": member.name}],
                telecom=telecom if member.may_contact else [],
            ),
        )
        if member.relationship == "professional":
            participant = {"role": [{"text": role}], "member": ref("RelatedPerson", member.id)}
            professionals.append(participant)
    if professionals:
        builder.add(
            "CareTeam",
            f"circle/{person.id}",
            _resource(
                "CareTeam",
                f"circle/{person.id}",
                None,
                status="active",
                name=f"Professionals around {person.name}",
                subject=subject,
                participant=professionals,
            ),
        )


def _consents(builder: BundleBuilder, safety: PersonSafety, subject: dict) -> None:
    for consent in safety.consents:
        builder.add(
            "Consent",
            consent.id,
            _resource(
                "Consent",
                consent.id,
                None,
                text={
                    "status": "generated",
                    "div": f'<div xmlns="{XHTML}">{_escaped(consent.scope)}</div>',
                },
                status="inactive" if consent.expired(safety.today) else "active",
                scope={"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
                category=[{"coding": [{"system": LOINC, "code": "59284-0"}]}],
                patient=subject,
                dateTime=day(consent.recorded_on),
                policyRule={"text": "The person's own decision, recorded by the team"},
                provision={
                    "type": "permit" if consent.decision == "given" else "deny",
                    "period": _period(consent.recorded_on, consent.expires_on),
                },
            ),
        )


def _escaped(words: str) -> str:
    return words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def person_bundle(session: Session, user: User, person: Person) -> dict:
    """The person's record the user may see, as a FHIR R4 Bundle of type collection. FHIR
    strings hold no control characters: any stored before they were refused are left out."""
    builder = BundleBuilder()
    builder.add("Patient", person.id, patient(person))
    subject = ref("Patient", person.id, person.name)
    cases, demands, _ = visible_record(session, user, person)
    for demand in demands:
        _demand(builder, demand, subject)
    for case in cases:
        _case(builder, case, demands, subject)
    safety = person_safety(session, person)
    _flags(builder, safety, subject)
    _circle(builder, person, safety, subject)
    _consents(builder, safety, subject)
    return without_control_characters(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid4()),
            "type": "collection",
            "timestamp": moment(utcnow()),
            "entry": [{"fullUrl": url, "resource": r} for url, r in builder.entries.items()],
        }
    )
