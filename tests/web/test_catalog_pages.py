"""The catalog pages: search form, filters, facets, pages, the program page, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.catalog_programs import CATALOG, XSS, fillers, import_catalog

HTML = {"accept": "text/html"}


@pytest.fixture
def ids(app: Any, client: Any) -> dict[str, str]:
    return import_catalog(app.state.engine)


class Page(HTMLParser):
    """The links, program cards, result count and script sources of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.cards: list[str] = []  # program names in result order
        self.scripts: list[dict[str, str | None]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._in_name = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a":
            self._href, self._text = a.get("href") or "", []
        if tag == "h2" and a.get("class") == "program-name":
            self._in_name, self._name = True, []
        if tag == "script":
            self.scripts.append(a)

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._in_name:
            self._name.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        if tag == "h2" and self._in_name:
            self.cards.append("".join(self._name).strip())
            self._in_name = False

    def link(self, text: str) -> str:
        return next(h for h, t in self.links if t == text)


def count(html: str) -> int:
    m = re.search(r'id="result-count">(\d+) program', html)
    assert m, "no result count"
    return int(m.group(1))


def test_catalog_lists_programs_with_their_facts(client: Any, ids: dict[str, str]) -> None:
    response = client.get("/catalog")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    page = Page(html)
    assert count(html) == len(CATALOG)
    assert page.cards == sorted(p.name for p in CATALOG)
    card = html[html.index(f'data-program-id="{ids["P1"]}"') :]
    card = card[: card.index("</li>\n          \n")] if "</li>\n          \n" in card else card
    for text in (
        "Acme College",
        "University or college",
        "Micro-credential",
        "40 h · 4–6 weeks",
        "Online",
        "≈ CA$1,100 (CAD) at 5 h/week",
        "Verifiable (Open Badges 3.0)",
        "Sample data as of 1 October 2026",
    ):
        assert text in card, text
    assert "PDF only" in html and "Open Badges 2.0" in html and "No proof" in html
    assert "Proof not stated" in html  # Welding Basics
    # a compare checkbox per result, in a GET form to /catalog/compare with ids repeated
    assert 'action="/catalog/compare"' in html
    assert html.count('name="ids"') == len(CATALOG)
    assert f'value="{ids["P1"]}"' in html
    # the page's script is the site's own file, never inline
    assert page.scripts and all(s.get("src", "").startswith("/static/") for s in page.scripts)
    # the navigation links to it
    assert ("/catalog", "Catalog") in page.links


def test_form_filters_and_words(client: Any, ids: dict[str, str]) -> None:
    html = client.get("/catalog", params={"q": "data", "provider_type": "online_platform"}).text
    assert set(Page(html).cards) == {f"{XSS} Data Safety", "Data Visualisation"}
    assert 'value="data"' in html  # the form keeps what was asked
    assert '<option value="online_platform" selected>' in html
    html = client.get("/catalog", params={"funding": "true"}).text
    assert Page(html).cards == ["Data Analytics Foundations"]
    assert 'name="funding" type="checkbox" value="true" checked' in html
    html = client.get("/catalog", params={"max_cost": "150", "max_weeks": "8"}).text
    assert "Data Analytics Foundations" not in Page(html).cards
    assert "Cloud Practitioner" not in Page(html).cards
    # empty form fields (what a GET form sends) filter nothing
    empty = {k: "" for k in ("q", "topic", "skill", "provider_type", "format", "max_cost")}
    assert count(client.get("/catalog", params=empty).text) == len(CATALOG)


def test_facet_links_add_the_filter_and_active_filters_remove(
    client: Any, ids: dict[str, str]
) -> None:
    html = client.get("/catalog", params={"q": "data"}).text
    page = Page(html)
    assert count(html) == 3
    facet = re.search(
        r'<a href="([^"]+)">Online platform</a>\s*<span class="facet-count">(\d+)</span>', html
    )
    assert facet, "no provider-type facet link"
    href = facet.group(1).replace("&amp;", "&")
    assert int(facet.group(2)) == 2
    assert parse_qs(urlsplit(href).query) == {"q": ["data"], "provider_type": ["online_platform"]}
    narrowed = client.get(href).text
    assert count(narrowed) == 2
    # the active filter shows, with a link that removes it (and keeps the others)
    assert "Provider type: Online platform" in narrowed
    remove = Page(narrowed).links
    removes = [h for h, _ in remove if "provider_type" not in h and h.startswith("/catalog?")]
    assert "/catalog?q=data" in removes
    # a zero-count facet value is not offered
    assert "Employer or vendor" not in html.split('class="facets"')[1].split("</aside>")[0]
    # credential type counts are shown too
    assert re.search(r"Micro-credential</span>\s*<span class=\"facet-count\">3<", html)
    assert page.links  # sanity


def test_pagination(app: Any, client: Any, ids: dict[str, str]) -> None:
    import_catalog(app.state.engine, fillers(25))
    html = client.get("/catalog").text
    assert count(html) == 30
    assert "page 1 of 2" in html
    assert len(Page(html).cards) == 20
    nxt = Page(html).link("Next →")
    assert parse_qs(urlsplit(nxt).query) == {"page": ["2"]}
    second = client.get(nxt).text
    assert len(Page(second).cards) == 10
    assert "page 2 of 2" in second
    assert Page(second).link("← Previous") == "/catalog"
    assert set(Page(html).cards).isdisjoint(Page(second).cards)
    # filters are kept across pages
    html = client.get("/catalog", params={"topic": "filler"}).text
    assert "topic=filler" in Page(html).link("Next →")


def test_empty_state(client: Any, ids: dict[str, str]) -> None:
    html = client.get("/catalog", params={"q": "underwater basket weaving"}).text
    assert count(html) == 0
    assert "No program matches." in html
    assert "compare-form" not in html


def test_empty_catalog(client: Any) -> None:
    response = client.get("/catalog")
    assert response.status_code == 200
    assert "No program matches." in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"max_cost": "cheap"}, "Max cost: give an amount of 0 or more."),
        ({"max_cost": "-5"}, "Max cost: give an amount of 0 or more."),
        ({"max_weeks": "-1"}, "Max weeks: give a whole number"),
        ({"format": "carrier_pigeon"}, "Format: choose one of online, hybrid, in_person."),
        ({"provider_type": "x"}, "Provider type: choose one of"),
        ({"proof": "ob4"}, "Proof: choose one of"),
        ({"funding": "Yes Please"}, "Funding:"),
        ({"page": "0"}, "Page: give a page number"),
        ({"page": "two"}, "Page: give a page number"),
    ],
)
def test_bad_filter_values_show_a_message_not_an_error_page(
    client: Any, ids: dict[str, str], params: dict[str, str], message: str
) -> None:
    response = client.get("/catalog", params={"q": "data", **params}, headers=HTML)
    assert response.status_code == 400
    html = response.text
    assert 'id="filter-problems"' in html
    assert message in html
    assert "error-page" not in html
    assert count(html) == 3  # the good filters still apply
    assert 'aria-invalid="true"' in html or "page" in params


def test_program_page_shows_everything(client: Any, ids: dict[str, str]) -> None:
    response = client.get(f"/catalog/programs/{ids['P1']}")
    assert response.status_code == 200
    html = response.text
    for text in (
        "Data Analytics Foundations",
        "Acme College",
        "University or college",
        "Ministry of Colleges",
        "Yes, a recognised post-secondary institution",
        "Micro-credential",
        "Cleans tabular data with spreadsheets",
        "40 hours (1.5 ECTS)",
        "Level 5",
        "A final project, graded by an instructor",
        "online, supervised",
        "Internal review by the college senate",
        "Basic spreadsheet use",
        "Stacks into the Data Analyst certificate",
        "DA-CERT",
        "DA-101",
        "15-2051.00",
        "data analysis",
        "4–6 weeks",
        "5 h/week",
        "In a cohort",
        "11 January 2027",
        "5 April 2027",
        "Online",
        "English (en)",
        "Per course: CA$300 (CAD) × 3 courses",
        "Exam fee: CA$150 (CAD)",
        "Exam retake: CA$75 (CAD) each time",
        "Renewal: CA$50 (CAD) every 2 years",
        "≈ CA$1,100 (CAD) at 5 h/week",
        "Eligible for SkillsFuture Credit (Singapore)",
        "Employer sponsorship available",
        "Verifiable (Open Badges 3.0)",
        "Valid for 2 years",
        "Complete 10 hours of continuing education",
        "Endorsed by the Data Employers Council",
        "1 March 2026",
        "8 in 10 hiring managers know it",
        "Hiring survey 2026",
        "Sample data as of 1 October 2026",
    ):
        assert text in html, text
    page = Page(html)
    assert page.link("Work out my cost") == f"/cost?program={ids['P1']}"
    compare = urlsplit(page.link("Compare"))
    assert compare.path == "/catalog/compare"
    assert parse_qs(compare.query) == {"ids": [ids["P1"]]}
    # http(s) data becomes links; the skill URI is a link (its text: a label or the URI)
    hrefs = {h for h, _ in page.links}
    assert "https://acme.example.edu" in hrefs
    assert "https://acme.example.edu/programs/data-analyst" in hrefs
    assert "https://council.example.org/endorsements" in hrefs
    assert "http://data.europa.eu/esco/skill/analyse-data" in hrefs


def test_program_page_of_another_kind(client: Any, ids: dict[str, str]) -> None:
    html = client.get(f"/catalog/programs/{ids['P4']}").text
    assert "Monthly subscription: US$20 (USD) a month" in html
    assert "Open Badges 2.0" in html
    assert "No funding eligibility stated." in html
    html = client.get(f"/catalog/programs/{ids['P2']}").text
    assert "Exam fee: US$300 (USD)" in html
    assert "PDF only" in html
    assert "Certification" in html


def test_markup_in_program_data_is_escaped(client: Any, ids: dict[str, str]) -> None:
    for url in ("/catalog", f"/catalog/programs/{ids['P5']}", "/catalog?q=safety"):
        html = client.get(url).text
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
    html = client.get(f"/catalog/programs/{ids['P5']}").text
    # a non-http(s) "URL" in the data is shown as text, never as a link
    assert 'href="javascript:' not in html
    assert "javascript:alert(3)" in html and "javascript:alert(4)" in html
    # search words with markup are echoed escaped
    html = client.get("/catalog", params={"q": '"><script>alert(5)</script>'}).text
    assert "<script>alert(5)" not in html


def test_unknown_program_is_the_404_page(client: Any, ids: dict[str, str]) -> None:
    response = client.get("/catalog/programs/nope", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "error-page" in response.text
    assert "There is no catalog program" in response.text


def test_skill_and_occupation_labels_from_the_curated_source(
    client: Any, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from microcred.web import catalog_view

    skill_uri = "http://data.europa.eu/esco/skill/analyse-data"

    class Source:
        def skill(self, uri: str) -> Any:
            return (
                SimpleNamespace(uri=uri, label="<b>analyse data</b>") if uri == skill_uri else None
            )

        def occupation(self, query: str) -> Any:
            # like the curated source, a near match by words: not this program's occupation
            return SimpleNamespace(uri="https://x.example/o/1", code="15-2099.01", label="Wrong")

    monkeypatch.setattr(catalog_view, "_curated", lambda: Source())
    html = client.get(f"/catalog/programs/{ids['P1']}").text
    assert (
        f'<a href="{skill_uri}" rel="noopener noreferrer">&lt;b&gt;analyse data&lt;/b&gt;</a>'
        in html
    )
    assert "Wrong" not in html and "15-2051.00" in html

    class Exact(Source):
        def occupation(self, query: str) -> Any:
            return SimpleNamespace(
                uri="https://x.example/o/2", code="15-2051.00", label="Data Scientists"
            )

    monkeypatch.setattr(catalog_view, "_curated", lambda: Exact())
    html = client.get(f"/catalog/programs/{ids['P1']}").text
    assert "Data Scientists (15-2051.00)" in html


def test_labels_without_a_skills_source(
    client: Any, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcred.web import catalog_view

    monkeypatch.setattr(catalog_view, "_curated", lambda: None)
    html = client.get(f"/catalog/programs/{ids['P1']}").text
    uri = "http://data.europa.eu/esco/skill/analyse-data"
    assert f'<a href="{uri}" rel="noopener noreferrer">{uri}</a>' in html
    assert "15-2051.00" in html
