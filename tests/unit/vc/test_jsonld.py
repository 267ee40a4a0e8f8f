"""Strict expansion, RDFC-1.0 escaping and the blank-node work cap."""

from __future__ import annotations

import pytest

from microcred.vc import jsonld
from microcred.vc.errors import CanonicalizationError, ContextError, ExpansionError

VC2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://www.w3.org/ns/credentials/examples/v2"


def _cred(**extra):
    doc = {
        "@context": [VC2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:1",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:2"},
    }
    doc.update(extra)
    return doc


def test_undefined_term_is_rejected_naming_it():
    with pytest.raises(ExpansionError) as info:
        jsonld.expand(_cred(favouriteColour="blue"))
    assert "favouriteColour" in str(info.value)


def test_undefined_nested_term_is_rejected():
    doc = _cred(credentialSubject={"id": "did:example:2", "degreeName": "BSc"})
    with pytest.raises(ExpansionError, match="degreeName"):
        jsonld.expand(doc)


def test_undefined_type_is_rejected_naming_it():
    with pytest.raises(ExpansionError) as info:
        jsonld.expand(_cred(type=["VerifiableCredential", "MadeUpCredential"]))
    assert "MadeUpCredential" in str(info.value)


def test_non_strict_mode_drops_silently_like_pyld():
    assert jsonld.expand(_cred(favouriteColour="blue"), strict=False)


def test_unknown_context_is_named_and_never_fetched():
    with pytest.raises(ContextError, match="https://example.org/my-context.json"):
        jsonld.expand({"@context": [VC2, "https://example.org/my-context.json"]})


def test_missing_context():
    with pytest.raises(ContextError):
        jsonld.expand({"type": "VerifiableCredential"})


def test_control_characters_are_escaped_as_rdfc_requires():
    doc = {"@context": [VC2, EX], "id": "urn:x", "name": 'a\bb\fc\u0001d\u007fe\tf\ng"h\\i é'}
    nq = jsonld.canonical_nquads(doc)
    line = next(ln for ln in nq.splitlines() if "schema.org/name" in ln)
    assert (
        line == '<urn:x> <https://schema.org/name> "a\\bb\\fc\\u0001d\\u007Fe\\tf\\ng\\"h\\\\i é" .'
    )


def test_canonical_output_is_sorted_and_newline_terminated():
    nq = jsonld.canonical_nquads(_cred(name="x"))
    lines = nq.splitlines(keepends=True)
    assert lines == sorted(lines) and all(ln.endswith("\n") for ln in lines)


def _clique(n: int) -> dict:
    nodes = [
        {"@id": f"_:n{i}", "p": [{"@id": f"_:n{j}"} for j in range(n) if j != i]} for i in range(n)
    ]
    return {"@context": {"@vocab": "http://example.org/"}, "@graph": nodes}


@pytest.mark.parametrize("n", [7, 8, 12])
def test_blank_node_clique_is_refused(n):
    with pytest.raises(CanonicalizationError, match="blank nodes"):
        jsonld.canonical_nquads(_clique(n))


def test_small_symmetric_graphs_still_canonicalize():
    assert jsonld.canonical_nquads(_clique(4)).count("\n") == 12


def test_blank_node_labels_do_not_change_the_result():
    a = {
        "@context": {"@vocab": "http://example.org/"},
        "@graph": [{"@id": "_:x", "p": {"@id": "_:y"}, "v": "1"}, {"@id": "_:y", "v": "2"}],
    }
    b = {
        "@context": {"@vocab": "http://example.org/"},
        "@graph": [{"@id": "_:q", "v": "2"}, {"@id": "_:r", "p": {"@id": "_:q"}, "v": "1"}],
    }
    assert jsonld.canonical_nquads(a) == jsonld.canonical_nquads(b)


def test_relative_id_is_rejected():
    with pytest.raises(ExpansionError, match="relative id 'credentials/1'"):
        jsonld.expand(_cred(id="credentials/1"))
