"""Shared fixtures: where the standards bodies' conformance data lives (../shared/conformance)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = (ROOT / ".." / "shared" / "conformance").resolve()


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """../shared/conformance: skipped with a message where absent (a user's clone), a failure under CI."""
    if not CONFORMANCE.is_dir():
        message = f"conformance data not found at {CONFORMANCE} (it sits beside the clone in CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CONFORMANCE
