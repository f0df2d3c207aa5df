"""The measures' words that more than one place reads, said once: each figure's title (its
chart in series.SPECS and its line in table.LINES), the names of the parts that several
figures count (figures.PARTS) and what a denominator counts."""

from __future__ import annotations

# A figure's title, where its chart and its line in the table give the same one ("handoffs"
# and "actions" are titled one way on the chart and another in the table).
TITLES = {
    "repeat_demand": "Repeat demand",
    "demands_per_person": "Demands per person",
    "referral_mismatch": "Referral did not match the real problem",
    "failure_demand": "Failure demand",
    "same_worker": "Same worker on re-contact",
    "closed_by_agreement": "Closed by mutual agreement",
    "returned_within_90_days": "Returned within 90 days",
    "split_across_teams": "Split across teams",
}

# Parts counted by more than one figure.
DEMANDS_IN_PERIOD = "Demands received in the period"
PEOPLE_IN_PERIOD = "People with a demand in the period"
CLOSED_IN_PERIOD = "Cases closed in the period"

# What the referral_mismatch figure's denominator counts.
JUDGEMENT_RECORDED = "cases with the judgement recorded"
