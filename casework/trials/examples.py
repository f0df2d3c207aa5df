"""The example cost catalogue the demo and the generator load: labelled as examples, never
a team's real prices. The figures are of the order of the PSSRU *Unit Costs of Health and
Social Care* (Jones et al., PSSRU, University of Kent); a team replaces them with its own
(`casework costs set`)."""

from __future__ import annotations

from .models import PRACTITIONER_HOUR

SOURCE = (
    "Example figure for the demo, of the order of the PSSRU Unit Costs of Health and "
    "Social Care 2023: not a price to use"
)
OT = "OT assessment"
SOCIAL_WORK = "Social work assessment"
GP = "GP appointment"
SECOND_TEAM = "Referral handled by a second team"
HOME_CARE = "Home care"
EMERGENCY = "Emergency department attendance"
# (service, pounds, per)
CATALOGUE = (
    (PRACTITIONER_HOUR, "55.00", "hour"),
    (OT, "120.00", "item"),
    (SOCIAL_WORK, "180.00", "item"),
    (GP, "42.00", "item"),
    (SECOND_TEAM, "65.00", "item"),
    (HOME_CARE, "28.00", "hour"),
    (EMERGENCY, "240.00", "item"),
)
# What the usual system would often have done, for the examples of a counterfactual:
# (service, fewest, most) of each.
USUAL_PATHWAY = (
    (OT, 1, 2),
    (SOCIAL_WORK, 1, 1),
    (GP, 1, 4),
    (SECOND_TEAM, 1, 3),
    (HOME_CARE, 4, 20),
    (EMERGENCY, 1, 1),
)
