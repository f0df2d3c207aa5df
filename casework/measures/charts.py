"""XmR charts drawn on the server as accessible SVG, with the numbers behind them.

The SVG is written here by hand (ADR 0005): a plotting library either draws
text as paths, has no <title>/<desc>, or needs inline styles or JavaScript.
Every piece of text goes through markupsafe's escape. Colours and line styles
are SVG presentation attributes (no `style`, so a strict CSP allows them);
each kind of point also has its own shape, so the chart reads in black and
white and without colour vision. The template macro
templates/measures/_chart.html puts the SVG in a <figure> with the words and
the table.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from .spc import FEW, OUTSIDE_LIMITS, XmR, rests_on_few, xmr

Unit = Literal["count", "rate", "days", "pounds"]

BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "count": (0.0, None),
    "rate": (0.0, 1.0),
    "days": (0.0, None),
    "pounds": (0.0, None),
}
UNIT_WORDS = {"count": "Number", "rate": "Percentage", "days": "Days", "pounds": "Pounds (£)"}

# NHS identity colours; each has at least 3:1 contrast with white except orange,
# which is drawn with a black outline so the shape still has it.
BLUE, GREY, BLACK, ORANGE, PURPLE = "#005eb8", "#425563", "#212b32", "#ed8b00", "#330072"
MID_GREY, PALE_GREY = "#768692", "#d8dde0"
FONT = "Frutiger W01, Arial, Helvetica, sans-serif"

WIDTH = 440
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 56, 300  # the plotting area
RIGHT_EDGE = WIDTH - RIGHT
TEXT = 16  # px in the viewBox: about 12px on a 360px phone, 21px at the widest (casework.css)


@dataclass(frozen=True)
class Row:
    """One line of the table beneath the chart, formatted for reading."""

    label: str
    value: str
    mean: str
    lower: str
    upper: str
    signals: str


@dataclass(frozen=True)
class Chart:
    """An XmR chart ready for the page: the arithmetic, the table rows and the SVG."""

    id: str
    title: str
    description: str
    unit: Unit
    labels: tuple[str, ...]
    xmr: XmR
    rows: tuple[Row, ...]
    signal_sentences: tuple[str, ...]
    svg: Markup
    label_heading: str = "Period"
    few: str | None = None  # says that most points rest on too few records to read a change

    @property
    def trial(self) -> bool:
        """Some limits drawn are trial limits (fewer than 12 points behind them)."""
        return any(s.trial and s.upper is not None for s in self.xmr.segments)


def xmr_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    better: str | None,
    unit: Unit,
    rebase_at: Sequence[int] = (),
    label_heading: str = "Period",
    denominators: Sequence[int] = (),
    counted: str = "records",
    per: str = "month",
    axis_labels: Sequence[str] | None = None,
) -> Chart:
    """The XmR chart of one figure over time, for `render_chart` in measures/_chart.html.

    `labels` name the points (periods, or cases for end-to-end time; `label_heading` heads
    their column in the table); `better` is 'lower', 'higher' or None; `rebase_at` are the
    indexes where the limits are recalculated. `denominators` are what each point rests on
    (`counted` says what, `per` what a point is): when most are fewer than spc.FEW, the
    chart says so. `axis_labels`, shorter words for the same points ("22 Dec 2025" for "Week
    of 22 December 2025"), go under the x axis, so that more of them fit."""
    if unit not in BOUNDS:
        raise ValueError(f"unit must be one of {', '.join(BOUNDS)}, not {unit!r}")
    axis_labels = tuple(str(label) for label in (labels if axis_labels is None else axis_labels))
    if not len(labels) == len(values) == len(axis_labels):
        raise ValueError("labels and values must be the same length")
    low, high = BOUNDS[unit]
    result = xmr(values, better=better, lower_bound=low, upper_bound=high, rebase_at=rebase_at)
    labels = tuple(str(label) for label in labels)
    chart_id = _chart_id(title, labels, values)
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        unit=unit,
        labels=labels,
        xmr=result,
        rows=_rows(result, labels, unit),
        signal_sentences=tuple(s.sentence(labels) for s in result.signals),
        svg=_svg(chart_id, title, description, axis_labels, result, unit),
        label_heading=label_heading,
        few=(
            f"Most {per}s here rest on fewer than {FEW} {counted}, so a change may be chance."
            if rests_on_few(denominators)
            else None
        ),
    )


def format_value(value: float | None, unit: Unit, *, none: str = "no data") -> str:
    """A figure as people read it: '62.9%' for a rate, '£1,234.50' in pounds, '4' or '4.5'
    otherwise."""
    if value is None:
        return none
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "pounds":
        return f"£{value:,.2f}"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}"


# --- the table ------------------------------------------------------------------------------

_POINT_WORDS = {
    (1, "high"): OUTSIDE_LIMITS["high"],
    (1, "low"): OUTSIDE_LIMITS["low"],
    (2, "high"): "part of a rising trend",
    (2, "low"): "part of a falling trend",
    (3, "high"): "close to the upper process limit (2 of 3)",
    (3, "low"): "close to the lower process limit (2 of 3)",
    (4, "high"): "part of a shift above the average",
    (4, "low"): "part of a shift below the average",
}


def _point_words(result: XmR, index: int) -> str:
    words = [
        _POINT_WORDS[signal.rule, signal.side]
        for signal in result.signals
        if index in signal.points
    ]
    return "; ".join(dict.fromkeys(words)).capitalize() if words else "None"


def _rows(result: XmR, labels: Sequence[str], unit: Unit) -> tuple[Row, ...]:
    rows = []
    for i, point in enumerate(result.points):
        segment = result.segments[point.segment]
        rows.append(
            Row(
                label=labels[i],
                value=format_value(point.value, unit),
                mean=format_value(segment.mean, unit, none="not calculated"),
                lower=format_value(segment.lower, unit, none="not calculated"),
                upper=format_value(segment.upper, unit, none="not calculated"),
                signals=_point_words(result, i),
            )
        )
    return tuple(rows)


# --- the picture ----------------------------------------------------------------------------


def _chart_id(title: str, labels: Sequence[str], values: Sequence[float | None]) -> str:
    """A stable id for aria-labelledby, different for different charts on one page."""
    digest = hashlib.sha256(repr((title, tuple(labels), tuple(values))).encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None
    )


def _el(tag: str, text: str | None = None, **attrs: object) -> str:
    """One SVG element, its attributes and text escaped."""
    if text is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>"


def _text(x: float, y: float, words: str, **attrs: object) -> str:
    return _el("text", words, x=_n(x), y=_n(y), font_size=TEXT, fill=BLACK, **attrs)


def _n(x: float) -> str:
    """A coordinate, short."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _nice_ticks(low: float, high: float, target: int = 5, least: float = 0) -> list[float]:
    """Round tick values covering low..high, about `target` of them, at least `least` apart."""
    raw = max((high - low) / target, least)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step) * step, math.ceil(high / step) * step
    return [first + k * step for k in range(round((last - first) / step) + 1)]


def _y_range(result: XmR, unit: Unit) -> list[float]:
    numbers = [p.value for p in result.points if p.value is not None]
    for s in result.segments:
        numbers += [x for x in (s.mean, s.upper, s.lower) if x is not None]
    low_bound, high_bound = BOUNDS[unit]
    if not numbers:
        return [0.0, 1.0] if unit == "rate" else [0.0, 5.0, 10.0]
    low, high = min(numbers), max(numbers)
    if high - low < 1e-9:
        pad = 0.05 if unit == "rate" else max(1.0, abs(high) * 0.1)
        low, high = low - pad, high + pad
    if low_bound is not None:
        low = max(low, low_bound)
    ticks = _nice_ticks(low, high, least=1 if unit == "count" else 0)  # no half a demand
    if (
        high_bound is not None
    ):  # steps of 1, 2, 2.5 or 5 land on the bound; drop float noise past it
        ticks = [t for t in ticks if t <= high_bound + 1e-9]
    return ticks


def _tick_label(value: float, ticks: Sequence[float], unit: Unit) -> str:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    if unit == "rate":
        decimals = 0 if step * 100 >= 1 - 1e-9 else 1
        return f"{value * 100:.{decimals}f}%"
    decimals = 0 if step >= 1 - 1e-9 and float(round(value, 6)).is_integer() else 1
    return f"{value:,.{decimals}f}"


class _Scale:
    """Maps point indexes and values onto the viewBox."""

    def __init__(self, n: int, ticks: Sequence[float]):
        self.n = max(n, 1)
        self.low, self.high = ticks[0], ticks[-1]

    def x(self, index: float) -> float:
        return LEFT + (index + 0.5) * (RIGHT_EDGE - LEFT) / self.n

    def edge(self, index: int) -> float:
        """The x between point index - 1 and point index."""
        return LEFT + index * (RIGHT_EDGE - LEFT) / self.n

    def y(self, value: float) -> float:
        return BOTTOM - (value - self.low) / (self.high - self.low) * (BOTTOM - TOP)


LABEL_GAP = 12  # the least space between two labels under the x axis


def _label_half(label: str) -> float:
    """Half a label's width, over-estimated (0.6 of the font size a letter: Arial's widest
    words, "Week of 22 December", are about 0.52) so that labels never touch."""
    return len(label) * TEXT * 0.6 / 2


def _label_x(scale: _Scale, index: int, label: str) -> float:
    """Where a label's middle goes: under its point, moved in to keep the words inside."""
    half = _label_half(label)
    return min(max(scale.x(index), half + 2), WIDTH - half - 2)


def _x_labels(scale: _Scale, labels: Sequence[str]) -> list[int]:
    """Which labels to print under the axis: the latest, then back from it in even steps,
    wide enough apart that no two touch, even where the first and last are moved in to
    stay inside the chart."""
    n = len(labels)
    if n == 0:
        return []
    widest = 2 * max(_label_half(label) for label in labels) + LABEL_GAP
    step = max(1, math.ceil(widest / ((RIGHT_EDGE - LEFT) / n)))
    for every in range(step, n + 1):
        shown = list(range(n - 1, -1, -every))[::-1]
        spans = [
            (
                _label_x(scale, i, labels[i]) - _label_half(labels[i]),
                _label_x(scale, i, labels[i]) + _label_half(labels[i]),
            )
            for i in shown
        ]
        if all(b[0] - a[1] >= LABEL_GAP for a, b in zip(spans, spans[1:], strict=False)):
            return shown
    return [n - 1]


def _kind(result: XmR, index: int) -> str:
    """common, improvement, concern or neutral (special cause where neither way is better)."""
    point = result.points[index]
    if not point.special_cause:
        return "common"
    if result.better is None:
        return "neutral"
    return "improvement" if (point.side == "high") == (result.better == "higher") else "concern"


KIND_WORDS = {
    "common": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause",
}


def _marker(kind: str, x: float, y: float, role: str = "point") -> str:
    """Grey dot; blue square; orange diamond outlined in black; purple triangle.

    `role` is 'point' on the chart, 'key' in the key and beside the variation label."""
    cls = f"cw-chart__{role} cw-chart__{role}--{kind}"
    if kind == "common":
        return _el("circle", cx=_n(x), cy=_n(y), r=4, fill=GREY, class_=cls)
    if kind == "improvement":
        return _el("rect", x=_n(x - 6), y=_n(y - 6), width=12, height=12, fill=BLUE, class_=cls)
    if kind == "concern":
        d = f"M{_n(x)} {_n(y - 8)}L{_n(x + 8)} {_n(y)}L{_n(x)} {_n(y + 8)}L{_n(x - 8)} {_n(y)}Z"
        return _el("path", d=d, fill=ORANGE, stroke=BLACK, stroke_width=1.5, class_=cls)
    d = f"M{_n(x)} {_n(y - 8)}L{_n(x + 8)} {_n(y + 6)}L{_n(x - 8)} {_n(y + 6)}Z"
    return _el("path", d=d, fill=PURPLE, class_=cls)


_LINES = {
    # name: (stroke, width, dasharray, legend words)
    "mean": (BLACK, 2, None, "Average"),
    "limit": (GREY, 2, "8 5", "Process limits"),
    "near": (MID_GREY, 1.5, "2 4", "Near-limit lines"),
}


def _hline(name: str, x1: float, x2: float, y: float) -> str:
    stroke, width, dash, _ = _LINES[name]
    return _el(
        "line",
        x1=_n(x1),
        x2=_n(x2),
        y1=_n(y),
        y2=_n(y),
        stroke=stroke,
        stroke_width=width,
        stroke_dasharray=dash,
        class_=f"cw-chart__{name}",
    )


def _axes(scale: _Scale, ticks: Sequence[float], labels: Sequence[str], unit: Unit) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale.y(tick)
        parts.append(
            _el(
                "line", x1=LEFT, x2=RIGHT_EDGE, y1=_n(y), y2=_n(y), stroke=PALE_GREY, stroke_width=1
            )
        )
        parts.append(_text(LEFT - 8, y + 5, _tick_label(tick, ticks, unit), text_anchor="end"))
    parts.append(_el("line", x1=LEFT, x2=LEFT, y1=TOP, y2=BOTTOM, stroke=BLACK, stroke_width=1))
    parts.append(
        _el("line", x1=LEFT, x2=RIGHT_EDGE, y1=BOTTOM, y2=BOTTOM, stroke=BLACK, stroke_width=1)
    )
    for i in _x_labels(scale, labels):
        x = _label_x(scale, i, labels[i])
        parts.append(
            _el(
                "line",
                x1=_n(scale.x(i)),
                x2=_n(scale.x(i)),
                y1=BOTTOM,
                y2=BOTTOM + 6,
                stroke=BLACK,
                stroke_width=1,
            )
        )
        parts.append(_text(x, BOTTOM + 24, labels[i], text_anchor="middle"))
    parts.append(_text(8, 22, UNIT_WORDS[unit], font_weight="bold"))
    return parts


def _limits(result: XmR, scale: _Scale) -> list[str]:
    parts = []
    for n, segment in enumerate(result.segments):
        x1, x2 = scale.edge(segment.start), scale.edge(segment.stop)
        if n > 0:
            parts.append(
                _el(
                    "line",
                    x1=_n(x1),
                    x2=_n(x1),
                    y1=TOP - 8,
                    y2=BOTTOM,
                    stroke=BLACK,
                    stroke_width=2,
                    class_="cw-chart__rebase",
                )
            )
        if segment.upper is not None:
            for value in (segment.near_upper, segment.near_lower):
                parts.append(_hline("near", x1, x2, scale.y(value)))
            for value in (segment.upper, segment.lower):
                parts.append(_hline("limit", x1, x2, scale.y(value)))
        if segment.mean is not None:
            parts.append(_hline("mean", x1, x2, scale.y(segment.mean)))
        if segment.trial and segment.upper is not None:
            parts.append(
                _text(
                    x1 + 6, TOP - 10, "Trial limits", font_style="italic", class_="cw-chart__trial"
                )
            )
    return parts


def _line_and_points(result: XmR, scale: _Scale) -> list[str]:
    parts, run = [], []
    # the line joins neighbouring points and breaks at a gap (no data that period)
    for i, point in enumerate([*result.points, None]):
        if point is not None and point.value is not None:
            run.append(f"{_n(scale.x(i))},{_n(scale.y(point.value))}")
            continue
        if len(run) > 1:
            parts.append(
                _el(
                    "polyline",
                    points=" ".join(run),
                    fill="none",
                    stroke=GREY,
                    stroke_width=2,
                    class_="cw-chart__line",
                )
            )
        run = []
    for i, point in enumerate(result.points):
        if point.value is not None:
            parts.append(_marker(_kind(result, i), scale.x(i), scale.y(point.value)))
    return parts


def _legend(result: XmR) -> tuple[list[str], float]:
    """The key beneath the chart, wrapped to the width; returns its parts and its bottom."""
    items: list[tuple[str, object]] = []
    if any(s.mean is not None for s in result.segments):
        items.append(("line", "mean"))
    if any(s.upper is not None for s in result.segments):
        items += [("line", "limit"), ("line", "near")]
    if len(result.segments) > 1:
        items.append(("rebase", "Limits recalculated"))
    if any(p.value is not None for p in result.points):
        kinds = {_kind(result, i) for i, p in enumerate(result.points) if p.value is not None}
        items += [("point", kind) for kind in KIND_WORDS if kind in kinds]
    parts, x, y = [], LEFT, BOTTOM + 56
    for what, key in items:
        words = _LINES[key][3] if what == "line" else KIND_WORDS.get(key, key)
        width = 34 + len(words) * TEXT * 0.5
        if x > LEFT and x + width > RIGHT_EDGE:
            x, y = LEFT, y + 26
        if what == "line":
            parts.append(_hline(key, x, x + 26, y - 5))
        elif what == "rebase":
            parts.append(
                _el(
                    "line",
                    x1=_n(x + 13),
                    x2=_n(x + 13),
                    y1=_n(y - 14),
                    y2=_n(y + 4),
                    stroke=BLACK,
                    stroke_width=2,
                )
            )
        else:
            parts.append(_marker(key, x + 13, y - 5, "key"))
        parts.append(_text(x + 34, y, words))
        x += width + 20
    return parts, y


def _variation(result: XmR) -> list[str]:
    """The variation label top right, after the shape of the latest point's kind if special."""
    latest = next((p for p in reversed(result.points) if p.value is not None), None)
    parts, end = [], RIGHT_EDGE
    if latest is not None and latest.special_cause:
        kind = _kind(result, result.points.index(latest))
        parts.append(_marker(kind, RIGHT_EDGE - 8, 17, "key"))
        end -= 24
    cls = f"cw-chart__variation cw-chart__variation--{result.variation}"
    parts.append(
        _text(end, 22, result.variation_words, text_anchor="end", font_weight="bold", class_=cls)
    )
    return parts


def _svg(
    chart_id: str, title: str, description: str, labels: Sequence[str], result: XmR, unit: Unit
) -> Markup:
    ticks = _y_range(result, unit)
    scale = _Scale(len(result.points), ticks)
    desc = f"{description} {result.variation_sentence} The numbers are in the table beneath."
    legend, legend_bottom = _legend(result)
    height = math.ceil(legend_bottom + 14)
    body = [
        _el("title", title, id=f"{chart_id}-title"),
        _el("desc", desc, id=f"{chart_id}-desc"),
        *_axes(scale, ticks, labels, unit),
        *_limits(result, scale),
        *_line_and_points(result, scale),
        *_variation(result),
        *legend,
    ]
    if not result.points or all(p.value is None for p in result.points):
        body.append(
            _text((LEFT + RIGHT_EDGE) / 2, (TOP + BOTTOM) / 2, "No data", text_anchor="middle")
        )
    opening = _attrs(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "cw-chart__svg",
            "font-family": FONT,
            "id": chart_id,
        }
    )
    return Markup(f"<svg{opening}>{''.join(body)}</svg>")  # noqa: S704 - every part escaped above
