"""A credential signed by Digital Bazaar's ``@digitalbazaar/vc`` for the learner (a hashed
e-mail identity of their verified address) imports into a wallet as verified; a copy
changed after their signing is refused naming the proof check, and the same credential
issued to someone else's address is refused as not theirs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from microcred.accounts.learners import create_learner
from microcred.bench import DbTool, sample_credential
from microcred.store.db import make_engine, session_scope
from microcred.store.migrate import upgrade
from microcred.vc import openbadges
from microcred.vc.keys import Ed25519Multikey
from microcred.wallet import holdings
from microcred.wallet.errors import CredentialRefused, NotYours

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_digitalbazaar_signed_credential_imports(
    dbtool: DbTool, issuer_key: Ed25519Multikey, tmp_path, suite: str
) -> None:
    assert issuer_key.controller is not None

    def sign(credential: dict) -> dict:
        return dbtool.call(
            "sign", suite=suite, key=issuer_key.to_json(include_secret=True), credential=credential
        )["credential"]

    for_ada = sample_credential(issuer_key.controller)
    for_ada["credentialSubject"]["identifier"] = [
        openbadges.identity_object("ada@example.org", salt="interop-salt")
    ]
    signed = sign(for_ada)
    someone_elses = sign(sample_credential(issuer_key.controller))
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine)
    try:
        with session_scope(engine) as s:
            me = create_learner(s, email="ada@example.org", secret=b"s")
            me.email_verified_at = datetime.now(UTC)
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
            with pytest.raises(NotYours, match="issued to someone else"):
                holdings.import_credential(
                    s, me, json.dumps(someone_elses).encode(), source="y.json", fetch=None
                )
            assert len(holdings.all_credentials(s, me)) == 1
    finally:
        engine.dispose()
