"""The learner's pages: the cost calculator, the comparison and the advisor (GET forms,
server-rendered charts, escaped text, errors as messages)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.advice_programs import ONTARIO, XSS, import_advice_catalog

HTML = {"accept": "text/html"}


@pytest.fixture
def ids(app: Any, client: Any) -> dict[str, str]:
    return import_advice_catalog(app.state.engine)


class Page(HTMLParser):
    """Links, table rows (cell texts), inputs, scripts and inline styles of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.rows: list[list[str]] = []
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.styled: list[str] = []
        self.svgs = 0
        self.polylines = 0
        self._href: str | None = None
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a or tag == "style":
            self.styled.append(tag)
        if tag == "a":
            self._href, self._text = a.get("href") or "", []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("input", "select") and a.get("name"):
            self.inputs.setdefault(str(a["name"]), a)
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "svg":
            self.svgs += 1
        elif tag == "polyline":
            self.polylines += 1

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def row(self, first: str) -> list[str]:
        return next(r for r in self.rows if r and r[0] == first)

    def link(self, text: str) -> str:
        return next(h for h, t in self.links if t == text)


def _get(client: Any, path: str, params: Any = None, status: int = 200) -> tuple[str, Page]:
    r = client.get(path, params=params, headers=HTML)
    assert r.status_code == status, r.text[:2000]
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page = Page(r.text)
    # nothing inline: the CSP allows scripts and styles from the site only
    assert all(s.get("src") for s in page.scripts)
    assert page.styled == []
    return r.text, page


def _svg(html: str, chart_id: str) -> ET.Element:
    m = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.DOTALL)
    assert m, f"no #{chart_id} chart"
    return ET.fromstring(m.group(0))


# ---- /cost --------------------------------------------------------------------------------
def test_cost_form_without_a_program(client):
    html, page = _get(client, "/cost")
    for name in (
        "price",
        "monthly",
        "hours",
        "exam_fee",
        "institution_type",
        "weeks",
        "jurisdiction",
        "age",
        "income",
        "hours_per_week",
        "ctc_years",
    ):
        assert name in page.inputs, name
    assert 'action="/cost"' in html and 'method="get"' in html
    assert "Your cost" not in html  # nothing worked out before the learner says where


@pytest.mark.parametrize(("pace", "total", "months"), [("5", "441.00", "9"), ("10", "245.00", "5")])
def test_manual_subscription(client, pace, total, months):
    params = {
        "monthly": "49",
        "hours": "180",
        "hours_per_week": pace,
        "jurisdiction": "US",
        "tax_year": "2026",
    }
    html, page = _get(client, "/cost", params)
    assert page.row("Gross cost") == ["Gross cost", f"{total} USD"]
    assert page.row("Months of subscription billed") == ["Months of subscription billed", months]
    assert (
        f"{total} USD"
        in page.row("Net cost (after grants and tax credits; loans must be repaid)")[1]
    )
    # the values stay in the form
    assert page.inputs["monthly"]["value"] == "49"
    assert page.inputs["hours_per_week"]["value"] == pace


def test_catalog_program_cost_for_the_ontario_learner(client, ids):
    params = {"program": ids["ON"], **ONTARIO, "start": "2026-12-01"}
    html, page = _get(client, "/cost", params)
    assert "What SQL and Python for Analysts really costs you" in html
    assert page.row("Canada Training Credit")[1:4] == [
        "375.00 CAD",
        "back with your tax return",
        "yes",
    ]
    tuition = next(r for r in page.rows if r[0].startswith("Federal tuition tax credit"))
    assert tuition[1:4] == ["52.50 CAD", "back with your tax return", "yes"]
    osap = next(r for r in page.rows if r[0].startswith("OSAP"))
    assert osap[1:4] == ["750.00 CAD", "loan: to repay", "yes"]
    assert page.row("Gross cost") == ["Gross cost", "750.00 CAD"]
    assert "322.50 CAD" in page.row("Net cost (after grants and tax credits; loans must be repaid)")
    assert page.row("Loans (to repay)") == ["Loans (to repay)", "750.00 CAD"]
    assert page.row("Back later with your tax return")[1] == "427.50 CAD"
    # a funding source with a URL is a link
    assert any(h.startswith("https://") and "canada" in h.lower() for h, _ in page.links)
    # the warnings come first, prominently
    assert html.index('id="warnings"') < html.index('id="result"')
    assert "Sample data as of 2026-10-01" in html
    # the chart is an inline SVG (two lines: billed and cash) with its numbers in a table
    svg = _svg(html, "cost-chart")
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) == 2
    assert page.row("1") == ["1", "750.00 CAD", "0.00 CAD"]  # OSAP lends it all up front
    assert "Tax credits come back in month 6" in html
    # the learner's choices stay in the form, with the program
    assert page.inputs["program"]["value"] == ids["ON"]
    assert page.inputs["age"]["value"] == "30"


def test_program_cost_form_before_the_learner_says_where(client, ids):
    html, page = _get(client, "/cost", {"program": ids["SUB"]})
    assert "Monthly subscription: CA$49 (CAD) a month" in html  # the program's cost lines
    assert "price" not in page.inputs  # the catalog's costs, not typed ones
    assert page.inputs["program"]["value"] == ids["SUB"]


def test_cost_page_errors_name_the_field(client, ids):
    html, _ = _get(client, "/cost", {"jurisdiction": "US", "age": "abc", "price": "-4"}, 400)
    assert "Age: Input should be a valid integer" in html
    assert "Price: Input should be greater than or equal to 0" in html
    html, _ = _get(client, "/cost", {"jurisdiction": "US", "monthly": "49"}, 400)
    assert "a monthly price needs hours" in html
    html, _ = _get(client, "/cost", {"jurisdiction": "Narnia"}, 400)
    assert "Where you live: choose a place from the list." in html
    html, _ = _get(
        client, "/cost", {"jurisdiction": "CA", "ctc_years": "1", "ctc_balance": "5"}, 400
    )
    assert "not both" in html
    html, _ = _get(client, "/cost", {"program": "nope", "jurisdiction": "US"}, 404)
    assert "There is no catalog program &#39;nope&#39;." in html


def test_cost_page_escapes_program_text(client, ids):
    html, _ = _get(client, "/cost", {"program": ids["XSS"], "jurisdiction": "CA-ON"})
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Data Safety" in html


def test_catalog_program_page_links_to_the_cost_page(client, ids):
    r = client.get(f"/catalog/programs/{ids['ON']}", headers=HTML)
    assert f'href="/cost?program={ids["ON"]}"' in r.text
    assert client.get(f"/cost?program={ids['ON']}", headers=HTML).status_code == 200


# ---- /catalog/compare ---------------------------------------------------------------------
def test_compare_two_programs(client, ids):
    params = [("ids", ids["ON"]), ("ids", ids["SUB"]), *ONTARIO.items(), ("hours_per_week", "5")]
    html, page = _get(client, "/catalog/compare", params)
    head = next(r for r in page.rows if "SQL and Python for Analysts" in r)
    assert head[1:] == ["SQL and Python for Analysts", "Spreadsheets and SQL at Work"]
    assert page.row("Provider") == [
        "Provider",
        "Lakeshore College · University or college",
        "Learnly · Online platform",
    ]
    assert page.row("Gross cost") == [
        "Gross cost",
        "750.00 CAD",
        "441.00 CAD subscription, 9 months",
    ]
    assert page.row("Time at your pace") == [
        "Time at your pace",
        "8 weeks at 5 h/week",
        "36 weeks at 5 h/week",
    ]
    funding = page.row("Funding that applies")
    assert "Canada Training Credit: 375.00 CAD (back with your tax return)" in funding[1]
    assert "loan: to repay" in funding[1]
    assert page.row("Net cost")[1].startswith("322.50 CAD")
    assert "A subscription keeps charging" in page.row("Warnings")[2]
    # the chart: one line per program, a legend, axis labels; its numbers in a table
    svg = _svg(html, "compare-chart")
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}polyline")) == 2
    texts = {t.text for t in svg.iter(f"{ns}text")}
    assert {"SQL and Python for Analysts", "Spreadsheets and SQL at Work"} <= texts
    assert "Months from the start" in texts and "Cumulative cost (CAD)" in texts
    assert page.row("1")[1:] == ["750.00 CAD", "0.00 CAD", "49.00 CAD", "49.00 CAD"]
    assert page.row("9")[3] == "441.00 CAD"
    # each column links to the cost page with the learner's fields
    cost = urlsplit(page.link("Cost in detail"))
    q = parse_qs(cost.query)
    assert cost.path == "/cost" and q["program"] == [ids["ON"]] and q["age"] == ["30"]


def test_compare_without_a_learner_still_compares(client, ids):
    html, page = _get(client, "/catalog/compare", [("ids", ids["ON"]), ("ids", ids["US"])])
    assert 'id="funding-notice"' in html
    assert "No funding program applies" not in html
    assert "Prices are in CAD, USD: they are shown as they are, not converted." in html
    assert page.row("Gross cost")[1:] == ["750.00 CAD", "300.00 USD"]


@pytest.mark.parametrize(
    ("picked", "status", "message"),
    [
        (["ON"], 400, "pick 2 to 4 programs to compare (you picked 1)"),
        (["ON", "SUB", "US", "XSS", "WELD"], 400, "(you picked 5)"),
        ([], 400, "(you picked 0)"),
        (["ON", "ON"], 400, "the same program is picked twice"),
        (["ON", "nope"], 404, "no program with id &#39;nope&#39; in the catalog"),
    ],
)
def test_compare_errors_are_messages(client, ids, picked, status, message):
    params = [("ids", ids.get(p, p)) for p in picked]
    html, _ = _get(client, "/catalog/compare", params, status)
    assert message in html
    assert "Traceback" not in html


def test_compare_one_program_offers_to_add_another(client, ids):
    html, page = _get(client, "/catalog/compare", [("ids", ids["ON"])], 400)
    assert "Picked: " in html and "SQL and Python for Analysts" in html
    assert page.inputs["ids"]["value"] == ids["ON"]  # kept, hidden
    assert 'id="add-ids"' in html and ids["SUB"] in html


def test_compare_escapes_program_text(client, ids):
    html, _ = _get(client, "/catalog/compare", [("ids", ids["XSS"]), ("ids", ids["ON"])])
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Data Safety" in html


# ---- /advisor -----------------------------------------------------------------------------
def test_advisor_form(client):
    html, page = _get(client, "/advisor")
    assert 'list="occupations"' in html and '<option value="Data Scientists">' in html
    for name in ("goal", "have", "budget", "format", "jurisdiction", "age", "income"):
        assert name in page.inputs


def test_advisor_ranks_programs_with_reasons(client, ids):
    params = {"goal": "data scientist", "have": "python", **ONTARIO, "hours_per_week": "5"}
    html, page = _get(client, "/advisor", params)
    assert "For Data Scientists" in html
    gap = re.findall(r'<li class="skill[^"]*"[^>]*>([^<]+)', html)
    assert "SQL" in [g.strip() for g in gap]
    assert "Python (computer programming)" not in [g.strip() for g in gap]
    names = re.findall(r'<h3 class="rec-name"><a href="[^"]+">([^<]+)</a>', html)
    assert names[0] == "SQL and Python for Analysts"
    assert "Welding" not in names
    assert '<ul class="reasons"' in html and "Covers " in html
    assert "score " in html and "Net 322.50 CAD" in html
    # links: the program, its cost with the learner's fields, and "compare these"
    cost = parse_qs(urlsplit(page.link("My cost in detail")).query)
    assert cost["program"] == [ids["ON"]] and cost["jurisdiction"] == ["CA-ON"]
    assert cost["hours_per_week"] == ["5"]
    assert page.link("The program") == f"/catalog/programs/{ids['ON']}"
    compare = urlsplit(page.link(f"Compare these {min(4, len(names))}"))
    assert compare.path == "/catalog/compare"
    assert parse_qs(compare.query)["ids"][0] == ids["ON"]
    assert XSS not in html  # program text is escaped


def test_advisor_unknown_goal_names_the_nearest(client, ids):
    html, page = _get(client, "/advisor", {"goal": "zzqx", "jurisdiction": "US"}, 400)
    assert "Goal: no occupation or skill matches" in html
    html, page = _get(
        client, "/advisor", {"goal": "scientist qqq rrr sss ttt", "jurisdiction": "US"}, 400
    )
    assert "did you mean Data Scientists?" in html
    near = urlsplit(page.link("Data Scientists"))  # asks again with that goal
    assert near.path == "/advisor"
    assert parse_qs(near.query) == {"goal": ["Data Scientists"], "jurisdiction": ["US"]}


def test_advisor_bad_fields_are_named(client):
    html, _ = _get(client, "/advisor", {"goal": "data", "budget": "-1", "format": "zoom"}, 400)
    assert "Budget: Input should be greater than or equal to 0" in html
    assert "Format: choose online, hybrid or in person." in html


def test_nav_links_to_the_advisor(client):
    _, page = _get(client, "/advisor")
    assert page.link("Advisor") == "/advisor"
