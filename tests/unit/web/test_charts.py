"""The cumulative cost chart: an SVG string with one staircase per series, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from microcred.web.charts import Series, changes, cost_chart, nice_step, staircase, x_step

SVG = "{http://www.w3.org/2000/svg}"


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(a), float(b)) for a, b in (p.split(",") for p in polyline.get("points", "").split())
    ]


def test_one_polyline_per_series_with_legend_and_axis_labels():
    svg = cost_chart(
        [Series("Subscription", [49, 98, 147]), Series("One-time", [300, 300, 300])],
        title="Cumulative cost",
        y_label="Cumulative cost (USD)",
    )
    root = ET.fromstring(str(svg))  # well-formed XML
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Subscription" in texts and "One-time" in texts  # the legend
    assert "Months from the start" in texts and "Cumulative cost (USD)" in texts
    assert "300" in texts  # a y tick reaches the highest value
    assert root.find(f"{SVG}title").text == "Cumulative cost"
    # told apart without colour: the second line is dashed
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")


def test_subscription_climbs_and_one_time_is_one_step():
    svg = cost_chart(
        [Series("sub", [49, 98, 147]), Series("once", [300, 300, 300])], title="t", y_label="y"
    )
    sub, once = ET.fromstring(str(svg)).findall(f".//{SVG}polyline")
    ys_sub = sorted({y for _, y in _points(sub)})
    ys_once = sorted({y for _, y in _points(once)})
    assert len(ys_sub) == 4  # 0, 49, 98, 147: a step each month
    assert len(ys_once) == 2  # 0 and 300: one step


def test_staircase_corners():
    assert staircase([10, 10, 25]) == [(0, 0), (0, 10), (1, 10), (2, 10), (2, 25), (3, 25)]
    assert staircase([]) == [(0.0, 0.0)]


def test_labels_are_escaped():
    svg = str(
        cost_chart([Series('<script>alert("x")</script> & co', [1, 2])], title="<b>", y_label="a<")
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; co" in svg
    ET.fromstring(svg)


def test_empty_and_zero_series_do_not_break():
    for series in ([], [Series("nothing", [])], [Series("free", [0, 0, 0])]):
        svg = str(cost_chart(series, title="t", y_label="y"))
        ET.fromstring(svg)
        assert "nan" not in svg.lower() and "inf" not in svg.lower()


def test_nice_steps_and_ticks():
    assert nice_step(441) == 200  # 441 / 4 = 110.25 -> 200
    assert nice_step(1100) == 500
    assert nice_step(100) == 25
    assert nice_step(0) == 1
    assert x_step(12) == 1 and x_step(45) == 6 and x_step(400) == 60


def test_changes_lists_months_where_something_changes():
    rows = changes([[49, 98, 98, 98], [300, 300, 300, 300]])
    assert rows == [(1, [49, 300]), (2, [98, 300]), (4, [98, 300])]
    assert changes([]) == []
    assert changes([[5], [1, 2]]) == [(1, [5, 1]), (2, [5, 2])]  # a short series holds its last


def test_chart_ids_are_attributes_not_markup():
    svg = str(cost_chart([Series("a", [1])], title="t", y_label="y", chart_id='x" onload="y'))
    assert 'onload="y' not in svg
    assert re.search(r'id="x&#34; onload=&#34;y"', svg)
