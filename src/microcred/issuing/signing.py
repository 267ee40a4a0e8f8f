"""Signing many credentials on every core: a process pool for cohort jobs.

Signing (JSON-LD expansion and canonicalization, in Python) is what a cohort spends its
time on; the database work is small. ``ParallelSigner`` splits each batch over worker
processes (spawned, so no lock or connection is inherited from the parent). The key's seed
travels to them in memory only, through the pool's pipe, and is never logged or stored.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from microcred.vc import proofs
from microcred.vc.keys import Ed25519Multikey

MIN_PARALLEL = 16  # smaller batches are signed in-process (the pipe costs more than it saves)


def _watch_parent(parent: int) -> None:
    """In each signing process: exit when the parent is gone (killed with SIGKILL, say),
    instead of lingering as an orphan."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _sign_chunk(
    docs: list[dict[str, Any]], seed: bytes, controller: str, vm_id: str
) -> list[dict[str, Any]]:
    key = Ed25519Multikey.from_seed(seed, controller=controller).with_controller(
        controller, id=vm_id
    )
    return [proofs.sign(doc, key) for doc in docs]


class ParallelSigner:
    """``sign_many(docs, key)`` over ``workers`` processes. Use as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParallelSigner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __call__(self, docs: list[dict[str, Any]], key: Ed25519Multikey) -> list[dict[str, Any]]:
        return self.submit(docs, key)()

    def submit(
        self, docs: list[dict[str, Any]], key: Ed25519Multikey
    ) -> Callable[[], list[dict[str, Any]]]:
        """Start signing ``docs``; the returned function waits for and returns them, in order."""
        if self.workers < 2 or len(docs) < MIN_PARALLEL:
            done = [proofs.sign(doc, key) for doc in docs]
            return lambda: done
        if self._pool is None:  # started on first need: small jobs never pay for it
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        assert key.controller is not None and key.id is not None
        seed = key.private_key.private_bytes_raw()
        size = -(-len(docs) // self.workers)
        futures = [
            self._pool.submit(_sign_chunk, docs[i : i + size], seed, key.controller, key.id)
            for i in range(0, len(docs), size)
        ]
        return lambda: [doc for f in futures for doc in f.result()]
