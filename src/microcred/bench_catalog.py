"""``python -m microcred.bench_catalog``: catalog search on 50,000 programs in SQLite, timed.

Generates N programs (default 50,000) into a temporary SQLite database through
``catalog.store.import_programs`` (so the FTS5 index is built as in production), then runs
200 searches, each a query of one or two words plus one or two filters, with facet counts,
and prints the median and 95th percentile time in ms. Target: median under 100 ms.

Then it times the advisor on the same catalog: a fifth of the programs also teach one to three
skills of the curated taxonomy, and 50 requests ask for a curated occupation (candidates
from the database, each priced with the funding rules for a learner in Ontario, ranked).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = (
    "data analytics cloud security welding nursing design marketing finance python "
    "leadership project management accounting robotics networking sales logistics "
    "carpentry electrical teaching coaching statistics machine learning web mobile"
).split()
PROVIDER_TYPES = ("university_college", "employer_vendor", "online_platform", "nonprofit_industry")
FORMATS = ("online", "hybrid", "in_person")
PROOFS = ("ob3_vc", "ob2", "pdf", "none")
CTYPES = ("micro_credential", "certificate", "badge", "certification", "course")


def _programs(n: int, rng: random.Random) -> list[Any]:
    from microcred.advisor.skills import load_curated
    from microcred.catalog.model import CostItem, Program, Provider

    curated = [s.uri for s in load_curated().skills]

    providers = [
        Provider(
            name=f"Provider {i} {rng.choice(WORDS).title()}", provider_type=PROVIDER_TYPES[i % 4]
        )
        for i in range(200)
    ]
    out = []
    for i in range(n):
        w = rng.sample(WORDS, 6)
        weeks = rng.randint(1, 30)
        out.append(
            Program(
                external_id=f"P{i}",
                name=f"{w[0].title()} {w[1].title()} {i}",
                provider=providers[i % len(providers)],
                credential_type=rng.choice(CTYPES),
                learning_outcomes=[f"Applies {w[2]} to {w[3]} problems"],
                skills=[f"http://data.europa.eu/esco/skill/{w[4]}-{i % 500}"]
                + (rng.sample(curated, rng.randint(1, 3)) if rng.random() < 0.2 else []),
                topics=[w[5], w[0]],
                format=rng.choice(FORMATS),
                proof=rng.choice(PROOFS),
                weeks_min=weeks,
                weeks_max=weeks + rng.randint(0, 4),
                cost=[CostItem("one_time", float(rng.randint(0, 2000)), "USD")],
                funding=["skillsfuture_eligible"] if rng.random() < 0.2 else [],
            )
        )
    return out


def main(argv: list[str] | None = None) -> None:
    from microcred.catalog.search import search
    from microcred.catalog.store import import_programs
    from microcred.store.db import session_scope
    from microcred.store.migrate import open_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000, help="programs (default 50,000)")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--advice", type=int, default=50, help="advice requests (default 50)")
    args = parser.parse_args(argv)
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        programs = _programs(args.n, rng)
        t0 = time.perf_counter()
        for i in range(0, len(programs), 5000):
            with session_scope(engine) as s:
                import_programs(s, programs[i : i + 5000])
        print(f"imported {len(programs)} programs in {time.perf_counter() - t0:.1f} s")
        times: list[float] = []
        totals: list[int] = []
        for _ in range(args.searches):
            q = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
            filters: dict[str, Any] = {}
            for key in rng.sample(["format", "provider_type", "max_cost", "max_weeks", "proof"], 2):
                if key == "format":
                    filters[key] = rng.choice(FORMATS)
                elif key == "provider_type":
                    filters[key] = rng.choice(PROVIDER_TYPES)
                elif key == "proof":
                    filters[key] = rng.choice(PROOFS)
                elif key == "max_cost":
                    filters[key] = float(rng.randint(200, 2000))
                else:
                    filters[key] = rng.randint(4, 30)
            t = time.perf_counter()
            with session_scope(engine) as s:
                result = search(s, q=q, **filters)
            times.append((time.perf_counter() - t) * 1000)
            totals.append(result.total)
        advice_times, considered = _advise(engine, rng, args.advice)
        engine.dispose()
    _report(f"{len(times)} filtered searches over {args.n} programs", times)
    print(f"  (median {statistics.median(totals):.0f} matches per search; target median < 100 ms)")
    _report(f"{len(advice_times)} advice requests over {args.n} programs", advice_times)
    print(f"  (median {statistics.median(considered):.0f} candidates ranked per request)")


def _report(what: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{what}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")


def _advise(engine: Any, rng: random.Random, n: int) -> tuple[list[float], list[int]]:
    from microcred.advisor.advise import Preferences
    from microcred.advisor.funding import Learner
    from microcred.advisor.skills import load_curated
    from microcred.catalog.service import advise_learner, skills_source
    from microcred.store.db import session_scope

    source = skills_source()
    occupations = [o.label for o in load_curated().occupations]
    learner = Learner(jurisdiction="CA-ON", age=30, income=50_000, tax_year=2026, ctc_years=4)
    times: list[float] = []
    considered: list[int] = []
    for _ in range(n):
        goal = rng.choice(occupations)
        t = time.perf_counter()
        with session_scope(engine) as s:
            advice = advise_learner(s, source, goal, learner, Preferences(hours_per_week=5))
        times.append((time.perf_counter() - t) * 1000)
        considered.append(advice.considered)
    return times, considered


if __name__ == "__main__":
    main()
