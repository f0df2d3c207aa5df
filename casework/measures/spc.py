"""Statistical process control: the XmR chart of measures.md ("Charts over time").

Pure arithmetic, no Flask and no database, so the pages, the API and the CLI
read the same limits and signals. The rules follow NHS England's "Making Data
Count" as NHSRplotthedots (the NHS-R community's implementation) reads them.

How the edge cases are read (each is tested in tests/measures/test_spc.py):

- **Gaps.** A point whose value is None (no data that period) keeps its place
  on the chart but is left out of the mean. No moving range is taken across a
  gap: the points either side are not neighbours in time, so the point after a
  gap has no moving range. A gap breaks every run (trend, shift and the
  2-of-3 window), as a point on the mean does: a signal needs evidence in
  every period it spans.
- **Rebasing.** Each segment (from a `rebase_at` index to the next) has its
  own mean, moving ranges, limits and trial flag; the first moving range of a
  segment is not taken against the last point of the one before, and runs do
  not cross a segment boundary (NHSRplotthedots groups by rebase group too).
  An index of 0 or outside the series changes nothing.
- **Near-limit lines** sit two thirds of the way to each process limit:
  mean ± (2/3 × 2.66 = 1.7733…) × mean moving range, the factor NHSRplotthedots
  uses and measures.md rounds to 1.773.
- **Rule 3** ("2 of 3 points close to the limit"): in a window of 3
  consecutive points of a segment, all 3 on the same side of the mean, at
  least 2 lie between that side's near-limit line (exclusive) and its process
  limit (inclusive). A point beyond the process limit is rule 1, not "between",
  so it does not count towards rule 3. The points marked are the ones in the
  band, not the third point of the window.
- **On the mean.** A point within a rounding error of the mean (1e-9
  relative) is on the mean: on neither side, so it breaks a shift.
- **Which way a point signals** (`side`, for colouring and the variation
  label) comes from its strongest rule, in NHSRplotthedots' order 1, 2, 3, 4:
  outside a limit and 2-of-3 and shifts by the side of the mean, trends by
  their direction. A point at the peak of a rise and a fall takes the later.
- **Variation label** is judged on the most recent point that has a value, as
  the Making Data Count icons are: common cause when it carries no signal;
  otherwise improvement or concern by the figure's better direction, or plain
  special cause (high or low) when neither direction is better.
- **Trial limits** when a segment has fewer than 12 points with a value.
- **Signals** (`XmR.signals`) are listed in time order, each with the points it
  marks and a sentence; `Point.signals` holds the rule numbers per point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher"] | None
Side = Literal["high", "low"]
Variation = Literal[
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "special_cause_high",
    "special_cause_low",
]

LIMIT = 2.66
NEAR_LIMIT = 2 * LIMIT / 3
RUN = 7  # points in a row for a trend or a shift
TRIAL_BELOW = 12  # fewer points than this in a segment: trial limits
FEW = 10  # a point whose rate or ratio rests on fewer records than this moves by chance

RULES = {
    1: "a point outside a process limit",
    2: "a trend: seven points in a row each higher, or each lower, than the one before",
    3: "two of three points in a row close to a process limit",
    4: "a shift: seven points in a row on the same side of the average",
}
# Where a point of rule 1 lies, as a signal's sentence and the chart's table say it.
OUTSIDE_LIMITS: dict[str, str] = {
    "high": "above the upper process limit",
    "low": "below the lower process limit",
}

VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_high": "Improvement (higher)",
    "improvement_low": "Improvement (lower)",
    "concern_high": "Concern (higher)",
    "concern_low": "Concern (lower)",
    "special_cause_high": "Special cause variation (higher)",
    "special_cause_low": "Special cause variation (lower)",
}


@dataclass(frozen=True)
class Segment:
    """One period with its own limits: points start to stop - 1."""

    start: int
    stop: int
    mean: float | None
    mean_moving_range: float | None
    upper: float | None
    lower: float | None
    near_upper: float | None
    near_lower: float | None
    trial: bool


@dataclass(frozen=True)
class Point:
    """One period's figure, its moving range and the rules it is part of."""

    value: float | None
    moving_range: float | None
    segment: int
    signals: frozenset[int]
    side: Side | None

    @property
    def special_cause(self) -> bool:
        return bool(self.signals)


@dataclass(frozen=True)
class Signal:
    """One occurrence of a rule: the points it marks (indexes) and which way."""

    rule: int
    side: Side
    points: tuple[int, ...]

    def sentence(self, labels: Sequence[str] | None = None) -> str:
        """'Points 5 to 11 (labels): seven in a row above the average — a shift'."""
        return f"{_which(self.points, labels)}: {self._what()}"

    def _what(self) -> str:
        n = _words(len(self.points))
        higher = self.side == "high"
        if self.rule == 1:
            return OUTSIDE_LIMITS[self.side]
        if self.rule == 2:
            direction = "higher" if higher else "lower"
            kind = "a rising trend" if higher else "a falling trend"
            return f"{n} in a row, each {direction} than the one before — {kind}"
        if self.rule == 3:
            limit = "upper" if higher else "lower"
            return f"two of three in a row close to the {limit} process limit"
        return f"{n} in a row {'above' if higher else 'below'} the average — a shift"


@dataclass(frozen=True)
class XmR:
    """An XmR chart's arithmetic: points, segments, signals and the variation label."""

    points: tuple[Point, ...]
    segments: tuple[Segment, ...]
    signals: tuple[Signal, ...]
    better: Better
    variation: Variation
    variation_reason: str

    @property
    def variation_words(self) -> str:
        """The label in words, as on a Making Data Count icon: 'Improvement (lower)'."""
        return VARIATION_WORDS[self.variation]

    @property
    def has_data(self) -> bool:
        return any(p.value is not None for p in self.points)

    @property
    def variation_sentence(self) -> str:
        """The label and why, in one sentence."""
        if not self.has_data:
            return self.variation_reason
        return f"{self.variation_words}: {self.variation_reason}"

    def segment_of(self, index: int) -> Segment:
        return self.segments[self.points[index].segment]


def rests_on_few(denominators: Iterable[int], below: int = FEW) -> bool:
    """Most of the points with data (more than half) rest on fewer than `below` records:
    one or two records either way move such a point a long way, so a change in them may be
    chance. Points with no data are left out: they are not drawn."""
    counted = [d for d in denominators if d > 0]
    return 2 * sum(d < below for d in counted) > len(counted)


def xmr(
    values: Sequence[float | None],
    *,
    better: Better = None,
    lower_bound: float | None = 0.0,
    upper_bound: float | None = None,
    rebase_at: Sequence[int] = (),
) -> XmR:
    """The XmR chart of `values` (None = no data that period), by measures.md's rules."""
    if better not in ("lower", "higher", None):
        raise ValueError(f"better must be 'lower', 'higher' or None, not {better!r}")
    if lower_bound is not None and upper_bound is not None and lower_bound > upper_bound:
        raise ValueError("lower_bound is above upper_bound")
    values = [None if v is None else float(v) for v in values]
    bounds = _segment_bounds(len(values), rebase_at)
    segments = tuple(
        _segment(values, start, stop, lower_bound, upper_bound) for start, stop in bounds
    )
    signals = tuple(
        sorted(
            (
                signal
                for segment in segments
                for signal in _signals(values[segment.start : segment.stop], segment)
            ),
            key=lambda s: (s.points[0], s.rule),  # in time order, to read as a story
        )
    )
    points = _points(values, segments, signals)
    variation = _variation(points, better)
    return XmR(
        points=points,
        segments=segments,
        signals=signals,
        better=better,
        variation=variation,
        variation_reason=_variation_reason(variation, points, better),
    )


# --- limits ---------------------------------------------------------------------------------


def _segment_bounds(n: int, rebase_at: Iterable[int]) -> list[tuple[int, int]]:
    cuts = [0, *sorted({i for i in rebase_at if 0 < i < n}), n]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


def _moving_range(values: Sequence[float | None], start: int, i: int) -> float | None:
    """|x(i) − x(i−1)| within a segment; None at its first point or next to a gap."""
    if i == start or values[i] is None or values[i - 1] is None:
        return None
    return abs(values[i] - values[i - 1])


def _clamp(x: float, low: float | None, high: float | None) -> float:
    if low is not None:
        x = max(x, low)
    if high is not None:
        x = min(x, high)
    return x


def _segment(values, start, stop, low, high) -> Segment:
    known = [v for v in values[start:stop] if v is not None]
    ranges = [r for i in range(start, stop) if (r := _moving_range(values, start, i)) is not None]
    mean = math.fsum(known) / len(known) if known else None
    mmr = math.fsum(ranges) / len(ranges) if ranges else None
    limits = [None] * 4
    if mean is not None and mmr is not None:
        limits = [
            _clamp(mean + k * mmr, low, high) for k in (LIMIT, -LIMIT, NEAR_LIMIT, -NEAR_LIMIT)
        ]
    upper, lower, near_upper, near_lower = limits
    return Segment(
        start=start,
        stop=stop,
        mean=mean,
        mean_moving_range=mmr,
        upper=upper,
        lower=lower,
        near_upper=near_upper,
        near_lower=near_lower,
        trial=len(known) < TRIAL_BELOW,
    )


# --- the four rules, within one segment --------------------------------------------------


def _side_of_mean(value: float | None, mean: float | None) -> int:
    """+1 above, -1 below, 0 on the mean or no data."""
    if value is None or mean is None or math.isclose(value, mean, rel_tol=1e-9, abs_tol=1e-12):
        return 0
    return 1 if value > mean else -1


def _runs(keys: Sequence[int], length: int) -> list[tuple[int, int, int]]:
    """Maximal runs (start, stop, key) of one non-zero key at least `length` long."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= length:
                runs.append((start, i, keys[start]))
            start = i
    return runs


def _side(key: int) -> Side:
    return "high" if key > 0 else "low"


def _signals(values: Sequence[float | None], segment: Segment) -> list[Signal]:
    """Every signal in one segment, indexes relative to the whole series."""
    found = [
        *_outside(values, segment),
        *_trends(values),
        *_two_of_three(values, segment),
        *_shifts(values, segment),
    ]
    return [
        Signal(rule, side, tuple(segment.start + i for i in points)) for rule, side, points in found
    ]


def _outside(values, segment):
    if segment.upper is None:
        return []
    keys = [
        0 if v is None else 1 if v > segment.upper else -1 if v < segment.lower else 0
        for v in values
    ]
    return [(1, _side(key), range(a, b)) for a, b, key in _runs(keys, 1)]


def _trends(values):
    # rises[i]: +1 when point i+1 is strictly above point i, -1 strictly below, 0 otherwise
    rises = [
        0 if a is None or b is None or a == b else 1 if b > a else -1
        for a, b in zip(values, values[1:], strict=False)
    ]
    return [(2, _side(key), range(a, b + 1)) for a, b, key in _runs(rises, RUN - 1)]


def _shifts(values, segment):
    sides = [_side_of_mean(v, segment.mean) for v in values]
    return [(4, _side(key), range(a, b)) for a, b, key in _runs(sides, RUN)]


def _two_of_three(values, segment):
    if segment.upper is None:
        return []
    sides = [_side_of_mean(v, segment.mean) for v in values]
    close = [_close_to_limit(v, segment) for v in values]
    found: list[tuple[int, Side, list[int]]] = []
    for i in range(len(values) - 2):
        window = range(i, i + 3)
        key = sides[i]
        if key == 0 or any(sides[j] != key for j in window):
            continue
        marked = [j for j in window if close[j] == key]
        if len(marked) < 2:
            continue
        if found and found[-1][1] == _side(key) and found[-1][2][-1] >= i:
            # overlapping windows are one occurrence
            found[-1][2].extend(j for j in marked if j > found[-1][2][-1])
        else:
            found.append((3, _side(key), marked))
    return found


def _close_to_limit(value: float | None, segment: Segment) -> int:
    """+1 between the upper near-limit line and the upper limit, -1 the lower, else 0."""
    if value is None:
        return 0
    if segment.near_upper < value <= segment.upper:
        return 1
    if segment.lower <= value < segment.near_lower:
        return -1
    return 0


# --- points and the label -----------------------------------------------------------------


def _points(values, segments, signals) -> tuple[Point, ...]:
    rules: list[set[int]] = [set() for _ in values]
    sides: list[Side | None] = [None] * len(values)
    # weakest first so the strongest rule (1, then 2, 3, 4) decides which way a point signals;
    # among trends the later one wins at a shared peak
    for signal in sorted(signals, key=lambda s: -s.rule):
        for i in signal.points:
            rules[i].add(signal.rule)
            sides[i] = signal.side
    segment_index = [n for n, s in enumerate(segments) for _ in range(s.start, s.stop)]
    return tuple(
        Point(
            value=v,
            moving_range=_moving_range(values, segments[segment_index[i]].start, i),
            segment=segment_index[i],
            signals=frozenset(rules[i]),
            side=sides[i],
        )
        for i, v in enumerate(values)
    )


def _latest(points: Sequence[Point]) -> Point | None:
    return next((p for p in reversed(points) if p.value is not None), None)


def _variation(points: Sequence[Point], better: Better) -> Variation:
    latest = _latest(points)
    if latest is None or not latest.signals:
        return "common_cause"
    if better is None:
        return f"special_cause_{latest.side}"
    good = (latest.side == "high") == (better == "higher")
    return f"{'improvement' if good else 'concern'}_{latest.side}"


def _variation_reason(variation: Variation, points: Sequence[Point], better: Better) -> str:
    """Why the label: 'the latest point is part of a signal that …, and lower is better.'"""
    if _latest(points) is None:
        return "No data yet, so no variation to judge."
    if variation == "common_cause":
        return (
            "the latest point shows no sign of a real change; "
            "the ups and downs are the usual noise of the process."
        )
    change = (
        "the latest point is part of a signal that the figure is really "
        f"{'higher' if variation.endswith('high') else 'lower'} than usual"
    )
    return f"{change}." if better is None else f"{change}, and {better} is better."


# --- words ------------------------------------------------------------------------------------

# fmt: off
_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)
# fmt: on


def _words(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _which(points: Sequence[int], labels: Sequence[str] | None) -> str:
    """'Point 5', 'Points 5 to 11' or 'Points 4 and 6', with labels in brackets if given."""
    if len(points) == 1:
        head = f"Point {points[0] + 1}"
        tail = labels[points[0]] if labels else None
        return f"{head} ({tail})" if tail else head
    if len(points) > 2 and points[-1] - points[0] == len(points) - 1:
        numbers = f"{points[0] + 1} to {points[-1] + 1}"
        names = f"{labels[points[0]]} to {labels[points[-1]]}" if labels else None
    else:
        numbers = _listing([str(i + 1) for i in points])
        names = _listing([labels[i] for i in points]) if labels else None
    return f"Points {numbers} ({names})" if names else f"Points {numbers}"
