"""`microcred verify` on a presentation: --challenge and --domain, the presentation's verdict
and each credential's, exit codes as for credentials (0 verified, 1 failed, 2 indeterminate)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from typer.testing import CliRunner

from microcred.cli.main import app
from microcred.vc import proofs, statuslist
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import build_presentation, sign_presentation
from tests.helpers import ob_credential

runner = CliRunner()
ISSUER = Ed25519Multikey.from_seed(bytes(range(32)))
LEARNER = Ed25519Multikey.from_seed(bytes(range(1, 33)))
CHALLENGE, DOMAIN = "abc-123", "jobs.example.com"
LIST_URL = "https://status.example.edu/lists/1"


def run(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _credential(name: str = "Data Analysis", **kw: Any) -> dict[str, Any]:
    doc = ob_credential(ISSUER.controller, name=name, subject_id=LEARNER.controller, **kw)
    return proofs.sign(doc, ISSUER)


def _vp_file(tmp_path: Any, creds: list[Any] | None = None, **kw: Any) -> Any:
    vp = build_presentation(creds or [_credential()], holder=LEARNER.controller or "")
    signed = sign_presentation(vp, LEARNER, challenge=CHALLENGE, domain=DOMAIN, **kw)
    path = tmp_path / "vp.json"
    path.write_text(json.dumps(signed))
    return path


def test_a_presentation_verifies_with_exit_0(tmp_path):
    path = _vp_file(tmp_path)
    result = run("verify", "--challenge", CHALLENGE, "--domain", DOMAIN, path)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "VERIFIED (presentation)" in out and f"held by {LEARNER.controller}" in out
    assert "credential 1: VERIFIED" in out and "Data Analysis" in out


def test_json_report(tmp_path):
    path = _vp_file(tmp_path)
    result = run("verify", "--json", "--challenge", CHALLENGE, "--domain", DOMAIN, path)
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert report["type"] == "VerifiablePresentation" and report["verdict"] == "verified"
    assert report["holder"] == LEARNER.controller and report["source"] == str(path)
    assert [c["verdict"] for c in report["credentials"]] == ["verified"]


def test_another_domain_or_challenge_fails_with_exit_1(tmp_path):
    path = _vp_file(tmp_path)
    result = run("verify", "--challenge", CHALLENGE, "--domain", "evil.example", path)
    assert result.exit_code == 1
    assert "FAILED (presentation)" in result.output
    assert "replayed to another verifier" in result.output
    result = run("verify", "--challenge", "nope", "--domain", DOMAIN, path)
    assert result.exit_code == 1 and "challenge" in result.output


def test_without_challenge_it_is_a_warning(tmp_path):
    result = run("verify", _vp_file(tmp_path))
    assert result.exit_code == 0, result.output
    assert "warning: no challenge was given" in result.output


def test_an_expired_presentation_fails(tmp_path):
    path = _vp_file(tmp_path, expires=datetime(2026, 1, 1, tzinfo=UTC))
    result = run("verify", "--at", "2026-02-01T00:00:00Z", "--challenge", CHALLENGE, path)
    assert result.exit_code == 1 and "expired" in result.output
    ok = run("verify", "--at", "2025-12-31T00:00:00Z", "--challenge", CHALLENGE, path)
    assert "expires: the proof is valid until" in ok.output


def test_a_revoked_credential_inside_fails_and_an_unfetched_list_is_exit_2(tmp_path):
    lst = statuslist.StatusList()
    lst.set(7, 1)
    list_doc = statuslist.status_list_credential(
        id=LIST_URL,
        issuer=ISSUER.controller,
        purpose="revocation",
        encoded_list=lst.encode(),
        valid_from="2025-01-01T00:00:00Z",
    )
    listfile = tmp_path / "list.json"
    listfile.write_text(json.dumps(proofs.sign(list_doc, ISSUER)))

    def at(index: int) -> dict[str, Any]:
        entry = statuslist.status_entry(list_url=LIST_URL, index=index, purpose="revocation")
        return _credential(f"Badge {index}", credential_status=entry)

    path = _vp_file(tmp_path, [at(8), at(7)], created=datetime.now(UTC) - timedelta(minutes=1))
    fixture = f"{LIST_URL}={listfile}"
    result = run("verify", "--json", "--fixture", fixture, "--challenge", CHALLENGE, path)
    assert result.exit_code == 1, result.output
    [report] = json.loads(result.output)
    assert [c["verdict"] for c in report["credentials"]] == ["verified", "failed"]
    # a status list that is no status list: could not check, exit 2 (never "not revoked")
    bogus = tmp_path / "bogus.json"
    bogus.write_text("{}")
    fine = _vp_file(tmp_path, [at(8)], created=datetime.now(UTC) - timedelta(minutes=1))
    result = run("verify", "--fixture", f"{LIST_URL}={bogus}", "--challenge", CHALLENGE, fine)
    assert result.exit_code == 2, result.output
    assert "INDETERMINATE (presentation)" in result.output


def test_presentations_and_credentials_together(tmp_path):
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(_credential()))
    result = run("verify", "--json", "--challenge", CHALLENGE, _vp_file(tmp_path), cred)
    assert result.exit_code == 0, result.output
    reports = json.loads(result.output)
    assert "holder" in reports[0] and "credential" in reports[1]
