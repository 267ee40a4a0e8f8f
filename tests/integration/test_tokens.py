"""API tokens on SQLite and PostgreSQL: created once and stored as a hash, authenticated,
scoped to one organisation, ordered roles, revoked at once, listed without secrets."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict

import pytest
from sqlalchemy import select

from microcred.errors import MicrocredError
from microcred.issuing import orgs, tokens
from microcred.issuing.context import IssuingContext
from microcred.store.db import session_scope
from microcred.store.models import ApiToken, AuditEntry

CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=b"test secret")


@pytest.fixture
def two_orgs(engine):
    with session_scope(engine) as s:
        a = orgs.create_organisation(s, CTX, slug="acme", name="Acme College")
        b = orgs.create_organisation(s, CTX, slug="beta", name="Beta Academy")
        return a.id, b.id


def _create(engine, slug, role="issuer", name="registrar script"):
    with session_scope(engine) as s:
        return tokens.create_token(
            s, orgs.get_organisation(s, slug), name=name, role=role, actor="test"
        )


def test_a_token_is_shown_once_and_only_its_hash_is_stored(engine, two_orgs):
    token = _create(engine, "acme")
    assert re.fullmatch(r"mc_[A-Za-z0-9_-]{43}", token)
    with session_scope(engine) as s:
        row = s.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = {c.name: getattr(row, c.name) for c in ApiToken.__table__.columns}
        assert token not in repr(stored) and token[3:] not in repr(stored)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "create_token"))
        assert entry.subject == row.id and entry.actor == "test" and token not in entry.reason
    assert _create(engine, "acme") != token


def test_authenticate_gives_the_organisation_and_role(engine, two_orgs):
    token = _create(engine, "acme", role="viewer", name="dashboard")
    with session_scope(engine) as s:
        who = tokens.authenticate(s, token)
        assert (who.org.slug, who.role, who.name) == ("acme", "viewer", "dashboard")
        assert who.org.id == two_orgs[0]
        assert who.actor.startswith("dashboard (token ")


@pytest.mark.parametrize(
    "bad",
    [None, "", "mc_", "garbage", "mc_" + "A" * 43, "Bearer mc_x", "mc_" + "x" * 1000],
)
def test_unknown_or_malformed_tokens_are_unauthorized(engine, two_orgs, bad):
    real = _create(engine, "acme")
    with session_scope(engine) as s:
        with pytest.raises(tokens.Unauthorized) as info:
            tokens.authenticate(s, bad)
        assert info.value.code == "unauthorized"
        for near in (real[:-1], real + "x", real.upper(), " " + real):
            with pytest.raises(tokens.Unauthorized):
                tokens.authenticate(s, near)


def test_a_revoked_token_is_refused_and_revoking_twice_is_a_conflict(engine, two_orgs):
    token = _create(engine, "acme")
    with session_scope(engine) as s:
        token_id = tokens.authenticate(s, token).token_id
    with session_scope(engine) as s:
        info = tokens.revoke_token(s, token_id, actor="test", reason="laptop stolen")
        assert info.revoked_at is not None
    with session_scope(engine) as s:
        with pytest.raises(tokens.Unauthorized):
            tokens.authenticate(s, token)
        with pytest.raises(MicrocredError) as info:
            tokens.revoke_token(s, token_id)
        assert info.value.code == "conflict"
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "revoke_token"))
        assert (entry.subject, entry.reason) == (token_id, "laptop stolen")


def test_revoking_is_scoped_to_the_organisation(engine, two_orgs):
    token = _create(engine, "beta")
    with session_scope(engine) as s:
        token_id = tokens.authenticate(s, token).token_id
        acme = orgs.get_organisation(s, "acme")
        with pytest.raises(MicrocredError) as info:
            tokens.revoke_token(s, token_id, org=acme)
        assert info.value.code == "not_found"
        with pytest.raises(MicrocredError) as info:
            tokens.revoke_token(s, "no-such-token")
        assert info.value.code == "not_found"
    with session_scope(engine) as s:
        assert tokens.authenticate(s, token).org.slug == "beta"


def test_roles_are_ordered_viewer_issuer_owner(engine, two_orgs):
    made = {role: _create(engine, "acme", role=role) for role in tokens.ROLES}
    allowed = {
        "viewer": {"viewer"},
        "issuer": {"viewer", "issuer"},
        "owner": {"viewer", "issuer", "owner"},
    }
    with session_scope(engine) as s:
        for role, token in made.items():
            who = tokens.authenticate(s, token)
            for needed in tokens.ROLES:
                if needed in allowed[role]:
                    tokens.require(who, needed)
                else:
                    with pytest.raises(tokens.Forbidden) as info:
                        tokens.require(who, needed)
                    assert info.value.code == "forbidden"
                    assert needed in info.value.user_message


@pytest.mark.parametrize(
    ("role", "name"),
    [("admin", "x"), ("", "x"), ("owner", ""), ("owner", " " * 3), ("owner", "n" * 201)],
)
def test_bad_roles_and_names_are_refused(engine, two_orgs, role, name):
    with pytest.raises(MicrocredError) as info:
        _create(engine, "acme", role=role, name=name)
    assert info.value.code == "bad_input"
    with session_scope(engine) as s:
        assert s.scalar(select(ApiToken)) is None


def test_list_tokens_shows_one_organisation_and_never_a_secret(engine, two_orgs):
    secrets = [_create(engine, "acme", role="owner", name="ops"), _create(engine, "beta")]
    with session_scope(engine) as s:
        listed = tokens.list_tokens(s, orgs.get_organisation(s, "acme"))
        hashes = list(s.scalars(select(ApiToken.token_hash)))
    assert [(t.name, t.role, t.revoked_at) for t in listed] == [("ops", "owner", None)]
    shown = repr([asdict(t) for t in listed])
    for secret in secrets + hashes:
        assert secret not in shown
