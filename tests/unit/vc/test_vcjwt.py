"""VC-JWT: signing, decoding and verifying, with keys made here and 1EdTech's samples."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from microcred.vc import baking
from microcred.vc.errors import FetchFailed, SigningError
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.vcjwt import (
    JwtError,
    decode_vc_jwt,
    sign_vc_jwt,
    verify_vc_jwt,
)

KEY = Ed25519Multikey.from_seed(bytes(range(32)))
ISSUER = KEY.controller
NOW = datetime(2024, 5, 1, tzinfo=UTC)


def credential(issuer: str = ISSUER, **extra) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2f1b6c1e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
        **extra,
    }


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def ed25519_token(header: dict, payload: dict, key: Ed25519Multikey = KEY) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    sig = base64.urlsafe_b64encode(key.sign(signing_input.encode())).rstrip(b"=").decode()
    return f"{signing_input}.{sig}"


def flip(token: str, part: int, index: int) -> str:
    parts = token.split(".")
    s = parts[part]
    i = index % len(s)
    parts[part] = s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1 :]
    return ".".join(parts)


# ---- signing ------------------------------------------------------------------------------
def test_sign_maps_the_claims():
    cred = credential(validUntil="2030-01-01T00:00:00Z")
    token = sign_vc_jwt(cred, KEY, now=NOW)
    decoded = decode_vc_jwt(token)
    assert decoded.header == {"alg": "EdDSA", "typ": "JWT", "kid": KEY.id}
    p = decoded.payload
    assert p["vc"] == cred and decoded.credential == cred and decoded.style == "vc_claim"
    assert p["iss"] == ISSUER
    assert p["jti"] == cred["id"]
    assert p["sub"] == "did:example:learner"
    assert p["nbf"] == 1704067200
    assert p["exp"] == 1893456000
    assert p["iat"] == int(NOW.timestamp())


def test_sign_vc_1_1_dates_and_string_issuer():
    cred = {
        "issuer": ISSUER,
        "issuanceDate": "2010-01-01T00:00:00Z",
        "expirationDate": "2011-01-01T00:00:00Z",
        "credentialSubject": {},
    }
    p = decode_vc_jwt(sign_vc_jwt(cred, KEY)).payload
    assert (p["iss"], p["nbf"], p["exp"]) == (ISSUER, 1262304000, 1293840000)
    assert "sub" not in p and "jti" not in p


def test_sign_errors():
    with pytest.raises(SigningError, match="issuer"):
        sign_vc_jwt({"credentialSubject": {}}, KEY)
    with pytest.raises(SigningError, match="validFrom"):
        sign_vc_jwt(credential(validFrom="yesterday"), KEY)
    public_only = Ed25519Multikey.from_public(KEY.public_key_multibase, id=KEY.id)
    with pytest.raises(SigningError, match="secret"):
        sign_vc_jwt(credential(), public_only)


# ---- verifying: Ed25519 with a did:key kid ------------------------------------------------
def test_round_trip_ed25519():
    token = sign_vc_jwt(credential(), KEY, now=NOW)
    result = verify_vc_jwt(token, fetch=None)
    assert result.verified, result.error
    assert result.error is None and result.warnings == []
    assert result.key_id == KEY.id and result.controller == ISSUER
    assert result.credential == credential()
    assert result.not_before == datetime(2024, 1, 1, tzinfo=UTC)
    assert result.issued_at == NOW and result.expires is None


def test_key_of_someone_else_is_reported_not_judged():
    other = Ed25519Multikey.generate()
    result = verify_vc_jwt(sign_vc_jwt(credential(), other), fetch=None)
    assert result.verified  # the signature matches; binding to the issuer is the caller's check
    assert result.controller == other.controller != ISSUER


@pytest.mark.parametrize("part", [0, 1, 2])
def test_tampering_fails(part):
    token = sign_vc_jwt(credential(), KEY)
    result = verify_vc_jwt(flip(token, part, 17), fetch=None)
    assert not result.verified


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0))
def test_any_payload_change_fails(index):
    token = sign_vc_jwt(credential(), KEY, now=NOW)
    result = verify_vc_jwt(flip(token, 1, index), fetch=None)
    assert not result.verified
    assert result.error


def test_vc2_style_payload_is_the_credential():
    cred = credential()
    token = ed25519_token({"alg": "EdDSA", "kid": KEY.id, "typ": "vc+jwt"}, cred)
    decoded = decode_vc_jwt(token)
    assert decoded.style == "payload" and decoded.credential == cred
    assert verify_vc_jwt(token, fetch=None).verified


def test_relative_kid_is_read_against_the_issuer():
    token = ed25519_token({"alg": "EdDSA", "kid": "#" + KEY.public_key_multibase}, credential())
    assert verify_vc_jwt(token, fetch=None).verified


# ---- claim mapping ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "did:example:other"), ("jti", "urn:uuid:other"), ("sub", "did:example:other")],
)
def test_claim_mismatch_fails(claim, value):
    payload = {"vc": credential(), "iss": ISSUER, "jti": credential()["id"], claim: value}
    token = ed25519_token({"alg": "EdDSA", "kid": KEY.id}, payload)
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "proof"
    assert f"'{claim}' claim" in result.error


# ---- RS256 / ES256 with a jwk header ------------------------------------------------------
def _pyjwt_token(alg: str, private_key, public_key, cred: dict) -> str:
    algorithm = (
        RSAAlgorithm(RSAAlgorithm.SHA256) if alg == "RS256" else ECAlgorithm(ECAlgorithm.SHA256)
    )
    jwk = algorithm.to_jwk(public_key, as_dict=True)
    payload = {"vc": cred, "iss": cred["issuer"]["id"], "nbf": 1704067200}
    return jwt.encode(payload, private_key, algorithm=alg, headers={"jwk": jwk})


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_rs256_with_jwk_header(rsa_key):
    token = _pyjwt_token("RS256", rsa_key, rsa_key.public_key(), credential("https://e.org/i"))
    result = verify_vc_jwt(token, fetch=None)
    assert result.verified, result.error
    # the signature matches the header's key, but nothing confirms it is the issuer's
    assert result.controller is None and "could not be read" in (result.unconfirmed or "")
    assert not verify_vc_jwt(flip(token, 1, 40), fetch=None).verified


def test_es256_with_jwk_header():
    key = ec.generate_private_key(ec.SECP256R1())
    token = _pyjwt_token("ES256", key, key.public_key(), credential("https://e.org/i"))
    result = verify_vc_jwt(token, fetch=None)
    assert result.verified, result.error
    assert not verify_vc_jwt(flip(token, 2, 5), fetch=None).verified


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_short_rsa_keys_are_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - on purpose
    token = _pyjwt_token("RS256", key, key.public_key(), credential("https://e.org/i"))
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and "2048" in result.error


def test_private_members_of_a_jwk_are_ignored(rsa_key):
    jwk = RSAAlgorithm.to_jwk(rsa_key, as_dict=True)  # includes "d"
    cred = credential("https://e.org/i")
    token = jwt.encode({"vc": cred}, rsa_key, algorithm="RS256", headers={"jwk": jwk})
    assert verify_vc_jwt(token, fetch=None).verified


def test_algorithm_and_key_type_must_agree(rsa_key):
    jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    token = ed25519_token({"alg": "EdDSA", "jwk": jwk}, credential("https://e.org/i"))
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "key" and "RSA" in result.error


@pytest.mark.parametrize(
    ("alg", "jwk"),
    [
        ("RS256", {"kty": "RSA", "n": 123, "e": "AQAB"}),
        ("RS256", {"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
        ("ES256", {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
        ("ES256", {"kty": "EC", "crv": "P-256"}),
        ("EdDSA", {"kty": "OKP", "crv": "Ed25519", "x": None}),
    ],
)
def test_malformed_jwks(alg, jwk):
    token = ed25519_token({"alg": alg, "jwk": jwk}, credential())
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "key" and "malformed JWK" in result.error


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", "ES256K", None])
def test_other_algorithms_fail(alg):
    token = ed25519_token({"alg": alg, "kid": KEY.id}, credential())
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "proof"
    assert repr(alg) in result.error or "'none'" in result.error


def test_crit_is_refused():
    token = ed25519_token(
        {"alg": "EdDSA", "kid": KEY.id, "crit": ["b64"], "b64": False}, {"vc": credential()}
    )
    assert "critical" in verify_vc_jwt(token, fetch=None).error


# ---- keys from a document -----------------------------------------------------------------
def test_kid_resolved_from_a_controller_document():
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    issuer = "https://e.org/issuers/1"
    document = {
        "id": issuer,
        "verificationMethod": [
            {"id": f"{issuer}#k1", "type": "JsonWebKey", "controller": issuer, "publicKeyJwk": jwk}
        ],
        "assertionMethod": ["#k1"],
    }
    calls = []

    def fetch(url, accept=None):
        calls.append(url)
        return json.dumps(document).encode()

    cred = credential(issuer)
    token = jwt.encode({"vc": cred}, key, algorithm="ES256", headers={"kid": f"{issuer}#k1"})
    result = verify_vc_jwt(token, fetch=fetch)
    assert result.verified, result.error
    assert calls == [issuer] and result.warnings == [] and result.controller == issuer
    # listed only as a verification method, not for assertionMethod: it cannot issue
    del document["assertionMethod"]
    refused = verify_vc_jwt(token, fetch=fetch)
    assert not refused.verified and refused.error_kind == "key"
    assert "not under assertionMethod" in refused.error
    assert result.key_id == f"{issuer}#k1" and result.controller == issuer


def test_key_fetch_failure_is_could_not_check():
    def fetch(url, accept=None):
        raise FetchFailed("connection refused")

    token = ed25519_token({"alg": "EdDSA", "kid": "https://e.org/keys/1"}, credential())
    assert verify_vc_jwt(token, fetch=fetch).error_kind == "could_not_check"
    assert verify_vc_jwt(token, fetch=None).error_kind == "could_not_check"


def test_unresolvable_kid_is_a_key_failure():
    token = ed25519_token({"alg": "EdDSA", "kid": "did:example:123#k"}, credential())
    result = verify_vc_jwt(token, fetch=None)
    assert result.error_kind == "key" and "did:example" in result.error


# ---- decoding errors ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "3 dot-separated parts"),
        ("a.b.c.d", "3 dot-separated parts"),
        ("e30.e30.!!", "signature is not base64url"),
        ("bm90IGpzb24.e30.", "header is not JSON"),
        (f"{b64({'alg': 'EdDSA'})}.WzFd.", "payload is not a JSON object"),
        (f"{b64({'alg': 'EdDSA'})}.{b64({'iss': 'x'})}.", "neither a credential"),
    ],
)
def test_decode_errors(token, message):
    with pytest.raises(JwtError, match=message):
        decode_vc_jwt(token)
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and message.split()[0] in result.error


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    result = verify_vc_jwt(text, fetch=None)
    assert not result.verified and result.error


# ---- 1EdTech samples ----------------------------------------------------------------------
@pytest.mark.conformance
def test_simple_jwt_decodes_and_names_no_key(conformance_dir):
    token = (conformance_dir / "1edtech-validator-ob30" / "simple.jwt").read_text()
    decoded = decode_vc_jwt(token)
    assert decoded.header == {"alg": "RS256", "typ": "JWT"}
    assert (
        decoded.credential["id"] == decoded.payload["jti"] == "http://example.edu/credentials/3732"
    )
    assert decoded.payload["iss"] == decoded.credential["issuer"]["id"]
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "key"
    assert "neither a 'kid' nor a 'jwk'" in result.error


@pytest.mark.conformance
def test_velocity_jwt_decodes(conformance_dir):
    token = (conformance_dir / "1edtech-validator-ob30" / "velocity.jwt").read_text()
    decoded = decode_vc_jwt(token)
    assert decoded.header["kid"].startswith("did:velocity:")
    assert "OpenBadgeCredential" in decoded.credential["type"]
    result = verify_vc_jwt(token, fetch=None)
    assert not result.verified and result.error_kind == "key"
    assert "did:velocity" in result.error


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name", ["simple-jwt.png", "simple-jwt_v1.png", "simple-jwt.svg", "simple-jwt_v1.svg"]
)
def test_baked_1edtech_jwts_verify_with_their_jwk(conformance_dir, name):
    token = baking.unbake((conformance_dir / "1edtech-validator-ob30" / name).read_bytes())
    result = verify_vc_jwt(token, fetch=None)
    assert result.verified, result.error
    assert result.controller is None and result.unconfirmed  # offline: nothing confirms the key
    assert not verify_vc_jwt(flip(token, 1, 100), fetch=None).verified
