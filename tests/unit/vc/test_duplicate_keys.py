"""A key twice in one JSON object is refused wherever microcred reads credential-ish JSON.

Python's json keeps the last value and other readers the first, so such a document says one
thing to us and another to them (I-JSON, RFC 7493, forbids it). Each error names the key and
where it is: the source, the line and the column of the second occurrence.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from datetime import UTC, datetime

import pytest

from microcred.vc import baking, dids, proofs, statuslist, vcjwt
from microcred.vc.errors import BakingError, FetchFailed, InputError, ResolutionError
from microcred.vc.jsondocs import loads_strict, parse_documents
from microcred.vc.keys import Ed25519Multikey
from microcred.vc.verifier import verify_bytes, verify_credential, verify_jwt
from tests.helpers import ob_credential, tiny_png

KEY = Ed25519Multikey.generate()
SIGNED = proofs.sign(ob_credential(KEY.controller), KEY)


def _with_second(text: str, after: str, member: str) -> str:
    """``text`` with ``member`` (e.g. ``"name": "x"``) inserted after the first ``after``."""
    at = text.index(after) + len(after)
    return text[:at] + member + "," + text[at:]


# ---- the loader ---------------------------------------------------------------------------
def test_the_error_names_the_key_the_source_the_line_and_the_column():
    text = json.dumps(SIGNED, indent=2)
    # a second credentialStatus at the top level, on a line of its own
    text = text.replace(
        '\n  "proof": {',
        '\n  "credentialStatus": {"id": "a"},\n  "credentialStatus": 5,\n  "proof": {',
    )
    line = text[: text.index('"credentialStatus": 5')].count("\n") + 1
    with pytest.raises(InputError) as info:
        parse_documents(text, "signed.json")
    assert info.value.user_message.startswith(
        f"signed.json, line {line}, column 3: the key 'credentialStatus' appears twice in one "
        "object"
    )
    assert info.value.code == "duplicate_key"
    with pytest.raises(InputError, match=f"signed.json, line {line}, column 3: the key"):
        loads_strict(text, "signed.json")


@pytest.mark.parametrize(
    ("text", "key", "column"),
    [
        ('{"a": 1, "a": 1}', "a", 10),  # the same value twice is refused too
        ('{"a": {"b": 1, "c": {"b": 2}}, "d": [{"e": 1, "e": 2}]}', "e", 47),
        ('{"credentialStatus": 1, "\\u0063redentialStatus": 2}', "credentialStatus", 25),
        ('{"a": "{\\"a\\": 1}", "b": {"a": 1}, "a": 2}', "a", 36),  # not fooled by strings
        ('[{"id": 1}, {"id": 1, "x": {"id": 1}, "id": 2}]', "id", 39),
    ],
)
def test_duplicates_at_any_depth_are_found_at_their_column(text, key, column):
    with pytest.raises(InputError) as info:
        loads_strict(text, "in.json")
    assert info.value.user_message.startswith(
        f"in.json, line 1, column {column}: the key {key!r} appears twice"
    )


def test_equal_keys_in_different_objects_are_fine():
    assert loads_strict('{"a": {"id": 1}, "b": {"id": 2}, "id": 3}', "x") == {
        "a": {"id": 1},
        "b": {"id": 2},
        "id": 3,
    }


def test_json_lines_name_the_line():
    text = '{"a": 1}\n{"b": 1, "b": 2}\n'
    with pytest.raises(InputError, match=r"^cohort.jsonl, line 2, column 10: the key 'b'"):
        parse_documents(text, "cohort.jsonl")
    with pytest.raises(InputError, match=r"^cohort.jsonl, line 1, column 10: the key 'b'"):
        parse_documents('{"b": 1, "b": 2}\n{"a": 1}\n', "cohort.jsonl")


def test_bytes_with_a_bom_and_syntax_errors_still_read_as_before():
    assert loads_strict(b'\xef\xbb\xbf{"a": 1}', "x") == {"a": 1}
    with pytest.raises(InputError, match=r"x, line 1, column 7: invalid JSON"):
        loads_strict('{"a": }', "x")
    with pytest.raises(InputError, match="not UTF-8"):
        loads_strict(b"\xff\xfe", "x")


# ---- credentials --------------------------------------------------------------------------
def test_a_signed_credential_with_a_key_twice_is_input_error_not_a_verdict():
    text = _with_second(json.dumps(SIGNED), '"credentialSubject": {', '"id": "did:example:me"')
    with pytest.raises(InputError) as info:
        verify_bytes(text.encode(), filename="signed.json")
    assert "signed.json, line 1, column" in info.value.user_message
    assert "the key 'id' appears twice" in info.value.user_message


def _png_with_text(keyword: bytes, text: str) -> bytes:
    png = tiny_png()
    body = keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    chunk = (
        struct.pack(">I", len(body))
        + b"iTXt"
        + body
        + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    )
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:]


def test_a_baked_payload_with_a_key_twice_is_refused():
    text = _with_second(json.dumps(SIGNED), "{", '"type": ["VerifiableCredential"]')
    image = _png_with_text(b"openbadgecredential", text)
    assert baking.unbake(image) == text  # the premise: the payload is really in the image
    with pytest.raises(InputError, match=r"badge.png, line 1, column \d+: the key 'type'"):
        verify_bytes(image, filename="badge.png")
    with pytest.raises(BakingError, match="the key 'type' appears twice"):
        baking.bake_png(tiny_png(), text)


# ---- VC-JWT -------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _token(header: str, payload: str) -> str:
    signing_input = f"{_b64(header.encode())}.{_b64(payload.encode())}"
    return f"{signing_input}.{_b64(KEY.sign(signing_input.encode('ascii')))}"


def test_a_jwt_payload_with_a_claim_twice_fails_naming_it():
    credential = ob_credential(KEY.controller)
    claims = {"vc": credential, "iss": KEY.controller, "exp": 4102444800}
    header = json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": KEY.id})
    good = _token(header, json.dumps(claims))
    assert verify_jwt(good).check("proof").status == "passed"  # the premise: it is signed
    # an expired token to a first-wins reader, a valid one to Python
    payload = _with_second(json.dumps(claims), "{", '"exp": 1')
    report = verify_jwt(_token(header, payload))
    assert report.verdict == "failed"
    assert "the token's payload, line 1, column" in report.check("proof").message
    assert "the key 'exp' appears twice" in report.check("proof").message
    with pytest.raises(vcjwt.JwtError, match="the token's header, line 1, column .*'alg'"):
        vcjwt.decode_vc_jwt(_token(_with_second(header, "{", '"alg": "none"'), json.dumps(claims)))


# ---- documents fetched for keys and status --------------------------------------------------
class _Fetch:
    def __init__(self, docs: dict[str, bytes]) -> None:
        self.docs = docs

    def __call__(self, url: str, accept: str | None = None) -> bytes:
        if url not in self.docs:
            raise FetchFailed(f"{url} is not reachable")
        return self.docs[url]


def test_a_did_document_with_a_key_twice_does_not_resolve():
    did = "did:web:college.example"
    key = KEY.with_controller(did)
    url = "https://college.example/.well-known/did.json"
    text = json.dumps(dids.did_web_document(did, [key]))
    assert dids.resolve_key(key.id, fetch=_Fetch({url: text.encode()}))
    twice = _with_second(text, "{", '"id": "did:web:mallory.example"')
    with pytest.raises(ResolutionError):
        dids.resolve_key(key.id, fetch=_Fetch({url: twice.encode()}))
    signed = proofs.sign(ob_credential(did), key)
    report = verify_credential(signed, fetch=_Fetch({url: twice.encode()}))
    assert report.verdict != "verified"


def test_a_status_list_with_a_key_twice_is_not_read():
    list_url = "https://status.example.edu/lists/1"
    entry = statuslist.status_entry(list_url=list_url, index=3, purpose="revocation")
    cred = proofs.sign(ob_credential(KEY.controller, credential_status=entry), KEY)
    status_list = proofs.sign(
        statuslist.status_list_credential(
            id=list_url,
            issuer=KEY.controller,
            purpose="revocation",
            encoded_list=statuslist.StatusList().encode(),
            valid_from="2025-01-01T00:00:00Z",
        ),
        KEY,
    )
    text = json.dumps(status_list)
    now = datetime.now(UTC)
    report = verify_credential(cred, now=now, fetch=_Fetch({list_url: text.encode()}))
    assert report.verdict == "verified", report.to_json()  # the premise
    # a first-wins reader would see another list: one where index 3 is revoked
    revoked = statuslist.StatusList()
    revoked.set(3, 1)
    twice = _with_second(text, '"credentialSubject": {', f'"encodedList": "{revoked.encode()}"')
    report = verify_credential(cred, now=now, fetch=_Fetch({list_url: twice.encode()}))
    assert report.verdict != "verified"
    assert "the key 'encodedList' appears twice" in report.check("status").message
