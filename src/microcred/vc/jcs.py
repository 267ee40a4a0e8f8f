"""JSON Canonicalization Scheme (RFC 8785) for eddsa-jcs-2022.

``rfc8785`` is the reference (pure Python). For the common case the standard library's
``json.dumps`` with sorted keys writes the very same bytes, in C, once two things are
settled: numbers (JCS writes them as ECMAScript does: ``3.0`` is ``3``; Python's float repr
matches ECMAScript's for 1e-4 <= |x| < 1e16) and key order (code points, which equals
JCS's UTF-16 order while keys stay below U+D800). Anything else — other floats, integers
beyond ±2^53, astral-plane keys, lone surrogates — goes to ``rfc8785``. A property test
holds the two equal.
"""

from __future__ import annotations

import json
import math
from typing import Any

import rfc8785

_MAX_SAFE = 2**53 - 1


class _Fallback(Exception):
    pass


def _prep(value: Any, depth: int = 0) -> Any:
    """``value`` with integral floats as ints; raises _Fallback where json.dumps would differ."""
    if depth > 200:
        raise _Fallback
    if isinstance(value, str):
        if not value.isascii() and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise _Fallback
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if -_MAX_SAFE <= value <= _MAX_SAFE:
            return value
        raise _Fallback
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Fallback
        if value.is_integer():
            if abs(value) <= _MAX_SAFE:
                return int(value)
            raise _Fallback
        if 1e-4 <= abs(value) < 1e16:
            return value
        raise _Fallback
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or not (k.isascii() or all(ord(c) < 0xD800 for c in k)):
                raise _Fallback
            out[k] = _prep(v, depth + 1)
        return out
    if isinstance(value, list):
        return [_prep(v, depth + 1) for v in value]
    raise _Fallback


def dumps(value: Any) -> bytes:
    """The RFC 8785 canonical bytes of ``value``. Raises TypeError/ValueError for non-JSON."""
    try:
        prepared = _prep(value)
    except _Fallback:
        return rfc8785.dumps(value)
    return json.dumps(
        prepared, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
