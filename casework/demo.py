"""A demo locality: two teams, their workers, forty people and two years of work.

`load_demo(session)` builds it into an empty database through the same domain
functions the pages use (record_demand, log_conversation, add_action,
change_owner, close_case...), so routing, ownership history and the audit
trail are real. Only the clock is set back: before each step the loader says
what day it is, and every row that step adds (and the audit event it writes)
carries that moment, so two years of history read as they would have
happened. Dates are relative to today, so the demo always looks current; a
fixed seed makes it the same locality every time. Passwords are random.

The story it tells is the one in the product brief: Northgate works in the
usual way (referrals taken at face value, one case per referral, people
coming back); Riverside is the pilot "bubble" (one named worker, what matters
in the person's own words, actions split between the person and the team,
closure by agreement, re-contact back to the same worker).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from .admin.service import create_team, create_user, deactivate_user
from .asks.service import ask_manager, decide
from .auth.service import random_password
from .barriers.service import create_barrier, link_case, move_barrier
from .cases.service import (
    add_action,
    change_owner,
    close_case,
    log_conversation,
    record_referral_judgement,
    update_action,
)
from .demands.routing import record_demand
from .models import (
    Action,
    Ask,
    Barrier,
    BarrierCase,
    BarrierMove,
    Case,
    Conversation,
    Demand,
    OwnershipChange,
    Person,
    Story,
    Team,
    TeamPurpose,
    User,
)
from .people.service import create_person, nhs_number_checks
from .purpose.service import save as save_purpose
from .safety import demo as safety_demo
from .stories.service import mark_story

SEED = 20_240_611

# The timestamps each kind of row gets from the loader's clock when it is added.
STAMPED = {
    Team: ("created_at",),
    User: ("created_at",),
    Person: ("created_at", "updated_at"),
    Case: ("created_at", "updated_at"),
    Demand: ("recorded_at",),
    Conversation: ("recorded_at",),
    Action: ("created_at", "updated_at"),
    OwnershipChange: ("at",),
    Barrier: ("created_at", "updated_at"),
    BarrierCase: ("recorded_at",),
    BarrierMove: ("at",),
    Story: ("marked_at",),
    Ask: ("asked_at", "updated_at"),
    TeamPurpose: ("changed_at",),
}
# Audit events keep the real moment of loading: the audit trail never tells a story.

STAFF = {
    # key: (name, role, team, job)
    "eleisha": ("Eleisha Ward", "practitioner", "Riverside", "community nurse"),
    "sam": ("Sam Okafor", "practitioner", "Riverside", "occupational therapist"),
    "priya": ("Priya Shah", "practitioner", "Riverside", "social worker"),
    "jo": ("Jo Lewis", "practitioner", "Riverside", "support worker"),
    "morgan": ("Morgan Reed", "manager", "Riverside", "team manager"),
    "chris": ("Chris Byrne", "practitioner", "Northgate", "social worker"),
    "dana": ("Dana Hughes", "practitioner", "Northgate", "occupational therapist"),
    "pat": ("Pat Green", "practitioner", "Northgate", "community nurse"),
    "alex": ("Alex Kim", "manager", "Northgate", "team manager"),
    "ada": ("Ada Lovell", "admin", None, "administrator"),
}
LOGINS = (
    ("Practitioner", "eleisha"),
    ("Team manager", "morgan"),
    ("Practitioner", "chris"),
    ("Team manager", "alex"),
    ("Administrator", "ada"),
)

STREETS = {
    "Riverside": (
        "Mill Lane",
        "Canal Street",
        "Wharf Road",
        "Ferry Walk",
        "Willow Close",
        "Bridge Street",
        "Towpath Row",
        "Kingfisher Way",
        "Meadow Bank",
        "Quay Side",
    ),
    "Northgate": (
        "Northgate Road",
        "Chapel Street",
        "Victoria Terrace",
        "Hilltop Avenue",
        "Albert Road",
        "Station Approach",
        "Moor Lane",
        "Beech Grove",
        "St Anne's Close",
        "Greenfield Drive",
    ),
}
DISTRICTS = {"Riverside": ("EB2", "EB3"), "Northgate": ("EB7", "EB8")}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CONTACT_NOTES = (
    "Phone in the morning. It takes {him} a while to reach the phone: let it ring.",
    "Hard of hearing: speak slowly and clearly, or text {his} daughter first.",
    "Prefers a home visit. Does not answer withheld numbers.",
    "Text first, then call.",
    "Landline only. Best after 10am.",
    None,
    None,
)

# Background stories, by theme. {g} is the person's first name; {he}, {him},
# {his}, {He}, {His} their pronouns. `lead` is who in Riverside usually owns it.
THEMES = {
    "falls": dict(
        lead="sam",
        needs=(
            (
                "GP",
                "referral_form",
                "Fall at home last week. Please assess for mobility equipment.",
            ),
            (
                "Ambulance service",
                "email",
                "Found on the floor by a neighbour, not conveyed to "
                "hospital. Please assess falls risk.",
            ),
            (
                "Hospital discharge team",
                "referral_form",
                "Going home after a fall. Needs a home safety check and equipment.",
            ),
        ),
        repeats=(
            ("GP", "phone", "Another fall reported by the family. Please reassess."),
            ("Ambulance service", "email", "Second call-out for a fall in three months."),
        ),
        chase=(
            "GP",
            "phone",
            "Chasing the falls referral sent last month: the family say nobody has been out.",
        ),
        match=("no", "partly"),
        real=(
            "{g} has stopped going upstairs and sleeps in the armchair because {he} is "
            "frightened of falling again. The referral asked for equipment; what is really "
            "going on is fear and a loss of confidence since the first fall."
        ),
        matters=(
            "I don't want to end up on the floor again with nobody knowing.",
            "I want to sleep in my own bed again and get to the shops on a good day.",
        ),
        first=(
            "Home visit. {g} showed me where {he} fell, between the kitchen and the back "
            "door. {He} has been sleeping in the armchair since, and only goes upstairs to "
            "wash when someone is in the house. Legs are weak from sitting. {He} was clear "
            "that {he} does not want a care home, and that the frame from the hospital "
            "lives behind the door because it makes {him} feel old."
        ),
        second=(
            "Second visit. {g} had been practising getting up from the chair and was proud "
            "to show me. We talked about what a good week would look like: upstairs to bed, "
            "and the bus to the market on Wednesdays."
        ),
        actions=(
            (
                "team",
                None,
                "Falls check of the house with {g}: stair rail, bathroom, landing light",
                "done",
                "Second stair rail fitted and a night light on the landing. "
                "{g} walked the stairs with me twice.",
            ),
            (
                "person",
                None,
                "{g} to practise the stairs each morning with family there, for two weeks",
                "done",
                "Managing the stairs alone now and back in {his} own bed.",
            ),
            (
                "team",
                "jo",
                "Go with {g} to the falls prevention class at the leisure centre the first time",
                "dropped",
                "{g} went once and found the bus journey too much. "
                "Doing the home exercise sheet instead, three times a week.",
            ),
        ),
        close=(
            "{g} is back sleeping upstairs, has not fallen since, and has been to the market "
            "twice. {He} knows how to reach me directly if anything changes."
        ),
        usual_notes=(
            "Assessment visit. Equipment needs identified against the referral: "
            "perching stool, toilet frame, second stair rail. {g} says {he} is managing."
        ),
        usual_action=(
            "Order perching stool, toilet frame and stair rail",
            "Equipment delivered and fitted.",
        ),
        usual_close=(
            "Equipment delivered as requested. No further needs identified against "
            "the referral. Closed."
        ),
    ),
    "memory": dict(
        lead="priya",
        needs=(
            (
                "GP",
                "referral_form",
                "Memory problems. Family worried. Please assess for support at home.",
            ),
            (
                "Son",
                "phone",
                "Worried: forgetting to eat and left the gas on twice. "
                "Can someone assess for carers?",
            ),
        ),
        repeats=(
            ("Daughter", "phone", "Memory worse. Family asking again for an assessment."),
            ("GP", "email", "Re-referral: family not coping with memory problems."),
        ),
        chase=("Son", "phone", "Chasing the assessment: nobody has been in touch."),
        match=("partly", "no"),
        real=(
            "{g} manages day to day with prompts. The family are frightened because nobody has "
            "explained the diagnosis or what help there is; {g} wants to keep doing the things "
            "{he} knows, and is angry at being talked about rather than to."
        ),
        matters=(
            "I know I forget things. I don't want to be treated like a child.",
            "I want to keep walking to the paper shop on my own and keep my garden going.",
        ),
        first=(
            "Home visit with {g} and family. {g} was a step ahead of the conversation for most "
            "of it and cross that the referral had been made without asking {him}. The gas "
            "was a pan left on once, not twice. Nobody in the family has had the diagnosis "
            "explained since the memory clinic letter."
        ),
        second=(
            "Saw {g} on {his} own this time, in the garden. {He} talked me through every "
            "plant. {He} wants to keep {his} routine: paper shop in the morning, garden in "
            "the afternoon. Agreed what the family will and won't do."
        ),
        actions=(
            (
                "team",
                None,
                "Meet {g} and the family with the memory clinic nurse to go through "
                "the diagnosis and what to expect",
                "done",
                "Everyone now has the same information and the memory clinic's number.",
            ),
            (
                "person",
                None,
                "Family to put a calendar and a note by the door; {g} to carry a "
                "card with a family number",
                "done",
                "In place. {g} says the calendar helps.",
            ),
            (
                "team",
                "jo",
                "Walk to the paper shop with {g} twice and introduce {him} to the shopkeeper",
                "done",
                "The shopkeeper knows {g} and has the family's number.",
            ),
            (
                "team",
                None,
                "Look at the day centre with {g}",
                "dropped",
                "{g} visited once and said it was not for {him}. Goes to the Friday coffee "
                "morning at church instead.",
            ),
        ),
        close=(
            "{g} still walks to the paper shop every day and the garden is in order. The "
            "family know what to expect and whom to ring. Everyone agreed {g} is settled."
        ),
        usual_notes=(
            "Telephone assessment with the family. Memory clinic appointment already "
            "booked. Information pack on dementia support posted."
        ),
        usual_action=("Post the dementia information pack", "Posted."),
        usual_close=(
            "Information given. Memory clinic already involved. No further action for this service."
        ),
    ),
    "bereavement": dict(
        lead="jo",
        needs=(
            (
                "GP",
                "email",
                "Low mood since bereavement. Lives alone. Please assess for social care needs.",
            ),
            (
                "Neighbour",
                "phone",
                "Worried about {g} next door: curtains closed all day and not seen out for a week.",
            ),
        ),
        repeats=(
            ("GP", "email", "Still low in mood. Isolated. Please review."),
            ("Neighbour", "phone", "Concerned again: not seen out, post piling up."),
        ),
        chase=("GP", "phone", "Chasing referral: patient says no contact yet."),
        match=("no", "partly"),
        real=(
            "{g} is grieving and has lost the routine and the company {he} had. There is no "
            "care need: {he} needs people, and a reason to go out."
        ),
        matters=(
            "I just want to feel that somebody would notice if I wasn't here.",
            "I want to get out of the house most days and have someone to talk to.",
        ),
        first=(
            "Home visit. {g} had not spoken to anyone for four days before I came. We talked "
            "for over an hour, mostly about {his} late partner and the choir they used to "
            "sing in. House clean and warm, eating enough. {He} cried, and then said it was "
            "the first time {he} had."
        ),
        second=(
            "Phoned, then called round. {g} had been to the café at the Hub on {his} own "
            "and met someone from the old choir. Much brighter."
        ),
        actions=(
            (
                "team",
                "jo",
                "Go with {g} to the community café at the Hub the first two times",
                "done",
                "{g} now goes on {his} own on Mondays and Thursdays.",
            ),
            (
                "person",
                None,
                "{g} to ring {his} friend from the choir about going back",
                "done",
                "Back at choir practice every week.",
            ),
            (
                "team",
                "priya",
                "Check {g}'s benefits after the bereavement",
                "done",
                "Bereavement Support Payment claimed; single person Council Tax discount applied.",
            ),
            (
                "team",
                None,
                "Ask the bereavement counselling service to contact {g}",
                "dropped",
                "{g} did not want counselling: the café and the choir are doing "
                "{him} more good. Has the number if {he} changes {his} mind.",
            ),
        ),
        close=(
            "{g} is out most days, back at choir and eating with friends twice a week. "
            "{He} said {he} feels like {him}self again on most days."
        ),
        usual_notes=(
            "Telephone review. No eligible care needs identified. Given details of "
            "befriending services and the Age UK helpline."
        ),
        usual_action=("Send the list of befriending services", "Sent."),
        usual_close="No eligible social care needs. Signposted to befriending. Closed.",
    ),
    "breathing": dict(
        lead="eleisha",
        needs=(
            (
                "Ambulance service",
                "email",
                "Third 999 call this month for breathlessness. Treated at home. Please review.",
            ),
            ("GP", "referral_form", "COPD with frequent exacerbations. Needs support at home."),
        ),
        repeats=(
            (
                "Hospital discharge team",
                "referral_form",
                "Admitted with an exacerbation of COPD. Needs support at home on discharge.",
            ),
            ("Ambulance service", "email", "Further 999 calls for breathlessness."),
        ),
        chase=("GP", "phone", "Chasing referral: patient called 999 again at the weekend."),
        match=("partly", "no"),
        real=(
            "{g}'s breathlessness frightens {him}, and at night the fear turns into panic; "
            "{he} rings 999 because there is nobody else to ring. There is no plan for a bad "
            "day and no rescue pack in the house."
        ),
        matters=(
            "I'm frightened I'll stop breathing in the night and nobody will come.",
            "I want to know what to do on a bad day without ringing 999, and get to my "
            "grandson's football on Saturdays.",
        ),
        first=(
            "Home visit. {g} was breathless walking to the door but settled once sitting. "
            "Inhaler technique poor. The 999 calls are all between midnight and 4am, when "
            "{he} wakes breathless and panics. No written plan, no rescue pack, and {he} did "
            "not know {he} could ring us."
        ),
        second=(
            "Went through the plan with {g} and {his} daughter. {He} used the breathing "
            "technique while we talked and showed me the rescue pack in the cupboard. "
            "No calls to 999 since the last visit."
        ),
        actions=(
            (
                "team",
                "eleisha",
                "Agree a written plan for bad days with {g} and the GP, with a rescue pack at home",
                "done",
                "Plan on the fridge, rescue pack in the cupboard. "
                "Used once, with no need to ring 999.",
            ),
            (
                "team",
                "sam",
                "Breathing and pacing techniques at home; trolley and perching stool",
                "done",
                "{g} uses the trolley every day and the breathing technique when anxious.",
            ),
            (
                "person",
                None,
                "{g} to go to pulmonary rehab on Tuesday mornings, with {his} daughter driving",
                "done",
                "Completed all eight weeks.",
            ),
        ),
        close=(
            "No 999 calls for three months. {g} has a plan for bad days that {he} uses, and "
            "has been to two of {his} grandson's matches. {He} has my direct number."
        ),
        usual_notes=(
            "Telephone assessment. Already known to the respiratory team. Advised to "
            "use inhalers as prescribed and to call 111 out of hours."
        ),
        usual_action=("Refer to pulmonary rehabilitation", "Referral sent."),
        usual_close="Referred to pulmonary rehabilitation. No further action for this service.",
    ),
    "money": dict(
        lead="priya",
        needs=(
            (
                "Housing officer",
                "email",
                "Rent arrears. Tenant not engaging with housing. Please assess for support needs.",
            ),
            (
                "Fire and rescue service",
                "email",
                "Safe and well visit: home very cold, using the gas oven for heat. Please follow up.",
            ),
        ),
        repeats=(
            ("Housing officer", "email", "Arrears increasing. Notice of seeking possession due."),
            ("GP", "email", "Anxiety about debts. Please assess for support."),
        ),
        chase=("Housing officer", "phone", "Chasing our referral: eviction hearing next month."),
        match=("no", "partly"),
        real=(
            "{g} stopped opening letters after {his} hours were cut and the debts frightened "
            "{him}. {He} has not been claiming what {he} is entitled to and cannot afford to "
            "heat the flat."
        ),
        matters=(
            "I just want the letters to stop. I can't sleep for worrying.",
            "I want to be warm, keep my flat and not be frightened of the post.",
        ),
        first=(
            "Home visit. Flat very cold; {g} was in a coat. A carrier bag of unopened post "
            "by the door. {He} was embarrassed and kept apologising. Agreed we would open "
            "it together next time, with {his} sister there."
        ),
        second=(
            "Opened the post together at the kitchen table with {g}'s sister. Four debts, "
            "two of them already written off. {g} said it was not as bad as the pile had "
            "made it feel."
        ),
        actions=(
            (
                "team",
                "priya",
                "Benefits check and a referral to Citizens Advice for a debt plan",
                "done",
                "Housing element of Universal Credit sorted, debt plan agreed, arrears on "
                "a repayment plan with housing.",
            ),
            (
                "person",
                None,
                "{g} to open the post each Friday with {his} sister and ring me if "
                "anything worries {him}",
                "done",
                "Doing it. {He} says the post is just post now.",
            ),
            (
                "team",
                "jo",
                "Apply to the warm homes fund for help with the heating",
                "done",
                "Boiler repaired at no cost to {g}.",
            ),
        ),
        close=(
            "The flat is warm, the arrears are on a plan housing have agreed, and {g} opens "
            "the post every Friday. {He} agreed {he} is stable and knows how to reach me."
        ),
        usual_notes=(
            "Visit attempted: no answer, card left. Spoke to {g} by phone the next day; "
            "{he} says {he} is managing and does not want support."
        ),
        usual_action=("Post the debt advice leaflet and Citizens Advice details", "Posted."),
        usual_close="{g} declined support. Signposted to Citizens Advice. Closed.",
    ),
    "personal_care": dict(
        lead="sam",
        needs=(
            (
                "GP",
                "referral_form",
                "Needs help with washing and dressing. Please assess for a package of care.",
            ),
            (
                "Hospital discharge team",
                "referral_form",
                "Discharge home. Needs a package of care: one call a day for personal care.",
            ),
        ),
        repeats=(
            ("GP", "referral_form", "Package of care review requested."),
            ("Daughter", "phone", "Care calls not working, mum not happy. Please review."),
        ),
        chase=("Hospital discharge team", "phone", "Chasing the package of care for discharge."),
        match=("partly", "no"),
        real=(
            "{g} cannot lift {his} arms above shoulder height since a shoulder injury and is "
            "embarrassed to ask for help washing. With the right equipment and a few weeks' "
            "practice {he} could manage on {his} own."
        ),
        matters=(
            "I don't want a stranger washing me.",
            "I want to shower and dress myself, even if it takes me all morning.",
        ),
        first=(
            "Home visit. {g} was dressed when I arrived and had clearly struggled to be. "
            "Right shoulder stiff and painful since a fall last year. {He} did not want "
            "carers and said so twice. We looked at the bathroom together."
        ),
        second=(
            "Third practice session. {g} showered and dressed with the long-handled sponge "
            "and dressing stick while I waited in the kitchen: forty minutes, no help needed."
        ),
        actions=(
            (
                "team",
                "sam",
                "Equipment and practice: long-handled sponge, shower seat, dressing "
                "stick; three sessions with {g}",
                "done",
                "{g} now showers and dresses on {his} own.",
            ),
            (
                "team",
                "eleisha",
                "Ask the physiotherapist to review {g}'s shoulder",
                "done",
                "Seen twice; the exercises are helping.",
            ),
            (
                "person",
                None,
                "{g} to do the shoulder exercises twice a day",
                "done",
                "Doing them; can now reach the top shelf.",
            ),
            (
                "team",
                None,
                "Short package of care while {g} practises",
                "dropped",
                "{g} did not want carers and managed without, with a neighbour on call for the "
                "first week.",
            ),
        ),
        close=(
            "{g} washes and dresses {him}self every day, with equipment {he} is used to. "
            "No care package needed. {He} agreed we can close and has my number."
        ),
        usual_notes="Assessment visit. Needs help with washing and dressing. Eligible for support.",
        usual_action=("Arrange a package of care: one call a day", "Care agency started."),
        usual_close="Package of care in place. Reviewed after six weeks. Closed.",
    ),
    "medication": dict(
        lead="eleisha",
        needs=(
            (
                "Community pharmacist",
                "phone",
                "Not collecting prescriptions. May need blister packs.",
            ),
            ("GP", "email", "Not taking medication as prescribed. Please assess need for prompts."),
        ),
        repeats=(
            ("Community pharmacist", "phone", "Blister packs returned unopened."),
            ("GP", "email", "Still missing doses. Please review support."),
        ),
        chase=("Community pharmacist", "phone", "Chasing: still not collecting medication."),
        match=("no", "partly"),
        real=(
            "{g} takes eleven medicines from three prescribers that nobody has reviewed "
            "together. {He} stopped two because they made {him} dizzy, and is unsure "
            "about the rest."
        ),
        matters=(
            "I don't want all these tablets. They make me feel worse.",
            "I want to feel like myself again and not be dizzy when I stand up.",
        ),
        first=(
            "Home visit. Went through every box in the cupboard with {g}: eleven medicines, "
            "three prescribers, two stopped by {g} because of dizziness. {He} is not "
            "forgetting: {he} is choosing, without anyone to ask."
        ),
        second=(
            "Visit after the medication review. Down to seven medicines. {g} stood up from "
            "the chair without holding on and laughed about it."
        ),
        actions=(
            (
                "team",
                "eleisha",
                "Ask the practice pharmacist for a full medication review with {g} there",
                "done",
                "From eleven medicines to seven; the dizziness has gone.",
            ),
            (
                "team",
                "eleisha",
                "Weekly dosette with the pharmacy; check it for the first month",
                "done",
                "No missed doses at the last four checks.",
            ),
            (
                "person",
                None,
                "{g}'s son to collect the prescriptions on Fridays",
                "done",
                "Doing it.",
            ),
        ),
        close=(
            "{g} takes seven medicines, knows what each is for and is no longer dizzy. "
            "Agreed together that {he} is stable."
        ),
        usual_notes="Telephone assessment. Blister packs arranged with the pharmacy as requested.",
        usual_action=("Request blister packs from the pharmacy", "Pharmacy agreed."),
        usual_close="Blister packs in place. No further action. Closed.",
    ),
    "anxiety": dict(
        lead="jo",
        needs=(
            (
                "Community mental health team",
                "email",
                "Discharged from the CMHT. Needs support to manage the tenancy.",
            ),
            (
                "Jobcentre Plus",
                "email",
                "Customer has missed appointments; may have support needs.",
            ),
        ),
        repeats=(
            ("Housing officer", "email", "Tenancy at risk: not responding to letters."),
            ("GP", "email", "Anxiety. Not leaving the house. Please assess."),
        ),
        chase=("Jobcentre Plus", "phone", "Chasing: customer sanctioned, still no contact."),
        match=("no", "partly"),
        real=(
            "{g} has hardly left the flat in daylight for three months. {He} missed the "
            "appointments because {he} cannot face the bus, not because {he} does not want "
            "the help."
        ),
        matters=(
            "I just want people to stop being on my back.",
            "I want to get out in the daytime again and maybe do a course at the college.",
        ),
        first=(
            "Met {g} at the flat, on the doorstep at first, then inside. Quiet, polite, "
            "tired. {He} goes out only at night, to the 24-hour shop. Letters from the "
            "Jobcentre unopened. {He} agreed I could come back next week at the same time."
        ),
        second=(
            "Walked to the park and back with {g}, mid-morning. {He} talked about the "
            "college course {he} dropped out of at eighteen and would like to try again."
        ),
        actions=(
            (
                "team",
                "jo",
                "Short walks together at quiet times, building up to the bus into town",
                "done",
                "{g} took the bus into town with me, then on {his} own.",
            ),
            (
                "team",
                "priya",
                "Ask the Jobcentre for phone appointments while {g} builds up",
                "done",
                "Agreed, and the sanction lifted.",
            ),
            (
                "person",
                None,
                "{g} to go to the college open day with {his} cousin",
                "done",
                "Enrolled on an evening course.",
            ),
            (
                "team",
                None,
                "Refer to NHS Talking Therapies",
                "dropped",
                "{g} is already on the waiting list through the GP: no need for a second referral.",
            ),
        ),
        close=(
            "{g} goes out in daylight, has started an evening course and is keeping up with "
            "the Jobcentre by phone. Agreed with {him} that {he} does not need us now."
        ),
        usual_notes=(
            "Telephone contact. {g} says {he} is fine and does not need support. "
            "No eligible social care needs."
        ),
        usual_action=None,
        usual_close="Declined support. Closed.",
    ),
}

PILOT_AGREEMENTS = (
    "Agreed with {g} at home on my last visit: {he} feels settled and knows how to reach me "
    "directly.",
    "Agreed with {g} and family at the review visit. {g} said {he} is happy for the case to close.",
    "Agreed with {g} on the phone after the last visit, and confirmed in a short letter.",
)
USUAL_AGREEMENTS = (
    "Agreed with {g} by phone.",
    "{g} agreed on the phone that nothing more was needed under this referral.",
    "Agreed with {g} at the review visit.",
)
RIVERSIDE_ALLOCATIONS = (
    "Allocated at the morning huddle: {owner} has capacity and knows the street.",
    "Allocated at the morning huddle to {owner}, who has the right skills for this.",
)
NORTHGATE_ALLOCATIONS = (
    "Allocated from the waiting list at the weekly allocation meeting.",
    "Allocated to {owner} at the weekly allocation meeting.",
)

# Background people: (given name, family name, sex, age, theme, team).
BACKGROUND = (
    ("Margaret", "Evans", "F", 83, "falls", "Riverside"),
    ("Arthur", "Bennett", "M", 87, "memory", "Riverside"),
    ("Nasreen", "Begum", "F", 69, "medication", "Riverside"),
    ("Terry", "Wood", "M", 72, "breathing", "Riverside"),
    ("Shirley", "Graham", "F", 79, "bereavement", "Riverside"),
    ("Daniel", "Osei", "M", 27, "anxiety", "Riverside"),
    ("Patricia", "Lloyd", "F", 74, "personal_care", "Riverside"),
    ("Gareth", "Powell", "M", 49, "money", "Riverside"),
    ("Maureen", "O'Brien", "F", 91, "falls", "Riverside"),
    ("Mohammed", "Khan", "M", 66, "breathing", "Riverside"),
    ("Grace", "Okonkwo", "F", 80, "memory", "Riverside"),
    ("Leonard", "Shaw", "M", 85, "bereavement", "Riverside"),
    ("Sandra", "Collins", "F", 71, "falls", "Northgate"),
    ("Raymond", "Holt", "M", 78, "breathing", "Northgate"),
    ("Barbara", "Kennedy", "F", 84, "memory", "Northgate"),
    ("Dennis", "Roberts", "M", 81, "bereavement", "Northgate"),
    ("Elaine", "Foster", "F", 62, "money", "Northgate"),
    ("Michael", "Burke", "M", 75, "personal_care", "Northgate"),
    ("Dorothy", "Wright", "F", 89, "medication", "Northgate"),
    ("Wojciech", "Zielinski", "M", 38, "anxiety", "Northgate"),
    ("Jean", "Morris", "F", 77, "breathing", "Northgate"),
    ("Peter", "Hammond", "M", 68, "falls", "Northgate"),
    ("Amanda", "Cole", "F", 45, "money", "Northgate"),
    ("Tony", "Marshall", "M", 73, "medication", "Northgate"),
    ("Hannah", "Ahmed", "F", 33, "anxiety", "Northgate"),
)
# Not everyone's NHS number is known at first contact.
NO_NHS_NUMBER = ("Agnieszka Nowak", "Wojciech Zielinski", "Daniel Osei")
# Background people in Northgate whose one case Pat Green owned, before leaving.
PAT_CASES = ("Peter Hammond", "Tony Marshall")


def pronouns(sex: str, given: str) -> dict[str, str]:
    he, him, his = ("she", "her", "her") if sex == "F" else ("he", "him", "his")
    return dict(g=given, he=he, him=him, his=his, He=he.title(), His=his.title())


class DemoError(RuntimeError):
    """The demo's story no longer matches the rules (for example routing changed)."""


class _Loader:
    def __init__(self, session: Session):
        self.session = session
        self.today = dt.date.today()
        self.now = dt.datetime.now(dt.UTC)
        self.rng = random.Random(SEED)  # noqa: S311 - made-up data, the same every time
        self.when = self.now
        self._ticks: dict[dt.date, int] = {}
        self._nhs: set[str] = set()
        self._phones: set[str] = set()
        self.staff: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.passwords: dict[str, str] = {}

    # The clock -----------------------------------------------------------

    def at(self, ago: int) -> dt.date:
        """Set the clock to `ago` days before today, a little later than the last step that day."""
        if ago < 0:
            raise DemoError(f"The demo cannot record things in the future ({-ago} days ahead)")
        day = self.today - dt.timedelta(days=ago)
        n = self._ticks[day] = self._ticks.get(day, 0) + 1
        when = dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC) + dt.timedelta(
            minutes=13 * n
        )
        latest = self.now - dt.timedelta(minutes=10)
        if when > latest:  # today, later than now: squeeze into the last few minutes
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
            when = min(max(midnight, latest) + dt.timedelta(seconds=n), self.now)
        self.when = when
        return day

    def stamp(self, session, instance) -> None:
        for attribute in STAMPED.get(type(instance), ()):
            setattr(instance, attribute, self.when)

    # Steps, each through the domain functions ----------------------------

    def person(
        self,
        by: User,
        ago: int,
        given: str,
        family: str,
        sex: str,
        age: int,
        *,
        nhs: bool = True,
        contact: str | None = "",
    ) -> Person:
        self.at(ago)
        rng = self.rng
        team = by.team.name
        nhs = nhs and f"{given} {family}" not in NO_NHS_NUMBER
        p = pronouns(sex, given)
        born = dt.date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        if born > self.today - dt.timedelta(days=365 * age):
            born = born.replace(year=born.year - 1)
        street = rng.choice(STREETS[team])
        number = rng.randint(1, 140)
        address = (
            f"Flat {rng.randint(1, 24)}, {rng.choice(('Cooper', 'Lister', 'Bevan'))} "
            f"House, {street}"
            if rng.random() < 0.25
            else f"{number} {street}"
        )
        if contact == "":
            note = rng.choice(CONTACT_NOTES)
            contact = note.format(**p) if note else None
        return create_person(
            self.session,
            by,
            {
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "nhs_number": self.nhs_number() if nhs else None,
                "phone": self.phone(mobile=age < 60 or rng.random() < 0.2),
                "address": f"{address}\nEastbridge",
                "postcode": (
                    f"{rng.choice(DISTRICTS[team])} {rng.randint(1, 9)}"
                    f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
                ),
                "preferred_contact": contact,
            },
        )

    def demand(
        self,
        person: Person,
        recorder: User,
        ago: int,
        source: str,
        channel: str,
        need: str,
        *,
        kind: str | None = "value",
        owner: User | None = None,
        expect: str,
    ) -> Case:
        demand, route = record_demand(
            self.session,
            person=person,
            team=recorder.team,
            recorder=recorder,
            received_on=self.at(ago),
            source=source,
            channel=channel,
            stated_need=need,
            kind=kind,
            owner=owner,
        )
        if route.kind != expect:
            raise DemoError(
                f"{person.name}: expected the demand to route {expect}, the rule said {route.kind}"
            )
        return demand.case

    def talk(
        self,
        case: Case,
        user: User,
        ago: int,
        notes: str | None,
        *,
        kind: str = "visit",
        matters: str | None = None,
        with_whom: str | None = None,
        minutes: int | None = None,
    ):
        return log_conversation(
            self.session,
            case,
            user,
            held_on=self.at(ago),
            kind=kind,
            with_whom=with_whom,
            minutes=minutes,
            what_matters=matters,
            notes=notes,
        )

    def judge(self, case: Case, user: User, ago: int, match: str, real_problem: str) -> None:
        self.at(ago)
        case.updated_at = self.when
        record_referral_judgement(
            self.session, case, user, referral_match=match, real_problem=real_problem, version=None
        )

    def act(
        self,
        case: Case,
        user: User,
        ago: int,
        text: str,
        *,
        by: str = "team",
        assignee: User | None = None,
        due_in: int | None = None,
    ) -> Action:
        """Agree an action `ago` days ago, due `due_in` days from today (negative: past)."""
        self.at(ago)
        due = self.today + dt.timedelta(days=due_in) if due_in is not None else None
        return add_action(
            self.session, case, user, description=text, by=by, assignee=assignee, due_on=due
        )

    def settle(
        self, action: Action, user: User, ago: int, status: str, outcome: str | None = None
    ) -> None:
        self.at(ago)
        action.updated_at = self.when
        update_action(self.session, action, user, status=status, outcome=outcome)

    def hand(self, case: Case, user: User, ago: int, new_owner: User, reason: str) -> None:
        self.at(ago)
        case.updated_at = self.when
        change_owner(self.session, case, user, new_owner=new_owner, reason=reason)

    def close(self, case: Case, user: User, ago: int, note: str, summary: str) -> None:
        day = self.at(ago)
        case.updated_at = self.when
        close_case(
            self.session,
            case,
            user,
            agreed_with_person=True,
            agreement_note=note,
            summary=summary,
            closed_on=day,
        )

    # Made-up identifiers, from the ranges kept for drama and testing ----

    def nhs_number(self) -> str:
        """A valid NHS number from the 999 range, which is never issued to real patients."""
        while True:
            digits = "999" + "".join(str(self.rng.randint(0, 9)) for _ in range(6))
            total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
            check = (11 - total % 11) % 11
            number = f"{digits}{check}"
            if check != 10 and number not in self._nhs and nhs_number_checks(number):
                self._nhs.add(number)
                return number

    def phone(self, mobile: bool = False) -> str:
        """Ofcom's drama numbers: 01632 960xxx and 07700 900xxx."""
        while True:
            prefix = "07700 900" if mobile else "01632 960"
            number = f"{prefix}{self.rng.randint(0, 999):03d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    # The locality --------------------------------------------------------

    def load(self) -> list[tuple[str, str, str]]:
        target = self.session() if isinstance(self.session, scoped_session) else self.session
        event.listen(target, "transient_to_pending", self.stamp)
        try:
            self.teams_and_staff()
            self.irene_thomas()
            self.riverside_stories()
            self.northgate_stories()
            for given, family, sex, age, theme, team in BACKGROUND:
                if team == "Riverside":
                    self.pilot_background(given, family, sex, age, theme)
                else:
                    self.usual_background(given, family, sex, age, theme)
            self.pat_leaves()
            self.riverside_purpose()
            self.riverside_asks()
            self.barriers_and_a_story()
            self.at(0)
            safety_demo.load(self.session, self.staff, self.today)
            self.session.flush()
        finally:
            event.remove(target, "transient_to_pending", self.stamp)
        return [(label, self.staff[key].email, self.passwords[key]) for label, key in LOGINS]

    def teams_and_staff(self) -> None:
        self.at(800)
        self.teams["Riverside"] = create_team(self.session, "Riverside", "pilot")
        self.teams["Northgate"] = create_team(self.session, "Northgate", "usual")
        for key, (name, role, team, _job) in STAFF.items():
            domain = f"{team.lower()}.example.nhs.uk" if team else "example.nhs.uk"
            password = random_password()
            user, _ = create_user(
                self.session,
                email=f"{name.lower().replace(' ', '.')}@{domain}",
                name=name,
                role=role,
                team=self.teams.get(team),
                password=password,
            )
            self.staff[key] = user
            self.passwords[key] = password

    # Irene: five referrals in two years, then one worker who listened.

    def irene_thomas(self) -> None:
        s = self.staff
        chris, dana, alex, eleisha, sam = s["chris"], s["dana"], s["alex"], s["eleisha"], s["sam"]
        irene = self.person(
            alex,
            722,
            "Irene",
            "Thomas",
            "F",
            67,
            contact="Phone, any time after 9am. Her daughter Karen is happy to be contacted too.",
        )

        case = self.demand(
            irene,
            alex,
            722,
            "GP",
            "referral_form",
            "Wrist pain and weakness. Please assess for wrist splints.",
            expect="new_case",
        )
        self.hand(case, alex, 716, chris, NORTHGATE_ALLOCATIONS[0])
        self.talk(
            case,
            chris,
            709,
            "Telephone assessment. Mrs Thomas has a rare condition "
            "affecting both wrists, under the hospital. Measured for splints over the "
            "phone with her daughter's help.",
            kind="phone",
            minutes=20,
        )
        splints = self.act(
            case, chris, 709, "Order wrist splints from the orthotics catalogue", due_in=-695
        )
        self.settle(splints, chris, 697, "done", "Splints delivered.")
        self.close(
            case,
            chris,
            690,
            "Irene agreed on the phone that there was nothing more this referral could do.",
            "Splints supplied as requested. Irene says they are uncomfortable and she can "
            "do little with them on. Nothing else was offered under this referral. "
            "No useful change for her.",
        )

        case = self.demand(
            irene,
            chris,
            601,
            "Hospital discharge team",
            "referral_form",
            "Discharged after a fall in the kitchen. Needs a review of her package of care.",
            expect="same_worker",
        )
        self.talk(
            case,
            chris,
            596,
            "Visit. Irene has no package of care and does not want "
            "carers. She dropped a pan of water and slipped on it. Offered six weeks of "
            "reablement; she declined, saying she does not need help to wash, she needs "
            "her hands to work.",
            minutes=40,
        )
        self.close(
            case,
            chris,
            586,
            "Agreed with Irene at the visit.",
            "Reablement offered and declined. No package of care in place and none "
            "requested. Nothing has changed for Irene day to day.",
        )

        case = self.demand(
            irene,
            alex,
            471,
            "Adult social care",
            "email",
            "Care Act assessment requested: struggling with housework and shopping.",
            kind="failure",
            expect="same_worker",
        )
        self.hand(
            case,
            alex,
            466,
            dana,
            "Chris is on long-term leave from Monday. Dana to "
            "complete the assessment; Irene told by phone.",
        )
        self.talk(
            case,
            dana,
            455,
            "Care Act assessment completed at home. Irene manages "
            "personal care slowly. Housework and shopping are difficult because of her "
            "wrists. Daughter helps at weekends.",
            minutes=75,
        )
        self.close(
            case,
            dana,
            441,
            "Irene agreed by phone after the eligibility letter.",
            "Assessment completed. Irene's needs did not meet the eligibility criteria "
            "for funded support. Given a list of private cleaners, which she cannot "
            "afford. No change for Irene.",
        )

        case = self.demand(
            irene,
            dana,
            331,
            "GP",
            "phone",
            "Low mood. Tearful at her appointment, says she can't cope. "
            "?Depression, please review.",
            kind=None,
            expect="same_worker",
        )
        self.talk(
            case,
            dana,
            326,
            "Phoned Irene. Low, frustrated, says she has told her "
            "story to too many people. Offered a referral to NHS Talking Therapies, "
            "which she accepted.",
            kind="phone",
            minutes=25,
        )
        therapy = self.act(case, dana, 326, "Refer to NHS Talking Therapies", due_in=-319)
        self.settle(therapy, dana, 322, "done", "Referral sent.")
        self.close(
            case,
            dana,
            318,
            "Agreed with Irene by phone.",
            "Referred to NHS Talking Therapies, who offered a telephone course. Irene "
            "said talking would not help her get dressed in the morning. Closed to "
            "this team with no change.",
        )

        case = self.demand(
            irene,
            dana,
            201,
            "Hospital orthopaedic clinic",
            "letter",
            "Rare, progressive wrist condition; no surgical option. Please "
            "provide kitchen equipment.",
            kind="failure",
            expect="same_worker",
        )
        self.talk(
            case,
            dana,
            191,
            "Went through the kitchen equipment catalogue with Irene. "
            "She already has most of it from the splint referral two years ago and says "
            "none of it gets her tea made.",
            minutes=35,
        )
        catalogue = self.act(
            case, dana, 191, "Leave the equipment catalogue and order form", due_in=-184
        )
        self.settle(catalogue, dana, 190, "done", "Left with Irene.")
        self.close(
            case,
            dana,
            181,
            "Agreed with Irene at the visit.",
            "Catalogue left; Irene had already tried most of the items. This was her "
            "fifth referral in two years, and nothing has changed for her.",
        )

        # Her GP practice now sits on the Riverside pilot team's patch.
        case = self.demand(
            irene,
            eleisha,
            121,
            "GP",
            "email",
            "Please assess for wrist splints and kitchen aids. Patient says she "
            "is not coping at home.",
            expect="new_case",
        )
        self.talk(
            case,
            eleisha,
            117,
            (
                "First visit, at home, about an hour and a half. Irene's GP practice is now "
                "covered by Riverside, so she is new to us but not to the service: five referrals "
                "in two years to Northgate, each closed without anything changing for her. She "
                "was wary and said so. I asked her to tell me about an ordinary day. Her wrists "
                "have a rare condition with no cure, and it is getting slowly worse. Buttons, "
                "jars, the kettle, the hoover and carrying shopping are the hard things. She "
                "does not want carers and never has. She is sharp, funny and very independent."
            ),
            matters="I'm sick of telling my story. I want someone to listen to the whole of it, "
            "not just the bit on the form.",
            minutes=90,
        )
        self.judge(
            case,
            eleisha,
            117,
            "no",
            (
                "Irene has a rare, incurable wrist condition. She is not after equipment for its "
                "own sake: she wants to carry on living as normally as she can (dressing herself, "
                "keeping her house clean, cooking her own tea). Five referrals split this into "
                "pieces and none of them looked at her life as a whole."
            ),
        )
        self.talk(
            case,
            eleisha,
            110,
            (
                "Joint visit with Sam Okafor (occupational therapist). We went round the house with "
                "Irene and she showed us how she does things now and where she gets stuck. She "
                "talked about a neighbour's lad, Kayden, who is struggling at school with reading "
                "and writing; Irene was a teaching assistant for twenty years. Agreed actions, hers "
                "and ours. She said this was the first time anyone had asked what she wanted."
            ),
            matters="I want to live as normally as I can: dress myself, keep my house clean, "
            "cook my own tea.",
            with_whom="Irene, and Sam Okafor (OT)",
            minutes=80,
        )
        kitchen = self.act(
            case,
            eleisha,
            110,
            "Look at the kitchen and bathroom with Irene: "
            "perching stool, kettle tipper, easy-grip knives and utensils",
            assignee=sam,
            due_in=-96,
        )
        advice = self.act(
            case,
            eleisha,
            110,
            "Advice on protecting her wrists: pacing, a "
            "warm-up routine, splints at night only, and the rheumatology advice "
            "line",
            due_in=-100,
        )
        pain = self.act(case, eleisha, 110, "Refer to the pain clinic", due_in=-90)
        self.settle(
            advice,
            eleisha,
            101,
            "done",
            "Talked it through and wrote it down in "
            "Irene's words. She wears the splints at night now and says mornings are "
            "easier.",
        )
        self.settle(
            pain,
            eleisha,
            104,
            "dropped",
            "Irene did not want another referral or "
            "another waiting list. Her pain is managed; it is strength in her hands she "
            "wants help with.",
        )
        self.settle(
            kitchen,
            sam,
            97,
            "done",
            "Perching stool, kettle tipper and easy-grip "
            "knives in place. Irene made her own tea on the visit, the first time in "
            "months.",
        )
        swap = self.act(
            case,
            eleisha,
            101,
            "Ask the youth worker at Riverside Community Hub "
            "about Kayden: help with reading and writing in exchange for help "
            "around the house",
            due_in=-85,
        )
        self.act(
            case,
            eleisha,
            97,
            "Order lever taps and arrange fitting through the handyperson scheme",
            assignee=sam,
            due_in=12,
        )
        self.talk(
            case,
            eleisha,
            82,
            (
                "Met at the Community Hub with Irene, Kayden (15), his mum and the youth worker. "
                "Kayden is behind with his reading and his mum has been worried. Everyone keen. "
                "Agreed a trial: Tuesdays and Thursdays after school at Irene's, half an hour of "
                "reading together, then Kayden does the hoovering and carries the heavy shopping. "
                "His mum knows and agrees; the youth worker will check in with both of them."
            ),
            kind="meeting",
            with_whom="Irene, Kayden and his mum, youth worker",
            minutes=60,
        )
        self.settle(
            swap,
            eleisha,
            82,
            "done",
            "Kayden and his mum met Irene at the Hub; everyone agreed to try it.",
        )
        self.act(
            case,
            eleisha,
            82,
            "Irene and Kayden to try the swap: Tuesdays and "
            "Thursdays after school, reading together, then hoovering and the "
            "heavy shopping",
            by="person",
            due_in=9,
        )
        self.talk(
            case,
            eleisha,
            46,
            "Phoned Irene. The swap is going well: Kayden has read "
            "two books with her and the hoovering is done. She laughed about him being "
            "better at hoovering than reading. Still waiting on the taps.",
            kind="phone",
            minutes=15,
        )
        self.talk(
            case,
            eleisha,
            29,
            (
                "Review visit. Irene is dressing herself every day with the button hook Sam left "
                "to try, and cooking a proper tea most days. House clean. Kayden's teacher has "
                "noticed a difference. Irene wants to carry on as things are; we will review "
                "once the taps are in and the trial month is up."
            ),
            minutes=45,
        )
        self.act(
            case,
            eleisha,
            29,
            "Irene to try the button hook and zip pull for two weeks and tell Sam which ones help",
            by="person",
            due_in=4,
        )
        self.act(
            case,
            eleisha,
            29,
            "Review with Irene and Kayden's mum once the trial month is up",
            due_in=16,
        )

    # Riverside: the pilot team's own stories.

    def riverside_stories(self) -> None:
        s = self.staff
        eleisha, sam, priya, jo, morgan = (
            s[k] for k in ("eleisha", "sam", "priya", "jo", "morgan")
        )

        # Harold: closed by agreement some months ago; now back, to the same worker.
        harold = self.person(
            priya,
            301,
            "Harold",
            "Jenkins",
            "M",
            84,
            contact="Landline. His son David has lasting power of attorney "
            "for finances and is happy to be called.",
        )
        case = self.demand(
            harold,
            priya,
            301,
            "Neighbour",
            "phone",
            "Neighbour worried: Mr Jenkins not eating properly since his wife "
            "died, and the house is very cold and untidy.",
            expect="new_case",
        )
        self.talk(
            case,
            priya,
            297,
            (
                "Home visit. Harold lost Margaret eight months ago, after 52 years of marriage. "
                "He showed me round: the heating works but he does not put it on, because "
                "Margaret always dealt with the bills and he is frightened of the cost. Fridge "
                "nearly empty; he has been living on toast. He is sharp, funny and very lonely, "
                "and does not want 'social services taking over'."
            ),
            matters="I want to stay in my own home. Margaret and I made it together and I'm not "
            "leaving it.",
            minutes=75,
        )
        self.judge(
            case,
            priya,
            297,
            "partly",
            (
                "Harold is grieving and has lost the person who ran the house: the bills, the meals, "
                "the heating. The neighbour saw the signs; the problem underneath is bereavement and "
                "not knowing how to do the things Margaret did."
            ),
        )
        bills = self.act(
            case,
            priya,
            297,
            "Go through the bills with Harold, put the heating "
            "on a timer he can work, and check Pension Credit",
            due_in=-283,
        )
        club = self.act(
            case,
            priya,
            297,
            "Harold to go to the Tuesday lunch club at St Mark's with his neighbour Bill",
            by="person",
            due_in=-290,
        )
        cooking = self.act(
            case,
            priya,
            297,
            "Cook with Harold twice: simple meals he can make and freeze",
            assignee=jo,
            due_in=-270,
        )
        cruse = self.act(
            case, priya, 297, "Ask the bereavement service to contact Harold", due_in=-285
        )
        self.settle(
            cruse,
            priya,
            290,
            "dropped",
            "Harold would rather talk to people at the "
            "lunch club than a counsellor. Left him the number in case he changes his "
            "mind.",
        )
        self.settle(
            bills,
            priya,
            281,
            "done",
            "Pension Credit awarded, Warm Home Discount "
            "applied, heating on a timer Harold can work.",
        )
        self.settle(club, priya, 271, "done", "Goes every Tuesday, and now Thursdays too.")
        self.settle(
            cooking,
            jo,
            266,
            "done",
            "Harold makes a shepherd's pie and a fish pie and "
            "freezes portions. He says Margaret would be amazed.",
        )
        self.talk(
            case,
            priya,
            262,
            "Review visit. House warm, fridge full, washing on the "
            "line. Harold talked about the lunch club regulars by name.",
            matters="I want to stay here, and I want people to talk to. The lunch club "
            "has been the making of me.",
            minutes=50,
        )
        self.close(
            case,
            priya,
            173,
            "Agreed with Harold at home on my last visit, with his "
            "son David on speakerphone. Harold said he is managing fine now.",
            "Harold is warm, eating well and out twice a week. Finances in order with "
            "David's help. Stable. He has my direct number and knows to ring me.",
        )
        case = self.demand(
            harold,
            morgan,
            9,
            "Son (David Jenkins)",
            "phone",
            "David says his dad had a fall in the garden last week. Not hurt "
            "but shaken; David is worried about him being on his own.",
            expect="same_worker",
        )
        self.talk(
            case,
            priya,
            6,
            (
                "Rang Harold. He slipped on the wet step by the back door and got himself up after "
                "a few minutes. No injury. He was pleased it was me ringing: he did not want to "
                "start again with someone new. Home visit booked with Sam for next week."
            ),
            kind="phone",
            minutes=25,
            matters="I still want to stay here. I just don't want to "
            "end up on the floor again with nobody knowing.",
        )
        self.act(
            case,
            priya,
            6,
            "Falls check of the house and garden: back step, a grab rail at the back door",
            assignee=sam,
            due_in=5,
        )
        self.act(
            case,
            priya,
            6,
            "David to fit the key safe he has bought, so a neighbour or an ambulance can get in",
            by="person",
            due_in=10,
        )
        self.act(case, priya, 6, "Talk to Harold about a pendant alarm", due_in=7)

        # Kamal: the owner changes, deliberately and with a reason.
        kamal = self.person(
            jo,
            72,
            "Kamal",
            "Patel",
            "M",
            78,
            contact="Mobile. Daughter-in-law Meera visits on Sundays.",
        )
        case = self.demand(
            kamal,
            jo,
            72,
            "Community pharmacist",
            "phone",
            "Mr Patel has not collected his repeat prescriptions for two "
            "months. May need blister packs.",
            expect="new_case",
        )
        self.talk(
            case,
            jo,
            68,
            (
                "Home visit with Kamal and his daughter-in-law Meera. Kamal lives alone since his "
                "son moved to Leicester. His left leg has been weeping for weeks and he cannot walk "
                "to the chemist: that is why the prescriptions were not collected, not his memory. "
                "Proud; did not want to ask."
            ),
            with_whom="Kamal and Meera (daughter-in-law)",
            minutes=60,
            matters="Keep my independence. I don't want carers coming into my house.",
        )
        self.judge(
            case,
            jo,
            68,
            "no",
            "Kamal has a leg ulcer that stops him walking to the "
            "pharmacy. His memory is fine. He needs his leg treated and his medicines "
            "delivered, not blister packs.",
        )
        delivery = self.act(
            case, jo, 68, "Arrange for the pharmacy to deliver Kamal's prescriptions", due_in=-64
        )
        leg = self.act(
            case, jo, 68, "Nursing assessment of Kamal's left leg", assignee=eleisha, due_in=-62
        )
        self.act(
            case,
            jo,
            68,
            "Meera to do the big shop on Sundays until Kamal can walk to the shops",
            by="person",
        )
        self.settle(delivery, jo, 65, "done", "The pharmacy delivers on Fridays.")
        self.talk(
            case,
            eleisha,
            62,
            "Nursing visit. Venous leg ulcer, left calf. Compression "
            "bandaging started; dressings three times a week. Kamal asked good questions "
            "and wants to learn to check it himself.",
            minutes=50,
        )
        self.settle(
            leg, eleisha, 62, "done", "Venous leg ulcer; compression bandaging three times a week."
        )
        self.hand(
            case,
            morgan,
            58,
            eleisha,
            (
                "Kamal's needs are now mainly nursing: Eleisha is visiting three times a week for "
                "his leg. Agreed with Kamal on Tuesday's visit that Eleisha becomes his named "
                "worker; Jo stays involved for the shopping trips."
            ),
        )
        self.talk(
            case,
            eleisha,
            30,
            "Ulcer healing well. Kamal walked to the end of the road "
            "with me and back without stopping.",
            minutes=40,
            matters="I want to walk to the mandir on Saturdays again, like I did before my leg.",
        )
        self.act(
            case,
            eleisha,
            30,
            "Kamal to walk to the end of the road and back every day, a bit further each week",
            by="person",
            due_in=14,
        )
        self.act(
            case,
            eleisha,
            30,
            "Walk with Kamal to the mandir on the first Saturday he feels ready",
            assignee=jo,
            due_in=21,
        )

        # Joan: a handover when Sam went on long-term leave; closed by agreement.
        joan = self.person(sam, 426, "Joan", "Fletcher", "F", 81)
        case = self.demand(
            joan,
            sam,
            426,
            "Hospital discharge team",
            "referral_form",
            "Discharge after a chest infection. Needs OT assessment for stairs and bathing.",
            expect="new_case",
        )
        self.talk(
            case,
            sam,
            421,
            (
                "Home visit. Joan manages the stairs slowly but safely. What worries her is the "
                "nights: she lies awake listening, and has rung 999 twice this year when she felt "
                "breathless and panicky. Her daughter Linda lives in Spain."
            ),
            matters="I don't want to be frightened in my own house at night.",
            minutes=60,
        )
        self.judge(
            case,
            sam,
            421,
            "partly",
            "Joan can manage the stairs, and the bath with a "
            "board. The real problem is anxiety at night and being on her own since "
            "her daughter moved abroad.",
        )
        board = self.act(case, sam, 421, "Bath board and a second stair rail", due_in=-407)
        alarm = self.act(
            case, sam, 421, "Talk to Joan about a pendant alarm and who it would call", due_in=-395
        )
        self.settle(board, sam, 406, "done", "Fitted; Joan tried the bath board with me.")
        self.hand(
            case,
            morgan,
            399,
            priya,
            (
                "Sam is on long-term leave from Monday. Joan met Priya on the joint visit on "
                "Thursday and is happy for Priya to take over; Sam has handed over in person."
            ),
        )
        self.talk(
            case,
            priya,
            393,
            "Visit, with Linda joining on video from Spain. Talked "
            "about the nights, and about going out to see Linda.",
            with_whom="Joan, and her daughter Linda by video",
            minutes=55,
            matters="I want to feel safe at night, and I want to go and see Linda.",
        )
        calls = self.act(
            case,
            priya,
            393,
            "Linda to ring Joan on video every evening at eight",
            by="person",
            due_in=-380,
        )
        knit = self.act(
            case,
            priya,
            393,
            "Introduce Joan to the Friday knit and natter at the library",
            assignee=jo,
            due_in=-370,
        )
        self.settle(
            alarm,
            priya,
            381,
            "done",
            "Pendant alarm fitted; Linda and the neighbour are the contacts.",
        )
        self.settle(calls, priya, 375, "done", "Every evening since.")
        self.settle(knit, jo, 366, "done", "Joan goes every Friday and has made two friends.")
        self.close(
            case,
            priya,
            331,
            "Agreed with Joan at home, with Linda on the phone: Joan "
            "said she feels safe and does not need us now.",
            "Joan has a pendant alarm, a nightly call with Linda and the Friday group. "
            "No 999 calls since the alarm went in. Assisted travel booked to fly out to "
            "see Linda.",
        )

        # Two new demands waiting for the manager to allocate.
        stephen = self.person(morgan, 2, "Stephen", "Clarke", "M", 71)
        self.demand(
            stephen,
            morgan,
            2,
            "GP",
            "email",
            "Recently diagnosed with Parkinson's "
            "disease. Wife finding it hard to cope. Please assess.",
            expect="new_case",
        )
        agnieszka = self.person(
            morgan,
            0,
            "Agnieszka",
            "Nowak",
            "F",
            58,
            contact="Prefers Polish; her son Tomasz can interpret.",
        )
        self.demand(
            agnieszka,
            morgan,
            0,
            "Housing officer",
            "email",
            "Rent arrears building up. Tenant seems confused at times and has missed "
            "two appointments. Worried about her memory.",
            kind=None,
            expect="new_case",
        )

        # Callum: just opened, no contact yet.
        callum = self.person(jo, 1, "Callum", "Reid", "M", 34)
        self.demand(
            callum,
            jo,
            1,
            "Community mental health team",
            "email",
            "Discharged from the CMHT. Needs support with his tenancy and benefits.",
            expect="new_case",
        )

        # Rita: what matters changes between two conversations.
        rita = self.person(
            sam, 51, "Rita", "Campbell", "F", 76, contact="Phone, or her daughter Lorraine."
        )
        case = self.demand(
            rita,
            sam,
            51,
            "Daughter (Lorraine)",
            "phone",
            "Mum has had two falls and is not managing the house or garden "
            "since Dad died. The family think she needs a care home.",
            expect="new_case",
        )
        self.talk(
            case,
            sam,
            47,
            (
                "Home visit with Rita and Lorraine. Rita was quiet while Lorraine talked, then "
                "quite firm that she is not going into a home. Both falls were in the garden. "
                "She has stopped going out since Ron died last year, and is weak from sitting."
            ),
            with_whom="Rita and her daughter Lorraine",
            minutes=70,
            matters="I don't want to be a burden on Lorraine. She's got enough on with the kids.",
        )
        self.judge(
            case,
            sam,
            47,
            "no",
            "Rita does not want or need a care home. She lost her "
            "husband Ron last year, and with him the allotment they worked together; she "
            "has stopped going out and lost strength. The falls come from that.",
        )
        self.act(case, sam, 47, "Strength and balance programme at home, six weeks", due_in=4)
        home = self.act(
            case,
            sam,
            47,
            "Look into a care home placement, as the family asked",
            assignee=priya,
            due_in=-30,
        )
        self.settle(
            home,
            priya,
            41,
            "dropped",
            "Rita does not want a care home and does not "
            "need one. Lorraine agreed after talking it through with her mum.",
        )
        self.talk(
            case,
            sam,
            26,
            (
                "Much brighter. Rita has done her exercises every day and walked to the corner "
                "and back. She talked about the allotment for the first time, and Ron's rhubarb."
            ),
            minutes=45,
            matters="I want to get back down the allotment, even if it's just sitting "
            "on the bench watching Ron's rhubarb come up.",
        )
        self.act(
            case,
            sam,
            26,
            "Lorraine to take Rita to the allotment on Sunday to see the "
            "committee about a raised bed",
            by="person",
            due_in=3,
        )
        self.act(
            case,
            sam,
            26,
            "Ask the allotment society about a raised bed near the gate and a seat",
            due_in=9,
        )

        # Doreen: her daughter chases before the first visit; the demand joins the open case.
        doreen = self.person(
            priya,
            15,
            "Doreen",
            "Walker",
            "F",
            88,
            contact="Landline. Very deaf: ring twice, or ring Janet (daughter).",
        )
        case = self.demand(
            doreen,
            priya,
            15,
            "GP",
            "email",
            "Leg swelling and breathlessness. Not managing at home, lives alone. Please assess.",
            expect="new_case",
        )
        self.demand(
            doreen,
            morgan,
            12,
            "Daughter (Janet Walker)",
            "phone",
            "Chasing: has anyone been out to Mum yet? She is struggling.",
            kind="failure",
            expect="open_case",
        )
        self.talk(
            case,
            priya,
            11,
            (
                "Joint visit with Eleisha. Doreen's heart failure tablets were changed when she "
                "was in hospital and nobody has followed it up; ankles very swollen, breathless on "
                "the stairs. The corner shop has closed and she has been living on what Janet "
                "brings at weekends. Her cat, Sooty, is her world."
            ),
            with_whom="Doreen, and Eleisha Ward (community nurse)",
            minutes=75,
            matters="I want to stay in my flat with Sooty. I'm not going into hospital again.",
        )
        self.judge(
            case,
            priya,
            11,
            "partly",
            "Doreen's heart failure medicines were changed at "
            "her last admission and never followed up, so she is breathless and "
            "frightened. She also needs help with the shopping since the corner shop "
            "closed.",
        )
        self.act(
            case,
            priya,
            11,
            "Review Doreen's heart failure medicines with the GP and the "
            "heart failure nurse; weigh her twice a week",
            assignee=eleisha,
            due_in=3,
        )
        self.act(
            case,
            priya,
            11,
            "Shopping with Doreen on Thursdays until the online order is set up",
            assignee=jo,
            due_in=2,
        )
        self.act(
            case,
            priya,
            11,
            "Janet to set up Doreen's online shopping delivery",
            by="person",
            due_in=7,
        )

        # Chloe: done and dropped actions, closed by agreement.
        chloe = self.person(jo, 261, "Chloe", "Adams", "F", 41, contact="Text first, then call.")
        case = self.demand(
            chloe,
            jo,
            261,
            "The person",
            "phone",
            "Chloe is asking for help "
            "with personal care in the mornings. She has multiple sclerosis.",
            expect="new_case",
        )
        self.talk(
            case,
            jo,
            256,
            (
                "Home visit with Chloe and her partner Dean. Chloe's MS has been worse for the "
                "past few months. Mornings are the hardest: she is exhausted by the time the "
                "children are at school. She wants help, but not a carer getting her children "
                "ready. Dean works early shifts. Her MS nurse has not seen her for a year."
            ),
            with_whom="Chloe and her partner Dean",
            minutes=80,
            matters="I want to be the one who takes my kids to school.",
        )
        self.judge(
            case,
            jo,
            256,
            "partly",
            "Chloe needs help in the mornings, but with her "
            "energy and the school run, not personal care. Her fatigue is not managed "
            "and her MS nurse has not seen her for a year.",
        )
        nurse = self.act(
            case,
            jo,
            256,
            "Ask the MS specialist nurse to review Chloe's fatigue and medication",
            assignee=eleisha,
            due_in=-240,
        )
        routine = self.act(
            case,
            jo,
            256,
            "Look at the morning routine: shower seat, perching stool, dressing sitting down",
            assignee=sam,
            due_in=-242,
        )
        shifts = self.act(
            case,
            jo,
            256,
            "Dean to ask his employer for late shifts on Mondays and Wednesdays",
            by="person",
            due_in=-230,
        )
        befriender = self.act(
            case, jo, 256, "Apply for a befriender through the carers' service", due_in=-236
        )
        self.settle(
            befriender,
            jo,
            239,
            "dropped",
            "Chloe has plenty of friends; what she needed was energy, not company.",
        )
        self.settle(
            routine,
            sam,
            241,
            "done",
            "Shower seat and perching stool in; Chloe "
            "dresses sitting down and saves her energy for the walk to school.",
        )
        self.settle(
            nurse,
            eleisha,
            231,
            "done",
            "Seen by the MS nurse: new medication for "
            "fatigue and a place on the fatigue management course.",
        )
        self.settle(shifts, jo, 221, "done", "Dean's employer agreed.")
        course = self.act(
            case,
            jo,
            221,
            "Chloe to do the fatigue management course (six weeks, online)",
            by="person",
            due_in=-180,
        )
        self.talk(
            case,
            jo,
            216,
            "Phone call. Chloe walked the children to school three days this week.",
            kind="phone",
            minutes=15,
        )
        self.settle(course, jo, 190, "done", "Finished the course and uses the pacing plan.")
        self.close(
            case,
            jo,
            186,
            "Agreed with Chloe on the phone and confirmed by text: she "
            "said she is back in charge of the mornings.",
            "Chloe takes the children to school four days out of five. Fatigue better "
            "with the new medication and the course. She has my number and the MS "
            "nurse's.",
        )

    # Northgate: usual practice.

    def northgate_stories(self) -> None:
        s = self.staff
        chris, dana, pat, alex = s["chris"], s["dana"], s["pat"], s["alex"]

        # Pat Green's two open cases, left without an owner when Pat leaves.
        derek = self.person(pat, 45, "Derek", "Walsh", "M", 69)
        case = self.demand(
            derek,
            pat,
            45,
            "GP",
            "referral_form",
            "Needs a bath lift. Difficulty getting in and out of the bath.",
            expect="new_case",
        )
        self.talk(
            case,
            pat,
            38,
            "Assessment visit. Derek has difficulty getting in and out of "
            "the bath because of hip pain. Bath lift assessment completed: suitable.",
            minutes=45,
        )
        self.act(case, pat, 38, "Order a bath lift", due_in=-24)
        sharon = self.person(alex, 30, "Sharon", "Hill", "F", 52)
        self.demand(
            sharon,
            alex,
            30,
            "Adult social care",
            "email",
            "Carer's assessment requested: Sharon cares for her mother, who has dementia.",
            owner=pat,
            expect="new_case",
        )

        # Lillian: waiting for allocation.
        lillian = self.person(alex, 3, "Lillian", "Price", "F", 90)
        self.demand(
            lillian,
            alex,
            3,
            "Hospital discharge team",
            "referral_form",
            "Planned discharge on Friday. Needs a package of care: two calls a day.",
            expect="new_case",
        )

        # Kevin: a chasing demand joins his open case; three separate cases since.
        kevin = self.person(chris, 521, "Kevin", "Doyle", "M", 57)
        case = self.demand(
            kevin,
            chris,
            521,
            "GP",
            "referral_form",
            "COPD. Needs help with shopping.",
            expect="new_case",
        )
        self.demand(
            kevin,
            alex,
            506,
            "GP",
            "phone",
            "Chasing referral: patient says nobody has contacted him.",
            kind="failure",
            expect="open_case",
        )
        self.talk(
            case,
            chris,
            501,
            "Phoned Kevin. Gave him the supermarkets that deliver and "
            "the Age UK shopping service number. He says he will manage.",
            kind="phone",
            minutes=10,
        )
        self.close(
            case,
            chris,
            491,
            "Agreed with Kevin on the phone.",
            "Signposted to shopping delivery services. No further action against the referral.",
        )
        case = self.demand(
            kevin,
            alex,
            381,
            "Ambulance service",
            "email",
            "Called 999 for breathlessness; treated at home. Lives alone, struggling.",
            expect="same_worker",
        )
        self.talk(
            case,
            chris,
            373,
            "Home visit. Breathless on exertion. Flat untidy. Kevin "
            "agreed to a pulmonary rehab referral.",
            minutes=30,
        )
        rehab = self.act(case, chris, 373, "Refer to pulmonary rehabilitation", due_in=-366)
        self.settle(rehab, chris, 370, "done", "Referral sent.")
        self.close(
            case,
            chris,
            361,
            "Agreed with Kevin by phone.",
            "Referred to pulmonary rehabilitation. Closed.",
        )
        case = self.demand(
            kevin,
            chris,
            211,
            "Hospital discharge team",
            "referral_form",
            "Admitted with COPD exacerbation. Needs support at home on discharge.",
            kind="failure",
            expect="same_worker",
        )
        self.talk(
            case,
            chris,
            206,
            "Phoned Kevin after discharge. Offered reablement; he "
            "declined. He did not go to pulmonary rehab: he could not get there.",
            kind="phone",
            minutes=15,
        )
        self.close(
            case,
            chris,
            197,
            "Agreed with Kevin on the phone.",
            "Reablement offered and declined. Closed.",
        )
        case = self.demand(
            kevin,
            alex,
            41,
            "GP",
            "email",
            "Frequent attender. Not coping at home, please assess.",
            kind=None,
            expect="same_worker",
        )
        self.talk(
            case, chris, 36, "Spoke to Kevin by phone. Home visit booked.", kind="phone", minutes=5
        )
        self.demand(
            kevin,
            alex,
            20,
            "Son (Liam Doyle)",
            "phone",
            "Chasing: Dad is still waiting for someone to visit.",
            kind="failure",
            expect="open_case",
        )

        # Brenda: four referrals, four cases, all closed.
        brenda = self.person(dana, 691, "Brenda", "Marsh", "F", 64)
        case = self.demand(
            brenda,
            dana,
            691,
            "GP",
            "referral_form",
            "Back pain. Needs equipment for bathing.",
            expect="new_case",
        )
        self.talk(case, dana, 681, "Assessment visit. Bath board and seat supplied.", minutes=30)
        self.judge(case, dana, 681, "yes", "Needs bathing equipment.")
        self.close(
            case, dana, 671, "Agreed with Mrs Marsh at the visit.", "Equipment supplied. Closed."
        )
        case = self.demand(
            brenda,
            alex,
            541,
            "Adult social care",
            "email",
            "Husband has dementia. Mrs Marsh struggling to care for him. "
            "Carer's assessment requested.",
            expect="same_worker",
        )
        self.talk(
            case,
            dana,
            531,
            "Carer's assessment by phone. Information on carers' groups given.",
            kind="phone",
            minutes=40,
        )
        self.close(
            case,
            dana,
            521,
            "Agreed with Mrs Marsh by phone.",
            "Carer's assessment completed. Information given. Closed.",
        )
        case = self.demand(
            brenda,
            dana,
            401,
            "GP",
            "referral_form",
            "Back pain worse. Needs help with housework.",
            kind="failure",
            expect="same_worker",
        )
        self.talk(
            case,
            dana,
            391,
            "Phoned Mrs Marsh. Not eligible for help with housework. "
            "Gave her the list of private cleaners.",
            kind="phone",
            minutes=10,
        )
        self.close(
            case, dana, 381, "Agreed with Mrs Marsh by phone.", "Not eligible. Signposted. Closed."
        )
        case = self.demand(
            brenda,
            alex,
            151,
            "Hospital discharge team",
            "referral_form",
            "Husband admitted after a fall; Mrs Marsh says she cannot manage him at home.",
            expect="same_worker",
        )
        self.talk(
            case,
            dana,
            141,
            "Discharge meeting on the ward. Two calls a day arranged for Mr Marsh.",
            kind="meeting",
            with_whom="Ward staff and Mrs Marsh",
            minutes=45,
        )
        self.close(
            case,
            dana,
            121,
            "Agreed with Mrs Marsh at the discharge meeting.",
            "Mr Marsh's discharge arranged with two calls a day. Closed for Mrs Marsh.",
        )

    # Background: people whose stories follow a theme.

    def pilot_background(self, given, family, sex, age, theme_key) -> None:
        rng, s, t = self.rng, self.staff, THEMES[theme_key]
        p = pronouns(sex, given)
        morgan = s["morgan"]
        owner = (
            s[t["lead"]] if rng.random() < 0.7 else s[rng.choice(("eleisha", "sam", "priya", "jo"))]
        )
        start = rng.randint(15, 120) if rng.random() < 0.4 else rng.randint(120, 430)
        by_manager = rng.random() < 0.3
        recorder = morgan if by_manager else owner
        person = self.person(recorder, start, given, family, sex, age)
        source, channel, need = rng.choice(t["needs"])
        kind = rng.choices(("value", None, "failure"), (0.75, 0.2, 0.05))[0]
        case = self.demand(
            person, recorder, start, source, channel, need.format(**p), kind=kind, expect="new_case"
        )
        visit = start - rng.randint(2, 5)
        if by_manager:
            self.hand(
                case,
                morgan,
                start - 1,
                owner,
                rng.choice(RIVERSIDE_ALLOCATIONS).format(owner=owner.name),
            )
        if rng.random() < 0.25:
            self.demand(
                person,
                morgan,
                visit + 1,
                rng.choice(("Daughter", "Son", "Neighbour")),
                "phone",
                f"Ringing to add that {given} has been worse this week.",
                kind="value",
                expect="open_case",
            )
        self.talk(
            case,
            owner,
            visit,
            t["first"].format(**p),
            matters=t["matters"][0],
            minutes=rng.choice((45, 60, 75, 90)),
        )
        self.judge(
            case,
            owner,
            visit,
            rng.choices(t["match"] + ("yes",), (5, 3, 2))[0],
            t["real"].format(**p),
        )
        second = visit - rng.randint(7, 18)
        if second >= 1:
            self.talk(
                case,
                owner,
                second,
                t["second"].format(**p),
                matters=t["matters"][1],
                minutes=rng.choice((30, 45, 60)),
            )
        else:
            second = visit
        agreed = []
        for by, who, text, status, outcome in t["actions"]:
            doer = s[who or t["lead"]] if by == "team" else None
            assignee = doer if doer is not owner else None
            action = self.act(
                case,
                owner,
                second,
                text.format(**p),
                by=by,
                assignee=assignee,
                due_in=-(second - rng.randint(10, 28)),
            )
            agreed.append((action, assignee or owner, status, outcome.format(**p)))
        closing = second - rng.randint(30, 75)
        if closing < 2:  # still open: the first action done, the rest agreed
            action, worker, status, outcome = agreed[0]
            if second - 7 >= 0:
                self.settle(action, worker, second - 7, status, outcome)
            return
        for action, worker, status, outcome in agreed:
            self.settle(action, worker, rng.randint(closing + 1, second - 1), status, outcome)
        self.close(
            case, owner, closing, rng.choice(PILOT_AGREEMENTS).format(**p), t["close"].format(**p)
        )
        back = closing - rng.randint(60, 220)
        if rng.random() < 0.35 and back >= 0:
            case = self.demand(
                person,
                morgan,
                back,
                "The person",
                "phone",
                f"{given} rang asking for {owner.name.split()[0]}: things have "
                f"slipped again and {p['he']} would like a visit.",
                expect="same_worker",
            )
            self.talk(
                case,
                owner,
                max(back - 2, 0),
                f"Rang {given} back the same week. Pleased to hear from me. Visit booked.",
                kind="phone",
                minutes=15,
            )

    def usual_background(self, given, family, sex, age, theme_key) -> None:
        rng, s, t = self.rng, self.staff, THEMES[theme_key]
        p = pronouns(sex, given)
        name = f"{given} {family}"
        alex = s["alex"]
        pat_case = name in PAT_CASES
        demands = 1 if pat_case else rng.choices((1, 2, 3, 4), (2, 3, 3, 2))[0]
        first_owner = s["pat"] if pat_case else s[rng.choice(("chris", "dana"))]
        day = rng.randint(300 if pat_case else 420, 720)
        person = None
        for number in range(demands):
            by_manager = rng.random() < 0.4
            recorder = (
                alex
                if by_manager
                else (first_owner if number == 0 else s[rng.choice(("chris", "dana"))])
            )
            if person is None:
                person = self.person(recorder, day, given, family, sex, age)
            if number == 0:
                source, channel, need = rng.choice(t["needs"])
                kind = rng.choices(("value", None), (0.8, 0.2))[0]
            else:
                source, channel, need = rng.choice(t["repeats"])
                kind = rng.choices(("failure", "value", None), (0.5, 0.3, 0.2))[0]
            case = self.demand(
                person,
                recorder,
                day,
                source,
                channel,
                need.format(**p),
                kind=kind,
                expect="new_case" if number == 0 else "same_worker",
            )
            owner = case.owner
            if owner is None:
                if day < 12:
                    return
                owner = first_owner
                self.hand(
                    case,
                    alex,
                    day - rng.randint(3, 10),
                    owner,
                    rng.choice(NORTHGATE_ALLOCATIONS).format(owner=owner.name),
                )
            contact = day - rng.randint(12, 24)
            if contact < 1:
                return
            if rng.random() < 0.35:
                chaser = t["chase"]
                self.demand(
                    person,
                    alex,
                    contact + rng.randint(1, 4),
                    *chaser,
                    kind="failure",
                    expect="open_case",
                )
            known = f"Known to Northgate: this is referral {number + 1}. " if number else ""
            self.talk(
                case,
                owner,
                contact,
                known + t["usual_notes"].format(**p),
                kind=rng.choice(("phone", "phone", "visit")),
                minutes=rng.choice((10, 15, 20, 30, 45)),
            )
            if rng.random() < 0.4:
                self.judge(case, owner, contact, "yes", need.format(**p))
            if t["usual_action"]:
                text, outcome = t["usual_action"]
                action = self.act(case, owner, contact, text, due_in=-(contact - 14))
                if contact - 5 >= 1:
                    self.settle(action, owner, contact - rng.randint(3, 5), "done", outcome)
            closing = contact - rng.randint(7, 25)
            if closing < 1:
                return
            self.close(
                case,
                owner,
                closing,
                rng.choice(USUAL_AGREEMENTS).format(**p),
                t["usual_close"].format(**p),
            )
            day = closing - rng.randint(40, 200)
            if day < 1:
                break
        else:
            # Some come back again, recently: a new case with the same worker, still open.
            day = rng.randint(4, 60)
            if rng.random() < 0.5 and day < closing and not pat_case:
                source, channel, need = rng.choice(t["repeats"])
                case = self.demand(
                    person,
                    alex,
                    day,
                    source,
                    channel,
                    need.format(**p),
                    kind=rng.choice(("failure", "value", None)),
                    expect="same_worker",
                )
                if day > 3:
                    self.talk(
                        case,
                        case.owner,
                        day - 3,
                        "Phoned to arrange a visit.",
                        kind="phone",
                        minutes=5,
                    )

    def riverside_purpose(self) -> None:
        """Riverside's manager writes down what the pilot team works by."""
        self.at(790)
        save_purpose(
            self.session,
            self.teams["Riverside"],
            self.staff["morgan"],
            purpose=RIVERSIDE_PURPOSE,
            principles="\n".join(RIVERSIDE_PRINCIPLES),
            rules="\n".join(RIVERSIDE_RULES),
            version=0,
        )

    def riverside_asks(self) -> None:
        """Two asks answered (one yes, one no, with reasons) and two waiting, of different ages."""
        for story in RIVERSIDE_ASKS:
            given, family = story["person"].split(" ", 1)
            case = self.session.scalar(
                select(Case)
                .join(Person)
                .where(
                    Person.given_name == given,
                    Person.family_name == family,
                    Case.closed_on.is_(None),
                )
            )
            if case is None:
                raise DemoError(f"{story['person']} has no open case to ask for")
            self.at(story["ago"])
            needed_in = story.get("needed_in")
            ask = ask_manager(
                self.session,
                case,
                self.staff[story["asker"]],
                kind=story["kind"],
                what=story["what"],
                why=story["why"],
                cost_pence=story.get("cost_pence"),
                needed_by=self.today + dt.timedelta(days=needed_in) if needed_in else None,
            )
            if "answer" in story:
                self.at(story["ago"] - story["took"])
                decide(
                    self.session,
                    ask,
                    self.staff["morgan"],
                    decision=story["answer"],
                    reason=story["reason"],
                )
                ask.decided_at = ask.updated_at = self.when

    def pat_leaves(self) -> None:
        """Pat Green leaves Northgate: two open cases now need a new owner."""
        pat, ada = self.staff["pat"], self.staff["ada"]
        self.at(21)
        deactivate_user(self.session, pat, ada)

    # Barriers: what got in the way, gathered from the cases; and one story to share.

    def case_of(self, given: str, family: str) -> Case:
        """The person's latest case (the demo's names are unique)."""
        person = self.session.query(Person).filter_by(given_name=given, family_name=family).one()
        return person.cases[-1]

    def barrier(self, user: User, ago: int, title: str, kind: str, org: str, detail: str):
        self.at(ago)
        return create_barrier(
            self.session, user.team, user, title=title, kind=kind, owner_org=org, description=detail
        )

    def met(self, barrier: Barrier, case: Case, user: User, ago: int, cost: str) -> None:
        self.at(ago)
        link_case(self.session, barrier, case, user, cost=cost)

    def move(self, barrier: Barrier, user: User, ago: int, status: str, reason=None) -> None:
        self.at(ago)
        barrier.updated_at = self.when
        move_barrier(self.session, barrier, user, status=status, reason=reason, version=None)

    def barriers_and_a_story(self) -> None:
        s = self.staff
        eleisha, priya, jo, morgan = s["eleisha"], s["priya"], s["jo"], s["morgan"]
        joan = self.case_of("Joan", "Fletcher")
        irene = self.case_of("Irene", "Thomas")
        harold = self.case_of("Harold", "Jenkins")
        kamal = self.case_of("Kamal", "Patel")

        alarm = self.barrier(
            priya,
            395,
            "The alarm service will not fit a pendant alarm without its own assessment visit",
            "handoff",
            "Eastbridge Council telecare service",
            "We had agreed the alarm with the person, but telecare has to send its own "
            "assessor first, who asks the same questions again. Two to three weeks' wait.",
        )
        self.met(
            alarm,
            joan,
            priya,
            395,
            "Joan: “Another stranger in my front room asking about my breathing. "
            "Two more weeks on my own at night before it came.”",
        )
        self.met(
            alarm,
            harold,
            priya,
            5,
            "Harold: “Why can't you just order it? You've seen me, you know what I need.”",
        )
        self.move(alarm, morgan, 4, "with_leader", "Taken to the head of adult social care")

        equipment = self.barrier(
            eleisha,
            110,
            "Small equipment has to wait for an OT assessment before it can be ordered",
            "eligibility",
            "Community equipment service",
            "Items such as a kettle tipper or easy-grip knives need an occupational "
            "therapist's assessment, even when the person knows what they need.",
        )
        self.met(
            equipment,
            irene,
            eleisha,
            110,
            "Irene waited two weeks for a kettle tipper: “It's a kettle tipper, not a "
            "wheelchair. I've been making do with a pan.”",
        )
        self.move(equipment, morgan, 90, "with_leader", "Raised at the locality leaders' meeting")
        self.move(
            equipment,
            morgan,
            60,
            "removed",
            "The head of the equipment service agreed that any Riverside worker may order "
            "items under £50 from the catalogue without an OT assessment.",
        )

        letters = self.barrier(
            priya,
            421,
            "Hospital discharge letters do not reach the team",
            "it_system",
            "Eastbridge General Hospital",
            "The hospital's system sends discharge letters to the GP only.",
        )
        self.met(
            letters,
            joan,
            priya,
            421,
            "Joan had to find her discharge letter and read it to us: “I thought you "
            "lot all talked to each other.”",
        )
        self.move(letters, morgan, 300, "with_leader")
        self.move(
            letters,
            morgan,
            240,
            "kept",
            "The hospital will not change its system this year; its discharge team now "
            "emails the team a copy the same day instead.",
        )

        clinic = self.barrier(
            jo,
            60,
            "The leg ulcer clinic takes referrals from GPs only",
            "rule",
            "Eastbridge Community Health Trust",
            "A nurse who has seen the ulcer cannot refer; the person has to see their GP first.",
        )
        self.met(
            clinic,
            kamal,
            jo,
            60,
            "Kamal: “Three weeks for a GP appointment just so she could send me where "
            "you'd already said.”",
        )

        self.at(320)
        mark_story(self.session, joan, priya)


# The pilot's principles and its two rules, in the product brief's words.
RIVERSIDE_PURPOSE = (
    "Help each person whose health, care and life problems are tangled together, end to "
    "end: understand what matters to them, in their own words, and do what adds value for "
    "them, with one named worker from first contact to closure."
)
RIVERSIDE_PRINCIPLES = (
    "Decisions on knowledge and evidence rather than standard forms",
    "Only do what adds value for the person",
    "Own the journey end to end",
    "One team without department barriers",
    "Learn and improve",
)
RIVERSIDE_RULES = ("Do not break the law", "Do not make the person's situation worse")
# Asks of Riverside's manager: two answered (with reasons), two waiting.
RIVERSIDE_ASKS = (
    dict(
        person="Leonard Shaw",
        asker="jo",
        ago=60,
        kind="resource",
        what="A taxi to the bereavement group every week for three months",
        why="Leonard will not take the bus alone yet, and the group is what gets him out of the "
        "house. Without it he sits in the flat all week.",
        cost_pence=36_000,
        answer="no",
        took=5,
        reason="No: the community transport scheme takes him for £2 a trip, with a driver who "
        "waits. Jo, please book it with him and go on the first trip together.",
    ),
    dict(
        person="Rita Campbell",
        asker="sam",
        ago=40,
        kind="resource",
        what="A year's allotment plot and a set of light tools for Rita",
        why="Rita's falls come from losing the allotment she worked with Ron and no longer going "
        "out. A plot near her house gives her a reason to walk every day.",
        cost_pence=4_500,
        answer="yes",
        took=2,
        reason="Yes: far cheaper than one more fall, and it is what matters to her. Sam, check "
        "the path to the plot is safe on your next visit.",
    ),
    dict(
        person="Maureen O'Brien",
        asker="sam",
        ago=12,
        kind="permission",
        what="To visit with the physiotherapist together, twice a week for a month, without a "
        "physiotherapy referral",
        why="Maureen is frightened of the stairs since her fall. Practising them with both of "
        "us, at home, is what will get her back to sleeping in her own bed.",
        needed_in=14,
    ),
    dict(
        person="Mohammed Khan",
        asker="sam",
        ago=3,
        kind="resource",
        what="A rescue pack and a month of the night-time support line for Mohammed",
        why="At night his breathlessness turns to panic and he rings 999 because there is "
        "nobody else. A plan for a bad day and someone to ring would stop that.",
        cost_pence=6_000,
        needed_in=7,
    ),
)


def load_demo(session: Session) -> list[tuple[str, str, str]]:
    """Build the demo locality into an empty database; return (role, email, password) logins.

    The caller commits. Raises DemoError if the story no longer fits the rules.
    """
    return _Loader(session).load()
