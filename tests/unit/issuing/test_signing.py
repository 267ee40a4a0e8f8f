"""The process-pool signer: same credentials, same order, verifiable; and the cohort bench
runs end to end on a small cohort (no timing asserted: figures belong to `make bench`)."""

from __future__ import annotations

from microcred.issuing.signing import MIN_PARALLEL, ParallelSigner
from microcred.vc import proofs
from microcred.vc.keys import Ed25519Multikey
from tests.helpers import ob_credential


def test_parallel_signing_keeps_order_and_verifies():
    key = Ed25519Multikey.generate()
    docs = [ob_credential(key.controller, name=f"Badge {i}") for i in range(MIN_PARALLEL + 5)]
    with ParallelSigner(2) as signer:
        signed = signer(docs, key)
    assert [d["name"] for d in signed] == [f"Badge {i}" for i in range(MIN_PARALLEL + 5)]
    assert all(proofs.verify_proofs(d)[0].verified for d in signed)
    assert all(d["proof"]["verificationMethod"] == key.id for d in signed)


def test_small_batches_are_signed_in_process():
    key = Ed25519Multikey.generate()
    with ParallelSigner(2) as signer:
        signer([ob_credential(key.controller)], key)
        assert signer._pool is None


def test_cohort_bench_runs_on_a_small_cohort():
    from microcred.bench_cohort import run

    result = run(40, workers=2)
    assert result["n"] == 40 and result["issue_per_s"] > 0
    assert result["rss_marks_mb"]
