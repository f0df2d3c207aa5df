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
# (service, pounds, per)
CATALOGUE = (
    (PRACTITIONER_HOUR, "55.00", "hour"),
    ("OT assessment", "120.00", "item"),
    ("Social work assessment", "180.00", "item"),
    ("GP appointment", "42.00", "item"),
    ("Referral handled by a second team", "65.00", "item"),
    ("Home care", "28.00", "hour"),
    ("Emergency department attendance", "240.00", "item"),
)
# What the usual system would often have done, for the examples of a counterfactual:
# (service, fewest, most) of each.
USUAL_PATHWAY = (
    ("OT assessment", 1, 2),
    ("Social work assessment", 1, 1),
    ("GP appointment", 1, 4),
    ("Referral handled by a second team", 1, 3),
    ("Home care", 4, 20),
    ("Emergency department attendance", 1, 1),
)
