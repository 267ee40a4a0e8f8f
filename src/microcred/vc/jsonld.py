"""Strict JSON-LD expansion and RDFC-1.0 canonicalization.

pyld expands (with the bundled-only loader) and provides the RDFC-1.0 N-degree hashing;
every N-Quads line we hash or output is written here with the spec's escaping (pyld's own
writer leaves control characters such as \\b, \\f, U+0001 and U+007F raw, which makes
signatures other verifiers reject). pyoxigraph's RDFC-1.0 was tried first: it escapes
correctly but labels some symmetric blank-node graphs differently from the reference
implementation (1EdTech's complete.json), see docs/decisions/0001-canonicalization.md.

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

from cachetools import LRUCache
from pyld import jsonld as _pyld
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from microcred.vc._pyld_fast import FastContextResolver, FastProcessor
from microcred.vc.documents import document_loader
from microcred.vc.errors import CanonicalizationError, ContextError, ExpansionError

__all__ = [
    "expand",
    "to_dataset",
    "canonicalize",
    "canonical_nquads",
    "serialize_quad",
    "escape_literal",
    "MAX_BLANK_NODE_PERMUTATIONS",
]

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: A blank node whose neighbours can only be told apart by trying every order of them is
#: refused when that takes more than this many permutations (a clique of 7 blank nodes
#: needs 6! = 720 at every node). Real credentials need a handful at most.
MAX_BLANK_NODE_PERMUTATIONS = 24
#: Limits on the JSON a credential may be for JSON-LD processing: pyld's node map compares
#: every array item with the others (quadratic), and recursion follows nesting. Real
#: credentials stay far below these; larger input is refused as a denial-of-service shape.
MAX_DEPTH = 64
MAX_ARRAY_ITEMS = 1_000
MAX_VALUES = 20_000
#: Processed contexts, shared across calls (bounded: inline contexts come from input).
_CONTEXT_CACHE: LRUCache[str, Any] = LRUCache(maxsize=256)
#: A hard stop for whatever the estimate misses: calls of the N-degree hash per document.
MAX_N_DEGREE_CALLS = 2_000


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
                            if "@import" in item:
                                # pyld merges the local context into the imported context's
                                # cached document in place: it would change that context for
                                # every later document in the process
                                raise ContextError(
                                    "an inline @context uses @import, which microcred does not "
                                    "support (list the context's URL in @context instead)",
                                    code="unsupported_context",
                                )
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
    check_size(doc)
    _check_context_urls(doc)
    dropped: list[str] = []
    try:
        processor = FastProcessor(
            on_property_dropped=(lambda prop: dropped.append(prop)) if strict else _pyld.noop
        )
        expanded: list[Any] = processor.expand(
            doc,
            {
                "documentLoader": document_loader,
                "base": None,
                "contextResolver": FastContextResolver(_CONTEXT_CACHE, document_loader),
            },
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
        try:
            _check_relative(expanded)
        except RecursionError:
            raise ExpansionError("the document is nested too deeply", code="too_deep") from None
    return expanded


def check_size(doc: Any) -> None:
    """Refuse JSON too deep, too wide or too large for JSON-LD processing (iterative walk).

    Raises ExpansionError naming the JSON path where a limit was passed.
    """
    stack: list[tuple[Any, str, int]] = [(doc, "$", 0)]
    values = 0
    while stack:
        node, path, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise ExpansionError(
                f"the document holds more than {MAX_VALUES:,} JSON values: refused as too large "
                "to process safely",
                code="too_large",
            )
        if depth > MAX_DEPTH:
            raise ExpansionError(
                f"{path}: the document is nested more than {MAX_DEPTH} levels deep: refused",
                code="too_deep",
            )
        if isinstance(node, dict):
            stack.extend((v, f"{path}.{k}", depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            if len(node) > MAX_ARRAY_ITEMS:
                raise ExpansionError(
                    f"{path} holds {len(node):,} items; at most {MAX_ARRAY_ITEMS:,} are processed: "
                    "refused as too large",
                    code="too_large",
                )
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))


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
                if not isinstance(t, str):
                    raise ExpansionError(
                        "a type is not a usable IRI (a keyword-like value such as '@x'?)",
                        code="undefined_type",
                    )
                if not _ABSOLUTE_IRI.match(t) and not t.startswith("_:"):
                    raise ExpansionError(
                        f"undefined type {t!r}: not defined by any @context "
                        "(it would become a relative IRI)",
                        code="undefined_type",
                    )
            node_id = node.get("@id")
            if (
                isinstance(node_id, str)
                and not _ABSOLUTE_IRI.match(node_id)
                and not node_id.startswith("_:")
            ):
                raise ExpansionError(
                    f"relative id {node_id!r}: an id must be an absolute URL, URN or DID",
                    code="relative_id",
                )
            for key, value in node.items():
                if key in ("@value", "@type", "@id", "@language", "@direction", "@index"):
                    continue
                walk(value)

    walk(expanded)


Quad = dict[str, Any]


def to_dataset(doc: Any, *, strict: bool = True, expanded: list[Any] | None = None) -> list[Quad]:
    """The RDF quads of ``doc`` (pyld's quad dicts; blank nodes not yet canonical)."""
    if expanded is None:
        expanded = expand(doc, strict=strict)
    proc = _pyld.JsonLdProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    options = {
        "produceGeneralizedRdf": False,
        "rdfDirection": None,
        "processingMode": "json-ld-1.1",
    }
    quads: list[Quad] = []
    try:
        proc._create_node_map(expanded, node_map, "@default", issuer)
        for graph_name, graph in sorted(node_map.items()):
            if graph_name == "@default":
                name = None
            elif graph_name.startswith("_:"):
                name = {"type": "blank node", "value": graph_name}
            elif _ABSOLUTE_IRI.match(graph_name):
                name = {"type": "IRI", "value": graph_name}
            else:
                continue  # a relative graph name is dropped, as in jsonld.js
            for triple in proc._graph_to_rdf(graph, issuer, options):
                if name is not None:
                    triple["name"] = dict(name)
                quads.append(triple)
    except _pyld.JsonLdError as exc:
        raise ExpansionError(f"invalid JSON-LD: {_describe(exc)}", detail=repr(exc)) from None
    return quads


# ---- RDFC-1.0 -----------------------------------------------------------------------------
# Canonical N-Quads escaping (RDF 1.2 N-Triples canonical form, used by RDFC-1.0): ECHAR for
# \b \t \n \f \r \" \\, UCHAR (upper-case hex) for the other C0 controls and U+007F.
_ESCAPES = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
)


def escape_literal(value: str) -> str:
    return value.translate(_ESCAPES)


def _term(t: dict[str, Any]) -> str:
    kind = t["type"]
    if kind == "IRI":
        return f"<{t['value']}>"
    if kind == "blank node":
        label: str = t["value"]
        return label
    out = f'"{escape_literal(t["value"])}"'
    datatype = t.get("datatype")
    if datatype == _RDF_LANGSTRING or t.get("language"):
        return f"{out}@{t['language']}" if t.get("language") else out
    if datatype and datatype != _XSD_STRING:
        return f"{out}^^<{datatype}>"
    return out


def serialize_quad(quad: Quad) -> str:
    """One canonical N-Quads line (ending in a newline)."""
    name = quad.get("name")
    graph = f" {_term(name)}" if name else ""
    return f"{_term(quad['subject'])} {_term(quad['predicate'])} {_term(quad['object'])}{graph} .\n"


class _Rdfc10(URDNA2015):
    """pyld's RDFC-1.0 engine (the N-degree hashing), with canonical N-Quads escaping in every
    hash and in the output, and a cap on the work hostile input can demand."""

    def __init__(self) -> None:
        super().__init__()
        self._n_degree_calls = 0

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            lines = []
            for quad in info["quads"]:
                masked = {
                    key: (
                        self.modify_first_degree_component(id_, comp, key)
                        if key != "predicate"
                        else comp
                    )
                    for key, comp in quad.items()
                }
                lines.append(serialize_quad(masked))
            lines.sort()
            info["hash"] = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        digest: str = info["hash"]
        return digest

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._n_degree_calls += 1
        if self._n_degree_calls > MAX_N_DEGREE_CALLS:
            raise _refuse(len(self.blank_node_info), None)
        return super().hash_n_degree_quads(id_, issuer)

    def canonicalize(self, quads: list[Quad]) -> str:
        for quad in quads:
            for key, comp in quad.items():
                if key != "predicate" and comp["type"] == "blank node":
                    self.blank_node_info.setdefault(comp["value"], {"quads": []})["quads"].append(
                        quad
                    )
        by_hash: dict[str, list[str]] = defaultdict(list)
        for id_ in self.blank_node_info:
            by_hash[self.hash_first_degree_quads(id_)].append(id_)
        self._check_work(by_hash)
        shared: list[list[str]] = []
        for h in sorted(by_hash):
            ids = by_hash[h]
            if len(ids) == 1:
                self.canonical_issuer.get_id(ids[0])
            else:
                shared.append(ids)
        for ids in shared:
            paths = []
            for id_ in ids:
                if self.canonical_issuer.has_id(id_):
                    continue
                temp = IdentifierIssuer("_:b")
                temp.get_id(id_)
                paths.append(self.hash_n_degree_quads(id_, temp))
            for result in sorted(paths, key=lambda r: r["hash"]):
                for existing in result["issuer"].order:
                    self.canonical_issuer.get_id(existing)
        out = []
        for quad in quads:
            relabelled = {
                key: (
                    {"type": "blank node", "value": self.canonical_issuer.get_id(comp["value"])}
                    if key != "predicate" and comp["type"] == "blank node"
                    else comp
                )
                for key, comp in quad.items()
            }
            out.append(serialize_quad(relabelled))
        out.sort()
        return "".join(out)

    def _check_work(self, by_hash: dict[str, list[str]]) -> None:
        """Estimate the permutations the N-degree step would try and refuse a DoS shape early."""
        first = {id_: h for h, ids in by_hash.items() for id_ in ids}
        for ids in by_hash.values():
            if len(ids) == 1:
                continue
            for id_ in ids:
                buckets: dict[str, set[str]] = defaultdict(set)
                for quad in self.blank_node_info[id_]["quads"]:
                    for key, comp in quad.items():
                        if (
                            key != "predicate"
                            and comp["type"] == "blank node"
                            and comp["value"] != id_
                        ):
                            buckets[first[comp["value"]]].add(comp["value"])
                work = 1
                for members in buckets.values():
                    work *= math.factorial(len(members))
                    if work > MAX_BLANK_NODE_PERMUTATIONS:
                        raise _refuse(len(first), len(members))


def _refuse(total: int, group: int | None) -> CanonicalizationError:
    why = (
        f"a group of {group} blank nodes that only trying every order can tell apart"
        if group
        else "blank nodes that take too many steps to tell apart"
    )
    return CanonicalizationError(
        f"canonicalizing the document needs too much work ({total} blank nodes, {why}): "
        "refused as a denial-of-service shape",
        code="blank_node_work",
    )


def canonicalize(quads: list[Quad]) -> str:
    """RDFC-1.0 canonical N-Quads of ``quads`` (sorted lines, each ending in a newline).

    Raises CanonicalizationError for input that would need too much blank-node work.
    """
    return _Rdfc10().canonicalize(quads)


def canonical_nquads(doc: Any, *, strict: bool = True) -> str:
    """Expand ``doc`` strictly and return its RDFC-1.0 canonical N-Quads."""
    return canonicalize(to_dataset(doc, strict=strict))
