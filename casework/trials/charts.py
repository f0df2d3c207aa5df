"""A hand-drawn SVG of a trial's differences (ADR 0005): each outcome's estimate, pilot minus
usual, with its 95% interval, against a line at no difference."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, ROW, LEFT, RIGHT, TOP = 640, 56, 20, 20, 34


def _x(value: float) -> float:
    """-1..1 (a difference of proportions) across the drawing."""
    return LEFT + (value + 1) / 2 * (WIDTH - LEFT - RIGHT)


def interval_chart(rows: list[tuple[str, dict | None]]) -> Markup:
    """rows: (label, {"estimate", "ci95"} or None). Shown beside a table of the same numbers."""
    height = TOP + ROW * len(rows) + 30
    parts = [
        f'<svg class="cw-chart cw-trial-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="trial-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="trial-chart-title">Differences, pilot minus usual, with 95% intervals</title>',
    ]
    for tick in (-1, -0.5, 0, 0.5, 1):
        x = _x(tick)
        colour, width = ("#212b32", 2) if tick == 0 else ("#d8dde0", 1)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 10}" y2="{height - 24}" '
            f'stroke="{colour}" stroke-width="{width}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="13">'
            f"{tick * 100:+.0f}</text>"
        )
    for index, (label, value) in enumerate(rows):
        y = TOP + ROW * index + ROW / 2
        parts.append(f'<text x="{LEFT}" y="{y - 14:.1f}" font-size="15">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{_x(0) + 8:.1f}" y="{y + 6:.1f}" font-size="14">no data</text>')
            continue
        low, high = value["ci95"]
        parts.append(
            f'<line x1="{_x(low):.1f}" x2="{_x(high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#005eb8" stroke-width="4"/>'
        )
        parts.append(
            f'<circle cx="{_x(value["estimate"]):.1f}" cy="{y:.1f}" r="7" fill="#005eb8"/>'
        )
    parts.append("</svg>")
    # Every value in it is a number or escaped above.
    return Markup("".join(parts))  # noqa: S704
