"""Bitstring Status List v1.0: the bitstring, the documents, the validate algorithm."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.vc.errors import StatusListError
from microcred.vc.statuslist import (
    MIN_BITS,
    StatusList,
    UnsupportedStatus,
    check_status,
    status_entry,
    status_list_credential,
)

LIST_URL = "https://example.com/credentials/status/3"
# The all-zero 16 KB list of the Bitstring Status List v1.0 examples (W3C, Example 2/3).
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def encode_raw(raw: bytes, *, prefix: str = "u") -> str:
    return prefix + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def list_credential(encoded: str, purpose: str | list[str] = "revocation", **kw) -> dict:
    return status_list_credential(
        id=LIST_URL,
        issuer="did:example:issuer",
        purpose=purpose,
        encoded_list=encoded,
        valid_from="2024-01-01T00:00:00Z",
        **kw,
    )


# ---- the bitstring ------------------------------------------------------------------------
def test_set_encode_decode():
    sl = StatusList()
    assert sl.length == MIN_BITS
    for i in (0, 7, 8, 131071):
        sl.set(i, 1)
    encoded = sl.encode()
    assert encoded.startswith("uH4sI") and "=" not in encoded
    back = StatusList.decode(encoded)
    assert [i for i in range(MIN_BITS) if back.get(i)] == [0, 7, 8, 131071]
    assert back.encode() == encoded


def test_bit_order_is_most_significant_first():
    sl = StatusList()
    sl.set(0, True)
    sl.set(7, True)
    sl.set(9, True)
    raw = gzip.decompress(base64.urlsafe_b64decode(sl.encode()[1:] + "=="))
    assert len(raw) == 16384
    assert raw[:2] == bytes([0b1000_0001, 0b0100_0000])
    sl.set(0, 0)
    assert sl.get(0) == 0 and sl.get(7) == 1


def test_spec_example_list():
    sl = StatusList.decode(SPEC_EMPTY_LIST)
    assert sl.length == MIN_BITS
    assert not any(sl.get(i) for i in range(0, MIN_BITS, 997))


def test_status_size_2():
    sl = StatusList(length=MIN_BITS, status_size=2)
    for i, v in enumerate([0, 1, 2, 3, 3, 2, 1]):
        sl.set(i, v)
    back = StatusList.decode(sl.encode(), status_size=2)
    assert [back.get(i) for i in range(7)] == [0, 1, 2, 3, 3, 2, 1]
    assert back.length == MIN_BITS
    with pytest.raises(StatusListError, match="does not fit"):
        sl.set(0, 4)


def test_length_errors():
    with pytest.raises(StatusListError, match="16 KB") as info:
        StatusList(length=1000)
    assert info.value.code == "status_list_length"
    short = encode_raw(bytes(100))
    with pytest.raises(StatusListError, match="800 bits") as info:
        StatusList.decode(short)
    assert info.value.code == "status_list_length"
    assert StatusList.decode(short, minimum_bits=0).length == 800


def test_range_errors():
    sl = StatusList()
    for bad in (MIN_BITS, 10**9):
        with pytest.raises(StatusListError, match="outside") as info:
            sl.get(bad)
        assert info.value.code == "status_list_range"
    with pytest.raises(StatusListError, match="whole number"):
        sl.get(-1)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("zH4sIAAA", "should start with 'u'"),
        ("u!!!!", "not base64url"),
        ("u" + base64.urlsafe_b64encode(b"plain bytes").decode(), "not GZIP"),
        ("uH4sIAAAAAAAAA-3BMQEAAAD", "corrupt"),
    ],
)
def test_decode_errors(encoded, message):
    with pytest.raises(StatusListError, match=message) as info:
        StatusList.decode(encoded)
    assert info.value.code == "status_list_decode"


def test_gzip_bomb_is_refused():
    with pytest.raises(StatusListError, match="more than 16 MB"):
        StatusList.decode(encode_raw(bytes(17 * 1024 * 1024)))


def test_legacy_encoding_without_prefix():
    assert StatusList.decode(SPEC_EMPTY_LIST[1:]).length == MIN_BITS


# ---- documents ----------------------------------------------------------------------------
def test_status_list_credential_shape():
    cred = list_credential("uXYZ", ttl=300000)
    assert cred["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert cred["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert cred["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": "uXYZ",
        "ttl": 300000,
    }


def test_status_entry_shape():
    assert status_entry(list_url=LIST_URL, index=94567, purpose="revocation") == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    entry = status_entry(
        list_url=LIST_URL,
        index=3,
        purpose="message",
        status_size=2,
        status_messages={0: "pending", 1: "accepted", 2: "rejected", 3: "withdrawn"},
    )
    assert entry["statusSize"] == 2
    assert entry["statusMessage"][2] == {"status": "0x2", "message": "rejected"}
    with pytest.raises(StatusListError, match="statusMessage"):
        status_entry(list_url=LIST_URL, index=3, purpose="message", status_size=2)


# ---- check_status -------------------------------------------------------------------------
def test_check_status_revoked_and_not():
    sl = StatusList()
    sl.set(42, 1)
    lst = list_credential(sl.encode())
    revoked = check_status(status_entry(list_url=LIST_URL, index=42, purpose="revocation"), lst)
    assert (revoked.purpose, revoked.value, revoked.set, revoked.message) == (
        "revocation",
        1,
        True,
        "revoked",
    )
    assert revoked.warnings == []
    fine = check_status(status_entry(list_url=LIST_URL, index=41, purpose="revocation"), lst)
    assert (fine.set, fine.message) == (False, "not revoked")


def test_check_status_suspension_and_two_purposes():
    sl = StatusList()
    sl.set(5, 1)
    lst = list_credential(sl.encode(), purpose=["revocation", "suspension"])
    result = check_status(status_entry(list_url=LIST_URL, index=5, purpose="suspension"), lst)
    assert result.message == "suspended"


def test_purpose_mismatch():
    lst = list_credential(StatusList().encode(), purpose="suspension")
    with pytest.raises(StatusListError, match="'revocation' is not the list's") as info:
        check_status(status_entry(list_url=LIST_URL, index=1, purpose="revocation"), lst)
    assert info.value.code == "status_verification"


def test_index_out_of_range():
    lst = list_credential(StatusList().encode())
    entry = status_entry(list_url=LIST_URL, index=MIN_BITS, purpose="revocation")
    with pytest.raises(StatusListError, match="outside") as info:
        check_status(entry, lst)
    assert info.value.code == "status_list_range"


def test_short_list_is_a_length_error():
    lst = list_credential(encode_raw(bytes(1024)))
    with pytest.raises(StatusListError) as info:
        check_status(status_entry(list_url=LIST_URL, index=1, purpose="revocation"), lst)
    assert info.value.code == "status_list_length"


def test_status_size_2_with_messages():
    sl = StatusList(status_size=2)
    sl.set(3, 2)
    lst = list_credential(sl.encode(), purpose="message")
    messages = {0: "pending", 1: "accepted", 2: "rejected", 3: "withdrawn"}
    entry = status_entry(
        list_url=LIST_URL, index=3, purpose="message", status_size=2, status_messages=messages
    )
    result = check_status(entry, lst)
    assert (result.value, result.set, result.message) == (2, True, "rejected")
    assert check_status({**entry, "statusListIndex": "4"}, lst).message == "pending"


def test_status_size_mismatch_with_the_list():
    sl = StatusList(status_size=2)
    lst = list_credential(sl.encode(), purpose="message")
    lst["credentialSubject"]["statusSize"] = 2  # older drafts put it on the list
    entry = status_entry(list_url=LIST_URL, index=3, purpose="message")
    with pytest.raises(StatusListError, match="statusSize"):
        check_status(entry, lst)


def test_status_size_2_without_messages_warns():
    sl = StatusList(status_size=2)
    sl.set(0, 3)
    lst = list_credential(sl.encode(), purpose="message")
    entry = {**status_entry(list_url=LIST_URL, index=0, purpose="message"), "statusSize": 2}
    result = check_status(entry, lst)
    assert result.message == "message: status 0x3"
    assert result.warnings == ["the status entry has statusSize > 1 but no statusMessage"]


def test_list_validity_window():
    lst = list_credential(StatusList().encode(), valid_until="2025-01-01T00:00:00Z")
    entry = status_entry(list_url=LIST_URL, index=1, purpose="revocation")
    assert not check_status(entry, lst, now=datetime(2024, 6, 1, tzinfo=UTC)).set
    with pytest.raises(StatusListError, match="expired"):
        check_status(entry, lst, now=datetime(2025, 6, 1, tzinfo=UTC))
    with pytest.raises(StatusListError, match="not valid before"):
        check_status(entry, lst, now=datetime(2023, 6, 1, tzinfo=UTC))


def test_wrong_list_types():
    entry = status_entry(list_url=LIST_URL, index=1, purpose="revocation")
    lst = list_credential(StatusList().encode())
    lst["type"] = ["VerifiableCredential"]
    with pytest.raises(StatusListError, match="not a BitstringStatusListCredential"):
        check_status(entry, lst)
    lst = list_credential(StatusList().encode())
    lst["credentialSubject"]["type"] = "StatusList2021"
    with pytest.raises(StatusListError, match="not a BitstringStatusList"):
        check_status(entry, lst)


@pytest.mark.parametrize("index", ["-1", "1.5", "", None, True, "0x10"])
def test_bad_index(index):
    entry = {**status_entry(list_url=LIST_URL, index=1, purpose="revocation")}
    entry["statusListIndex"] = index
    with pytest.raises(StatusListError, match="statusListIndex"):
        check_status(entry, list_credential(StatusList().encode()))


def test_status_list_2021():
    sl = StatusList()
    sl.set(94567, 1)
    lst = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
        ],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:example:12345",
        "issuanceDate": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": sl.encode()[1:],  # StatusList2021 has no multibase prefix
        },
    }
    entry = {
        "id": f"{LIST_URL}#94567",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert check_status(entry, lst).message == "revoked"
    assert not check_status({**entry, "statusListIndex": "94566"}, lst).set


@pytest.mark.parametrize("type_", ["1EdTechRevocationList", "VelocityRevocationListJan2021", None])
def test_other_status_methods_are_unsupported(type_):
    entry = {"id": "https://example.org/revocations", "type": type_}
    with pytest.raises(UnsupportedStatus, match="cannot check") as info:
        check_status(entry, {})
    assert isinstance(info.value, StatusListError)
    assert info.value.code == "status_unsupported"


# ---- 1EdTech's status list ----------------------------------------------------------------
@pytest.mark.conformance
@pytest.mark.parametrize(
    "name", ["credential-status-revoked.json", "credential-status-revoked-blank-nodes.json"]
)
def test_1edtech_testlist_index_23_is_revoked(conformance_dir, name):
    folder = conformance_dir / "1edtech-validator-ob30" / "bit-string-list"
    lst = json.loads((folder / "testlist").read_text())
    entry = json.loads((folder / name).read_text())["credentialStatus"]
    result = check_status(entry, lst, now=datetime(2026, 11, 29, tzinfo=UTC))
    assert (result.value, result.set, result.message) == (1, True, "revoked")
    assert "is not the statusListCredential URL" in result.warnings[0]
    assert not check_status({**entry, "statusListIndex": "22"}, lst).set
    bits = StatusList.decode(lst["credentialSubject"]["encodedList"])
    assert [i for i in range(bits.length) if bits.get(i)] == [23]


@pytest.mark.conformance
def test_1edtech_revocation_list_is_unsupported(conformance_dir):
    path = conformance_dir / "1edtech-validator-ob30" / "credential-status-revoked.json"
    entry = json.loads(path.read_text())["credentialStatus"]
    with pytest.raises(UnsupportedStatus, match="1EdTechRevocationList"):
        check_status(entry, {})


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["BitstringStatusListEntry", "StatusList2021Entry"]) | JSONISH,
            "statusPurpose": st.sampled_from(["revocation", "message"]) | JSONISH,
            "statusListIndex": st.sampled_from(["0", "5", "999999999"]) | JSONISH,
            "statusSize": st.integers(min_value=-1, max_value=20) | JSONISH,
            "statusMessage": JSONISH,
        },
    ),
    st.sampled_from(["revocation", "message"]),
)
def test_arbitrary_entries_give_a_result_or_a_status_list_error(entry, purpose):
    lst = list_credential(EMPTY_ENCODED, purpose=purpose)
    try:
        check_status(entry, lst)
    except StatusListError:
        pass


EMPTY_ENCODED = StatusList().encode()
