"""The wallet commands: import (per-file lines; a failed credential, or one issued to someone
else, refused with its reason, exit 1, nothing from that file stored), list, export (all or
nothing), present. The credentials are issued to ada's DID unless a test says otherwise."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from microcred.accounts.learners import create_learner
from microcred.cli.main import app
from microcred.store.db import make_engine, session_scope
from microcred.store.migrate import upgrade
from microcred.vc import baking, proofs
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import verify_presentation
from microcred.vc.verifier import verify_credential
from tests.helpers import ob_credential, serve_files, tiny_png
from tests.wallet_forgeries import CASE_NAMES, genuine, impostor, wallet_forgeries

runner = CliRunner()
SECRET = "wallet-cli-test-secret"
KEY = Ed25519Multikey.from_seed(bytes(range(40, 72)))


@pytest.fixture
def env(tmp_path):
    env = {
        "MICROCRED_DATA_DIR": str(tmp_path),
        "MICROCRED_DATABASE_URL": "",
        "MICROCRED_SECRET_KEY": SECRET,
    }
    engine = make_engine(f"sqlite:///{tmp_path / 'microcred.db'}")
    upgrade(engine)
    with session_scope(engine) as s:
        ada = create_learner(s, email="ada@example.org", secret=SECRET.encode())
        create_learner(s, email="bob@example.org", secret=SECRET.encode())
        env["ADA_DID"] = ada.did
    engine.dispose()
    return env


def run(env, *args):
    return runner.invoke(app, [str(a) for a in args], env=env)


def _files(tmp_path, did):
    """good.json (issued to ``did``), bad.json (changed after signing), good.png (baked)."""
    doc = proofs.sign(ob_credential(KEY.controller, subject_id=did), KEY)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    tampered = dict(doc, name="Something else")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered))
    png = tmp_path / "good.png"
    png.write_bytes(baking.bake(tiny_png(), doc))
    return good, bad, png


def _listed(env, user="ada@example.org"):
    result = run(env, "wallet", "list", "--user", user, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_list_and_refusal(env, tmp_path):
    good, bad, png = _files(tmp_path, env["ADA_DID"])
    result = run(env, "wallet", "import", "--user", "ADA@example.org", good, bad)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{good}: imported ") and line.endswith("Data Analysis Micro-credential")
    assert "bad.json: refused (proof check failed)" in result.stderr
    assert result.stderr.startswith("microcred: ")
    listed = _listed(env)
    assert [(i["name"], i["state"], i["issuer"]) for i in listed] == [
        ("Data Analysis Micro-credential", "verified", "Example College")
    ]
    again = run(env, "wallet", "import", "--user", "ada@example.org", png)
    assert again.exit_code == 0, again.output
    assert f"{png}: already in wallet {listed[0]['id']}" in again.stdout
    human = run(env, "wallet", "list", "--user", "ada@example.org")
    assert listed[0]["id"] in human.stdout and "1 credential" in human.stdout
    assert _listed(env, "bob@example.org") == []
    unreadable = run(env, "wallet", "import", "--user", "ada@example.org", tmp_path / "nope.json")
    assert unreadable.exit_code == 1 and "cannot read" in unreadable.stderr


def test_json_lines_file_all_or_nothing(env, tmp_path):
    good, bad, _ = _files(tmp_path, env["ADA_DID"])
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(good.read_text() + "\n" + bad.read_text() + "\n")
    result = run(env, "wallet", "import", "--user", "ada@example.org", mixed)
    assert result.exit_code == 1 and "mixed.jsonl, line 2: refused" in result.stderr
    assert result.stdout == "" and _listed(env) == []


def test_someone_elses_credential_is_refused(env, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    good, _, _ = _files(mine, env["ADA_DID"])
    others = tmp_path / "theirs.json"
    others.write_text(_files(tmp_path, "did:example:someone-else")[0].read_text())
    result = run(env, "wallet", "import", "--user", "ada@example.org", good, others)
    assert result.exit_code == 1
    assert f"{good}: imported " in result.stdout
    assert result.stderr.startswith(f"microcred: {others}")
    assert (
        "theirs.json: refused: issued to someone else: this credential's subject is "
        "did:example:someone-else, not you"
    ) in result.stderr
    assert len(_listed(env)) == 1
    # a file of two, one of them someone else's: nothing from it is stored
    both = tmp_path / "both.jsonl"
    both.write_text(others.read_text() + "\n")
    bob = run(env, "wallet", "import", "--user", "bob@example.org", good, both)
    assert bob.exit_code == 1 and "not you" in bob.stderr and bob.stdout == ""
    assert _listed(env, "bob@example.org") == []


def test_import_from_a_url(env, tmp_path):
    good, _, _ = _files(tmp_path, env["ADA_DID"])
    with serve_files({"/b.json": good.read_bytes()}) as base:
        refused = run(env, "wallet", "import", "--user", "ada@example.org", f"{base}/b.json")
        assert refused.exit_code == 1 and "only https" in refused.stderr
        loop = {**env, "MICROCRED_FETCH_ALLOW_LOOPBACK": "1"}
        result = run(loop, "wallet", "import", "--user", "ada@example.org", f"{base}/b.json")
    assert result.exit_code == 0, result.output
    assert _listed(env)[0]["source"] == f"{base}/b.json"


def test_unknown_user(env, tmp_path):
    good, _, _ = _files(tmp_path, env["ADA_DID"])
    for args in (
        ("wallet", "import", "--user", "nobody@example.org", good),
        ("wallet", "list", "--user", "nobody@example.org"),
        ("wallet", "export", "--user", "nobody@example.org", "-o", tmp_path / "x.zip"),
        ("present", "--user", "nobody@example.org", "--credential", "x", "--challenge", "c")
        + ("--domain", "d", "-o", tmp_path / "vp.json"),
    ):
        result = run(env, *args)
        assert result.exit_code == 1, args
        assert (
            "no learner account for nobody@example.org (create one: microcred learner create"
            in (result.stderr)
        )
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "vp.json").exists()


def test_export_zip(env, tmp_path):
    good, _, png = _files(tmp_path, env["ADA_DID"])
    assert run(env, "wallet", "import", "--user", "ada@example.org", png).exit_code == 0
    out = tmp_path / "wallet.zip"
    result = run(env, "wallet", "export", "--user", "ada@example.org", "-o", out, "--clr")
    assert result.exit_code == 0, result.output
    zf = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    [cred_file] = [n for n in zf.namelist() if n.startswith("credentials/")]
    assert cred_file.endswith(".png") and zf.read(cred_file) == png.read_bytes()
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["credentials"][0]["file"] == cred_file
    clr = json.loads(zf.read("transcript.clr.json"))
    assert verify_credential(clr).verdict == "verified"
    assert not list(tmp_path.glob("*.part"))
    # an unwritable destination: exit 1, no file
    bad = run(env, "wallet", "export", "--user", "ada@example.org", "-o", tmp_path / "no" / "w.zip")
    assert bad.exit_code == 1 and "cannot write" in bad.stderr
    assert not (tmp_path / "no").exists()


def test_present(env, tmp_path):
    good, _, _ = _files(tmp_path, did=env["ADA_DID"])
    assert run(env, "wallet", "import", "--user", "ada@example.org", good).exit_code == 0
    cred_id = _listed(env)[0]["id"]
    vp_file = tmp_path / "vp.json"
    result = run(
        env, "present", "--user", "ada@example.org", "--credential", cred_id,
        "--challenge", "nonce-1", "--domain", "jobs.example",
        "--expires", "2099-01-01T00:00:00Z", "-o", vp_file,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    vp = json.loads(vp_file.read_text())
    assert vp["holder"] == env["ADA_DID"] and vp["proof"]["expires"] == "2099-01-01T00:00:00Z"
    report = verify_presentation(
        vp, challenge="nonce-1", domain="jobs.example", now=datetime.now(UTC)
    )
    assert report.verdict == "verified", report.to_json()["checks"]
    # bob cannot present ada's credential: not found, nothing written
    other = tmp_path / "bob.json"
    refused = run(
        env, "present", "--user", "bob@example.org", "--credential", cred_id,
        "--challenge", "c", "--domain", "d", "-o", other,
    )  # fmt: skip
    assert refused.exit_code == 1 and "no credential" in refused.stderr and not other.exists()
    bad_time = run(
        env, "present", "--user", "ada@example.org", "--credential", cred_id,
        "--challenge", "c", "--domain", "d", "--expires", "tomorrow", "-o", other,
    )  # fmt: skip
    assert bad_time.exit_code == 1 and "ISO 8601" in bad_time.stderr


# ---- forgeries (issue 9) and the trust registries -------------------------------------------
@pytest.fixture
def served(monkeypatch):
    """URL -> bytes the command's fetcher answers; anything else is unreachable (no network)."""
    import httpx

    from microcred.verifying.fetcher import Fetcher

    answers: dict[str, bytes] = {}
    made = Fetcher.from_settings.__func__  # type: ignore[attr-defined]

    def from_settings(cls, settings, **kwargs):
        kwargs.setdefault("fixtures", answers)
        kwargs.setdefault("transport", httpx.MockTransport(lambda r: httpx.Response(503)))
        return made(cls, settings, **kwargs)

    monkeypatch.setattr(Fetcher, "from_settings", classmethod(from_settings))
    return answers


@pytest.mark.parametrize("index", range(len(CASE_NAMES)), ids=CASE_NAMES)
def test_a_forgery_is_refused_or_could_not_check_never_verified(env, tmp_path, served, index):
    forgery = wallet_forgeries(env["ADA_DID"])[index]
    served.update(forgery.fixtures)
    path = tmp_path / ("forged.jwt" if forgery.is_jwt else "forged.json")
    path.write_bytes(forgery.data)
    result = run(env, "wallet", "import", "--user", "ada@example.org", path)
    listed = _listed(env)
    if forgery.expected == "failed":
        assert result.exit_code == 1, result.output
        assert f"{path.name}: refused (" in result.stderr and "failed)" in result.stderr
        assert result.stdout == "" and listed == []
        return
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{path}: imported ")
    assert result.stdout.rstrip().endswith("(indeterminate)")
    [item] = listed
    assert item["verdict"] == item["state"] == "indeterminate"
    assert item["issuer_identity"]["level"] == "self-asserted"
    assert "anyone can create such a key" in item["issuer_identity"]["sentence"]
    human = run(env, "wallet", "list", "--user", "ada@example.org")
    assert "indeterminate" in human.stdout and "verified" not in human.stdout


def test_the_genuine_credential_is_verified_and_says_who_issued_it(env, tmp_path, served):
    data, documents = genuine(env["ADA_DID"])
    served.update(documents)
    path = tmp_path / "genuine.json"
    path.write_bytes(data)
    result = run(env, "wallet", "import", "--user", "ada@example.org", path)
    assert result.exit_code == 0, result.output
    assert "(indeterminate)" not in result.stdout
    [item] = _listed(env)
    assert item["state"] == "verified" and item["issuer_identity"]["level"] == "domain"
    assert item["issuer_identity"]["sentence"].startswith(
        "issued by the owner of registrar.ox.ac.uk"
    )


def test_a_did_key_named_after_an_organisation_of_this_deployment_is_refused(env, tmp_path, served):
    forged = tmp_path / "impostor.json"
    forged.write_bytes(impostor(env["ADA_DID"], "ACME college."))
    made = run(env, "org", "create", "--slug", "acme", "--name", "Acme College")
    assert made.exit_code == 0, made.output
    result = run(env, "wallet", "import", "--user", "ada@example.org", forged)
    assert result.exit_code == 1, result.output
    assert "refused (issuer check failed)" in result.stderr
    assert "claims to be from “Acme College” but is not signed by" in result.stderr
    assert _listed(env) == []
    # another name is no one's: it goes in, and says what a did:key is worth
    other = tmp_path / "other.json"
    other.write_bytes(impostor(env["ADA_DID"], "Acme Academy", variant="b"))
    kept = run(env, "wallet", "import", "--user", "ada@example.org", other)
    assert kept.exit_code == 0, kept.output
    [item] = _listed(env)
    assert item["state"] == "verified" and item["issuer_identity"]["level"] == "self-asserted"


def test_a_trust_registry_file_that_cannot_be_used_stops_the_import(env, tmp_path, served):
    good, _, _ = _files(tmp_path, env["ADA_DID"])
    broken = tmp_path / "registry.json"
    broken.write_text('{"name": "Broken", "issuers": [{"id": "not a did"}]}')
    result = run(
        {**env, "MICROCRED_TRUST_REGISTRIES": str(broken)},
        "wallet",
        "import",
        "--user",
        "ada@example.org",
        good,
    )
    assert result.exit_code == 1 and f"trust registry {broken}: $.issuers[0].id" in result.stderr
    assert _listed(env) == []
    listed = tmp_path / "listed.json"
    listed.write_text(
        json.dumps({"name": "Test Registry", "issuers": [{"id": KEY.controller, "name": "KEY"}]})
    )
    ok = run(
        {**env, "MICROCRED_TRUST_REGISTRIES": str(listed)},
        "wallet",
        "import",
        "--user",
        "ada@example.org",
        good,
    )
    assert ok.exit_code == 0, ok.output
    [item] = _listed(env)
    assert item["issuer_identity"]["level"] == "registered"
    assert item["issuer_identity"]["registry"] == "Test Registry"
