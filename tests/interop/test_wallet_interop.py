"""A credential signed by Digital Bazaar's ``@digitalbazaar/vc`` imports into a wallet as
verified, and a copy changed after their signing is refused naming the proof check."""

from __future__ import annotations

import json

import pytest

from microcred.accounts.learners import create_learner
from microcred.bench import DbTool, sample_credential
from microcred.store.db import make_engine, session_scope
from microcred.store.migrate import upgrade
from microcred.vc.keys import Ed25519Multikey
from microcred.wallet import holdings
from microcred.wallet.errors import CredentialRefused

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_digitalbazaar_signed_credential_imports(
    dbtool: DbTool, issuer_key: Ed25519Multikey, tmp_path, suite: str
) -> None:
    assert issuer_key.controller is not None
    signed = dbtool.call(
        "sign",
        suite=suite,
        key=issuer_key.to_json(include_secret=True),
        credential=sample_credential(issuer_key.controller),
    )["credential"]
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    try:
        with session_scope(engine) as s:
            me = create_learner(s, email="ada@example.org", secret=b"s")
            row = holdings.import_credential(
                s, me, json.dumps(signed).encode(), source="db.json", fetch=None
            )
            assert row.verdict == "verified", row.report["checks"]
            assert row.document == signed and row.issuer_id == issuer_key.controller
            changed = dict(signed, name="changed")
            with pytest.raises(CredentialRefused, match="proof"):
                holdings.import_credential(
                    s, me, json.dumps(changed).encode(), source="x.json", fetch=None
                )
    finally:
        engine.dispose()
