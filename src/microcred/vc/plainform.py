"""The plain compacted form: a credential or presentation says everything with its contexts'
own terms, so that what the verifier reads is what the signature covers.

Data Integrity proofs (eddsa-rdfc-2022, Ed25519Signature2020) sign the RDF graph, while the
verifier, the summary and every other reader look at plain JSON keys (``credentialStatus``,
``validUntil``, ``credentialSubject.id``, ``issuer.name``). JSON-LD lets the same graph be
written in many ways: a key as its full IRI or as ``prefix:suffix``, a value under ``@nest``,
``@id`` instead of ``id``, a value object whose ``@index`` is shown but not signed, an inline
context that gives ``credentialStatus``'s IRI another name. Each keeps the signature valid
and hides what the verifier judges (a revocation, an expiry, a start date, the subject) or
shows what is not signed. Rather than reading everything from the expanded graph, the
verifier refuses documents that are not in the plain form (docs/decisions/0007):

- no key is an absolute or compact IRI (``@context`` excepted);
- no key is a JSON-LD keyword or looks like one, other than ``@context`` (so no ``@id``,
  ``@type``, ``@nest``, ``@value``, ``@index``, ``@language``, ``@list``, ``@set``, ``@graph``,
  ``@reverse``, ``@included``, ``@direction``, ``@json``), anywhere, the proof included;
- an inline context (in ``@context`` at any level, scoped contexts included) does not use
  ``@vocab``, ``@base``, ``@propagate``, ``@import``, ``@nest``, ``@reverse`` or keyword
  aliases (``"x": "@id"``), does not give the IRI of a term of the bundled contexts the
  document uses another name, and does not give one of their terms another IRI.

Values of terms typed ``@json`` (``jsonSchema``, ``_sd``, ``jwk``) are JSON literals, not
JSON-LD, and are not looked into.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cachetools import LRUCache

from microcred.vc.documents import bundled_urls

__all__ = ["plain_form_problems"]

WHY = (
    "the document must be in the plain compacted form of its contexts, or what the "
    "signature covers and what is shown could differ"
)
#: JSON-LD 1.1 keywords (a key "@" followed by letters only is reserved for more of them)
KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@direction", "@graph", "@id", "@import",
        "@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix",
        "@propagate", "@protected", "@reverse", "@set", "@type", "@value", "@version",
        "@vocab",
    }
)  # fmt: skip
_INSTEAD = {"@id": "write 'id'", "@type": "write 'type'"}
_CONTEXT_KEYWORDS_REFUSED = {
    "@vocab": "it gives keys that no context defines a meaning",
    "@base": "it changes what relative ids mean",
    "@propagate": "it changes which objects a context applies to",
    "@import": "it brings another context's terms in under this one",
}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_PROBLEMS = 50
#: processed contexts for this module (bounded: inline contexts come from input)
_CACHE: LRUCache[str, Any] = LRUCache(maxsize=128)


def plain_form_problems(doc: Any, *, what: str = "credential") -> list[str]:
    """Every departure of ``doc`` from the plain compacted form of its contexts, each a
    sentence naming its JSON path; [] when there is none. Never raises."""
    out: list[str] = []
    if not isinstance(doc, dict):
        return out
    bundled = _bundled_of(doc.get("@context"))
    _walk(doc, "$", bundled, out)
    _check_contexts(doc, "$", bundled, out)
    if len(out) > _MAX_PROBLEMS:
        out[_MAX_PROBLEMS:] = [f"(and {len(out) - _MAX_PROBLEMS} more in this {what})"]
    return out


# ---- keys ---------------------------------------------------------------------------------
def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _NAME_RE.match(key) else f"{path}[{key!r}]"


def _walk(node: Any, path: str, bundled: _Bundled, out: list[str]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", bundled, out)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = _key_path(path, key)
        if key == "@context":
            continue  # checked as a context, below
        if key.startswith("@"):
            kind = "JSON-LD keyword" if key in KEYWORDS else "keyword-like key"
            instead = _INSTEAD.get(key, "write the value with its context's own term")
            out.append(f"{where}: {kind} {key!r} used as a key; {instead} ({WHY})")
        elif ":" in key:
            out.append(f"{where}: {_iri_key(key, bundled)} ({WHY})")
        if key in bundled.json_terms:
            continue  # a JSON literal, not JSON-LD
        _walk(value, where, bundled, out)


def _iri_key(key: str, bundled: _Bundled) -> str:
    names = sorted(bundled.names_of.get(bundled.expand(key), ()))
    instead = f"write {names[0]!r}" if names else "write the term its context defines for it"
    return f"the key {key!r} is an IRI or a compact IRI (prefix:suffix), not a term; {instead}"


# ---- inline contexts ----------------------------------------------------------------------
def _check_contexts(node: Any, path: str, bundled: _Bundled, out: list[str]) -> None:
    """Every inline context of the document, wherever it is (embedded contexts included)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_contexts(item, f"{path}[{i}]", bundled, out)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = _key_path(path, key)
        if key == "@context":
            items = value if isinstance(value, list) else [value]
            for i, ctx in enumerate(items):
                if isinstance(ctx, dict):
                    at = f"{where}[{i}]" if isinstance(value, list) else where
                    _check_inline(ctx, at, bundled, None, out)
        elif key not in bundled.json_terms:
            _check_contexts(value, where, bundled, out)


def _check_inline(
    ctx: dict[str, Any], path: str, bundled: _Bundled, active: Any, out: list[str]
) -> None:
    for kw, because in _CONTEXT_KEYWORDS_REFUSED.items():
        if kw in ctx:
            out.append(
                f"{_key_path(path, kw)}: an inline context may not use {kw}: {because} ({WHY})"
            )
    processed = bundled.process(ctx, active)
    for term, definition in ctx.items():
        if term.startswith("@"):
            continue
        where = _key_path(path, term)
        target = definition.get("@id") if isinstance(definition, dict) else definition
        if isinstance(target, str) and target.startswith("@"):
            out.append(
                f"{where}: an inline context may not make {term!r} an alias of the keyword "
                f"{target!r} ({WHY})"
            )
            continue
        if isinstance(definition, dict):
            for kw in ("@nest", "@reverse"):
                if kw in definition:
                    out.append(
                        f"{where}: an inline context may not define a term with {kw} ({WHY})"
                    )
        iri = processed.iri_of(term) if processed is not None else None
        if iri is not None:
            names = bundled.names_of.get(iri, set())
            if names and term not in names:
                shown = ", ".join(repr(n) for n in sorted(names))
                out.append(
                    f"{where}: the inline context gives {iri} the name {term!r}, but the "
                    f"document's contexts call it {shown}; use that ({WHY})"
                )
            iris = bundled.iris_of.get(term, set())
            if iris and iri not in iris:
                out.append(
                    f"{where}: the inline context redefines {term!r} (its contexts define it "
                    f"as {', '.join(sorted(iris))}, here it is {iri}; {WHY})"
                )
        scoped = definition.get("@context") if isinstance(definition, dict) else None
        for i, inner in enumerate(scoped if isinstance(scoped, list) else [scoped]):
            if isinstance(inner, dict):
                at = f"{where}['@context']" + (f"[{i}]" if isinstance(scoped, list) else "")
                _check_inline(inner, at, bundled, processed.active if processed else None, out)


# ---- what the bundled contexts define -----------------------------------------------------
@dataclass
class _Processed:
    active: Any

    def iri_of(self, term: str) -> str | None:
        mapping = self.active.get("mappings", {}).get(term)
        iri = mapping.get("@id") if isinstance(mapping, dict) else None
        return iri if isinstance(iri, str) and not iri.startswith("@") else None


@dataclass
class _Bundled:
    """The terms of the bundled contexts a document lists (their scoped contexts included):
    IRI -> names, name -> IRIs, and the terms typed @json."""

    urls: tuple[str, ...]
    active: Any = None
    names_of: dict[str, set[str]] = field(default_factory=dict)
    iris_of: dict[str, set[str]] = field(default_factory=dict)
    json_terms: frozenset[str] = frozenset()

    def process(self, ctx: Any, active: Any = None) -> _Processed | None:
        """``ctx`` processed on top of ``active`` (a scoped context), else on top of the
        bundled contexts."""
        base = active if active is not None else self.active
        if base is None:
            return None
        try:
            return _Processed(_process(base, ctx, scoped=active is not None))
        except Exception:  # noqa: BLE001 - an invalid context fails the context check anyway
            return None

    def expand(self, key: str) -> str:
        """The IRI of a key that is an IRI or a compact IRI (``prefix:suffix`` whose prefix
        the bundled contexts define), as JSON-LD reads it."""
        prefix, _, suffix = key.partition(":")
        if suffix.startswith("//") or self.active is None:
            return key
        mapping = self.active.get("mappings", {}).get(prefix)
        iri = mapping.get("@id") if isinstance(mapping, dict) else None
        return f"{iri}{suffix}" if isinstance(iri, str) and not iri.startswith("@") else key


def _bundled_of(ctx: Any) -> _Bundled:
    urls = tuple(
        u for u in (ctx if isinstance(ctx, list) else [ctx]) if isinstance(u, str) and u in _known()
    )
    return _bundled(urls)


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(bundled_urls())


def _process(active: Any, ctx: Any, *, scoped: bool = False) -> Any:
    """``ctx`` processed by pyld on ``active`` (None: the initial context); ``scoped``: as a
    scoped context is during expansion (it may redefine protected terms)."""
    from microcred.vc._pyld_fast import FastContextResolver, FastProcessor
    from microcred.vc.documents import document_loader

    options = {
        "documentLoader": document_loader,
        "base": None,
        "processingMode": "json-ld-1.1",
        # our own cache, not expansion's: pyld keys processed contexts by the active context
        # only, not by override_protected, and a scoped context is processed here with it
        "contextResolver": FastContextResolver(_CACHE, document_loader),
    }
    processor = FastProcessor()
    if active is None:
        active = processor._get_initial_context(options)
    return processor._process_context(active, ctx, options, override_protected=scoped)


@lru_cache(maxsize=64)
def _bundled(urls: tuple[str, ...]) -> _Bundled:
    out = _Bundled(urls)
    if not urls:
        return out
    try:
        out.active = _process(None, list(urls))
    except Exception:  # noqa: BLE001 - the expansion reports a broken context
        return out
    json_terms: set[str] = set()
    seen: set[str] = set()

    def collect(active: Any, depth: int) -> None:
        for term, mapping in active.get("mappings", {}).items():
            if not isinstance(mapping, dict):
                continue
            iri = mapping.get("@id")
            if isinstance(iri, str) and not iri.startswith("@"):
                out.names_of.setdefault(iri, set()).add(term)
                out.iris_of.setdefault(term, set()).add(iri)
            if mapping.get("@type") == "@json":
                json_terms.add(term)
            scoped = mapping.get("@context")
            if scoped is not None and depth < 8:
                key = json.dumps(scoped, sort_keys=True, default=dict)
                if key in seen:
                    continue
                seen.add(key)
                try:
                    collect(_process(active, scoped, scoped=True), depth + 1)
                except Exception:  # noqa: BLE001, S112 - a bundled scoped context that pyld refuses
                    continue

    collect(out.active, 0)
    out.json_terms = frozenset(json_terms)
    return out
