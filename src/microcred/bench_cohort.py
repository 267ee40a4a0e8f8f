"""``python -m microcred.bench_cohort``: a cohort from CSV into SQLite, timed.

Writes a CSV of N recipients (default 100,000), creates the job (the whole dry run, then the
rows stored in chunks), issues every row signed with eddsa-rdfc-2022 with its two status
entries, and prints credentials per second and memory: the peak resident size of this
process (and of the signing processes) as the cohort grows, to show it stays flat (rows
are streamed, never loaded at once). Target (issue 3): at least 500 credentials per second
on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

ACHIEVEMENT = {
    "name": "Data Skills Foundations",
    "description": "Cleans, explores and charts data sets, and reports what they show.",
    "criteria": "Completed 30 hours of study and passed the assessed project.",
    "workloadHours": 30,
    "ects": 1,
    "eqfLevel": 4,
    "participationForm": "online",
    "assessmentType": "assessed project",
    "learningOutcome": ["Cleans tabular data"],
    "alignment": [
        {
            "targetName": "analyse data",
            "targetFramework": "ESCO",
            "targetUrl": "http://data.europa.eu/esco/skill/15d76317-c71a-4fa2-aadc-2ecc34e627b7",
        }
    ],
    "validity": "P3Y",
}


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run(n: int, workers: int | None = None) -> dict[str, Any]:
    from microcred.issuing import achievements, jobs, orgs
    from microcred.issuing.context import IssuingContext
    from microcred.issuing.signing import ParallelSigner
    from microcred.store.db import session_scope
    from microcred.store.migrate import open_database

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv = d / "cohort.csv"
        with csv.open("w") as fh:
            fh.write("email,name,grade\n")
            for i in range(n):
                fh.write(f"learner{i}@example.org,Learner {i},pass\n")
        engine = open_database(f"sqlite:///{d / 'bench.db'}")
        ctx = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"bench secret")
        with session_scope(engine) as s:
            org = orgs.create_organisation(s, ctx, slug="bench", name="Bench College")
            ach = achievements.create_achievement(s, org, ACHIEVEMENT)
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            job = jobs.create_job(
                s, org=org, achievement=ach, source=str(csv), open_stream=lambda: csv.open("rb")
            )
            job_id = job.id
        t1 = time.perf_counter()
        marks: list[tuple[int, float]] = []
        step = max(n // 10, 1)

        def on_progress(p: jobs.Progress) -> None:
            if not marks or p.finished - marks[-1][0] >= step:
                marks.append((p.finished, _rss_mb()))

        with ParallelSigner(workers) as signer:
            final = jobs.run_job(engine, ctx, job_id, on_progress=on_progress, sign_many=signer)
        t2 = time.perf_counter()
        db_mb = (d / "bench.db").stat().st_size / 1e6
        engine.dispose()
    assert final.done == n, final
    return {
        "n": n,
        "workers": workers or os.cpu_count(),
        "load_s": t1 - t0,
        "issue_s": t2 - t1,
        "issue_per_s": n / (t2 - t1),
        "overall_per_s": n / (t2 - t0),
        "rss_marks_mb": marks,
        "peak_rss_mb": _rss_mb(),
        "signer_peak_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
        "db_mb": db_mb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m microcred.bench_cohort", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("-n", type=int, default=100_000, help="cohort size (rows)")
    parser.add_argument(
        "--workers", type=int, default=None, help="signing processes (default: cores)"
    )
    args = parser.parse_args(argv)
    r = run(args.n, args.workers)
    print(
        f"Cohort of {r['n']:,} from CSV into SQLite, eddsa-rdfc-2022 with revocation and "
        f"suspension entries, {r['workers']} signing processes"
    )
    print(f"  validate + store rows: {r['load_s']:.1f} s")
    print(
        f"  issue:                 {r['issue_s']:.1f} s = {r['issue_per_s']:.0f} credentials/s "
        f"(target >= 500) {'met' if r['issue_per_s'] >= 500 else 'MISSED'}"
    )
    print(f"  overall:               {r['overall_per_s']:.0f} credentials/s")
    marks = ", ".join(f"{k:,}: {v:.0f} MB" for k, v in r["rss_marks_mb"])
    print(
        f"  peak RSS as the cohort grew: {marks}; end {r['peak_rss_mb']:.0f} MB; "
        f"signing processes {r['signer_peak_rss_mb']:.0f} MB; database {r['db_mb']:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
