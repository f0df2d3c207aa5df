"""The interval for a difference of two proportions, written once.

A trial compares the share of people who came back (repeat demand, a return within 90 days)
in the pilot arm with the share in the usual arm. The difference gets a 95% interval by
Newcombe's hybrid score method (method 10 of Newcombe, "Interval estimation for the
difference between independent proportions: comparison of eleven methods", Statistics in
Medicine 1998; 17: 873-890): a Wilson score interval for each proportion, combined. It keeps
within -1 to 1, behaves at 0 and at n, and is the method the CONSORT-era literature and
Altman's *Statistics with Confidence* recommend for two independent groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(events: int, total: int, z: float = Z95) -> Interval:
    """The Wilson score interval (no continuity correction) for events out of total."""
    if total <= 0 or not 0 <= events <= total:
        raise ValueError("a proportion needs 0 <= events <= total and total > 0")
    p = events / total
    centre = p + z * z / (2 * total)
    half = z * sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return Interval(p, max(0.0, (centre - half) / scale), min(1.0, (centre + half) / scale))


def difference(events1: int, total1: int, events2: int, total2: int, z: float = Z95) -> Interval:
    """p1 - p2 with Newcombe's hybrid score interval (method 10)."""
    one, two = wilson(events1, total1, z), wilson(events2, total2, z)
    estimate = one.estimate - two.estimate
    low = estimate - sqrt((one.estimate - one.low) ** 2 + (two.high - two.estimate) ** 2)
    high = estimate + sqrt((one.high - one.estimate) ** 2 + (two.estimate - two.low) ** 2)
    return Interval(estimate, max(-1.0, low), min(1.0, high))
