"""An XmR chart and its table on a 360px phone: no sideways scroll."""

from pathlib import Path

import pytest
from flask import render_template_string

from casework.measures.charts import xmr_chart

CSS = Path(__file__).parents[2] / "casework" / "static" / "casework.css"
MACRO = '{% from "measures/_chart.html" import render_chart %}{{ render_chart(chart) }}'


@pytest.mark.browser
def test_a_chart_fits_a_360px_phone_without_sideways_scroll(app, page):
    values = [0.62, 0.58, 0.65, 0.6, 0.63, 0.59, 0.61, 0.64, 0.66, 0.57, 0.6, 0.62]
    values += [0.5, 0.45, 0.44, 0.42, 0.4, 0.41, 0.38, 0.43, None, 0.37, 0.33, 0.28]
    labels = [f"{n} March 2026" for n in range(1, len(values) + 1)]
    chart = xmr_chart(
        title="Repeat demand",
        description="Share of demands that were repeats.",
        labels=labels,
        values=values,
        better="lower",
        unit="rate",
        rebase_at=[12],
    )
    page.set_viewport_size({"width": 360, "height": 740})
    with app.test_request_context():
        html = render_template_string(MACRO, chart=chart)
    page.set_content(f"<!doctype html><main>{html}</main>")
    page.add_style_tag(path=str(CSS))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("svg.cw-chart__svg").bounding_box()
    assert 200 < box["width"] <= 360
