"""Two speed-ups for pyld's context processing, as subclasses (no global patching).

1. ``FastContextResolver``: pyld keys its cache of inline (e.g. type-scoped) contexts by
   their JSON canonical form, computed with a pure-Python JCS encoder on every use. We key
   them by ``json.dumps(sort_keys=True)``: the same identity (equal contexts, equal keys),
   computed in C. The rest of ``resolve`` is pyld's (BSD-3-Clause, Digital Bazaar).
2. ``FastProcessor``: pyld gives the child context it clones for a non-propagating
   (type-scoped) context a fresh random id, so its processed-context cache never hits and
   every Achievement, Alignment, Result… re-creates its term definitions for each
   credential. A clone is a copy of its parent, so we derive its id from the parent's.

Both are checked by the canonicalization vectors and the interop tests (byte-identical
output to jsonld.js / rdf-canonize).
"""

from __future__ import annotations

import json
from typing import Any

from frozendict import frozendict
from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver
from pyld.resolved_context import ResolvedContext


def _plain(obj: Any) -> Any:
    if isinstance(obj, frozendict):
        return dict(obj)
    raise TypeError(f"not JSON: {type(obj).__name__}")


class FastContextResolver(ContextResolver):
    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> list[Any]:
        if cycles is None:
            cycles = set()
        if isinstance(context, (dict, frozendict)) and "@context" in context:
            context = context["@context"]
        if not isinstance(context, list):
            context = [context]
        all_resolved: list[Any] = []
        for ctx in context:
            if isinstance(ctx, str):
                resolved = self._get(ctx)
                if not resolved:
                    resolved = self._resolve_remote_context(active_ctx, ctx, base, cycles)
                if isinstance(resolved, list):
                    all_resolved.extend(resolved)
                else:
                    all_resolved.append(resolved)
            elif ctx is None or ctx is False:
                all_resolved.append(ResolvedContext(False))
            elif not isinstance(ctx, (dict, frozendict)):
                raise _pyld.JsonLdError(
                    "Invalid JSON-LD syntax; @context must be an object.",
                    "jsonld.SyntaxError",
                    {"context": ctx},
                    code="invalid local context",
                )
            else:
                key = json.dumps(
                    ctx, sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=False
                )
                resolved = self._get(key)
                if not resolved:
                    resolved = ResolvedContext(ctx)
                    self._cache_resolved_context(key, resolved, "static")
                all_resolved.append(resolved)
        return all_resolved


class FastProcessor(_pyld.JsonLdProcessor):
    def _clone_active_context(self, active_ctx: Any) -> Any:
        child = super()._clone_active_context(active_ctx)
        parent_id = active_ctx.get("_uuid")
        if parent_id is not None:
            child["_uuid"] = f"{parent_id}/clone"
        return child
