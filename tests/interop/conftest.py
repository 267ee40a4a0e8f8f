"""Digital Bazaar's JavaScript libraries, driven through one long-lived ``node dbtool.mjs``.

Without node or ``tests/interop/js/node_modules`` (``make interop-deps`` installs it) the
interop tests are skipped, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from microcred.bench import DbTool, interop_unavailable
from microcred.vc.keys import Ed25519Multikey


@pytest.fixture(scope="session")
def dbtool() -> Iterator[DbTool]:
    reason = interop_unavailable()
    if reason is not None:
        message = f"Digital Bazaar interop not available: {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    tool = DbTool()
    try:
        tool.call("ping")
        yield tool
    finally:
        tool.close()


@pytest.fixture(scope="session")
def issuer_key() -> Ed25519Multikey:
    """A fixed Ed25519 key whose controller is its did:key."""
    return Ed25519Multikey.from_seed(bytes(range(100, 132)))
