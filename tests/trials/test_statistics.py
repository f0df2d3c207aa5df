"""Newcombe's hybrid score interval against the published worked examples.

Newcombe (1998), Statistics in Medicine 17: 873-890, table II, method 10, examples (a)-(h);
example (a) is also the worked example of Altman et al., *Statistics with Confidence*.
"""

import pytest

from casework.trials.statistics import difference, wilson

PUBLISHED = [  # events1, total1, events2, total2, low, high
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("e1", "n1", "e2", "n2", "low", "high"), PUBLISHED)
def test_the_interval_matches_newcombes_table_to_the_fourth_decimal(e1, n1, e2, n2, low, high):
    found = difference(e1, n1, e2, n2)
    assert found.estimate == pytest.approx(e1 / n1 - e2 / n2)
    assert round(found.low, 4) == low
    assert round(found.high, 4) == high


def test_swapping_the_arms_mirrors_the_interval():
    there = difference(56, 70, 48, 80)
    back = difference(48, 80, 56, 70)
    assert (back.low, back.high) == pytest.approx((-there.high, -there.low))


def test_wilson_interval_of_a_single_proportion():
    # Newcombe (1998, Statistics in Medicine 17: 857-872), 81/263: 0.2553 to 0.3662.
    found = wilson(81, 263)
    assert (round(found.low, 4), round(found.high, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize(("events", "total"), [(1, 0), (-1, 5), (6, 5)])
def test_impossible_counts_are_refused(events, total):
    with pytest.raises(ValueError, match="0 <= events <= total"):
        wilson(events, total)
