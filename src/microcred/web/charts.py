"""Cumulative cost charts: inline SVG drawn on the server (no script, no library).

``cost_chart(series, ...)`` draws one line per series of cumulative amounts (one value per
month, month 1 first) as a staircase: an amount paid in a month raises the line at the
start of that month, so a one-time fee is one step and a subscription climbs month by month.
Lines differ by colour (``.cost-series-<i>`` in the stylesheet) and by dash pattern, so they
can be told apart without colour; the legend, axis labels and tick labels are SVG text,
escaped. ``changes(series)`` gives the same numbers as table rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 16, 48
LEGEND_ROW = 18
DASHES = ("", "8 4", "2 4", "10 4 2 4")  # one per series (at most four are compared)
MAX_X_TICKS = 12


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]  # cumulative amount at the end of month 1, 2, ...


def nice_step(top: float, steps: int = 4) -> float:
    """A grid step of 1, 2, 2.5 or 5 times a power of ten such that ``steps`` of them reach
    ``top`` (1 for nothing to show)."""
    if top <= 0 or not math.isfinite(top):
        return 1.0
    raw = top / steps
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw - 1e-9:
            return m * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def x_step(months: int) -> int:
    """Months between x-axis labels: at most ``MAX_X_TICKS`` labels."""
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240, 600):
        if months / step <= MAX_X_TICKS:
            return step
    return max(1, math.ceil(months / MAX_X_TICKS))


def amount(value: float) -> str:
    """An axis label: whole numbers with thousands separators, else two decimals."""
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def staircase(values: Sequence[float]) -> list[tuple[float, float]]:
    """(month, amount) corners: 0 before month 1, each month's value from its start."""
    points: list[tuple[float, float]] = [(0.0, 0.0)]
    previous = 0.0
    for i, v in enumerate(values):
        if v != previous:
            points.append((float(i), v))
        points.append((float(i + 1), v))
        previous = v
    return points


def cost_chart(
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    x_label: str = "Months from the start",
    chart_id: str = "cost-chart",
) -> Markup:
    """An SVG line chart of ``series`` (cumulative amounts per month) with a legend."""
    months = max((len(s.values) for s in series), default=0) or 1
    top_value = max((max(s.values) for s in series if len(s.values)), default=0.0)
    step = nice_step(top_value)
    top = step * max(1, math.ceil(top_value / step - 1e-9)) if top_value > 0 else 4 * step
    legend_h = LEGEND_ROW * len(series) + 6
    height = HEIGHT + legend_h
    plot_top = TOP + legend_h
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - plot_top - BOTTOM

    def x(month: float) -> float:
        return LEFT + plot_w * month / months

    def y(v: float) -> float:
        return plot_top + plot_h * (1 - v / top)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    names = "; ".join(s.label for s in series)
    parts = [
        f'<svg class="chart cost-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(y_label)} over {months} months: '
        f"{escape(names)}. The same numbers are in the table below.</desc>",
    ]
    # legend: a short line in each series' colour and dash, and its label
    for i, s in enumerate(series):
        ly = TOP + LEGEND_ROW * i + 8
        parts.append(
            f'<g class="legend-item cost-series-{i % len(DASHES)}">'
            f'<line x1="{LEFT}" x2="{LEFT + 28}" y1="{ly}" y2="{ly}" stroke="currentColor" '
            f'stroke-width="3"{_dash(i)}/>'
            f'<text class="chart-legend" x="{LEFT + 36}" y="{ly + 4}">{escape(s.label)}</text>'
            "</g>"
        )
    # y grid and labels
    ticks = round(top / step)
    for g in range(ticks + 1):
        value = step * g
        gy = y(value)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{gy:.1f}" y2="{gy:.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 8}" y="{gy + 4:.1f}" '
            f'text-anchor="end">{escape(amount(value))}</text>'
        )
    # x labels
    every = x_step(months)
    for m in range(0, months + 1, every):
        parts.append(
            f'<text class="chart-axis" x="{x(m):.1f}" y="{height - BOTTOM + 18}" '
            f'text-anchor="middle">{m}</text>'
        )
    parts.append(
        f'<text class="chart-axis-label" x="{LEFT + plot_w / 2:.1f}" y="{height - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
        f'<text class="chart-axis-label" x="14" y="{plot_top + plot_h / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 14 {plot_top + plot_h / 2:.1f})">'
        f"{escape(y_label)}</text>"
    )
    # the lines
    for i, s in enumerate(series):
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in staircase(s.values))
        last = s.values[-1] if len(s.values) else 0.0
        parts.append(
            f'<g class="series cost-series cost-series-{i % len(DASHES)}">'
            f'<polyline class="cost-line" fill="none" stroke="currentColor" stroke-width="2.5" '
            f'stroke-linejoin="round"{_dash(i)} points="{points}">'
            f"<title>{escape(s.label)}: {escape(amount(last))} after {len(s.values)} months"
            "</title></polyline></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only


def _dash(i: int) -> str:
    dash = DASHES[i % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def changes(series: Sequence[Sequence[float]]) -> list[tuple[int, list[float]]]:
    """Table rows ``(month, [value per series])``: the first month, every month in which a
    value changes, and the last month (the months in between repeat the row above)."""
    months = max((len(s) for s in series), default=0)

    def at(s: Sequence[float], m: int) -> float:
        if not len(s):
            return 0.0
        return s[min(m, len(s)) - 1]

    rows: list[tuple[int, list[float]]] = []
    previous: list[float] | None = None
    for m in range(1, months + 1):
        row = [at(s, m) for s in series]
        if previous is None or row != previous or m == months:
            rows.append((m, row))
        previous = row
    return rows
