"""Two speed-ups for pyld's context processing, as subclasses (no global patching).

1. ``FastContextResolver``: pyld keys its cache of inline (e.g. type-scoped) contexts by
   their JSON canonical form, computed with a pure-Python JCS encoder on every use. We key
   them by ``json.dumps(sort_keys=True)``: the same identity (equal contexts, equal keys),
   computed in C. The rest of ``resolve`` is pyld's (BSD-3-Clause, Digital Bazaar).
2. ``FastProcessor``: pyld gives the child context it clones for a non-propagating
   (type-scoped) context a fresh random id, so its processed-context cache never hits and
   every Achievement, Alignment, Result… re-creates its term definitions for each
   credential. That child is a pure copy of a frozen parent (plus ``previousContext``, the
   parent), so we make it ourselves and derive its id from the parent's.

   The one invariant that keeps this sound: **an id names one content, forever**. pyld
   caches a processed context under the id of the active context it was processed against,
   shared across documents. An earlier version derived the id inside
   ``_clone_active_context``, which pyld also uses for the half-built context it fills with
   a local context's terms (and against which it pre-processes their scoped contexts): a
   document's inline ``{"@language": "fr", "x": {"@context": <Achievement's scoped
   context>}}`` then cached a French Achievement context under the id genuine credentials
   look up, and every later credential in the process expanded with ``@fr`` literals. So
   pyld's own clones keep their fresh random ids, and only the copy made here, of a frozen
   context, gets a derived one (``tests/unit/vc/test_jsonld_isolation.py``).

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
    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        if (
            not propagate
            and isinstance(active_ctx, frozendict)
            and not active_ctx.get("previousContext")
            and "_uuid" in active_ctx
            and _plain_inline(local_ctx)
        ):
            # what pyld does first for a non-propagating context, with a stable id: a copy of
            # the frozen parent that remembers it (pyld then skips its own clone)
            child = super()._clone_active_context(active_ctx)
            child["previousContext"] = active_ctx
            child["_uuid"] = f"{active_ctx['_uuid']}/scoped"
            active_ctx = frozendict(child)
        return super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )


def _plain_inline(local_ctx: Any) -> bool:
    """An inline context object (no URL, no nested ``@context``) that does not set
    ``@propagate`` (which would override ``propagate`` inside pyld): the type-scoped contexts
    of the bundled vocabularies. Anything else takes pyld's own path (fresh ids)."""
    return (
        isinstance(local_ctx, (dict, frozendict))
        and "@context" not in local_ctx
        and "@propagate" not in local_ctx
    )
