"""XmR charts as accessible SVG, their table of numbers and the page macro."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from flask import render_template_string

from casework.formatting import uk_date
from casework.measures.charts import BOTTOM, WIDTH, format_value, xmr_chart
from casework.measures.series import Series, _label, axis_label

SVG = "{http://www.w3.org/2000/svg}"
MACRO = '{% from "measures/_chart.html" import render_chart %}{{ render_chart(chart) }}'


def chart_of(values, *, better="lower", unit="count", title="Repeat demand", **kwargs):
    labels = [f"Week {n}" for n in range(1, len(values) + 1)]
    return xmr_chart(
        title=title,
        description="Demands that were repeats, each week.",
        labels=labels,
        values=values,
        better=better,
        unit=unit,
        **kwargs,
    )


def parse(chart):
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own output, parsed to check it


def plot_markers(root):
    """The point markers on the chart itself, not the ones in the key."""
    return [el for el in root.iter() if "cw-chart__point " in el.get("class", "")]


def texts(root):
    return [el.text for el in root.iter(f"{SVG}text")]


SPIKE = [9, 13] * 6 + [30]  # common cause around 12.5, then one point above the upper limit
SHIFT_DOWN = [9, 8, 9, 8, 9, 8, 9, 3, 4, 3, 4, 3, 4, 3]  # a shift below the average at the end


def test_the_svg_is_well_formed_and_labelled_for_assistive_technology():
    chart = chart_of(SHIFT_DOWN)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Repeat demand"
    assert desc.text.startswith("Demands that were repeats, each week.")
    assert chart.xmr.variation_sentence in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_the_svg_has_no_inline_styles_or_scripts():
    svg = str(chart_of(SHIFT_DOWN).svg)
    assert "style=" not in svg
    assert "<style" not in svg
    assert "<script" not in svg


def test_one_marker_for_each_point_with_a_value():
    values = [3, 4, None, 5, 4, 3]
    root = parse(chart_of(values))
    assert len(plot_markers(root)) == 5


def test_a_gap_breaks_the_line():
    root = parse(chart_of([3, 4, None, 5, 4, 3]))
    lines = [el for el in root.iter(f"{SVG}polyline") if el.get("class") == "cw-chart__line"]
    assert [len(el.get("points").split()) for el in lines] == [2, 3]


def test_special_cause_points_are_marked_by_shape_as_well_as_colour():
    chart = chart_of(SPIKE, better="higher")
    root = parse(chart)
    assert [i for i, p in enumerate(chart.xmr.points) if p.special_cause] == [12]
    improvement = [m for m in plot_markers(root) if "improvement" in m.get("class")]
    common = [m for m in plot_markers(root) if "common" in m.get("class")]
    assert len(improvement) == 1
    assert len(common) == 12
    assert {m.tag for m in improvement} == {f"{SVG}rect"}
    assert {m.tag for m in common} == {f"{SVG}circle"}


def test_concern_points_have_their_own_shape_and_an_outline():
    root = parse(chart_of(SPIKE, better="lower"))
    concern = [m for m in plot_markers(root) if "concern" in m.get("class")]
    assert len(concern) == 1
    assert {m.tag for m in concern} == {f"{SVG}path"}
    assert all(m.get("stroke") == "#212b32" for m in concern)


def test_the_variation_label_is_written_on_the_chart():
    chart = chart_of(SHIFT_DOWN, better="lower")
    assert chart.xmr.variation == "improvement_low"
    assert "Improvement (lower)" in texts(parse(chart))


@pytest.mark.parametrize(("count", "trial"), [(11, True), (12, False)])
def test_trial_limits_are_labelled_under_twelve_points(count, trial):
    chart = chart_of(([3, 5] * 6)[:count])
    assert ("Trial limits" in texts(parse(chart))) is trial
    assert chart.trial is trial


def test_a_rebased_chart_draws_two_periods():
    chart = chart_of([20, 22, 21, 23, 22, 10, 11, 10, 12], rebase_at=[5])
    root = parse(chart)
    means = [el for el in root.iter(f"{SVG}line") if el.get("class") == "cw-chart__mean"]
    mean_lines = [el for el in means if float(el.get("x2")) - float(el.get("x1")) > 40]
    assert len(mean_lines) == 2
    assert len({el.get("y1") for el in mean_lines}) == 2
    rebase = [el for el in root.iter(f"{SVG}line") if el.get("class") == "cw-chart__rebase"]
    assert len(rebase) == 1
    assert "Limits recalculated" in texts(root)


def test_text_is_escaped_not_interpreted():
    chart = chart_of([1, 2, 3], title='<script>alert("x")</script> & co')
    svg = str(chart.svg)
    assert "<script>" not in svg
    root = parse(chart)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co'


def test_labels_are_escaped_too():
    chart = xmr_chart(
        title="T",
        description="<b>d</b>",
        labels=["<i>one</i>", "two", "three"],
        values=[1, 2, 3],
        better=None,
        unit="count",
    )
    root = parse(chart)
    assert "<i>one</i>" in texts(root)
    assert root.find(f"{SVG}desc").text.startswith("<b>d</b>")


def test_table_rows_hold_the_values_formatted():
    values = [0.629, None, 0.5, 0.55]
    chart = chart_of(values, unit="rate")
    assert [row.value for row in chart.rows] == ["62.9%", "no data", "50.0%", "55.0%"]
    assert [row.label for row in chart.rows] == ["Week 1", "Week 2", "Week 3", "Week 4"]
    mean = (0.629 + 0.5 + 0.55) / 3
    assert {row.mean for row in chart.rows} == {f"{mean * 100:.1f}%"}


def test_table_rows_say_each_points_signals_in_words():
    chart = chart_of(SHIFT_DOWN)
    assert "part of a shift below the average" in chart.rows[-1].signals.lower()
    assert "part of a shift above the average" in chart.rows[0].signals.lower()
    assert chart_of([3, 5] * 6).rows[0].signals == "None"


def test_signal_sentences_name_the_periods():
    chart = chart_of(SHIFT_DOWN)
    assert "Points 8 to 14 (Week 8 to Week 14): seven in a row below the average — a shift" in (
        chart.signal_sentences
    )


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (0.629, "rate", "62.9%"),
        (1.0, "rate", "100.0%"),
        (4, "count", "4"),
        (4.25, "days", "4.2"),
        (None, "count", "no data"),
    ],
)
def test_format_value(value, unit, words):
    assert format_value(value, unit) == words


def test_rates_never_draw_limits_outside_0_to_100_percent():
    chart = chart_of([0.95, 0.3, 1.0, 0.2, 0.9], unit="rate", better="higher")
    segment = chart.xmr.segments[0]
    assert (segment.lower, segment.upper) == (0.0, 1.0)


def test_an_empty_chart_still_renders():
    chart = chart_of([])
    root = parse(chart)
    assert "No data" in texts(root)
    assert chart.rows == ()


def test_rejects_an_unknown_unit_and_mismatched_labels():
    with pytest.raises(ValueError, match="unit"):
        chart_of([1, 2], unit="furlongs")
    with pytest.raises(ValueError, match="same length"):
        xmr_chart(title="T", description="", labels=["a"], values=[1, 2], better=None, unit="count")


def test_pounds_read_as_money():
    chart = chart_of([1250.5, 90, 30], unit="pounds")
    assert chart.rows[0].value == "£1,250.50"
    assert "Pounds (£)" in chart.svg


def test_different_charts_get_different_ids():
    assert chart_of([1, 2, 3]).id != chart_of([1, 2, 4]).id


# --- the macro, inside the app -------------------------------------------------------------


def render(app, chart):
    with app.test_request_context():
        return render_template_string(MACRO, chart=chart)


def test_the_macro_renders_figure_caption_words_and_table(app):
    chart = chart_of(SHIFT_DOWN, title="Repeat <demand>")
    html = render(app, chart)
    assert html.count("<figure") == 1
    assert "<figcaption" in html
    assert "Repeat &lt;demand&gt;" in html
    assert "Repeat <demand>" not in html
    assert chart.svg in html
    assert "Improvement (lower):</span>" in html
    assert chart.xmr.variation_reason in html
    assert "Show the numbers" in html
    for sentence in chart.signal_sentences:
        assert sentence in html
    body = html.split("<tbody", 1)[1]
    assert body.count('<tr class="nhsuk-table__row"') == len(SHIFT_DOWN)
    for row in chart.rows:
        assert row.label in body


def test_the_macro_says_so_when_limits_are_trial_or_rebased(app):
    html = render(app, chart_of([20, 22, 21, 23, 22, 10, 11, 10, 12], rebase_at=[5]))
    assert "These are trial limits" in html
    assert "The limits are recalculated from Week 6" in html
    html = render(app, chart_of([3, 5] * 6))
    assert "trial limits" not in html.lower()
    assert "recalculated" not in html


def test_the_macro_reports_no_signals_in_words(app):
    html = render(app, chart_of([3, 5] * 6))
    assert "No signals of special cause" in html


def test_special_cause_with_no_better_direction_has_its_own_shape():
    chart = chart_of(SPIKE, better=None)
    neutral = [m for m in plot_markers(parse(chart)) if "neutral" in m.get("class")]
    assert len(neutral) == 1
    assert neutral[0].tag == f"{SVG}path"
    assert chart.xmr.variation == "special_cause_high"


def tick_labels(root):
    """The y-axis tick labels: the texts right-aligned left of the axis."""
    return [
        el.text
        for el in root.iter(f"{SVG}text")
        if el.get("text-anchor") == "end" and el.get("class") is None
    ]


def test_a_rate_axis_stops_at_100_percent():
    chart = chart_of([0.95, 0.3, 1.0, 0.2, 0.9], unit="rate")
    labels = tick_labels(parse(chart))
    assert labels[-1] == "100%"
    assert labels[0] == "0%"


def test_all_equal_values_still_get_a_readable_axis():
    chart = chart_of([4] * 6)
    labels = tick_labels(parse(chart))
    assert labels == ["3", "4", "5"]


def test_a_single_point_has_no_limits_so_none_are_called_trial():
    chart = chart_of([4])
    assert chart.trial is False
    assert "Trial limits" not in texts(parse(chart))


def test_a_chart_on_few_records_says_so_and_offers_quarters_without_hiding_itself(app):
    chart = chart_of(
        [0.5, 0.25, 1.0, 0.0, 0.5],
        unit="rate",
        denominators=[2, 4, 1, 3, 12],
        counted="demands",
        per="month",
    )
    assert chart.few == (
        "Most months here rest on fewer than 10 demands, so a change may be chance."
    )
    html = render_template_string(
        '{% from "measures/_chart.html" import render_chart %}'
        "{{ render_chart(chart, '/measures?grain=quarter#charts') }}",
        chart=chart,
    )
    assert chart.few in html and "<svg" in html and "Show the numbers" in html
    assert 'Try a longer period: <a href="/measures?grain=quarter#charts">by quarter</a>.' in html
    # already by quarter: nothing longer to link to, so it says what else to do
    assert "choose an earlier date" in render_template_string(MACRO, chart=chart)


def test_a_chart_on_enough_records_says_nothing_about_them(app):
    chart = chart_of([0.5, 0.25, 0.4], unit="rate", denominators=[12, 40, 10], counted="demands")
    assert chart.few is None
    assert "a change may be chance" not in render_template_string(MACRO, chart=chart)


# Advance widths of Helvetica (Arial's metrics), per 1000 of the font size: the x-axis labels'
# real widths, to check that the labels the chart prints never run into each other.
UPPER = (  # A to Z
    "667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 "
    "667 667 611"
)
LOWER = (  # a to z
    "556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500"
)
HELVETICA = dict.fromkeys("0123456789#", 556) | {" ": 278, ",": 278, ".": 278, "/": 278}
HELVETICA |= dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", map(int, UPPER.split()), strict=True))
HELVETICA |= dict(zip("abcdefghijklmnopqrstuvwxyz", map(int, LOWER.split()), strict=True))


def x_axis_labels(root):
    """(left, right) of each label printed under the x axis, in the viewBox's units."""
    spans = []
    for el in root.iter(f"{SVG}text"):
        if el.get("text-anchor") == "middle" and float(el.get("y")) == BOTTOM + 24:
            size = float(el.get("font-size", 16))
            half = sum(HELVETICA.get(c, 1000) for c in el.text) * size / 1000 / 2
            spans.append((float(el.get("x")) - half, float(el.get("x")) + half))
    return spans


@pytest.mark.parametrize("grain", ["week", "month", "quarter", "case"])
def test_x_axis_labels_never_print_over_each_other(grain):
    """However many points, the labels under the axis keep apart and inside the chart; the
    long ones of the table ("Week of 22 December 2025") stand in when no short ones are
    given."""
    start = dt.date(2025, 12, 22)
    for n in range(1, 160):
        starts = [start + dt.timedelta(weeks=i) for i in range(n)]
        if grain == "case":
            labels = [f"Case {1000 + i}, closed {uk_date(day)}" for i, day in enumerate(starts)]
            short = [axis_label(day) for day in starts]
        else:
            labels = [_label(day, grain) for day in starts]
            short = Series("x", tuple(labels), tuple(starts), (), (), (), None, grain).axis_labels
        for axis in (None, short):
            chart = xmr_chart(
                title="T",
                description="",
                labels=labels,
                values=[5] * n,
                better=None,
                unit="count",
                axis_labels=axis,
            )
            spans = x_axis_labels(parse(chart))
            assert spans, n
            assert all(left >= 0 and right <= WIDTH for left, right in spans), (n, spans)
            gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)]
            assert all(gap >= 8 for gap in gaps), (n, labels[0], gaps)


def test_a_half_years_weekly_chart_names_several_weeks_under_its_axis():
    starts = tuple(dt.date(2025, 12, 22) + dt.timedelta(weeks=i) for i in range(26))
    points = Series("x", tuple(_label(d, "week") for d in starts), starts, (), (), (), None, "week")
    chart = xmr_chart(
        title="T",
        description="",
        labels=points.labels,
        values=[5] * 26,
        better=None,
        unit="count",
        axis_labels=points.axis_labels,
    )
    printed = [el.text for el in parse(chart).iter(f"{SVG}text") if el.text in points.axis_labels]
    assert len(printed) >= 3
    assert printed[-1] == "15 Jun 2026"  # the latest week, always
    assert [row.label for row in chart.rows][-1] == "Week of 15 June 2026"  # the table: in full
