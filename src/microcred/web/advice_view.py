"""How a quote, a comparison and advice read on the learner's pages.

Pure functions from the advisor's values (``Quote``, ``ManualQuote``, ``Comparison``,
``Advice``) to display strings and small dicts the templates lay out; Jinja escapes every
string. A rule's source becomes a link only when its URL is ``http(s)://``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from markupsafe import Markup

from microcred.advisor.cost import GrossCost
from microcred.advisor.funding import FundingLine, NetCost
from microcred.advisor.quote import Caveat, Comparison
from microcred.catalog.model import Program
from microcred.web import catalog_view as cv
from microcred.web.charts import Series, changes, cost_chart

TIMING_WORDS = {
    "up_front": "paid up front",
    "later": "back with your tax return",
    "loan": "loan: to repay",
    "tax_free": "tax-free",
}
JURISDICTIONS = {
    "CA-ON": "Canada: Ontario",
    "CA-BC": "Canada: British Columbia",
    "CA": "Canada: another province or territory",
    "US": "United States",
    "SG": "Singapore",
    "UK-ENG": "United Kingdom: England",
    "OTHER": "Somewhere else",
}
INSTITUTION_LABELS = {
    "public_college": "Public college",
    "university": "University",
    "indigenous_institute": "Indigenous institute",
    "certified": "Certified institution (e.g. ESDC-certified)",
    "private": "Private provider",
    "platform": "Online platform",
}
RESIDENCY_LABELS = {
    "citizen": "Citizen",
    "permanent_resident": "Permanent resident",
    "protected_person": "Protected person",
    "other": "Other",
}
MONTH_TABLE_NOTE = "Only the months in which an amount changes are listed."
_SOURCE = re.compile(r"^(?P<title>.*?)\s*<(?P<url>[^<>\s]+)>\s*$", re.DOTALL)


def money(x: float, currency: str) -> str:
    return f"{x:,.2f} {currency}"


def source_link(source: str) -> dict[str, str | None]:
    """A rule's ``"Title <URL>"`` as its text and, when http(s), its link."""
    m = _SOURCE.match(source or "")
    if m is None:
        return {"text": source, "href": None}
    url = m.group("url")
    href = cv.http_url(url)
    title = m.group("title") or url
    return {"text": title if href else source, "href": href}


def funding_row(ln: FundingLine, currency: str) -> dict[str, Any]:
    src = source_link(ln.source)
    return {
        "program": ln.program,
        "amount": money(ln.amount, ln.currency or currency),
        "timing": TIMING_WORDS.get(ln.timing, ln.timing.replace("_", " ")),
        "timing_code": ln.timing,
        "applies": ln.applies,
        "reason": ln.reason,
        "source": src["text"],
        "source_href": src["href"],
        "status": ln.status,
    }


def gross_rows(g: GrossCost) -> list[tuple[str, str]]:
    cur = g.currency
    rows = [("Tuition and fees", money(g.tuition, cur))]
    if g.exam:
        rows.append(("Exam fees (with retakes)", money(g.exam, cur)))
    if g.renewals:
        times = "once" if g.renewal_count == 1 else f"{g.renewal_count} times"
        rows.append((f"Renewals ({times} in {g.horizon_years} years)", money(g.renewals, cur)))
    if g.months:
        rows.append(("Months of subscription billed", str(g.months)))
    if g.weeks:
        rows.append(("Weeks of study", str(g.weeks)))
    rows.append(("Gross cost", money(g.total, cur)))
    return rows


def net_rows(n: NetCost) -> list[tuple[str, str, str]]:
    """(key, label, amount): the summary under the funding lines."""
    cur = n.currency
    return [
        ("net", "Net cost (after grants and tax credits; loans must be repaid)", money(n.net, cur)),
        ("cash", "Cash up front (before any credit comes back)", money(n.cash_up_front, cur)),
        ("grants", "Covered up front (grants, employer, tax-free)", money(n.grants_up_front, cur)),
        ("later", "Back later with your tax return", money(n.recovered_later, cur)),
        ("loans", "Loans (to repay)", money(n.loans, cur)),
    ]


def quote_view(
    *,
    currency: str,
    gross: GrossCost,
    funding: Sequence[FundingLine],
    net: NetCost,
    cash: Sequence[float],
    refund_month: int | None,
    warnings: Sequence[Caveat] = (),
    title: str,
) -> dict[str, Any]:
    """Everything the cost page shows for one quote."""
    months = max(len(gross.schedule), len(cash))
    billed = _extend(gross.schedule, months)
    out_of_pocket = _extend(cash, months)
    chart = cost_chart(
        [Series("Billed (gross)", billed), Series("Cash out of your pocket", out_of_pocket)],
        title=f"Cumulative cost of {title}, month by month",
        y_label=f"Cumulative amount ({currency})",
    )
    return {
        "currency": currency,
        "gross_rows": gross_rows(gross),
        "gross_total": money(gross.total, currency),
        "funding": [funding_row(ln, currency) for ln in funding],
        "net_rows": net_rows(net),
        "net": money(net.net, currency),
        "cash_up_front": money(net.cash_up_front, currency),
        "warnings": [w.message for w in warnings],
        "warning_codes": [w.code for w in warnings],
        "refund_month": refund_month,
        "chart": chart,
        "table": [
            (m, [money(v, currency) for v in row]) for m, row in changes([billed, out_of_pocket])
        ],
        "table_heads": ["Billed (gross)", "Cash out of your pocket"],
    }


def _extend(values: Sequence[float], months: int) -> list[float]:
    vals = list(values[:months])
    if len(vals) < months:
        vals += [vals[-1] if vals else 0.0] * (months - len(vals))
    return vals


def comparison_view(
    c: Comparison, programs: dict[str, Program], *, hide: Collection[str] = ()
) -> dict[str, Any]:
    """Columns (one per program) and the chart of cumulative gross cost; warnings whose
    code is in ``hide`` are left out."""
    data = c.to_json()
    columns = []
    for q in c.quotes:
        p = programs[q.program_id]
        cur = q.currency
        pace = f" at {q.hours_per_week:g} h/week" if q.hours_per_week else ""
        columns.append(
            {
                "id": q.program_id,
                "name": q.name,
                "provider": p.provider.name,
                "provider_type": cv.label(cv.PROVIDER_LABELS, p.provider.provider_type),
                "credential_type": cv.label(cv.CREDENTIAL_LABELS, p.credential_type),
                "hours": f"{cv.plain(p.hours)} hours" if p.hours else "Not stated",
                "weeks": f"{q.weeks} weeks{pace}" if q.weeks else "Not stated",
                "format": cv.label(cv.FORMAT_LABELS, p.format),
                "proof": p.proof or "unknown",
                "proof_label": cv.label(cv.PROOF_LABELS, p.proof, "Proof not stated"),
                "currency": cur,
                "gross": money(q.gross.total, cur),
                "subscription": q.gross.months > 0,
                "months": q.gross.months,
                "funding": [funding_row(ln, cur) for ln in q.funding if ln.applies],
                "net": money(q.net.net, cur),
                "cash_up_front": money(q.net.cash_up_front, cur),
                "loans": money(q.net.loans, cur) if q.net.loans else None,
                "warnings": [w.message for w in q.warnings if w.code not in hide],
            }
        )
    chart_rows = data["chart"]
    currencies = c.currencies
    unit = currencies[0] if len(currencies) == 1 else ", ".join(currencies) + ", not converted"
    series = [
        Series(_series_label(r["name"], r["currency"], currencies), r["gross"]) for r in chart_rows
    ]
    chart: Markup = cost_chart(
        series,
        title="Cumulative gross cost of each program, month by month",
        y_label=f"Cumulative cost ({unit})",
        chart_id="compare-chart",
    )
    n = len(chart_rows)
    table = [
        (
            m,
            [
                (money(values[i], r["currency"]), money(values[n + i], r["currency"]))
                for i, r in enumerate(chart_rows)
            ],
        )
        for m, values in changes([r["gross"] for r in chart_rows] + [r["cash"] for r in chart_rows])
    ]
    return {
        "columns": columns,
        "chart": chart,
        "table": table,
        "months": c.months,
        "notes": list(c.notes),
        "currencies": currencies,
    }


def _series_label(name: str, currency: str, currencies: Sequence[str]) -> str:
    return f"{name} ({currency})" if len(currencies) > 1 else name
