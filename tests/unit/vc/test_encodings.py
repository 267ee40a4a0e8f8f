"""Encodings the proofs rest on: base58btc, the JCS fast path, canonical N-Quads escaping."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.vc import jcs, jsonld
from microcred.vc.multibase import b58decode, b58encode

# Known answers: the W3C vc-di-eddsa key pair, and the base58btc draft's examples.
KNOWN = [
    (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
    (
        b"The quick brown fox jumps over the lazy dog.",
        "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
    ),
    (b"\x00\x00\x28\x7f\xb4\xcd", "11233QC4"),
]


@pytest.mark.parametrize(("raw", "encoded"), KNOWN)
def test_base58btc_known_answers(raw, encoded):
    assert b58encode(raw) == encoded
    assert b58decode(encoded) == raw


@given(st.binary(max_size=80))
def test_base58btc_round_trip(raw):
    assert b58decode(b58encode(raw)) == raw


def test_base58btc_refuses_bad_characters():
    with pytest.raises(ValueError, match="'0'"):
        b58decode("z0OIl")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400)
@given(json_values)
def test_jcs_fast_path_equals_the_reference(value):
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        with pytest.raises((rfc8785.CanonicalizationError, ValueError, TypeError)):
            jcs.dumps(value)
        return
    assert jcs.dumps(value) == expected


def test_jcs_writes_integral_floats_as_integers():
    assert jcs.dumps({"b": 3.0, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":3}'.encode()


@given(st.text())
def test_nquads_escaping_matches_oxigraph(value):
    """pyoxigraph writes canonical N-Quads escaping; ours must agree for every string."""
    quad = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(value))
    try:
        expected = ox.serialize([quad], format=ox.RdfFormat.N_QUADS).decode()
    except (ValueError, UnicodeEncodeError):
        return  # lone surrogates are not RDF strings
    mine = jsonld.serialize_quad(
        {
            "subject": {"type": "IRI", "value": "urn:s"},
            "predicate": {"type": "IRI", "value": "urn:p"},
            "object": {
                "type": "literal",
                "value": value,
                "datatype": "http://www.w3.org/2001/XMLSchema#string",
            },
        }
    )
    assert mine == expected


def test_escaping_of_control_characters_is_spec_exact():
    assert (
        jsonld.escape_literal('\b\f\x01\x7f\t\n\r"\\é') == '\\b\\f\\u0001\\u007F\\t\\n\\r\\"\\\\é'
    )
