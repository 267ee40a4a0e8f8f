"""The bundled contexts: integrity, offline loader, and the same terms as the reference copies."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
from pyld import jsonld as pyld

from microcred.vc import documents
from microcred.vc.errors import ContextError

REQUIRED = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/ns/did/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/openbadges/v2",
]


def test_every_required_context_is_bundled_with_provenance():
    manifest = documents.manifest()
    for url in REQUIRED:
        assert url in manifest, url
        entry = manifest[url]
        assert entry["source"], url
        data = (
            resources.files("microcred.vc")
            .joinpath("contexts")
            .joinpath(entry["file"])
            .read_bytes()
        )
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert "@context" in json.loads(data)


def test_loader_refuses_other_urls_naming_them():
    with pytest.raises(ContextError) as info:
        documents.document_loader("https://evil.example/context.json")
    assert "https://evil.example/context.json" in str(info.value)


def _terms(ctx_doc, url):
    """term -> (expanded IRI, type coercion, container, scoped terms) as pyld resolves them."""
    loader = lambda u, options=None: {  # noqa: E731
        "contextUrl": None,
        "documentUrl": u,
        "document": ctx_doc if u == url else documents.get_context(u),
    }
    proc = pyld.JsonLdProcessor()
    options = {
        "documentLoader": loader,
        "processingMode": "json-ld-1.1",
        "contextResolver": pyld.ContextResolver({}, loader),
        "base": "",
    }
    active = proc.process_context(proc._get_initial_context(options), url, options)

    def describe(active_ctx, depth=0):
        out = {}
        for term, d in active_ctx["mappings"].items():
            if not d:
                continue
            scoped = None
            if "@context" in d and depth < 3:
                inner = proc._process_context(
                    active_ctx, d["@context"], options, override_protected=True
                )
                scoped = describe(inner, depth + 1)
            out[term] = (
                d.get("@id"),
                d.get("@type"),
                tuple(sorted(d.get("@container", []))),
                d.get("reverse"),
                json.dumps(scoped, sort_keys=True) if scoped else None,
            )
        return out

    return describe(active)


def test_bundled_contexts_define_the_same_terms_as_the_reference(conformance_dir):
    index = json.loads((conformance_dir / "contexts" / "index.json").read_text())["contexts"]
    compared = 0
    for url in documents.bundled_urls():
        if url not in index:
            continue
        ref = json.loads((conformance_dir / "contexts" / index[url]["file"]).read_text())
        mine = documents.get_context(url)
        assert _terms(mine, url) == _terms(ref, url), f"{url} differs from the reference copy"
        compared += 1
    assert compared >= len(REQUIRED)


def test_term_comparison_notices_a_missing_term(conformance_dir):
    url = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    mine = json.loads(json.dumps(documents.get_context(url)))
    del mine["@context"]["jti"]
    ref = json.loads((conformance_dir / "contexts" / "ob-v3p0-3.0.3.json").read_text())
    assert _terms(mine, url) != _terms(ref, url)
