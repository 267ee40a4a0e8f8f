"""Sign and verify timings: microcred against Digital Bazaar's JavaScript libraries.

Run ``python -m microcred.bench`` (``make bench``). For a typical Open Badges 3.0
credential and both cryptosuites it prints the median time per credential of microcred
(``vc.proofs.sign`` / ``vc.proofs.verify_proofs`` with did:key, nothing fetched) and of
Digital Bazaar's ``@digitalbazaar/vc`` (``issue`` / ``verifyCredential``), measured in the
same run inside node by ``tests/interop/js/dbtool.mjs``. Without node or that folder's
``node_modules`` it says so and measures microcred alone.

This module also holds the small client of dbtool.mjs that ``tests/interop`` uses, so the
tests and the benchmark drive node the same way.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from microcred.vc.jsonld import canonical_nquads
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.proofs import sign, verify_proofs
from microcred.vc.verifier import verify_credential

__all__ = [
    "DbTool",
    "DbToolError",
    "DBTOOL_SCRIPT",
    "TARGETS",
    "interop_unavailable",
    "sample_credential",
    "main",
]

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
#: Minimum ratio (Digital Bazaar's time / microcred's time) per cryptosuite, for sign and verify.
TARGETS = {"eddsa-rdfc-2022": 1.0, "eddsa-jcs-2022": 2.0}

#: The repository checkout's dbtool.mjs (absent when microcred is installed from a wheel).
DBTOOL_SCRIPT = Path(__file__).resolve().parents[2] / "tests" / "interop" / "js" / "dbtool.mjs"


# ---- the dbtool.mjs client ---------------------------------------------------------------------
class DbToolError(RuntimeError):
    """dbtool.mjs answered ``ok: false`` (a request it could not carry out) or died."""


def interop_unavailable(script: Path = DBTOOL_SCRIPT) -> str | None:
    """Why Digital Bazaar's libraries cannot be driven here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not script.is_file():
        return f"{script} is missing (not a source checkout)"
    if not (script.parent / "node_modules").is_dir():
        modules = script.parent / "node_modules"
        return f"{modules} is missing (run `npm ci` there, or `make interop-deps`)"
    return None


class DbTool:
    """A running ``node dbtool.mjs``: one JSON request per line in, one response per line out.

    ``call`` raises DbToolError when node answers ``ok: false`` or has exited.
    """

    def __init__(self, script: Path = DBTOOL_SCRIPT, *, node: str | None = None) -> None:
        exe = node or shutil.which("node")
        if exe is None:
            raise DbToolError("node is not installed")
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [exe, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=script.parent,
        )

    def call(self, op: str, **fields: Any) -> dict[str, Any]:
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None  # noqa: S101
        try:
            proc.stdin.write(json.dumps({"op": op, **fields}) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise DbToolError(f"dbtool.mjs has exited: {self._stderr()}") from None
        line = proc.stdout.readline()
        if not line:
            raise DbToolError(f"dbtool.mjs has exited: {self._stderr()}")
        answer: dict[str, Any] = json.loads(line)
        if not answer.pop("ok", False):
            raise DbToolError(f"dbtool.mjs {op}: {answer.get('error')}")
        return answer

    def _stderr(self) -> str:
        proc = self._proc
        if proc.poll() is None or proc.stderr is None:
            return "(still running)"
        return proc.stderr.read().strip()[-2000:] or f"exit code {proc.returncode}"

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.write('{"op":"quit"}\n')
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()

    def __enter__(self) -> DbTool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- the credential --------------------------------------------------------------------------
OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def sample_credential(issuer: str, *, name: str = "Data Literacy Fundamentals") -> dict[str, Any]:
    """A typical Open Badges 3.0 credential issued by ``issuer`` (about 50 quads).

    Blank nodes: the credential subject (no id), its identity object, the criteria and two
    alignments.
    """
    return {
        "@context": list(OB3_CONTEXTS),
        "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": "Awarded for completing the Data Literacy Fundamentals certificate.",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Northwind Community College",
            "url": "https://northwind.example/",
            "email": "badges@northwind.example",
        },
        "validFrom": "2024-09-01T00:00:00Z",
        "validUntil": "2034-09-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "activityStartDate": "2024-06-03T09:00:00Z",
            "activityEndDate": "2024-08-23T17:00:00Z",
            "creditsEarned": 3.0,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$"
                    "c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "not-a-real-salt",
                }
            ],
            "achievement": {
                "id": "https://northwind.example/achievements/data-literacy",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "humanCode": "DL-101",
                "fieldOfStudy": "Data analysis",
                "name": name,
                "description": "Reads, cleans and charts tabular data; explains a result.",
                "criteria": {
                    "narrative": "Completed all six modules and a capstone project assessed "
                    "by two instructors."
                },
                "image": {
                    "id": "https://northwind.example/achievements/data-literacy/badge.png",
                    "type": "Image",
                    "caption": "Data Literacy badge",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Data literacy",
                        "targetUrl": "https://skills.example/data-literacy",
                        "targetFramework": "Example Skills Framework",
                        "targetCode": "DL-1",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Spreadsheets",
                        "targetUrl": "https://skills.example/spreadsheets",
                        "targetFramework": "Example Skills Framework",
                        "targetCode": "SS-2",
                    },
                ],
                "tag": ["data", "spreadsheets", "statistics"],
                "creditsAvailable": 3.0,
            },
        },
    }


# ---- measuring -------------------------------------------------------------------------------
def _median_ms(fn: Callable[[], Any], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure_ours(
    doc: dict[str, Any], key: Ed25519Multikey, suite: str, n: int, *, warmup: int = 10
) -> tuple[float, float, float]:
    """Median (sign ms, verify ms, full-report ms) of microcred for ``doc``; raises if it does
    not verify. The full report is ``verifier.verify_credential``: context, shape, proof,
    key, issuer, dates and status, what a user of the product waits for."""
    signed = sign(doc, key, cryptosuite=suite)
    for _ in range(warmup):  # context caches, imports
        signed = sign(doc, key, cryptosuite=suite)
        verify_proofs(signed)
    results = verify_proofs(signed)
    if not results or not all(r.verified for r in results):
        raise RuntimeError(f"microcred did not verify its own {suite} credential: {results}")
    report = verify_credential(signed)
    if report.verdict != "verified":
        raise RuntimeError(f"the sample credential does not verify: {report.to_json()['checks']}")
    sign_ms = _median_ms(lambda: sign(doc, key, cryptosuite=suite), n)
    verify_ms = _median_ms(lambda: verify_proofs(signed), n)
    report_ms = _median_ms(lambda: verify_credential(signed), n)
    return sign_ms, verify_ms, report_ms


def run(n: int = 100, rounds: int = 3) -> dict[str, Any]:
    """Measure both sides; returns {"quads", "n", "rounds", "versions", "note", "rows"}.

    Each round measures microcred then Digital Bazaar, ``n`` timed runs each, per suite and
    operation; a cell keeps the lowest median over the rounds (the one least disturbed by
    whatever else the machine does). Node's first round warms up longer (V8 optimizes late).
    """
    key = Ed25519Multikey.from_seed(bytes(range(32)))
    assert key.controller is not None  # noqa: S101
    doc = sample_credential(key.controller)
    quads = len(canonical_nquads(doc).splitlines())
    reason = interop_unavailable()
    tool: DbTool | None = None
    versions: dict[str, Any] = {}
    best: dict[tuple[str, str, str], float] = {}

    def keep(side: str, suite: str, op: str, value: float) -> None:
        cell = (side, suite, op)
        best[cell] = min(value, best.get(cell, value))

    try:
        if reason is None:
            tool = DbTool()
            versions = tool.call("ping")["versions"]
        for round_no in range(rounds):
            for suite in SUITES:
                ours = measure_ours(doc, key, suite, n, warmup=30 if round_no == 0 else 5)
                keep("ours", suite, "sign", ours[0])
                keep("ours", suite, "verify", ours[1])
                keep("ours", suite, "report", ours[2])
                if tool is not None:
                    theirs = tool.call(
                        "bench",
                        suite=suite,
                        key=key.to_json(include_secret=True),
                        credential=doc,
                        n=n,
                        warmup=200 if round_no == 0 else 10,
                    )
                    keep("theirs", suite, "sign", theirs["sign_ms"])
                    keep("theirs", suite, "verify", theirs["verify_ms"])
                    keep("theirs", suite, "report", theirs["verify_ms"])
    finally:
        if tool is not None:
            tool.close()
    rows: list[dict[str, Any]] = []
    for suite in SUITES:
        for op in ("sign", "verify", "report"):
            ours_ms = best[("ours", suite, op)]
            db = best.get(("theirs", suite, op))
            ratio = db / ours_ms if db is not None else None
            rows.append(
                {
                    "suite": suite,
                    "op": op,
                    "microcred_ms": ours_ms,
                    "digitalbazaar_ms": db,
                    "ratio": ratio,
                    "target": TARGETS[suite] if op != "report" else None,
                    "met": None if ratio is None or op == "report" else ratio >= TARGETS[suite],
                }
            )
    return {
        "quads": quads,
        "n": n,
        "rounds": rounds,
        "versions": versions,
        "note": reason,
        "rows": rows,
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m microcred.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("-n", type=int, default=100, help="timed runs per round, suite and op")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each cell keeps its best")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    result = run(args.n, args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    py = sys.version.split()[0]
    print(
        f"Open Badges 3.0 credential, {result['quads']} quads; best of {args.rounds} rounds "
        f"of {args.n} runs (median per round); Python {py}"
    )
    if result["versions"]:
        print("Digital Bazaar: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()))
    else:
        print(f"Digital Bazaar not measured: {result['note']}")
    columns = ("suite", 16), ("op", 7), ("microcred ms", 13), ("Digital Bazaar ms", 18)
    header = " ".join(f"{c:<{w}}" if i < 2 else f"{c:>{w}}" for i, (c, w) in enumerate(columns))
    header += f" {'ratio':>7}  target"
    print(header)
    print("-" * len(header))
    for r in result["rows"]:
        status = "" if r["met"] is None else ("met" if r["met"] else "MISSED")
        target = f">= {r['target']:g} {status}" if r["target"] is not None else "(no target)"
        print(
            f"{r['suite']:<16} {r['op']:<7} {_fmt(r['microcred_ms']):>13} "
            f"{_fmt(r['digitalbazaar_ms']):>18} {_fmt(r['ratio']):>7}  {target}"
        )
    print("ratio = Digital Bazaar ms / microcred ms (above 1: microcred is faster)")
    print(
        "verify = the proof alone (vc.proofs.verify_proofs); report = microcred's whole report "
        "(context, shape, proof, key, issuer, dates, status), against the same vc.verifyCredential"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
