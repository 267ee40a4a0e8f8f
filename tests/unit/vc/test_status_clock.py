"""A status list re-signed a moment ago (``validFrom`` just after the verifier's clock) is
still read; one that claims to start well in the future is not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from microcred.vc import proofs, statuslist
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.verifier import STATUS_LIST_CLOCK_SKEW, verify_credential
from microcred.verifying.fetcher import Fetcher
from tests.helpers import ob_credential

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def sign_before_now(*args, **kwargs):
    """Sign with a ``created`` before the fixed clock these tests verify at (a proof made
    after the verifier's "now" fails as made in the future)."""
    kwargs.setdefault("created", "2025-06-01T00:00:00Z")
    return proofs.sign(*args, **kwargs)


ISSUER = Ed25519Multikey.from_seed(bytes(range(32)))
URL = "https://status.example.edu/lists/9"


class _NoNetwork:
    def handle_request(self, request: Any) -> Any:
        import httpx

        raise httpx.ConnectError(f"no network in tests: {request.url}", request=request)

    def close(self) -> None:
        pass


def _list(valid_from: datetime) -> bytes:
    doc = statuslist.status_list_credential(
        id=URL,
        issuer=ISSUER.controller,
        purpose="revocation",
        encoded_list=statuslist.StatusList().encode(),
        valid_from=valid_from.isoformat().replace("+00:00", "Z"),
    )
    return json.dumps(sign_before_now(doc, ISSUER)).encode()


@pytest.mark.parametrize(
    ("ahead", "verdict"),
    [
        (timedelta(seconds=1), "verified"),  # signed in the second after the clock was read
        (STATUS_LIST_CLOCK_SKEW - timedelta(seconds=1), "verified"),
        (STATUS_LIST_CLOCK_SKEW + timedelta(minutes=1), "indeterminate"),
    ],
)
def test_status_list_valid_from_just_ahead_of_the_clock(ahead, verdict):
    entry = statuslist.status_entry(list_url=URL, index=3, purpose="revocation")
    cred = sign_before_now(
        ob_credential(ISSUER.controller, name="First Aid", credential_status=entry), ISSUER
    )
    with Fetcher(fixtures={URL: _list(NOW + ahead)}, transport=_NoNetwork()) as fetch:
        report = verify_credential(cred, now=NOW, fetch=fetch)
    assert report.verdict == verdict
    if verdict == "indeterminate":
        assert "not valid before" in report.check("status").message


def test_the_credential_itself_gets_no_such_allowance():
    cred = sign_before_now(
        ob_credential(ISSUER.controller, name="First Aid", valid_from="2026-11-29T09:00:01Z"),
        ISSUER,
    )
    assert verify_credential(cred, now=NOW).check("not_yet_valid").status == "failed"
