"""The dashboard's chart: an inline SVG line chart drawn on the server (no script, no
library). Colours come from the stylesheet (``.series-<kind>``), so it follows the dark
theme; every text is escaped, though only numbers and dates are drawn.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 14, 36


def nice_max(value: int) -> int:
    """The top of the y axis: four grid steps of 1, 2 or 5 times a power of ten, reaching
    ``value`` (at least 4)."""
    step, i = 1, 0
    while step * 4 < value:
        step = int(step * (2, 2.5, 2)[i % 3])  # 1, 2, 5, 10, 20, 50, 100, ...
        i += 1
    return step * 4


def _label(week: datetime) -> str:
    return f"{week.day} {week.strftime('%b')}"


def line_chart(
    weeks: list[datetime], series: dict[str, list[int]], *, title: str, labels: dict[str, str]
) -> Markup:
    """An SVG of ``series`` (kind -> one count per week) over ``weeks``."""
    top = nice_max(max((max(v) for v in series.values() if v), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(weeks), 2)

    def x(i: int) -> float:
        return LEFT + plot_w * i / (n - 1)

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for g in range(5):  # grid lines and y labels
        value = top * g // 4
        gy = y(value)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{gy:.1f}" y2="{gy:.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 8}" y="{gy + 4:.1f}" '
            f'text-anchor="end">{value}</text>'
        )
    for i, week in enumerate(weeks):
        parts.append(
            f'<text class="chart-axis" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 20}" '
            f'text-anchor="middle">{escape(_label(week))}</text>'
        )
    for kind, values in series.items():
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<g class="series series-{escape(kind)}">')
        parts.append(f'<polyline fill="none" stroke-width="2.5" points="{points}"/>')
        for i, v in enumerate(values):
            tip = f"{labels.get(kind, kind)}, week of {_label(weeks[i])}: {v}"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5">'
                f"<title>{escape(tip)}</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text only
