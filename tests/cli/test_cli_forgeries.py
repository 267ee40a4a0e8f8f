"""Every forgery of the red team's report, through ``microcred verify``: never exit 0, never
"VERIFIED"; the genuine credential, with its issuer's document, exits 0 and says who issued
it first."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from tests.unit.vc.test_forgeries import forgery_cases, genuine_case

runner = CliRunner()


def _verify(tmp_path, data: bytes, fixtures: dict[str, bytes], *extra: str):
    path = tmp_path / "input"
    path.write_bytes(data)
    args = ["verify", *extra]
    for i, (url, body) in enumerate(fixtures.items()):
        f = tmp_path / f"fixture-{i}.json"
        f.write_bytes(body)
        args += ["--fixture", f"{url}={f}"]
    args += ["--challenge", "c1", "--domain", "hr.example", str(path)]
    return runner.invoke(app, args, env={"MICROCRED_DATA_DIR": str(tmp_path / "var")})


@pytest.mark.parametrize("case", forgery_cases(), ids=lambda c: c[0])
def test_a_forgery_never_exits_0(tmp_path, case):
    name, data, fixtures = case
    result = _verify(tmp_path, data, fixtures)
    assert result.exit_code in (1, 2), (name, result.output)
    assert "VERIFIED" not in result.output.split("\n")[0]
    as_json = _verify(tmp_path, data, fixtures, "--json")
    assert all(r["verdict"] != "verified" for r in json.loads(as_json.stdout)), name


def test_the_genuine_credential_exits_0_and_says_who_issued_it(tmp_path):
    data, fixtures = genuine_case()
    result = _verify(tmp_path, data, fixtures)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("VERIFIED")
    assert lines[1].startswith("  who: issued by the owner of registrar.ox.ac.uk"), lines
    offline = _verify(tmp_path, data, {})
    assert offline.exit_code == 2 and "could not" in offline.output


def test_strict_fails_what_is_otherwise_a_conformance_note(tmp_path):
    from microcred.vc import proofs
    from microcred.vc.keys import Ed25519Multikey
    from tests.helpers import ob_credential

    key = Ed25519Multikey.generate()
    doc = ob_credential(key.controller)
    doc["issuer"]["image"] = "https://example.org/logo.png"  # OB 3.0 wants an Image object
    data = json.dumps(proofs.sign(doc, key)).encode()
    lenient = _verify(tmp_path, data, {})
    assert lenient.exit_code == 0, lenient.output
    assert "does not fully follow Open Badges 3.0" in lenient.output
    assert "$.issuer.image" in lenient.output
    strict = _verify(tmp_path, data, {}, "--strict")
    assert strict.exit_code == 1 and "$.issuer.image" in strict.output
