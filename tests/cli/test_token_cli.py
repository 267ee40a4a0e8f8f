"""The token commands: create prints the token once and nothing else; list never shows a
secret; revoke refuses the token at once; errors are one line and exit 1."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from microcred.cli.main import app
from microcred.issuing import tokens
from microcred.store.db import make_engine, session_scope

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    env = {"MICROCRED_DATA_DIR": str(tmp_path), "MICROCRED_DATABASE_URL": ""}
    result = runner.invoke(app, ["org", "create", "--slug", "acme", "--name", "Acme"], env=env)
    assert result.exit_code == 0, result.output
    return env


def run(env, *args):
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_create_list_revoke(env, tmp_path):
    made = run(env, "token", "create", "--org", "acme", "--name", "registrar", "--role", "issuer")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert re.fullmatch(r"mc_[A-Za-z0-9_-]{43}", token) and made.stdout == token + "\n"

    listed = run(env, "token", "list", "--org", "acme")
    assert listed.exit_code == 0
    assert "registrar" in listed.stdout and "issuer" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout and token[3:] not in listed.stdout
    token_id = listed.stdout.split()[0]

    engine = make_engine(f"sqlite:///{tmp_path / 'microcred.db'}")
    try:
        with session_scope(engine) as s:
            assert tokens.authenticate(s, token).role == "issuer"
        revoked = run(env, "token", "revoke", token_id, "--reason", "rotated")
        assert revoked.exit_code == 0 and revoked.stdout.strip() == f"revoked {token_id}"
        with session_scope(engine) as s, pytest.raises(tokens.Unauthorized):
            tokens.authenticate(s, token)
    finally:
        engine.dispose()
    assert "revoked 20" in run(env, "token", "list", "--org", "acme").stdout
    again = run(env, "token", "revoke", token_id)
    assert again.exit_code == 1 and "already revoked" in again.stderr


def test_errors_are_one_line(env):
    unknown = run(env, "token", "create", "--org", "nope", "--name", "x", "--role", "owner")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert unknown.stderr.strip() == "microcred: no organisation with the slug 'nope'"
    assert (
        run(env, "token", "create", "--org", "acme", "--name", "x", "--role", "god").exit_code == 2
    )
    assert run(env, "token", "revoke", "no-such-id").exit_code == 1
