"""The issuing CLI end to end against a running server: create an organisation and an
achievement, award, export, revoke, and `microcred verify` fetching the status list from the
server reports the credential failed on status."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app as cli
from microcred.config import Settings
from microcred.web.app import create_app
from tests.helpers import live_app
from tests.integration.test_issuing import FIRST_AID


@pytest.fixture
def server(engine, tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = engine.url.render_as_string(hide_password=False)
    env = {
        "MICROCRED_DATABASE_URL": url,
        "MICROCRED_DATA_DIR": str(tmp_path),
        "MICROCRED_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MICROCRED_SECRET_KEY": "end-to-end secret",
        "MICROCRED_FETCH_ALLOW_LOOPBACK": "1",
    }
    settings = Settings(
        database_url=url,
        data_dir=tmp_path,
        public_base_url=env["MICROCRED_PUBLIC_BASE_URL"],
        secret_key="end-to-end secret",
        fetch_allow_loopback=True,
    )
    with live_app(create_app(settings), sock):
        yield env


def test_issue_export_revoke_and_verify_against_the_server(server, tmp_path):
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, [str(a) for a in args], env=server)
        return result

    assert run("org", "create", "--slug", "acme", "--name", "Acme College").exit_code == 0
    definition = tmp_path / "bls.json"
    definition.write_text(json.dumps(FIRST_AID))
    created = run("achievement", "create", "--org", "acme", "--file", definition)
    assert created.exit_code == 0, created.output
    ach_id = created.output.strip()
    issued = run(
        "issue",
        "--org",
        "acme",
        "--achievement",
        ach_id,
        "--email",
        "ada@example.org",
        "--name",
        "Ada Lovelace",
    )
    assert issued.exit_code == 0, issued.output
    state, cred_id = issued.output.split()
    assert state == "issued"
    out = tmp_path / "export.jsonl"
    assert run("export", "--org", "acme", "-o", out).exit_code == 0
    [line] = out.read_text().splitlines()
    first = run("verify", "--json", out)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)[0]["verdict"] == "verified"
    revoked = run("revoke", cred_id, "--reason", "issued in error")
    assert revoked.exit_code == 0, revoked.output
    second = run("verify", "--json", out)
    assert second.exit_code == 1
    [report] = json.loads(second.output)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["status"]["status"] == "failed" and "revoked" in checks["status"]["message"]
    assert json.loads(line)["id"].endswith(cred_id)


def test_cli_input_errors(server, tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",\n "eqfLevel": 12}')
    runner.invoke(cli, ["org", "create", "--slug", "acme", "--name", "Acme"], env=server)
    result = runner.invoke(
        cli, ["achievement", "create", "--org", "acme", "--file", str(bad)], env=server
    )
    assert result.exit_code == 1 and "$.description" in result.output
    result = runner.invoke(cli, ["org", "create", "--slug", "acme", "--name", "Again"], env=server)
    assert result.exit_code == 1 and "exists" in result.output
    csv = tmp_path / "cohort.csv"
    csv.write_text("email,name,shoe size\nbob@,Bob,42\n")
    result = runner.invoke(
        cli, ["issue", "--org", "acme", "--achievement", "nope", "--csv", str(csv)], env=server
    )
    assert result.exit_code == 1 and "no achievement" in result.output
