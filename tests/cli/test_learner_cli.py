"""`microcred learner create`: prints the DID and nothing else, never a secret; the password
comes from stdin; errors are one line, exit 1."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from microcred.accounts import auth
from microcred.cli.main import app
from microcred.store.db import make_engine, session_scope
from microcred.store.models import LearnerAccount, OutboxMail

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    return {"MICROCRED_DATA_DIR": str(tmp_path), "MICROCRED_DATABASE_URL": ""}


def test_create_with_a_password_from_stdin(env, tmp_path):
    made = runner.invoke(
        app,
        [
            "learner",
            "create",
            "--email",
            "Ada@Example.org",
            "--name",
            "Ada",
            "--password-stdin",
            "--verified",
        ],
        input="analytical engine notes\n",
        env=env,
    )
    assert made.exit_code == 0, made.output
    did = made.stdout.strip()
    assert re.fullmatch(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+", did) and made.stdout == did + "\n"
    assert "analytical" not in made.output
    engine = make_engine(f"sqlite:///{tmp_path / 'microcred.db'}")
    try:
        with session_scope(engine) as s:
            learner = s.query(LearnerAccount).one()
            assert learner.email == "ada@example.org" and learner.did == did
            assert learner.display_name == "Ada" and learner.email_verified_at is not None
            assert learner.password_hash.startswith("$argon2id$")
            assert auth.signin_with_password(s, "ada@example.org", "analytical engine notes", None)
            assert s.query(OutboxMail).count() == 0
    finally:
        engine.dispose()


def test_create_without_a_password_and_errors(env, tmp_path):
    made = runner.invoke(app, ["learner", "create", "--email", "bo@example.org"], env=env)
    assert made.exit_code == 0 and made.stdout.startswith("did:key:")
    again = runner.invoke(app, ["learner", "create", "--email", "BO@example.org"], env=env)
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr.strip() == "microcred: an account for bo@example.org already exists"
    weak = runner.invoke(
        app,
        ["learner", "create", "--email", "cy@example.org", "--password-stdin"],
        input="short\n",
        env=env,
    )
    assert weak.exit_code == 1 and "at least 10 characters" in weak.stderr
    assert "short" not in weak.stderr.replace("at least", "")
    bad = runner.invoke(app, ["learner", "create", "--email", "not-an-address"], env=env)
    assert bad.exit_code == 1 and "is not an e-mail address" in bad.stderr
    empty = runner.invoke(
        app,
        ["learner", "create", "--email", "dee@example.org", "--password-stdin"],
        input="",
        env=env,
    )
    assert empty.exit_code == 1 and "no password on stdin" in empty.stderr
