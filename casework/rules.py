"""Every input rule, declared once: the limits, the patterns, the choices and the words a
person reads when a value breaks one.

The WTForms forms, the API's models (casework/api/fields.py) and the domain functions all
read them from here. The domain functions stay the final word: forms, API and CLI all call
them, and `clean_text` and `clean_date` below are the checks they share.
"""

from __future__ import annotations

import datetime as dt

from . import clock
from .formatting import uk_date

# Limits, in characters.
LONG_TEXT = 20_000  # notes, statements, a closure's summary and agreement
SHORT_TEXT = 2_000  # an action, the real problem, a reason
NAME = 100  # a person's names, a demand's source, a team's name
STATED_NEED = 10_000
NHS_NUMBER_TYPED = 20  # ten digits, and the spaces people type between them
PHONE = 50
ADDRESS = 500
POSTCODE = 10
PREFERRED_CONTACT = 1_000
WITH_WHOM = 200
MINUTES_IN_A_DAY = 1_440
BARRIER_TITLE = 200
ORGANISATION = 200
BARRIER_TEXT = 5_000
ASK_WHAT = 200
ASK_WHY = 2_000
ASK_REASON = 2_000
MAX_PENCE = 100_000_000  # £1,000,000: an ask's rough cost
PURPOSE = 2_000
PURPOSE_LIST = 4_000
TRIAL_NAME = 100
COST_SERVICE = 100
COST_SOURCE = 500
COUNTERFACTUAL_NOTE = 10_000
COUNTERFACTUAL_COUNT = 1_000  # how many of one service the usual pathway would have used

# Nothing saved twice (ADR 0036): the API's Idempotency-Key and the web forms' one-time
# tokens. A key is 1 to 200 visible ASCII characters (a UUID fits); its first answer is
# given again for 24 hours. A form's token is signed for its user, and a form opened more
# than FORM_TOKEN_DAYS ago is asked to be sent again (its spent tokens are kept that long).
IDEMPOTENCY_KEY = 200
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,200}$"
IDEMPOTENCY_HOURS = 24
FORM_TOKEN_DAYS = 7
IDEMPOTENCY_KEY_SHAPE = (
    "Idempotency-Key must be 1 to 200 visible ASCII characters (letters, digits and "
    "punctuation, no spaces), for example a UUID"
)
IDEMPOTENCY_KEY_REUSED = (
    "This Idempotency-Key was already used for a different request (another body or "
    "address) in the last 24 hours: use a new key for a new request"
)
IDEMPOTENCY_IN_PROGRESS = (
    "A request with this Idempotency-Key is still being processed: wait a moment and send "
    "it again to get its answer"
)
ALREADY_SAVED = "This was already saved: it has not been saved a second time"
FORM_OPENED_TOO_LONG_AGO = (
    f"This page was opened more than {FORM_TOKEN_DAYS} days ago: check what you typed and "
    "send it again"
)
FORM_OPENED_BY_SOMEONE_ELSE = (
    "This page was opened while someone else was signed in: check what you typed and send it again"
)
FOLLOW_UP_DAYS = 3 * 366  # the longest follow-up a trial's results may ask for
FLAG_TEXT = 1_000  # a caution: what a worker needs to know before they visit
MEMBER_NAME = 200  # someone in the person's circle, or a community group's name
MEMBER_ROLE = 200
EMAIL = 254
MEMBER_NOTES = 5_000
CONSENT_SCOPE = 2_000
LONGEST_REVIEW_DAYS = 2 * 366  # a caution is looked at again within two years
PROFESSION = 100  # a worker's profession, as they would say it: "Occupational therapist"
WORKING_HOURS = 200  # when a worker can be reached: "Monday to Thursday, 8am to 4pm"
NOTIFICATION_TEXT = 300  # what happened, with no health or care details
PLAN_NOTE = 2_000  # a planned contact's note: what it is for
LONGEST_PLAN_DAYS = 2 * 366  # a contact is planned within two years (later is a typing slip)
LONGEST_DIARY_DAYS = 366  # the longest window one read of the diary covers
NO_CONTACT_DAYS = 28  # a team's default: a case with no contact for longer is flagged
NO_CONTACT_DAYS_RANGE = (1, 365)
# A worker's direct line: digits, spaces, brackets, hyphens and a leading +, 6 digits or more.
WORKER_PHONE_PATTERN = r"^\+?[0-9 ()-]+$"
WORKER_PHONE_DIGITS = 6
LATE_NOTE = 5_000  # a note added to a closed case: a letter or call after closure
IN_ERROR_REASON = 2_000  # why a record was entered in error
# An action's due date lies between the case's opening less this many days (a referral
# dated before the case opened) and this many years ahead.
ACTION_DUE_DAYS_BEFORE_OPENING = 30
ACTION_DUE_YEARS_AHEAD = 10

# Dates before these are typing mistakes, not records.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_DEMAND = dt.date(1990, 1, 1)

# Patterns. An NHS number: ten digits (ASCII only), spaces or dashes between them as
# people type them, or nothing at all; its modulus 11 check digit is
# people.service.nhs_number_checks.
NHS_NUMBER_PATTERN = r"^[ -]*(?:(?:[0-9][ -]*){10})?$"
# An email address of someone in a person's circle: something@somewhere.something.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

# Choices: the values stored (the database's check constraints use them too), and, where a
# page offers them, the words a person reads.
COHORTS = ("pilot", "usual")
ROLES = ("practitioner", "manager", "admin", "lead")
DEMAND_KINDS = ("value", "failure")
CHANNELS = {
    "phone": "Phone",
    "letter": "Letter",
    "email": "Email",
    "referral_form": "Referral form",
    "in_person": "In person",
    "other": "Other",
}
CONVERSATION_KINDS = ("visit", "phone", "video", "meeting", "other")
REFERRAL_MATCHES = ("yes", "partly", "no")
ACTION_BY = ("person", "team")
ACTION_STATUSES = ("agreed", "done", "dropped")
ROUTES = ("open_case", "same_worker", "new_case", "passed_to_owner")
BARRIER_KINDS = ("rule", "eligibility", "form", "handoff", "it_system", "funding", "other")
BARRIER_STATUSES = ("raised", "with_leader", "removed", "kept")
ASK_KINDS = ("resource", "permission")
ASK_STATUSES = ("open", "yes", "no", "withdrawn")
ASK_DECISIONS = ("yes", "no")
TRIAL_STATUSES = ("running", "paused", "ended")
ALLOCATIONS = ("pilot", "usual", "not_randomised")
COST_UNITS = ("item", "hour")
FLAG_CATEGORIES = {
    "lone_working": "Risk to a worker on their own",
    "animal": "Animal",
    "infection": "Infection risk",
    "safeguarding": "Safeguarding",
    "access": "Getting in",
    "other": "Other",
}
RELATIONSHIPS = {  # in the order the circle is listed: family first, professionals late
    "family": "Family",
    "friend": "Friend",
    "neighbour": "Neighbour",
    "carer": "Carer",
    "professional": "Professional",
    "community": "Community group",
    "other": "Other",
}
CONSENT_DECISIONS = {"given": "Agreed to share", "refused": "Refused to share"}
CLOSURE_OUTCOMES = {  # how a case ended; "agreed" is closure by mutual agreement
    "agreed": "Closed by agreement with the person",
    "died": "The person died",
    "moved_away": "The person moved away",
    "declined_support": "The person declined support",
    "transferred": "Transferred to another team",
}
# The outcomes a person chooses when closing a case ("transferred" is set by a transfer's
# acceptance only), in the close form's words, and what the note must say for each but
# agreement (ADR 0033).
CLOSURE_CHOICES = {
    "agreed": "By agreement with the person: enough has been done and they are stable",
    "died": CLOSURE_OUTCOMES["died"],
    "moved_away": "The person moved away from the area",
    "declined_support": CLOSURE_OUTCOMES["declined_support"],
}
CLOSURE_NOTE_NEEDED = {
    "died": "Say when the person died and how you heard",
    "moved_away": "Say where the person moved to, if known, and how you heard",
    "declined_support": "Say how and when the person declined support",
}
NO_OUTCOME = "Choose how the case ended"
TRANSFER_STATUSES = ("pending", "accepted", "declined")
NOTIFICATION_KINDS = {  # what a worker is told, in the words of the list's filter
    "allocated": "A case given to you",
    "recontact": "A demand routed to your case",
    "action_assigned": "An action given to you",
    "action_overdue": "An action past its due date",
    "ask_answered": "An ask answered",
    "transfer_requested": "A transfer to your team",
    "transfer_answered": "A transfer answered",
    "passed_to_you": "A demand passed to you",
    "relationship_started": "Another team started working with a person",
}
PLAN_KINDS = {"visit": "Visit", "phone": "Phone call", "check_in": "Check-in", "review": "Review"}
PLAN_STATUSES = ("planned", "done", "cancelled")

# Labels: the words of a field that both a page's form and the API's description use.
BARRIER_TITLE_LABEL = "What got in the way, in a few words"
BARRIER_COST_LABEL = "What it cost the person, in their words"
AGREEMENT_NOTE_LABEL = "How and when the person agreed"
SUMMARY_LABEL = "What changed for the person"
CANCEL_PLAN_REASON_LABEL = "Why it will not happen (optional)"

# Messages.
ENTER_TEXT = "Enter text"
ENTER_A_REAL_DATE = "Enter a real date"
NOT_IN_FUTURE = "The date must be today or in the past"
NO_SOURCE = "Enter who the demand came from, for example GP or the person"
NO_CHANNEL = "Choose how the demand arrived"
NO_STATED_NEED = "Enter the need as the referrer stated it"
NO_RECEIVED_ON = "Enter the date the demand was received"
# Passing a demand to the worker in another team who already knows the person (issue 16).
NOT_OPEN_ELSEWHERE = "Choose an open case of this person in another team"
NO_ROUTING_CHOICE = (
    "Choose whether to pass this demand to the worker who already knows the person, "
    "or to record it in your team's own case"
)
NO_BARRIER_TITLE = "Say in a few words what got in the way"
NO_ASK_WHAT = "Say what you are asking for"
NO_ASK_WHY = "Say why the person needs it"
NO_ASK_KIND = "Choose whether you are asking for a resource or a permission"
NO_GIVEN_NAME = "Enter the person's first name"
NO_FAMILY_NAME = "Enter the person's last name"
NO_PURPOSE = "Write the team's purpose"
NO_TRIAL_NAME = "Give the trial a name"
SHARE_RANGE = "The pilot's share must be a number between 0 and 1, for example 0.5 for half"
SAME_TEAM_TWICE = "The usual team must be a different team from the pilot team"
NO_SERVICE = "Name the service"
NO_COUNTERFACTUAL = "Add at least one service the usual pathway would have used"
NO_FLAG_CATEGORY = "Choose what kind of caution it is"
NO_FLAG_TEXT = "Say, in plain words, what to know"
NO_REVIEW_ON = "Enter the date by which the flag should be looked at again"
NO_END_REASON = "Say why the caution no longer applies"
NO_MEMBER_NAME = "Enter their name"
NO_RELATIONSHIP = "Choose how they are connected to the person"
NO_MAY_CONTACT = "Say whether the person agrees they may be contacted"
NO_DECISION = "Choose whether they agreed or refused"
NO_SCOPE = "Say what may be shared, and with whom"
EMAIL_SHAPE = "Enter an email address like name@example.org"
NO_PLAN_KIND = "Choose visit, phone call, check-in or review"
NO_PLAN_DUE = "Enter the date of the planned contact"
PLAN_NOT_PAST = "The date of a planned contact must be today or later"
PLAN_TOO_FAR = "Plan the contact within the next two years: check the year"
PLAN_NOT_OPEN = "Choose a planned contact of this case that is still open"
NO_CONTACT_DAYS_WORDS = "Enter a whole number of days from 1 to 365"
NHS_NUMBER_SHAPE = "Enter an NHS number with 10 digits, like 943 476 5919"
WORKER_PHONE_SHAPE = "Enter a phone number, like 0113 496 0000 or +44 113 496 0000"
NHS_NUMBER_INVALID = "That is not a valid NHS number: check each digit and try again"
NO_IN_ERROR_REASON = "Say why it was entered in error, for example: logged on the wrong person"
NO_LATE_NOTE = "Write the note: what arrived or what was said"
NO_ACTION_DESCRIPTION = "Describe the action"
NO_CONVERSATION_DATE = "Enter the date of the conversation"
NO_CONVERSATION_KIND = "Choose visit, phone, video, meeting or other"
MINUTES_WORDS = f"Enter the minutes as a whole number from 0 to {MINUTES_IN_A_DAY}"
NO_ACTION_BY = "Choose who will do it: the person or the team"
NO_OWNER_CHANGE_REASON = "Give a reason for the change of owner"
NO_BARRIER_MOVE = "Choose where the barrier goes next"
NO_ANSWER_REASON = "Give the reason for your answer"
NO_COHORT = "Choose pilot, usual practice or all"
NO_GRAIN = "Choose months, weeks or quarters"
TOO_MANY_WEEKS = "Weekly charts cover at most 3 years: choose months, or a shorter period"
NO_SUCH_TEAM = "Choose a team that exists"
CHOOSE_A_TEAM = "Choose a team from the list"
NO_TEAM_NAMED = "There is no team with this name"
NO_ACTION_DETAILS = "Check the action's details"


def too_long(limit: int, what: str = "Must be") -> str:
    """The words for text over its limit: "Must be 2,000 characters or fewer"."""
    return f"{what} {limit:,} characters or fewer"


def choose_a_member(team_name: str) -> str:
    """The words for someone who is not an active member of the team they must be in."""
    return f"Choose an active member of {team_name}"


def clean_text(value, field: str, errors: dict, *, required: str | None = None, limit=LONG_TEXT):
    """`value` stripped, or None when empty; what is wrong goes into `errors[field]`."""
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str):
        errors[field] = ENTER_TEXT
        return None
    if not value:
        if required:
            errors[field] = required
        return None
    if len(value) > limit:
        errors[field] = too_long(limit)
    return value


def clean_date(value, field: str, errors: dict, *, required: str | None = None, past=True):
    """`value` if it is a date (today or earlier, when `past`); what is wrong goes into
    `errors[field]`."""
    if value is None:
        if required:
            errors[field] = required
        return None
    if not isinstance(value, dt.date):
        errors[field] = ENTER_A_REAL_DATE
        return None
    if past and value > clock.today():
        errors[field] = NOT_IN_FUTURE
    return value


def years_ahead(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for 29 February in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def action_due_window(opened_on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last days an action of a case opened on `opened_on` may be due."""
    earliest = opened_on - dt.timedelta(days=ACTION_DUE_DAYS_BEFORE_OPENING)
    return earliest, years_ahead(clock.today(), ACTION_DUE_YEARS_AHEAD)


def check_action_due(value, opened_on: dt.date, errors: dict, field: str = "due_on"):
    """An action's due date (or None): a date within `action_due_window`, else the words
    for `errors[field]` ("1800" and "2099" are typing mistakes, not plans)."""
    value = clean_date(value, field, errors, past=False)
    if value is None:
        return None
    earliest, latest = action_due_window(opened_on)
    if not earliest <= value <= latest:
        errors[field] = (
            f"Enter a due date between {uk_date(earliest)} (a month before the case opened) "
            f"and {uk_date(latest)} (ten years from today)"
        )
    return value
