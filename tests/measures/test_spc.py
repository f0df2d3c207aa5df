"""The XmR arithmetic and the four special-cause rules of measures.md, on known series."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.measures.spc import rests_on_few, xmr


def rules_at(chart, rule):
    """The indexes of the points marked with `rule`."""
    return [i for i, p in enumerate(chart.points) if rule in p.signals]


def only_segment(chart):
    (segment,) = chart.segments
    return segment


# --- the arithmetic -----------------------------------------------------------------------


def test_limits_match_a_worked_example():
    chart = xmr([10, 12, 11, 15, 13], lower_bound=None)
    segment = only_segment(chart)
    mean = (10 + 12 + 11 + 15 + 13) / 5  # 12.2
    moving_ranges = [abs(12 - 10), abs(11 - 12), abs(15 - 11), abs(13 - 15)]  # 2, 1, 4, 2
    mmr = sum(moving_ranges) / 4  # 2.25
    assert segment.mean == pytest.approx(12.2)
    assert segment.mean == pytest.approx(mean)
    assert segment.mean_moving_range == pytest.approx(mmr)
    assert segment.upper == pytest.approx(12.2 + 2.66 * 2.25)  # 18.185
    assert segment.lower == pytest.approx(12.2 - 2.66 * 2.25)  # 6.215
    assert segment.near_upper == pytest.approx(12.2 + 2 / 3 * 2.66 * 2.25)  # 16.19
    assert segment.near_lower == pytest.approx(12.2 - 2 / 3 * 2.66 * 2.25)  # 8.21
    assert segment.near_upper == pytest.approx(12.2 + 1.773 * 2.25, abs=1e-3)
    assert [p.moving_range for p in chart.points] == [None, 2, 1, 4, 2]
    assert all(p.segment == 0 for p in chart.points)


def test_no_outlier_screening_of_moving_ranges():
    # one huge moving range (90) stays in the mean moving range, as Making Data Count does
    chart = xmr([10, 10, 100, 100, 100])
    assert only_segment(chart).mean_moving_range == pytest.approx(90 / 4)


def test_counts_never_get_a_lower_limit_below_zero():
    segment = only_segment(xmr([0, 0, 0, 5, 0, 0]))
    assert segment.mean - 2.66 * segment.mean_moving_range < 0
    assert segment.lower == 0
    assert segment.near_lower == 0


def test_rates_are_clamped_to_between_0_and_1():
    segment = only_segment(xmr([0.9, 0.3, 0.95, 0.2, 1.0], upper_bound=1.0))
    assert segment.mean + 2.66 * segment.mean_moving_range > 1
    assert segment.upper == 1.0
    assert segment.lower == 0.0


def test_a_point_on_a_clamped_limit_is_not_outside_it():
    chart = xmr([0.9, 0.3, 0.95, 0.2, 1.0], upper_bound=1.0)
    assert chart.points[-1].value == only_segment(chart).upper
    assert rules_at(chart, 1) == []


def test_all_equal_values_have_a_zero_moving_range_and_no_signals():
    chart = xmr([4] * 15)
    segment = only_segment(chart)
    assert segment.mean_moving_range == 0
    assert segment.upper == segment.lower == segment.mean == 4
    assert chart.signals == ()
    assert chart.variation == "common_cause"


def test_empty_input_has_no_points_and_no_variation():
    chart = xmr([])
    assert chart.points == () and chart.segments == () and chart.signals == ()
    assert chart.variation == "common_cause"
    assert chart.variation_sentence == "No data yet, so no variation to judge."


def test_a_single_value_has_a_mean_but_no_limits():
    chart = xmr([7])
    segment = only_segment(chart)
    assert segment.mean == 7
    assert segment.mean_moving_range is None
    assert segment.upper is segment.lower is segment.near_upper is None
    assert segment.trial is True
    assert chart.points[0].signals == frozenset()


@pytest.mark.parametrize(("count", "trial"), [(11, True), (12, False)])
def test_trial_limits_below_twelve_points(count, trial):
    assert only_segment(xmr(([3, 5] * 6)[:count])).trial is trial


def test_a_gap_does_not_count_towards_the_twelve_points():
    assert only_segment(xmr([3, 5] * 5 + [None, 4])).trial is True


def test_rejects_a_better_direction_it_does_not_know():
    with pytest.raises(ValueError, match="better"):
        xmr([1, 2], better="up")


def test_rejects_bounds_the_wrong_way_round():
    with pytest.raises(ValueError, match="lower_bound"):
        xmr([1, 2], lower_bound=1.0, upper_bound=0.0)


# --- gaps -----------------------------------------------------------------------------------


def test_a_gap_keeps_its_place_but_is_left_out_of_the_arithmetic():
    chart = xmr([2, 4, None, 10, 12])
    segment = only_segment(chart)
    assert len(chart.points) == 5
    assert chart.points[2].value is None
    assert segment.mean == pytest.approx((2 + 4 + 10 + 12) / 4)
    # no moving range into or out of the gap: |4 - 2| and |12 - 10| only
    assert [p.moving_range for p in chart.points] == [None, 2, None, None, 2]
    assert segment.mean_moving_range == pytest.approx(2)


def test_a_gap_breaks_a_trend():
    assert rules_at(xmr([1, 2, 3, 4, 5, 6, 7]), 2) == list(range(7))
    assert rules_at(xmr([1, 2, 3, None, 4, 5, 6, 7]), 2) == []


def test_a_gap_breaks_a_shift():
    low_then_high = [1] * 7 + [3] * 7
    assert rules_at(xmr(low_then_high), 4) == list(range(14))
    with_gap = [1] * 3 + [None] + [1] * 4 + [3] * 3 + [None] + [3] * 4
    assert rules_at(xmr(with_gap), 4) == []


# --- rule 1: a point outside a process limit ------------------------------------------------


def test_a_point_above_the_upper_limit_is_marked():
    chart = xmr([10] * 11 + [30], better="lower")
    assert chart.points[-1].value > only_segment(chart).upper
    assert rules_at(chart, 1) == [11]
    assert chart.points[11].side == "high"
    (outside,) = [s for s in chart.signals if s.rule == 1]
    assert outside.sentence() == "Point 12: above the upper process limit"
    assert chart.variation == "concern_high"


def test_a_point_below_the_lower_limit_is_marked():
    chart = xmr([30] * 11 + [10], better="lower")
    assert chart.points[-1].value < only_segment(chart).lower
    assert rules_at(chart, 1) == [11]
    assert chart.variation == "improvement_low"


def test_points_within_the_limits_are_not_marked():
    chart = xmr([10, 12, 11, 15, 13])
    assert rules_at(chart, 1) == []


# --- rule 2: a trend of seven points ----------------------------------------------------------


def test_seven_rising_points_are_a_trend_and_every_one_is_marked():
    chart = xmr([3, 1, 2, 3, 4, 5, 6, 7, 3])  # six rises: 1 → 7
    assert rules_at(chart, 2) == [1, 2, 3, 4, 5, 6, 7]
    (trend,) = [s for s in chart.signals if s.rule == 2]
    assert trend.side == "high"
    assert trend.sentence() == (
        "Points 2 to 8: seven in a row, each higher than the one before — a rising trend"
    )


def test_six_rising_points_are_not_a_trend():
    chart = xmr([3, 1, 2, 3, 4, 5, 6, 3])  # five rises
    assert rules_at(chart, 2) == []


def test_seven_falling_points_are_a_trend():
    chart = xmr([4, 9, 8, 7, 6, 5, 4, 3, 6])
    assert rules_at(chart, 2) == [1, 2, 3, 4, 5, 6, 7]
    assert {
        chart.points[i].side for i in rules_at(chart, 2) if 1 not in chart.points[i].signals
    } == {"low"}


def test_an_equal_step_breaks_a_trend():
    assert rules_at(xmr([1, 2, 3, 3, 4, 5, 6, 7]), 2) == []


def test_a_longer_trend_marks_all_its_points():
    chart = xmr(list(range(1, 11)))
    assert rules_at(chart, 2) == list(range(10))
    (trend,) = [s for s in chart.signals if s.rule == 2]
    assert trend.sentence().startswith("Points 1 to 10: ten in a row, each higher")


# --- rule 3: two of three close to a limit --------------------------------------------------

STEADY = [10, 11, 12, 11] * 3  # mean about 11, moving range 1


def test_two_of_three_close_to_the_upper_limit_are_marked():
    chart = xmr([*STEADY, 15, 12, 15])
    segment = only_segment(chart)
    # the premise: 15 lies between the near-limit line and the limit, 12 above the mean
    assert segment.near_upper < 15 <= segment.upper
    assert segment.mean < 12 < segment.near_upper
    assert rules_at(chart, 3) == [12, 14]  # the two close points, not the middle one
    assert rules_at(chart, 1) == []
    (signal,) = [s for s in chart.signals if s.rule == 3]
    assert signal.side == "high"
    assert signal.sentence() == (
        "Points 13 and 15: two of three in a row close to the upper process limit"
    )


def test_two_close_points_with_the_third_across_the_mean_are_not_a_signal():
    chart = xmr([*STEADY, 15, 10, 15])
    segment = only_segment(chart)
    assert segment.near_upper < 15 <= segment.upper
    assert segment.mean > 10
    assert rules_at(chart, 3) == []


def test_one_close_point_in_three_is_not_a_signal():
    chart = xmr([*STEADY, 14, 12, 12])
    segment = only_segment(chart)
    assert segment.near_upper < 14 <= segment.upper
    assert segment.mean < 12 < segment.near_upper
    assert rules_at(chart, 3) == []


def test_two_of_three_close_to_the_lower_limit_are_marked():
    mirrored = [30 - v for v in [*STEADY, 15, 12, 15]]
    chart = xmr(mirrored)
    assert rules_at(chart, 3) == [12, 14]
    assert {chart.points[i].side for i in (12, 14)} == {"low"}


def test_a_point_beyond_the_limit_does_not_count_as_close():
    # 17 is beyond the upper limit (rule 1); with one close point it is not 2 of 3
    chart = xmr([*STEADY, 17, 12, 15])
    segment = only_segment(chart)
    assert segment.upper < 17
    assert segment.near_upper < 15 <= segment.upper
    assert rules_at(chart, 1) == [12]
    assert rules_at(chart, 3) == []


# --- rule 4: a shift of seven points ----------------------------------------------------------


def test_seven_points_on_one_side_are_a_shift_and_every_one_is_marked():
    chart = xmr([5, 5, 5, 5, 5, 5, 5, 5, 9, 8, 9, 8, 9, 8, 9], lower_bound=None)
    mean = only_segment(chart).mean
    assert all(v > mean for v in [9, 8])
    assert rules_at(chart, 4) == list(range(15))
    high = [s for s in chart.signals if s.rule == 4 and s.side == "high"]
    assert [s.points for s in high] == [tuple(range(8, 15))]
    assert high[0].sentence() == "Points 9 to 15: seven in a row above the average — a shift"


def test_six_points_on_one_side_are_not_a_shift():
    chart = xmr([5, 5, 5, 5, 5, 5, 9, 8, 9, 8, 9, 8])
    assert rules_at(chart, 4) == []


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    # mean exactly 10: the 10s are on the mean, leaving runs of 4 and 3
    on_mean = [11, 11, 11, 11, 10, 11, 11, 11, 9, 9, 9, 9, 10, 9, 9, 9]
    chart = xmr(on_mean)
    assert only_segment(chart).mean == 10
    assert rules_at(chart, 4) == []
    off_mean = [11, 11, 11, 11, 11, 11, 11, 11, 9, 9, 9, 9, 9, 9, 9, 9]
    assert rules_at(xmr(off_mean), 4) == list(range(16))


def test_a_sentence_names_the_points_by_their_labels():
    chart = xmr([5] * 7 + [9] * 7)
    labels = [f"week {n}" for n in range(1, 15)]
    high = next(s for s in chart.signals if s.rule == 4 and s.side == "high")
    assert high.sentence(labels) == (
        "Points 8 to 14 (week 8 to week 14): seven in a row above the average — a shift"
    )


# --- rebasing ---------------------------------------------------------------------------------


def test_rebasing_gives_each_period_its_own_limits():
    before, after = [20, 22, 21, 23, 22], [10, 11, 10, 12]
    chart = xmr(before + after, rebase_at=[5])
    first, second = chart.segments
    assert (first.start, first.stop, second.start, second.stop) == (0, 5, 5, 9)
    assert first.mean == pytest.approx(sum(before) / 5)
    assert second.mean == pytest.approx(sum(after) / 4)
    # the moving range does not cross the boundary: |10 - 22| is not one of them
    assert chart.points[5].moving_range is None
    assert second.mean_moving_range == pytest.approx((1 + 1 + 2) / 3)
    assert first.mean_moving_range == pytest.approx((2 + 1 + 2 + 1) / 4)
    assert [p.segment for p in chart.points] == [0] * 5 + [1] * 4
    assert chart.segment_of(6) is second


def test_runs_do_not_cross_a_rebase():
    rising = [1, 2, 3, 4, 5, 6, 7]
    assert rules_at(xmr(rising), 2) == list(range(7))
    assert rules_at(xmr(rising, rebase_at=[4]), 2) == []


def test_signals_are_listed_in_time_order():
    chart = xmr([10] * 11 + [30])
    assert [(s.rule, s.points[0]) for s in chart.signals] == [(4, 0), (1, 11)]


def test_rebasing_at_the_start_or_beyond_the_end_changes_nothing():
    values = [1, 4, 2, 5, 3]
    assert xmr(values, rebase_at=[0, 5, 9, -1]) == xmr(values)


def test_each_rebased_period_has_its_own_trial_flag():
    chart = xmr([1, 2] * 6 + [3, 4] * 3, rebase_at=[12])
    assert [s.trial for s in chart.segments] == [False, True]


# --- the variation label ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("better", "variation"),
    [("lower", "improvement_low"), ("higher", "concern_low"), (None, "special_cause_low")],
)
def test_the_label_follows_the_better_direction(better, variation):
    chart = xmr([9] * 7 + [5] * 7, better=better)  # ends in a shift below the mean
    assert chart.variation == variation


def test_the_label_is_judged_on_the_latest_point():
    # the shift is over: the last point is back on the mean, so common cause now
    chart = xmr([9] * 7 + [5] * 7 + [7], better="lower")
    assert chart.signals
    assert chart.variation == "common_cause"
    assert chart.variation_words == "Common cause variation"


def test_the_label_skips_trailing_gaps():
    chart = xmr([9] * 7 + [5] * 7 + [None], better="higher")
    assert chart.variation == "concern_low"
    assert chart.variation_sentence == (
        "Concern (lower): the latest point is part of a signal that the figure is really lower "
        "than usual, and higher is better."
    )


# --- properties -------------------------------------------------------------------------------

values = st.lists(
    st.one_of(st.none(), st.integers(min_value=-1000, max_value=1000)), min_size=0, max_size=40
)


@given(values)
def test_unclamped_limits_are_symmetric_around_the_mean(series):
    for segment in xmr(series, lower_bound=None).segments:
        if segment.upper is not None:
            assert segment.upper - segment.mean == pytest.approx(segment.mean - segment.lower)
            assert segment.lower <= segment.near_lower <= segment.mean <= segment.near_upper
            assert segment.near_upper <= segment.upper


@given(values, st.integers(min_value=-500, max_value=500))
def test_shifting_every_value_shifts_the_mean_and_limits(series, c):
    plain = xmr(series, lower_bound=None)
    moved = xmr([None if v is None else v + c for v in series], lower_bound=None)
    for a, b in zip(plain.segments, moved.segments, strict=True):
        if a.mean is not None:
            assert b.mean == pytest.approx(a.mean + c, abs=1e-6)
        if a.upper is not None:
            assert b.upper == pytest.approx(a.upper + c, abs=1e-6)
            assert b.lower == pytest.approx(a.lower + c, abs=1e-6)
            assert b.mean_moving_range == pytest.approx(a.mean_moving_range)


@given(values, st.lists(st.integers(min_value=0, max_value=40), max_size=3))
def test_every_signal_is_what_its_rule_says(series, rebase_at):
    chart = xmr(series, lower_bound=None, rebase_at=rebase_at)
    assert len(chart.points) == len(series)
    for signal in chart.signals:
        segment = chart.segment_of(signal.points[0])
        assert all(chart.segment_of(i) is segment for i in signal.points)
        marked = [series[i] for i in signal.points]
        if signal.rule == 2:
            steps = [b - a for a, b in zip(marked, marked[1:], strict=False)]
            assert len(marked) >= 7
            assert all(s > 0 for s in steps) or all(s < 0 for s in steps)
        if signal.rule == 4:
            assert len(marked) >= 7
            above = [v > segment.mean and not math.isclose(v, segment.mean) for v in marked]
            assert all(above) or not any(v >= segment.mean for v in marked)
        if signal.rule == 1:
            assert all(v > segment.upper or v < segment.lower for v in marked)
        for i in signal.points:
            assert signal.rule in chart.points[i].signals


# --- points that rest on few records ------------------------------------------------------


@pytest.mark.parametrize(
    ("denominators", "few"),
    [
        ([1, 4, 2, 3, 12, 30], True),  # four of six under 10
        ([9, 9, 9, 10, 10, 10], False),  # half is not most
        ([0, 0, 0, 3, 40, 40], False),  # months with nothing are not drawn: 1 of 3
        ([0, 0, 0, 0], False),  # no data at all: the chart says "no data" itself
        ([], False),
        ([10] * 5 + [9] * 6, True),
    ],
)
def test_a_chart_rests_on_few_when_most_points_with_data_count_under_ten(denominators, few):
    assert rests_on_few(denominators) is few
