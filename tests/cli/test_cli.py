"""The CLI contract: key new, sign, verify (exit codes, --json, --at, --fixture), bake, unbake."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from microcred.vc import statuslist
from microcred.vc.keys import Ed25519Multikey
from tests.helpers import ob_credential, serve_files, tiny_png

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "key.json"
    result = run("key", "new", "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def unsigned(tmp_path, key_file):
    key = Ed25519Multikey.load(key_file)
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(ob_credential(key.controller)))
    return path


def test_key_new_writes_a_private_multikey_file(key_file):
    data = json.loads(key_file.read_text())
    assert data["type"] == "Multikey" and data["secretKeyMultibase"].startswith("z")
    assert data["controller"] == f"did:key:{data['publicKeyMultibase']}"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_key_new_prints_the_id_never_the_secret(tmp_path):
    result = run(
        "key", "new", "-o", tmp_path / "k.json", "--controller", "https://example.edu/issuers/1"
    )
    data = json.loads((tmp_path / "k.json").read_text())
    assert (
        result.output.strip()
        == data["id"]
        == f"https://example.edu/issuers/1#{data['publicKeyMultibase']}"
    )
    assert data["secretKeyMultibase"] not in result.output


def test_key_new_refuses_to_overwrite(key_file):
    result = run("key", "new", "-o", key_file)
    assert result.exit_code == 1 and "exists" in result.output


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"])
def test_sign_then_verify(tmp_path, key_file, unsigned, suite):
    out = tmp_path / "signed.out"
    result = run("sign", "--key", key_file, "--suite", suite, unsigned, "-o", out)
    assert result.exit_code == 0, result.output
    verified = run("verify", "--json", out)
    assert verified.exit_code == 0, verified.output
    [report] = json.loads(verified.output)
    assert report["verdict"] == "verified"
    assert {c["name"]: c["status"] for c in report["checks"]}["proof"] == "passed"
    assert report["credential"]["name"] == "Data Analysis Micro-credential"


def test_tampered_credential_fails_with_exit_1(tmp_path, key_file, unsigned):
    out = tmp_path / "signed.json"
    assert run("sign", "--key", key_file, unsigned, "-o", out).exit_code == 0
    doc = json.loads(out.read_text())
    doc["name"] = "Brain Surgery"
    out.write_text(json.dumps(doc))
    result = run("verify", out)
    assert result.exit_code == 1
    assert "FAIL" in result.output and "proof" in result.output


def test_at_before_valid_from_fails_not_yet_valid(tmp_path, key_file, unsigned):
    out = tmp_path / "signed.json"
    run("sign", "--key", key_file, unsigned, "-o", out)
    result = run("verify", "--json", "--at", "2020-01-01T00:00:00Z", out)
    assert result.exit_code == 1
    [report] = json.loads(result.output)
    assert {c["name"]: c["status"] for c in report["checks"]}["not_yet_valid"] == "failed"


def test_jsonl_in_jsonl_out(tmp_path, key_file):
    key = Ed25519Multikey.load(key_file)
    src = tmp_path / "cohort.jsonl"
    src.write_text(
        "".join(
            json.dumps(ob_credential(key.controller, name=f"Badge {i}")) + "\n" for i in range(3)
        )
    )
    out = tmp_path / "signed.jsonl"
    assert run("sign", "--key", key_file, src, "-o", out).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and all("proof" in json.loads(ln) for ln in lines)
    result = run("verify", "--json", out)
    assert result.exit_code == 0
    assert [r["credential"]["name"] for r in json.loads(result.output)] == [
        "Badge 0",
        "Badge 1",
        "Badge 2",
    ]


def test_sign_names_line_and_column_of_bad_json(tmp_path, key_file):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n{"b": }\n')
    result = run("sign", "--key", key_file, bad, "-o", tmp_path / "o.jsonl")
    assert result.exit_code == 1
    assert "line 2, column 7" in result.output
    assert not (tmp_path / "o.jsonl").exists()  # nothing half-written


def test_verify_unknown_format_lists_the_accepted_ones(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello world")
    result = run("verify", f)
    assert result.exit_code == 1
    assert "not a supported format" in result.output and "baked PNG" in result.output


def test_verify_missing_file(tmp_path):
    result = run("verify", tmp_path / "nope.json")
    assert result.exit_code == 1 and "cannot read" in result.output


def test_status_list_fetched_from_a_live_server(tmp_path, key_file):
    from microcred.vc import proofs

    key = Ed25519Multikey.load(key_file)
    lst = statuslist.StatusList()
    lst.set(7, 1)
    routes: dict[str, bytes] = {}
    env = {"MICROCRED_FETCH_ALLOW_LOOPBACK": "1"}
    with serve_files(routes) as base:
        list_url = f"{base}/status/1"
        list_cred = statuslist.status_list_credential(
            id=list_url,
            issuer=key.controller,
            purpose="revocation",
            encoded_list=lst.encode(),
            valid_from="2025-01-01T00:00:00Z",
        )
        signed_list = proofs.sign(list_cred, key)

        def credential_at(index):
            doc = ob_credential(
                key.controller,
                credential_status=statuslist.status_entry(
                    list_url=list_url, index=index, purpose="revocation"
                ),
            )
            path = tmp_path / f"c{index}.json"
            path.write_text(json.dumps(proofs.sign(doc, key)))
            return path

        revoked, fine = credential_at(7), credential_at(8)
        # not served yet (404): could not check -> indeterminate, exit 2, never "not revoked"
        result = run("verify", "--json", fine, env=env)
        assert result.exit_code == 2, result.output
        assert json.loads(result.output)[0]["verdict"] == "indeterminate"
        # without the loopback setting the fetcher refuses plain http to 127.0.0.1
        routes["/status/1"] = json.dumps(signed_list).encode()
        assert run("verify", fine).exit_code == 2
        result = run("verify", "--json", revoked, fine, env=env)
    reports = json.loads(result.output)
    assert result.exit_code == 1
    assert [r["verdict"] for r in reports] == ["failed", "verified"]
    status = {c["name"]: c for c in reports[0]["checks"]}["status"]
    assert status["status"] == "failed" and "revoked" in status["message"]
    # --fixture answers the URL from a file, with no server at all
    listfile = tmp_path / "list.json"
    listfile.write_text(json.dumps(signed_list))
    result = run("verify", "--fixture", f"{list_url}={listfile}", revoked)
    assert result.exit_code == 1 and "revoked" in result.output


def test_bake_and_unbake(tmp_path, key_file, unsigned):
    signed = tmp_path / "signed.json"
    run("sign", "--key", key_file, unsigned, "-o", signed)
    png = tmp_path / "badge.png"
    png.write_bytes(tiny_png())
    baked = tmp_path / "baked.png"
    result = run("bake", "--credential", signed, png, "-o", baked)
    assert result.exit_code == 0, result.output
    out = run("unbake", baked)
    assert json.loads(out.output) == json.loads(signed.read_text())
    verified = run("verify", "--json", baked)
    assert verified.exit_code == 0
    assert json.loads(verified.output)[0]["credential"]["format"].startswith("baked PNG")


def test_unbake_plain_png_says_there_is_no_credential(tmp_path):
    png = tmp_path / "plain.png"
    png.write_bytes(tiny_png())
    result = run("unbake", png)
    assert result.exit_code == 1 and "microcred:" in result.output


def test_a_status_list_that_names_itself_does_not_loop(tmp_path, key_file):
    from microcred.vc import proofs

    key = Ed25519Multikey.load(key_file)
    lst = statuslist.StatusList()
    list_url = "https://status.example/lists/1"
    own_entry = statuslist.status_entry(list_url=list_url, index=3, purpose="revocation")
    list_cred = statuslist.status_list_credential(
        id=list_url,
        issuer=key.controller,
        purpose="revocation",
        encoded_list=lst.encode(),
        valid_from="2025-01-01T00:00:00Z",
    )
    list_cred["credentialStatus"] = own_entry
    listfile = tmp_path / "list.json"
    listfile.write_text(json.dumps(proofs.sign(list_cred, key)))
    cred = tmp_path / "c.json"
    cred.write_text(
        json.dumps(proofs.sign(ob_credential(key.controller, credential_status=own_entry), key))
    )
    result = run("verify", "--json", "--fixture", f"{list_url}={listfile}", cred)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["verdict"] == "verified"


def test_sign_reads_stdin_and_verify_reads_stdin(key_file, unsigned):
    signed = runner.invoke(app, ["sign", "--key", str(key_file), "-"], input=unsigned.read_text())
    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.output)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    verified = runner.invoke(app, ["verify", "-"], input=signed.output)
    assert verified.exit_code == 0 and "VERIFIED" in verified.output


# ---- --trust-registry --------------------------------------------------------------------------
def test_verify_refuses_a_bad_trust_registry_file_naming_it(tmp_path, key_file, unsigned):
    out = tmp_path / "signed.json"
    assert run("sign", "--key", key_file, unsigned, "-o", out).exit_code == 0
    bad = tmp_path / "registry.json"
    bad.write_text(json.dumps({"name": "Ours", "issuers": [{"id": "did:web:a.example"}]}))
    env = {"MICROCRED_DATA_DIR": str(tmp_path)}
    result = run("verify", "--trust-registry", bad, out, env=env)
    assert result.exit_code == 2
    assert f"trust registry {bad}: $.issuers[0].name: must be a non-empty string" in result.stderr
    assert result.stdout == ""  # nothing was verified
    missing = run("verify", "--trust-registry", tmp_path / "none.json", out, env=env)
    assert missing.exit_code == 2 and "none.json: cannot read the file" in missing.stderr
    scheme = run("verify", "--trust-registry", "ftp://registry.example/r.json", out, env=env)
    assert scheme.exit_code == 2 and "a file path or an https:// URL" in scheme.stderr


def test_verify_warns_about_an_unreachable_trust_registry_and_goes_on(tmp_path, key_file, unsigned):
    out = tmp_path / "signed.json"
    assert run("sign", "--key", key_file, unsigned, "-o", out).exit_code == 0
    good = tmp_path / "ours.json"
    good.write_text(json.dumps({"name": "Ours", "issuers": [{"id": "did:web:a", "name": "A"}]}))
    env = {"MICROCRED_DATA_DIR": str(tmp_path), "MICROCRED_FETCH_ALLOW_LOOPBACK": "1"}
    with serve_files({}) as base:  # answers 404 to everything
        gone = f"{base}/registry.json"
        result = run(
            "verify", "--json", "--trust-registry", good, "--trust-registry", gone, out, env=env
        )
    assert result.exit_code == 0, result.output
    assert f"microcred: warning: trust registry {gone}: " in result.stderr
    assert "404" in result.stderr
    [report] = json.loads(result.stdout)
    assert report["verdict"] == "verified"
    assert not (tmp_path / "microcred.db").exists()  # verify creates no database


def test_verify_names_an_issuer_listed_in_a_trust_registry(tmp_path, key_file, unsigned):
    out = tmp_path / "signed.json"
    assert run("sign", "--key", key_file, unsigned, "-o", out).exit_code == 0
    key = Ed25519Multikey.load(key_file)
    registry = tmp_path / "dcc.json"
    registry.write_text(json.dumps({"registry": {key.controller: {"name": "Example College"}}}))
    env = {"MICROCRED_DATA_DIR": str(tmp_path)}
    plain = run("verify", "--json", out, env=env)
    [report] = json.loads(plain.stdout)
    assert report["issuer_identity"]["level"] == "self-asserted"
    listed = run("verify", "--json", "--trust-registry", registry, out, env=env)
    assert listed.exit_code == 0, listed.output
    [report] = json.loads(listed.stdout)
    assert report["issuer_identity"]["level"] == "registered"
    assert report["issuer_identity"]["registry"] == str(registry)
