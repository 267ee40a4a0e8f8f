"""Strict JSON-LD expansion and RDFC-1.0 canonicalization.

pyld expands (with the bundled-only loader); pyoxigraph canonicalizes with RDFC-1.0 and
writes N-Quads with the spec's escaping (pyld's own N-Quads writer escapes control
characters differently, which makes signatures other verifiers reject).

Strict mode mirrors jsonld.js's ``safe: true``: a property that expansion would drop
(an undefined term, so never signed) and a type or id that stays a relative IRI are errors
naming the term.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from pyld import jsonld as _pyld

from microcred.vc.documents import document_loader
from microcred.vc.errors import CanonicalizationError, ContextError, ExpansionError

__all__ = ["expand", "to_dataset", "canonicalize", "canonical_nquads", "MAX_BLANK_NODE_PERMUTATIONS"]

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: A blank node whose neighbours can only be told apart by trying every order of them is
#: refused when that takes more than this many permutations (a clique of 7 blank nodes
#: needs 6! = 720 at every node). Real credentials need a handful at most.
MAX_BLANK_NODE_PERMUTATIONS = 120


def _unwrap_context_error(exc: BaseException) -> ContextError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ContextError):
            return seen
        details = getattr(seen, "details", None)
        if isinstance(details, dict):
            cause = details.get("cause")
            if isinstance(cause, BaseException):
                found = _unwrap_context_error(cause)
                if found:
                    return found
        seen = seen.__cause__ or seen.__context__
    return None


def _check_context_urls(doc: Any) -> None:
    """Fail fast, naming the URL, for any @context URL we do not bundle."""
    from microcred.vc.documents import get_context

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            get_context(item)
                        elif isinstance(item, dict):
                            walk(item)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)


def expand(doc: Any, *, strict: bool = True) -> list[Any]:
    """Expand ``doc`` with the bundled contexts.

    Raises ContextError (unknown or broken context, naming the URL) or ExpansionError
    (undefined term, relative type/id in strict mode, invalid JSON-LD).
    """
    if not isinstance(doc, dict):
        raise ExpansionError("a credential must be a JSON object")
    if "@context" not in doc:
        raise ContextError("the document has no @context", code="missing_context")
    _check_context_urls(doc)
    dropped: list[str] = []
    try:
        expanded = _pyld.expand(
            doc,
            {"documentLoader": document_loader, "base": None},
            on_property_dropped=(lambda prop: dropped.append(prop)) if strict else _pyld.noop,
        )
    except _pyld.JsonLdError as exc:
        ctx = _unwrap_context_error(exc)
        if ctx is not None:
            raise ctx from None
        raise ExpansionError(f"invalid JSON-LD: {_describe(exc)}", detail=repr(exc)) from None
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ExpansionError(f"invalid JSON-LD: {exc}", detail=repr(exc)) from None
    if strict:
        if dropped:
            names = ", ".join(sorted(set(dropped)))
            raise ExpansionError(
                f"undefined term(s) {names}: not defined by any @context, so they would not be "
                "signed (add a context that defines them)",
                code="undefined_term",
            )
        _check_relative(expanded)
    return expanded


def _describe(exc: BaseException) -> str:
    msg = getattr(exc, "message", None) or str(exc)
    cause = getattr(exc, "cause", None) or exc.__cause__
    details = getattr(exc, "details", None)
    if isinstance(details, dict) and isinstance(details.get("cause"), BaseException):
        cause = details["cause"]
    if cause is not None and cause is not exc:
        return f"{msg.splitlines()[0]} ({_describe(cause)})"
    return msg.splitlines()[0] if msg else type(exc).__name__


def _check_relative(expanded: Any) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for t in node.get("@type", []) if "@value" not in node else []:
                if not _ABSOLUTE_IRI.match(t) and not t.startswith("_:"):
                    raise ExpansionError(
                        f"undefined type {t!r}: not defined by any @context "
                        "(it would become a relative IRI)",
                        code="undefined_type",
                    )
            node_id = node.get("@id")
            if isinstance(node_id, str) and not _ABSOLUTE_IRI.match(node_id) and not node_id.startswith("_:"):
                raise ExpansionError(
                    f"relative id {node_id!r}: an id must be an absolute URL, URN or DID",
                    code="relative_id",
                )
            for key, value in node.items():
                if key in ("@value", "@type", "@id", "@language", "@direction", "@index"):
                    continue
                walk(value)

    walk(expanded)


def to_dataset(doc: Any, *, strict: bool = True, expanded: list[Any] | None = None) -> ox.Dataset:
    """The RDF dataset of ``doc`` as a pyoxigraph Dataset (blank nodes not yet canonical)."""
    if expanded is None:
        expanded = expand(doc, strict=strict)
    proc = _pyld.JsonLdProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    try:
        proc._create_node_map(expanded, node_map, "@default", issuer)
        options = {"produceGeneralizedRdf": False, "rdfDirection": None, "processingMode": "json-ld-1.1"}
        quads: list[ox.Quad] = []
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default":
                gname: Any = ox.DefaultGraph()
            elif graph_name.startswith("_:"):
                gname = ox.BlankNode(graph_name[2:])
            elif _ABSOLUTE_IRI.match(graph_name):
                gname = ox.NamedNode(graph_name)
            else:
                continue
            for t in proc._graph_to_rdf(graph, issuer, options):
                quads.append(ox.Quad(_term(t["subject"]), _term(t["predicate"]), _term(t["object"]), gname))
    except _pyld.JsonLdError as exc:
        raise ExpansionError(f"invalid JSON-LD: {_describe(exc)}", detail=repr(exc)) from None
    except ValueError as exc:
        raise ExpansionError(f"invalid RDF term: {exc}", detail=repr(exc)) from None
    return ox.Dataset(quads)


def _term(t: dict[str, Any]) -> Any:
    kind = t["type"]
    value = t["value"]
    if kind == "IRI":
        return ox.NamedNode(value)
    if kind == "blank node":
        return ox.BlankNode(value[2:])
    datatype = t.get("datatype")
    if t.get("language") is not None:
        return ox.Literal(value, language=t["language"])
    if datatype in (None, _XSD_STRING):
        return ox.Literal(value)
    if datatype == _RDF_LANGSTRING:
        return ox.Literal(value)
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def _nt(term: Any, bnode: Any, label: str) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:a" if term == bnode else "_:z"
    return str(term)


def check_blank_node_work(dataset: ox.Dataset) -> None:
    """Refuse datasets whose canonicalization would need too many permutations.

    Mirrors RDFC-1.0: blank nodes with a unique first-degree hash are cheap; for the
    others, the N-degree step tries every order of each group of neighbours that share a
    hash. We estimate that count and refuse before any expensive work (a clique of 7 or
    more blank nodes is refused in milliseconds).
    """
    mentions: dict[Any, list[Any]] = defaultdict(list)
    for q in dataset:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.BlankNode):
                mentions[term].append(q)
    if len(mentions) < 3:
        return
    first: dict[Any, str] = {}
    for node, quads in mentions.items():
        lines = sorted(
            f"{_nt(q.subject, node, '')} {q.predicate} {_nt(q.object, node, '')} "
            f"{'' if isinstance(q.graph_name, ox.DefaultGraph) else _nt(q.graph_name, node, '')}"
            for q in quads
        )
        first[node] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    counts: dict[str, int] = defaultdict(int)
    for h in first.values():
        counts[h] += 1
    for node, quads in mentions.items():
        if counts[first[node]] == 1:
            continue
        buckets: dict[str, set[Any]] = defaultdict(set)
        for q in quads:
            for term in (q.subject, q.object, q.graph_name):
                if isinstance(term, ox.BlankNode) and term != node:
                    buckets[first[term]].add(term)
        work = 1
        for members in buckets.values():
            work *= math.factorial(len(members))
            if work > MAX_BLANK_NODE_PERMUTATIONS:
                raise CanonicalizationError(
                    f"the document's blank nodes are too symmetric to canonicalize safely "
                    f"({len(mentions)} blank nodes, a group of {len(members)} indistinguishable "
                    "neighbours): refused as a denial-of-service shape",
                    code="blank_node_work",
                )


def canonicalize(dataset: ox.Dataset) -> str:
    """RDFC-1.0 canonical N-Quads of ``dataset`` (sorted lines, each ending in a newline)."""
    check_blank_node_work(dataset)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    lines = sorted(line + "\n" for line in text.splitlines() if line)
    return "".join(lines)


def canonical_nquads(doc: Any, *, strict: bool = True) -> str:
    """Expand ``doc`` strictly and return its RDFC-1.0 canonical N-Quads."""
    return canonicalize(to_dataset(doc, strict=strict))
