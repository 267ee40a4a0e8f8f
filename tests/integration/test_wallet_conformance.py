"""1EdTech's validator samples into a wallet (SQLite and PostgreSQL): every sample that
verifies (or is indeterminate) imports with that verdict; every sample that fails is refused
with the failing check named, and nothing is stored. expectations.json gives the verdicts,
the clock and the URLs served from local files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import func, select

from microcred.accounts.learners import create_learner
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import LearnerAccount, WalletCredential
from microcred.vc.verifier import verify_credential
from microcred.verifying.fetcher import Fetcher
from microcred.wallet import export, holdings
from microcred.wallet.errors import CredentialRefused, WalletError

pytestmark = pytest.mark.conformance
SECRET = b"test secret"
CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=SECRET)


class _NoNetwork:
    def handle_request(self, request):
        import httpx

        raise httpx.ConnectError(f"no network in tests: {request.url}", request=request)

    def close(self):
        pass


def test_validator_samples_import_or_are_refused(engine, conformance_dir):
    base = conformance_dir / "1edtech-validator-ob30"
    exp = json.loads((base / "expectations.json").read_text())
    now = datetime.fromisoformat(exp["now"].replace("Z", "+00:00"))
    fixtures = {url: base / rel for url, rel in exp["url_fixtures"].items()}
    fetch = Fetcher(fixtures=fixtures, transport=_NoNetwork())
    with session_scope(engine) as s:
        learner_id = create_learner(s, email="ada@example.org", secret=SECRET).id
    imported: dict[str, str] = {}
    for case in exp["cases"]:
        data = (base / case["file"]).read_bytes()
        name = case["file"]
        with session_scope(engine) as s:
            me = s.get(LearnerAccount, learner_id)
            try:
                rows = holdings.import_credentials(s, me, data, source=name, fetch=fetch, now=now)
            except CredentialRefused as exc:
                if case.get("optional"):
                    assert "ecdsa-sd-2023" in str(exc), str(exc)
                    continue
                assert case["verdict"] == "failed", (
                    f"{name}: refused but expected {case['verdict']}: {exc}"
                )
                failed = str(exc).split("(", 1)[1].split(" check", 1)[0].split(", ")
                assert set(failed) & set(case["checks"]), f"{name}: {exc}"
                assert str(exc).startswith(f"{name}: refused")
                continue
            assert case["verdict"] != "failed", f"{name} was stored but should be refused"
            [done] = rows
            row = done.credential
            if done.created:
                if not case.get("optional"):
                    assert row.verdict == case["verdict"], (name, row.report["checks"])
                assert row.original == data and row.source == name
                assert row.name and row.content_hash
                imported[name] = row.id
            else:  # the same credential as another sample (e.g. the JSON baked into a PNG)
                assert row.id in imported.values(), name
    with session_scope(engine) as s:
        stored = s.scalar(select(func.count()).select_from(WalletCredential))
    assert stored == len(imported) and len(imported) >= 10
    # the baked PNG and SVG of a sample are the JSON sample: one row
    assert "simple.json" in imported
    # a transcript of every sample that can be bundled as its issuer signed it verifies
    with session_scope(engine) as s:
        me = s.get(LearnerAccount, learner_id)
        data = export.export_zip(s, me, signer=export.platform_signer(s, CTX), now=now)
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    bundled = {e["source"] for e in manifest["credentials"] if e["in_transcript"]}
    assert {"simple.json", "simple-jwt.png", "endorsement-valid.json"} <= bundled
    assert "simple_v1.json" not in bundled  # VC 1.1 contexts clash with CLR 2.0's
    clr = json.loads(zf.read("transcript.clr.json"))
    assert len(clr["credentialSubject"]["verifiableCredential"]) == len(bundled)
    report = verify_credential(clr, now=now)
    assert report.verdict == "verified", report.to_json()["checks"]
    with session_scope(engine) as s:
        me = s.get(LearnerAccount, learner_id)
        with pytest.raises(WalletError, match="cannot go into a CLR 2.0 transcript"):
            export.clr_transcript(
                s, me, [imported["simple_v1.json"]], signer=export.platform_signer(s, CTX), now=now
            )
