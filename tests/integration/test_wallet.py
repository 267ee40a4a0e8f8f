"""The wallet's services on SQLite and PostgreSQL: import (verified first, failed refused,
issued to someone else refused, duplicates, all or none), re-checks (revoked after import),
organising, the skills profile, export (ZIP, CLR 2.0), share links, claims, presentations,
and isolation between learners.

Credentials imported here are issued to the learner importing them (a hashed e-mail identity
of one of their verified addresses, or their DID): the wallet refuses any other.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from microcred.accounts.learners import create_learner
from microcred.errors import MicrocredError
from microcred.issuing import achievements, awards, orgs, status
from microcred.issuing.context import IssuingContext
from microcred.issuing.public import LocalFirstFetch
from microcred.store.db import session_scope
from microcred.store.models import (
    Credential,
    LearnerAccount,
    LearnerEmail,
    ShareLink,
    WalletCredential,
)
from microcred.vc import baking, openbadges, proofs, statuslist
from microcred.vc.errors import InputError
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.presentations import verify_presentation
from microcred.vc.verifier import verify_credential
from microcred.verifying.fetcher import Fetcher
from microcred.wallet import export, holdings, organise, shares
from microcred.wallet.errors import (
    ClaimRefused,
    CredentialRefused,
    NotFound,
    NotYours,
    WalletError,
)
from tests.helpers import ob_credential, serve_files, tiny_png

SECRET = b"test secret"
CTX = IssuingContext(base_url="http://127.0.0.1:8000", secret=SECRET)
ESCO_CPR = "http://data.europa.eu/esco/skill/cpr"
ONET = "https://www.onetonline.org/link/summary/29-2042.00"
FIRST_AID = {
    "name": "Basic Life Support",
    "description": "Adult CPR and defibrillator use.",
    "criteria": "Pass the practical assessment.",
    "achievementType": "Certificate",
    "alignment": [
        {
            "targetName": "perform cardiopulmonary resuscitation",
            "targetUrl": ESCO_CPR,
            "targetFramework": "ESCO",
        },
        {"targetName": "Emergency Medical Technicians", "targetUrl": ONET},
    ],
    "validity": "P2Y",
    "renewal": {"renewable": True, "requires": "a refresher", "url": "https://acme.example/r"},
}
KEY = Ed25519Multikey.from_seed(bytes(range(32)))


# ---- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def world(engine):
    """An issuer with an achievement, and two learners: ada (verified e-mail, and a second
    verified address ada+2@example.org) and bob."""
    with session_scope(engine) as s:
        org = orgs.create_organisation(s, CTX, slug="acme-college", name="Acme College")
        ach = achievements.create_achievement(s, org, FIRST_AID)
        ada = create_learner(s, email="ada@example.org", secret=SECRET, display_name="Ada L")
        ada.email_verified_at = datetime.now(UTC)
        s.add(
            LearnerEmail(
                learner_id=ada.id, email="ada+2@example.org", verified_at=datetime.now(UTC)
            )
        )
        bob = create_learner(s, email="bob@example.org", secret=SECRET, display_name="Bob")
        bob.email_verified_at = datetime.now(UTC)
        return {"engine": engine, "org": org.slug, "ach": ach.id, "ada": ada.id, "bob": bob.id}


def issue(world, email="ada@example.org", **kw):
    with session_scope(world["engine"]) as s:
        org = orgs.get_organisation(s, world["org"])
        ach = achievements.get_achievement(s, org, world["ach"])
        out = awards.issue_award(
            s,
            CTX,
            org=org,
            achievement=ach,
            recipient=awards.Recipient(email=email, name="Ada Lovelace"),
            notify=False,
            **kw,
        )
        return out.credential.id, out.credential.document


def fetch_for(world):
    return LocalFirstFetch(world["engine"], CTX, None)


def learner(s, world, who="ada"):
    return s.get(LearnerAccount, world[who])


def import_doc(world, doc, who="ada", source="badge.json", fetch="local", **kw):
    with session_scope(world["engine"]) as s:
        row = holdings.import_credential(
            s,
            learner(s, world, who),
            json.dumps(doc).encode() if isinstance(doc, dict) else doc,
            source=source,
            fetch=fetch_for(world) if fetch == "local" else fetch,
            **kw,
        )
        return row.id


def count(world, who="ada"):
    with session_scope(world["engine"]) as s:
        return s.scalar(
            select(func.count())
            .select_from(WalletCredential)
            .where(WalletCredential.learner_id == world[who])
        )


def to(email="ada@example.org"):
    """An OB 3.0 e-mail identity (hashed, salted) naming ``email`` as the recipient."""
    return openbadges.identity_object(email, salt="pepper")


def signed(name="Data Analysis Micro-credential", key=KEY, recipient="ada@example.org", **kw):
    """A credential issued to ``recipient`` (ada by default) by ``key``."""
    kw.setdefault("identifier", to(recipient))
    return proofs.sign(ob_credential(key.controller, name=name, **kw), key)


# ---- import ---------------------------------------------------------------------------------
def test_import_a_microcred_credential_keeps_original_and_fields(world):
    cred_id, doc = issue(world)
    data = json.dumps(doc, indent=1).encode()
    with session_scope(world["engine"]) as s:
        row = holdings.import_credential(
            s, learner(s, world), data, source="bls.json", fetch=fetch_for(world)
        )
        assert row.verdict == "verified", row.report
        assert row.original == data and row.media_type == "application/ld+json"
        assert row.document == doc and row.source == "bls.json"
        assert row.name == "Basic Life Support" and row.issuer_name == "Acme College"
        assert row.issuer_id == doc["issuer"]["id"] and row.credential_id == doc["id"]
        assert row.valid_until is not None and row.valid_from is not None
        assert holdings.utc(row.valid_until) - holdings.utc(row.valid_from) == timedelta(days=730)
        assert row.skills == [
            {
                "uri": ESCO_CPR,
                "label": "perform cardiopulmonary resuscitation",
                "framework": "ESCO",
            },
            {"uri": ONET, "label": "Emergency Medical Technicians", "framework": "O*NET"},
        ]
        # ours: linked to the issued row, its renewal page known
        assert row.issued_credential_id == cred_id
        assert row.renewal_url == f"{CTX.base_url}/renew/{cred_id}"
        from microcred.vc import jcs

        assert row.content_hash == hashlib.sha256(jcs.dumps(doc)).hexdigest()


def test_same_credential_as_json_then_baked_png_and_svg_is_one_row(world):
    _, doc = issue(world)
    first = import_doc(world, doc)
    png = baking.bake(tiny_png(), doc)
    with session_scope(world["engine"]) as s:
        again = holdings.import_credentials(
            s, learner(s, world), png, source="badge.png", fetch=fetch_for(world)
        )
        assert [(i.credential.id, i.created) for i in again] == [(first, False)]
    # the PNG first, then the JSON: the PNG's bytes are what is kept
    _, doc2 = issue(world, email="ada+2@example.org")
    png2 = baking.bake(tiny_png(), doc2)
    second = import_doc(world, png2, source="b.png")
    assert import_doc(world, doc2) == second
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), second)
        assert row.media_type == "image/png" and row.original == png2
    assert count(world) == 2


def test_json_lines_import_all_or_none(world):
    _, a = issue(world)
    _, b = issue(world, email="ada+2@example.org")
    tampered = json.loads(json.dumps(b))
    tampered["name"] = "Changed"
    bad = (json.dumps(a) + "\n" + json.dumps(tampered) + "\n").encode()
    with session_scope(world["engine"]) as s, pytest.raises(CredentialRefused) as err:
        holdings.import_credentials(
            s, learner(s, world), bad, source="two.jsonl", fetch=fetch_for(world)
        )
    assert "two.jsonl, line 2" in str(err.value) and "proof" in str(err.value)
    assert count(world) == 0
    good = (json.dumps(a) + "\n\n" + json.dumps(b) + "\n" + json.dumps(a) + "\n").encode()
    with session_scope(world["engine"]) as s:
        done = holdings.import_credentials(
            s, learner(s, world), good, source="two.jsonl", fetch=fetch_for(world)
        )
        assert [i.created for i in done] == [True, True, False]
        assert done[0].credential.original == json.dumps(a).encode()
        assert done[1].credential.original == json.dumps(b).encode()
        assert done[2].credential is done[0].credential
        with pytest.raises(WalletError, match="holds 3 credentials"):
            holdings.import_credential(s, learner(s, world), good, source="x", fetch=None)
    assert count(world) == 2


def test_priyas_badge_is_refused_in_evas_wallet_and_nothing_is_stored(world):
    with session_scope(world["engine"]) as s:
        eva = create_learner(s, email="eva@example.org", secret=SECRET, display_name="Eva")
        eva.email_verified_at = datetime.now(UTC)
        priya = create_learner(s, email="priya@example.org", secret=SECRET)
        priya.email_verified_at = datetime.now(UTC)
        world |= {"eva": eva.id, "priya": priya.id, "eva_did": eva.did}
    _, priyas = issue(world, email="priya@example.org")  # a hashed, salted e-mail identity
    assert priyas["credentialSubject"]["identifier"][0]["hashed"] is True
    with pytest.raises(NotYours) as err:
        import_doc(world, priyas, who="eva", source="priya.json")
    assert str(err.value) == (
        "priya.json: refused: issued to someone else: this credential's subject is a hashed "
        "e-mail address, not you (if it was issued to another address of yours, add and "
        "confirm that address on your account page first)"
    )
    assert err.value.code == "refused" and isinstance(err.value, CredentialRefused)
    # one of hers among two of eva's: the whole input is refused, nothing is stored
    _, evas = issue(world, email="eva@example.org")
    mixed = "".join(
        json.dumps(d) + "\n" for d in (evas, priyas, signed(recipient="eva@example.org"))
    )
    with session_scope(world["engine"]) as s, pytest.raises(NotYours, match="mixed.jsonl, line 2"):
        holdings.import_credentials(
            s,
            learner(s, world, "eva"),
            mixed.encode(),
            source="mixed.jsonl",
            fetch=fetch_for(world),
        )
    assert count(world, "eva") == 0
    # ... and in one upload of several files, one foreign file refuses them all
    with session_scope(world["engine"]) as s, pytest.raises(NotYours, match="b.json"):
        holdings.import_inputs(
            s,
            learner(s, world, "eva"),
            [("a.json", json.dumps(evas).encode()), ("b.json", json.dumps(priyas).encode())],
            fetch=fetch_for(world),
        )
    assert count(world, "eva") == 0
    # another DID is someone else too; eva's own DID and a plain address of hers are eva's
    with pytest.raises(NotYours, match="subject is did:example:learner-42, not you$"):
        import_doc(world, signed(identifier=None), who="eva")
    mine = signed("Mine by DID", identifier=None, subject_id=world["eva_did"])
    plain = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False}
    by_plain = signed("Mine by address", identifier=plain | {"identityHash": "EVA@example.org"})
    assert import_doc(world, mine, who="eva") and import_doc(world, by_plain, who="eva")
    # priya may hold hers
    assert import_doc(world, priyas, who="priya")
    assert (count(world, "eva"), count(world, "priya")) == (2, 1)


def test_an_added_address_counts_once_it_is_verified(world):
    from microcred.accounts import emails

    _, work = issue(world, email="Ada@Work.example")
    with session_scope(world["engine"]) as s:
        _, token = emails.add_address(
            s, learner(s, world), "ada@work.example", base_url=CTX.base_url
        )
    with pytest.raises(NotYours):
        import_doc(world, work)  # added, not confirmed yet
    with session_scope(world["engine"]) as s:
        emails.confirm_address(s, token)
    rid = import_doc(world, work)
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), rid)
        assert holdings.recipient_match(s, learner(s, world), row.document).how == "email-hashed"
        assert holdings.recipient_match(s, learner(s, world, "bob"), row.document).matched is False


def test_failed_credentials_are_refused_with_the_check(world):
    _, doc = issue(world)
    tampered = json.loads(json.dumps(doc))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    with pytest.raises(CredentialRefused, match=r"refused \(proof check failed\)"):
        import_doc(world, tampered)
    expired = signed(valid_until="2025-06-01T00:00:00Z")
    with pytest.raises(CredentialRefused, match="expired on 2025-06-01"):
        import_doc(world, expired)
    with pytest.raises(CredentialRefused, match="no proof"):
        import_doc(world, ob_credential(KEY.controller))
    with pytest.raises(InputError, match="invalid JSON"):
        import_doc(world, b'{"broken": ', source="broken.json")
    with pytest.raises(InputError, match="limit is 5 MB"):
        import_doc(world, b" " * (5 * 1024 * 1024 + 1))
    with pytest.raises(WalletError, match="holds a URL"):
        import_doc(world, b"https://example.org/badge.json")
    assert count(world) == 0


def test_indeterminate_is_stored_honestly(world):
    _, doc = issue(world)
    rid = import_doc(world, doc, fetch=None)  # the status list cannot be fetched
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), rid)
        st = holdings.status_of(row)
        assert row.verdict == "indeterminate" and st.state == "indeterminate"
        assert "fetching is off" in st.reason
        # not counted in the skills profile until a check decides
        assert organise.skills_profile(s, learner(s, world)) == []
        # a re-check that can fetch decides
        assert holdings.recheck(
            s, learner(s, world), row, fetch=fetch_for(world), force=True
        ).state == ("verified")
        assert [e.uri for e in organise.skills_profile(s, learner(s, world))] == [ONET, ESCO_CPR]


def test_trust_is_a_parameter_of_every_verification(world):
    """With the registries passed in, a registered issuer is "registered" and its name on
    a did:key credential fails, at import and on every re-check (check_rows, recheck,
    recheck_stale); the identity and the conformance notes are stored with the checks."""
    from microcred.vc.identity import RegistryEntry, StaticRegistry
    from microcred.verifying.trust import own_organisations

    trust = own_organisations(world["engine"], CTX.base_url)
    cid, _ = issue(world)
    impostor_key = Ed25519Multikey.generate()
    impostor = ob_credential(impostor_key.controller, identifier=to())
    impostor["issuer"]["name"] = "ACME  college!"
    impostor = proofs.sign(impostor, impostor_key)
    informal = ob_credential(impostor_key.controller, name="Informal", identifier=to())
    informal["issuer"]["image"] = "https://example.org/logo.png"  # OB 3.0 wants an Image
    informal = proofs.sign(informal, impostor_key)
    with session_scope(world["engine"]) as s:
        ada = learner(s, world)
        ours = holdings.add_issued(
            s, ada, s.get(Credential, cid), fetch=fetch_for(world), trust=trust
        )
        identity = holdings.identity_of(ours)
        assert identity is not None and identity.level == "registered"
        assert identity.registry == "this server (127.0.0.1)"
        assert holdings.conformance_of(ours) == []
        with pytest.raises(CredentialRefused, match="claims to be from “Acme College”"):
            holdings.import_credential(
                s, ada, json.dumps(impostor).encode(), source="x.json", fetch=None, trust=trust
            )
        # without the registries (before the organisation was known here) it goes in
        kept = holdings.import_credential(
            s, ada, json.dumps(impostor).encode(), source="x.json", fetch=None
        )
        assert kept.verdict == "verified" and holdings.identity_of(kept).level == "self-asserted"
        loose = holdings.import_credential(
            s, ada, json.dumps(informal).encode(), source="i.json", fetch=None, trust=trust
        )
        assert any("$.issuer.image" in p for p in holdings.conformance_of(loose))
        rows = [ours, kept]
    checks = holdings.check_rows(rows, fetch=fetch_for(world), trust=trust)
    assert checks[kept.id].verdict == "failed" and checks[ours.id].verdict == "verified"
    with session_scope(world["engine"]) as s:
        ada = learner(s, world)
        row = holdings.get_credential(s, ada, kept.id)
        assert holdings.recheck(s, ada, row, fetch=None, force=True).state == "verified"
        st = holdings.recheck(s, ada, row, fetch=None, force=True, trust=trust)
        assert st.state == "failed" and "claims to be from" in (st.reason or "")
        other = StaticRegistry([RegistryEntry(impostor_key.controller, "Impostor", "a list")])
        row.checked_at = datetime.now(UTC) - timedelta(days=2)
        s.flush()
        assert holdings.recheck_stale(s, ada, fetch=None, trust=other) == 1
        identity = holdings.identity_of(row)
        assert identity is not None and identity.level == "registered"
        assert identity.registry == "a list"


def test_import_url_through_the_guarded_fetcher(world):
    doc = signed()
    body = json.dumps(doc).encode()
    with serve_files({"/badge.json": body}) as base:
        fetcher = Fetcher(allow_loopback=True, cache_ttl=0)
        with session_scope(world["engine"]) as s:
            [done] = holdings.import_url(s, learner(s, world), f"{base}/badge.json", fetch=fetcher)
            assert done.created and done.credential.source == f"{base}/badge.json"
            assert done.credential.original == body
            with pytest.raises(WalletError, match="404"):
                holdings.import_url(s, learner(s, world), f"{base}/nope.json", fetch=fetcher)
        # the guard refuses loopback unless allowed
        with session_scope(world["engine"]) as s, pytest.raises(WalletError, match="only https"):
            holdings.import_url(s, learner(s, world), f"{base}/badge.json", fetch=Fetcher())
        fetcher.close()


def test_vc_jwt_import_keeps_the_token_and_stores_the_vc(world):
    from microcred.vc import vcjwt

    token = vcjwt.sign_vc_jwt(ob_credential(KEY.controller, identifier=to()), KEY)
    rid = import_doc(world, token.encode(), source="badge.jwt")
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), rid)
        assert row.media_type == "application/vc+jwt" and row.original == token.encode()
        assert row.document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert row.verdict == "verified"


# ---- re-check -------------------------------------------------------------------------------
def test_revoked_and_suspended_after_import_show_on_recheck(world):
    cred_id, doc = issue(world)
    rid = import_doc(world, doc)
    with session_scope(world["engine"]) as s:
        status.change_status(s, CTX, awards.get_credential(s, cred_id), "suspend", reason="review")
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), rid)
        # fresh: not checked again
        assert holdings.recheck(s, learner(s, world), row, fetch=fetch_for(world)).state == (
            "verified"
        )
        st = holdings.recheck(
            s, learner(s, world), row, fetch=fetch_for(world), max_age=timedelta(0)
        )
        assert st.state == "suspended" and st.verdict == "failed"
    with session_scope(world["engine"]) as s:
        status.change_status(s, CTX, awards.get_credential(s, cred_id), "revoke", reason="error")
    with session_scope(world["engine"]) as s:
        later = datetime.now(UTC) + timedelta(days=2)
        assert holdings.recheck_stale(s, learner(s, world), fetch=fetch_for(world), now=later) == 1
        row = holdings.get_credential(s, learner(s, world), rid)
        assert holdings.status_of(row).state == "revoked" and row.verdict == "failed"
        assert organise.skills_profile(s, learner(s, world)) == []
        assert organise.expiring(s, learner(s, world), 3650) == []


def test_a_view_checks_every_row_with_one_fetch_per_status_list(world):
    """check_rows (no database) then store_checks (one short write): a suspension a moment
    ago shows, each status list is read once for the whole view, and a budget bounds a
    very large wallet (oldest check first)."""
    ids = [
        import_doc(world, issue(world, email=e)[1])
        for e in ("ada@example.org", "ada+2@example.org")
    ]
    ids.append(import_doc(world, signed()))  # no status list
    calls: list[str] = []
    local = fetch_for(world)

    def counting(url, *, accept=None):
        calls.append(url)
        return local(url, accept=accept)

    with session_scope(world["engine"]) as s:
        cred = awards.get_credential(s, s.get(WalletCredential, ids[1]).issued_credential_id)
        status.change_status(s, CTX, cred, "suspend", reason="review")
    with session_scope(world["engine"]) as s:
        rows = holdings.all_credentials(s, learner(s, world))
    checks = holdings.check_rows(rows, fetch=counting)
    assert set(checks) == set(ids)
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 2  # revocation, suspension
    with session_scope(world["engine"]) as s:
        holdings.store_checks(s, learner(s, world), rows, checks)
    assert [holdings.status_of(r).state for r in rows] == ["verified", "suspended", "verified"]
    with session_scope(world["engine"]) as s:
        stored = {
            r.id: holdings.status_of(r).state
            for r in holdings.all_credentials(s, learner(s, world))
        }
        assert stored[ids[1]] == "suspended" and stored[ids[0]] == "verified"
        with pytest.raises(NotFound):  # another learner's rows are not written
            holdings.store_checks(s, learner(s, world, "bob"), rows, checks)
    # a budget spent: the first row (the oldest check) only
    ticks = iter(range(100))
    some = holdings.check_rows(rows, fetch=counting, budget=0.5, clock=lambda: next(ticks))
    assert len(some) == 1
    # bytes that no longer read (the verifier became stricter): kept as they were, no error
    with session_scope(world["engine"]) as s:
        s.get(WalletCredential, ids[0]).original = b'{"broken": '
    with session_scope(world["engine"]) as s:
        rows = holdings.all_credentials(s, learner(s, world))
    assert set(holdings.check_rows(rows, fetch=counting)) == {ids[1], ids[2]}


def test_foreign_status_list_served_over_http_revoked_after_import(world):
    lst = statuslist.StatusList()
    routes: dict[str, bytes] = {}
    with serve_files(routes) as base:
        url = f"{base}/status/1"

        def publish():
            doc = statuslist.status_list_credential(
                id=url,
                issuer=KEY.controller,
                purpose="revocation",
                encoded_list=lst.encode(),
                valid_from="2025-01-01T00:00:00Z",
            )
            routes["/status/1"] = json.dumps(proofs.sign(doc, KEY)).encode()

        publish()
        entry = statuslist.status_entry(list_url=url, index=5, purpose="revocation")
        # the deployment's cache is on (300 s), but the list comes without caching headers:
        # it is read again on every check
        fetcher = Fetcher(allow_loopback=True)
        rid = import_doc(world, signed(credential_status=entry), fetch=fetcher)
        lst.set(5, 1)
        publish()
        with session_scope(world["engine"]) as s:
            row = holdings.get_credential(s, learner(s, world), rid)
            assert row.verdict == "verified"
            st = holdings.recheck(s, learner(s, world), row, fetch=fetcher, force=True)
            assert st.state == "revoked" and "revoked" in st.reason
        fetcher.close()


def test_expiry_by_date_and_expiring_with_renewal(world):
    cred_id, doc = issue(world)
    rid = import_doc(world, doc)
    other = import_doc(world, signed())  # no expiry
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        row = holdings.get_credential(s, me, rid)
        until = holdings.utc(row.valid_until)
        assert organise.expiring(s, me, 30) == []
        soon = organise.expiring(s, me, 30, now=until - timedelta(days=10))
        assert [(e.credential.id, e.days_left) for e in soon] == [(rid, 10)]
        assert soon[0].renewal_url == f"{CTX.base_url}/renew/{cred_id}"
        after = until + timedelta(days=1)
        assert holdings.status_of(row, after).state == "expired"
        assert organise.expiring(s, me, 30, now=after) == []
        assert organise.have_uris(s, me, now=after) == [
            "http://data.europa.eu/esco/skill/data-analysis"
        ]
        kinds = [(e.kind, e.credential.id) for e in organise.timeline(s, me, now=after)]
        assert ("expired", rid) in kinds and kinds[0] == ("issued", other)
        assert [e.kind for e in organise.timeline(s, me) if e.credential.id == rid] == [
            "issued",
            "expires",
        ]


# ---- organise -------------------------------------------------------------------------------
def test_tags_notes_and_caps(world):
    rid = import_doc(world, signed())
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        assert organise.set_tags(s, me, rid, ["  #Data  Science ", "data science", "SQL"]) == [
            "data science",
            "sql",
        ]
        assert organise.add_tag(s, me, rid, "Python") == ["data science", "sql", "python"]
        assert organise.remove_tag(s, me, rid, "SQL") == ["data science", "python"]
        with pytest.raises(WalletError, match="at most 40"):
            organise.add_tag(s, me, rid, "x" * 41)
        with pytest.raises(WalletError, match="at most 20 tags"):
            organise.set_tags(s, me, rid, [f"t{i}" for i in range(21)])
        with pytest.raises(WalletError, match="empty"):
            organise.add_tag(s, me, rid, " # ")
        with pytest.raises(WalletError, match="control"):
            organise.add_tag(s, me, rid, "a\x00b")
        assert (
            organise.set_note(s, me, rid, "  from the spring course ") == "from the spring course"
        )
        with pytest.raises(WalletError, match="2000"):
            organise.set_note(s, me, rid, "n" * 2001)
        assert organise.set_note(s, me, rid, "  ") is None
        assert organise.all_tags(s, me) == [("data science", 1), ("python", 1)]


def test_collections(world):
    a = import_doc(world, signed("Alpha Badge"))
    b = import_doc(world, signed("Beta Badge"))
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        c = organise.create_collection(s, me, " Job  applications ", description="for 2027")
        assert c.name == "Job applications"
        with pytest.raises(WalletError, match="you have a collection") as err:
            organise.create_collection(s, me, "job APPLICATIONS")
        assert err.value.code == "conflict"
        assert organise.add_to_collection(s, me, c.id, [a, b, a]) == 2
        assert organise.add_to_collection(s, me, c.id, [a]) == 0
        assert [r.id for r in organise.collection_credentials(s, me, c.id)] == [a, b]
        assert [x.name for x in organise.collections_of(s, me, a)] == ["Job applications"]
        d = organise.create_collection(s, me, "Other")
        with pytest.raises(WalletError, match="you have a collection"):
            organise.rename_collection(s, me, d.id, "job applications")
        organise.rename_collection(s, me, d.id, "Archive", description="old")
        assert [(x.collection.name, x.count) for x in organise.list_collections(s, me)] == [
            ("Archive", 0),
            ("Job applications", 2),
        ]
        assert organise.remove_from_collection(s, me, c.id, [a]) == 1
        assert [r.id for r in organise.list_credentials(s, me, collection=c.id)] == [b]
        organise.delete_collection(s, me, c.id)
        with pytest.raises(NotFound):
            organise.get_collection(s, me, c.id)
        assert count(world) == 2  # the credentials stay
        holdings.delete_credential(s, me, b)
        assert [r.id for r in organise.list_credentials(s, me)] == [a]


def test_search_filter_and_sort(world):
    cred_id, doc = issue(world)
    ours = import_doc(world, doc)
    other_key = Ed25519Multikey.from_seed(bytes(range(1, 33)))
    alpha = import_doc(
        world, signed("Alpha Statistics", key=other_key, valid_from="2024-03-01T00:00:00Z")
    )
    zeta = import_doc(world, signed("Zeta Café", valid_from="2025-02-01T00:00:00Z"))
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        organise.set_tags(s, me, alpha, ["portfolio"])
        organise.set_note(s, me, zeta, "Bring to the interview")

        def ids(**kw):
            return [r.id for r in organise.list_credentials(s, me, **kw)]

        assert ids() == [ours, zeta, alpha]  # newest first
        assert ids(sort="date", order="asc") == [alpha, zeta, ours]
        assert ids(sort="name") == [alpha, ours, zeta]
        assert ids(sort="name", order="desc") == [zeta, ours, alpha]
        assert ids(sort="issuer") == [ours, alpha, zeta]  # Acme, then Example (by name)
        assert ids(sort="skill") == [alpha, zeta, ours]  # data analysis < emergency ...
        assert ids(q="cafe") == [zeta]  # accents ignored
        assert ids(q="INTERVIEW") == [zeta]  # the note
        assert ids(q="portfolio") == [alpha]  # a tag
        assert ids(q="resuscitation") == [ours]  # a skill
        assert ids(q="acme college") == [ours]  # the issuer
        assert ids(q="data analysis") == [zeta, alpha]
        assert ids(tag="#PORTFOLIO") == [alpha]
        assert ids(issuer="acme college") == [ours]
        assert ids(issuer=doc["issuer"]["id"]) == [ours]
        assert ids(skill=ESCO_CPR) == [ours]
        assert ids(skill="Data Analysis") == [zeta, alpha]
        with pytest.raises(WalletError, match="sort"):
            ids(sort="colour")
        with pytest.raises(WalletError, match="order"):
            ids(order="sideways")


def test_skills_profile_only_from_verified(world):
    cred_id, doc = issue(world)
    ours = import_doc(world, doc)
    other = import_doc(world, signed())
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        prof = organise.skills_profile(s, me)
        assert [(e.label, e.framework, e.credentials) for e in prof] == [
            ("data analysis", "ESCO", [other]),
            ("Emergency Medical Technicians", "O*NET", [ours]),
            ("perform cardiopulmonary resuscitation", "ESCO", [ours]),
        ]
    with session_scope(world["engine"]) as s:  # committed: the served list changes
        status.change_status(s, CTX, awards.get_credential(s, cred_id), "revoke", reason="x")
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        holdings.recheck(
            s, me, holdings.get_credential(s, me, ours), fetch=fetch_for(world), force=True
        )
        assert organise.have_uris(s, me) == ["http://data.europa.eu/esco/skill/data-analysis"]


def test_have_uris_feed_the_advisor(world):
    from microcred.advisor.skills import load_curated
    from microcred.catalog.service import resolve

    programming = "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
    achievement = openbadges.achievement(
        id="https://example.edu/achievements/python",
        name="Python Programming",
        description="Writes Python.",
        criteria_narrative="Pass.",
        alignment=[
            openbadges.alignment(target_name="computer programming", target_url=programming)
        ],
    )
    doc = openbadges.open_badge_credential(
        id="urn:uuid:8f0e4b9c-5d3b-4c57-9f7e-1d2a8c0b6e11",
        issuer=openbadges.profile(id=KEY.controller, name="Example College"),
        achievement=achievement,
        identifier=to(),
        valid_from="2025-01-01T00:00:00Z",
    )
    import_doc(world, proofs.sign(doc, KEY))
    with session_scope(world["engine"]) as s:
        have = organise.have_uris(s, learner(s, world))
    assert have == [programming]
    r = resolve(load_curated(), "computer programming, solve technical problems", have)
    assert r.unknown_have == [] and [h.uri for h in r.have] == [programming]


# ---- export ---------------------------------------------------------------------------------
def test_export_zip_has_originals_manifest_and_a_verifying_clr(world):
    _, doc = issue(world)
    png = baking.bake(tiny_png(), doc)
    a = import_doc(world, png, source="bls.png")
    from microcred.vc import vcjwt

    token = vcjwt.sign_vc_jwt(ob_credential(KEY.controller, name="JWT Badge", identifier=to()), KEY)
    b = import_doc(world, token.encode(), source="b.jwt")
    c = import_doc(world, signed("Data Analysis"), source="c.json")
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        signer = export.platform_signer(s, CTX)
        data = export.export_zip(s, me, signer=signer)
        again = export.platform_signer(s, CTX)  # made once
        assert again.profile["id"] == signer.profile["id"]
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(zf.namelist())
    assert names == sorted(
        [
            f"credentials/basic-life-support-{a[:8]}.png",
            f"credentials/jwt-badge-{b[:8]}.jwt",
            f"credentials/data-analysis-{c[:8]}.json",
            "manifest.json",
            "transcript.clr.json",
        ]
    )
    assert zf.read(f"credentials/basic-life-support-{a[:8]}.png") == png
    assert zf.read(f"credentials/jwt-badge-{b[:8]}.jwt") == token.encode()
    manifest = json.loads(zf.read("manifest.json"))
    entries = {e["id"]: e for e in manifest["credentials"]}
    assert entries[a]["issuer"] == "Acme College" and entries[a]["verdict"] == "verified"
    assert entries[a]["source"] == "bls.png" and entries[a]["file"].endswith(".png")
    clr = json.loads(zf.read("transcript.clr.json"))
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    report = verify_credential(clr, fetch=fetch_for(world))
    assert report.verdict == "verified", report.to_json()["checks"]
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert doc in embedded and token in embedded  # the originals as the issuers signed them
    assert clr["issuer"]["name"] == "microcred platform"
    # without a signer: no transcript
    with session_scope(world["engine"]) as s:
        plain = zipfile.ZipFile(io.BytesIO(export.export_zip(s, learner(s, world))))
        assert "transcript.clr.json" not in plain.namelist()


def _stacked(key, ach_id, name, part_of=None):
    alignment = (
        [openbadges.alignment(target_name="Full Program", target_url=part_of)] if part_of else None
    )
    achievement = openbadges.achievement(
        id=ach_id,
        name=name,
        description=f"{name}.",
        criteria_narrative="Pass.",
        alignment=alignment,
    )
    doc = openbadges.open_badge_credential(
        id=f"urn:uuid:{hashlib.md5(name.encode()).hexdigest()[:8]}-0000-4000-8000-000000000000",  # noqa: S324
        issuer=openbadges.profile(id=key.controller, name="Stack U"),
        achievement=achievement,
        identifier=to(),
        valid_from="2025-01-01T00:00:00Z",
    )
    return proofs.sign(doc, key)


def test_clr_associations_from_stacked_achievements(world):
    program = "https://stack.example/achievements/program"
    big = import_doc(world, _stacked(KEY, program, "Full Program"))
    part = import_doc(
        world, _stacked(KEY, "https://stack.example/achievements/m1", "Module 1", part_of=program)
    )
    stranger = Ed25519Multikey.from_seed(bytes(range(2, 34)))
    foreign = import_doc(
        world,
        _stacked(stranger, "https://other.example/m9", "Module 9", part_of=program),
    )
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        signer = export.platform_signer(s, CTX)
        clr = export.clr_transcript(s, me, [big, part, foreign], signer=signer)
        assert clr["credentialSubject"]["association"] == [
            {
                "type": "Association",
                "associationType": "isPartOf",
                "sourceId": "https://stack.example/achievements/m1",
                "targetId": program,
            }
        ]
        assert clr["credentialSubject"]["id"] == me.did
        assert verify_credential(clr).verdict == "verified"
        only = export.clr_transcript(s, me, [big], signer=signer)
        assert "association" not in only["credentialSubject"]
        with pytest.raises(WalletError, match="at least one"):
            export.clr_transcript(s, me, [], signer=signer)


def test_clr_refuses_a_revoked_credential(world):
    cred_id, doc = issue(world)
    rid = import_doc(world, doc)
    with session_scope(world["engine"]) as s:
        status.change_status(s, CTX, awards.get_credential(s, cred_id), "revoke", reason="x")
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        holdings.recheck(
            s, me, holdings.get_credential(s, me, rid), fetch=fetch_for(world), force=True
        )
        with pytest.raises(WalletError, match="revoked"):
            export.clr_transcript(s, me, [rid], signer=export.platform_signer(s, CTX))


# ---- share links ----------------------------------------------------------------------------
def test_share_links(world):
    a = import_doc(world, signed("Alpha Badge"))
    b = import_doc(world, signed("Beta Badge"))
    now = datetime.now(UTC)
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        link, token = shares.create_share(s, me, "credential", a, expires_at=None, label="CV")
        assert len(token) * 6 >= 256 and token not in json.dumps(
            {c.name: str(getattr(link, c.name)) for c in ShareLink.__table__.columns}
        )
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        coll = organise.create_collection(s, me, "For employers")
        organise.add_to_collection(s, me, coll.id, [a, b])
        clink, ctoken = shares.create_share(
            s,
            me,
            "collection",
            coll.id,
            show_name=True,
            show_email=True,
            expires_at=now + timedelta(days=7),
        )
        short, stoken = shares.create_share(
            s, me, "credential", b, expires_at=now + timedelta(hours=1)
        )
        with pytest.raises(WalletError, match="expired already"):
            shares.create_share(s, me, "credential", a, expires_at=now - timedelta(seconds=1))
        with pytest.raises(WalletError, match="target_kind"):
            shares.create_share(s, me, "wallet", a)
    with session_scope(world["engine"]) as s:
        view = shares.resolve_share(s, token)
        assert [c.id for c in view.credentials] == [a]
        assert view.holder_name is None and view.holder_email is None
        cview = shares.resolve_share(s, ctoken)
        assert [c.id for c in cview.credentials] == [a, b]
        assert cview.collection_name == "For employers"
        assert (cview.holder_name, cview.holder_email) == ("Ada L", "ada@example.org")
        assert shares.resolve_share(s, token).link.views == 2
        assert shares.resolve_share(s, "x" * 43) is None  # unknown
        assert shares.resolve_share(s, "") is None and shares.resolve_share(s, "a b") is None
        assert shares.resolve_share(s, stoken, now + timedelta(hours=2)) is None  # expired
        assert shares.resolve_share(s, stoken, now) is not None
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        shares.revoke_share(s, me, link.id)
        assert shares.resolve_share(s, token) is None
        assert {
            x.id: shares.share_state(x, now + timedelta(hours=2)) for x in shares.list_shares(s, me)
        } == {
            link.id: "revoked",
            clink.id: "active",
            short.id: "expired",
        }
        holdings.delete_credential(s, me, b)
        assert [c.id for c in shares.resolve_share(s, ctoken).credentials] == [a]
        organise.delete_collection(s, me, coll.id)
        assert shares.resolve_share(s, ctoken) is None


# ---- claims ---------------------------------------------------------------------------------
def test_claim_requires_a_verified_matching_email(world):
    cred_id, _ = issue(world)
    with session_scope(world["engine"]) as s:
        cred = s.get(Credential, cred_id)
        bob = learner(s, world, "bob")
        with pytest.raises(ClaimRefused, match="another recipient"):
            holdings.claim_into_wallet(s, bob, cred, fetch=fetch_for(world))
        ada = learner(s, world)
        ada.email_verified_at = None
        with pytest.raises(ClaimRefused, match="verify your e-mail"):
            holdings.claim_into_wallet(s, ada, cred, fetch=fetch_for(world))
        ada.email_verified_at = datetime.now(UTC)
        row = holdings.claim_into_wallet(s, ada, cred, fetch=fetch_for(world))
        assert row.issued_credential_id == cred_id and row.verdict == "verified"
        assert row.renewal_url == f"{CTX.base_url}/renew/{cred_id}"
        assert json.loads(row.original) == cred.document
        assert holdings.claim_into_wallet(s, ada, cred, fetch=fetch_for(world)).id == row.id
        # a DID recipient
    with session_scope(world["engine"]) as s:
        bob = learner(s, world, "bob")
        org = orgs.get_organisation(s, world["org"])
        out = awards.issue_award(
            s,
            CTX,
            org=org,
            achievement=achievements.get_achievement(s, org, world["ach"]),
            recipient=awards.Recipient(did=bob.did, name="Bob"),
            notify=False,
        )
        assert holdings.claim_into_wallet(s, bob, out.credential).verdict == "indeterminate"
        status.change_status(s, CTX, out.credential, "revoke", reason="x")
        with pytest.raises(CredentialRefused, match="revoked"):
            holdings.add_issued(s, bob, out.credential)


def test_add_issued_marks_an_earlier_import(world):
    cred_id, doc = issue(world)
    rid = import_doc(world, json.dumps(doc).encode())
    with session_scope(world["engine"]) as s:
        row = holdings.get_credential(s, learner(s, world), rid)
        row.issued_credential_id = None
        row.renewal_url = None
    with session_scope(world["engine"]) as s:
        again = holdings.add_issued(
            s, learner(s, world), s.get(Credential, cred_id), fetch=fetch_for(world)
        )
        assert again.id == rid and again.issued_credential_id == cred_id
        assert again.renewal_url.endswith(f"/renew/{cred_id}")


# ---- presentations --------------------------------------------------------------------------
def test_present_signs_with_the_learners_key(world):
    _, doc = issue(world)
    a = import_doc(world, doc)
    from microcred.vc import vcjwt

    with session_scope(world["engine"]) as s:
        did = learner(s, world).did
    token = vcjwt.sign_vc_jwt(ob_credential(KEY.controller, name="JWT Badge", subject_id=did), KEY)
    b = import_doc(world, baking.bake(tiny_png(), token), source="jwt.png")
    now = datetime.now(UTC)
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        vp = export.present(
            s,
            me,
            [a, b],
            challenge="n-123",
            domain="jobs.example",
            secret=SECRET,
            expires=now + timedelta(minutes=10),
        )
        assert vp["holder"] == me.did
        assert vp["verifiableCredential"][1]["id"] == "data:application/vc+jwt," + token
        report = verify_presentation(
            vp, challenge="n-123", domain="jobs.example", now=now, fetch=fetch_for(world)
        )
        assert report.verdict == "verified", [(c.name, c.message) for c in report.checks] + [
            [(c.name, c.message) for c in r.checks if c.status != "passed"]
            for r in report.credentials
        ]
        assert (
            verify_presentation(
                vp, challenge="other", domain="jobs.example", now=now, fetch=fetch_for(world)
            ).verdict
            == "failed"
        )
        with pytest.raises(WalletError, match="challenge"):
            export.present(s, me, [a], challenge="", domain="d", secret=SECRET)
        with pytest.raises(WalletError, match="at least one"):
            export.present(s, me, [], challenge="c", domain="d", secret=SECRET)


# ---- isolation ------------------------------------------------------------------------------
def test_another_learner_can_touch_nothing(world):
    _, doc = issue(world)
    a = import_doc(world, doc)
    with session_scope(world["engine"]) as s:
        ada = learner(s, world)
        coll = organise.create_collection(s, ada, "Mine")
        organise.add_to_collection(s, ada, coll.id, [a])
        link, _ = shares.create_share(s, ada, "credential", a)
        coll_id, link_id = coll.id, link.id
    bob_only = import_doc(world, signed(recipient="bob@example.org"), who="bob")
    with session_scope(world["engine"]) as s:
        bob = learner(s, world, "bob")
        bob_coll = organise.create_collection(s, bob, "Bob's").id
        row = s.get(WalletCredential, a)
        attempts = {
            "get": lambda: holdings.get_credential(s, bob, a),
            "get many": lambda: holdings.get_credentials(s, bob, [bob_only, a]),
            "delete": lambda: holdings.delete_credential(s, bob, a),
            "recheck": lambda: holdings.recheck(s, bob, row, fetch=None, force=True),
            "set tags": lambda: organise.set_tags(s, bob, a, ["x"]),
            "add tag": lambda: organise.add_tag(s, bob, a, "x"),
            "remove tag": lambda: organise.remove_tag(s, bob, a, "x"),
            "note": lambda: organise.set_note(s, bob, a, "x"),
            "add to own collection": lambda: organise.add_to_collection(s, bob, bob_coll, [a]),
            "add to theirs": lambda: organise.add_to_collection(s, bob, coll_id, [bob_only]),
            "remove from theirs": lambda: organise.remove_from_collection(s, bob, coll_id, [a]),
            "remove theirs from own": lambda: organise.remove_from_collection(
                s, bob, bob_coll, [a]
            ),
            "rename": lambda: organise.rename_collection(s, bob, coll_id, "Hijacked"),
            "delete collection": lambda: organise.delete_collection(s, bob, coll_id),
            "collection items": lambda: organise.collection_credentials(s, bob, coll_id),
            "collections of": lambda: organise.collections_of(s, bob, a),
            "list in collection": lambda: organise.list_credentials(s, bob, collection=coll_id),
            "share credential": lambda: shares.create_share(s, bob, "credential", a),
            "share collection": lambda: shares.create_share(s, bob, "collection", coll_id),
            "revoke share": lambda: shares.revoke_share(s, bob, link_id),
            "get share": lambda: shares.get_share(s, bob, link_id),
            "clr": lambda: export.clr_transcript(
                s, bob, [a], signer=export.platform_signer(s, CTX)
            ),
            "present": lambda: export.present(
                s, bob, [a], challenge="c", domain="d", secret=SECRET
            ),
        }
        for what, attempt in attempts.items():
            with pytest.raises(NotFound) as err:
                attempt()
            assert "Basic Life Support" not in str(err.value), what
        assert [r.id for r in organise.list_credentials(s, bob)] == [bob_only]
        assert [r.id for r in organise.list_credentials(s, bob, q="life support")] == []
        assert [c.collection.name for c in organise.list_collections(s, bob)] == ["Bob's"]
        assert shares.list_shares(s, bob) == []
        assert [e.credential.id for e in organise.timeline(s, bob)] == [bob_only]
        assert organise.expiring(s, bob, 3650) == []
        assert [e.credentials for e in organise.skills_profile(s, bob)] == [[bob_only]]
        assert organise.all_tags(s, bob) == []
        zf = zipfile.ZipFile(io.BytesIO(export.export_zip(s, bob)))
        manifest = json.loads(zf.read("manifest.json"))
        assert [e["id"] for e in manifest["credentials"]] == [bob_only]
        assert not any(a[:8] in n for n in zf.namelist())
        # ada's credential is not bob's to hold
        with pytest.raises(NotYours, match="issued to someone else"):
            holdings.import_credential(
                s, bob, json.dumps(doc).encode(), source="x.json", fetch=fetch_for(world)
            )
        assert [r.id for r in organise.list_credentials(s, bob)] == [bob_only]
    with session_scope(world["engine"]) as s:  # nothing of ada's changed
        ada = learner(s, world)
        row = holdings.get_credential(s, ada, a)
        assert row.tags == [] and row.note is None
        assert [c.collection.name for c in organise.list_collections(s, ada)] == ["Mine"]
        assert shares.get_share(s, ada, link_id).revoked_at is None


def test_errors_are_microcred_errors(world):
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        for exc in (NotFound, WalletError, CredentialRefused, ClaimRefused):
            assert issubclass(exc, MicrocredError)
        with pytest.raises(NotFound) as err:
            holdings.get_credential(s, me, "00000000-0000-0000-0000-000000000000")
        assert err.value.code == "not_found"


def test_limits_and_a_concurrent_duplicate(world, monkeypatch):
    docs = [signed(f"Badge {i}") for i in range(3)]
    jsonl = "".join(json.dumps(d) + "\n" for d in docs).encode()
    monkeypatch.setattr(holdings, "MAX_PER_INPUT", 2)
    with pytest.raises(WalletError, match="holds 3 credentials; import at most 2"):
        import_doc(world, jsonl, source="many.jsonl")
    rid = import_doc(world, docs[0])
    # another request stored the same credential after this one looked: a conflict, and the
    # caller's transaction goes on
    monkeypatch.setattr(holdings, "_find_hash", lambda *a: None)
    with session_scope(world["engine"]) as s:
        me = learner(s, world)
        with pytest.raises(WalletError, match="same moment") as err:
            holdings.import_credential(
                s, me, json.dumps(docs[0]).encode(), source="again.json", fetch=None
            )
        assert err.value.code == "conflict"
        assert [r.id for r in organise.list_credentials(s, me)] == [rid]
        organise.set_note(s, me, rid, "still works")
    monkeypatch.setattr(holdings, "MAX_CREDENTIALS", 1)
    with pytest.raises(WalletError, match="at most 1 credentials"):
        import_doc(world, docs[1])
