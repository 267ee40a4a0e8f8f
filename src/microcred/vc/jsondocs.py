"""Reading credentials from text: one JSON document, a JSON array of them, or JSON Lines.

Every error names the source, and the line and column of broken JSON.

Duplicate keys are refused (I-JSON, RFC 7493): Python's json keeps the last value, other
readers the first, so a document with ``credentialStatus`` twice would say one thing to us
and another to them. ``loads_strict`` is the one JSON reader for credential-ish input in
microcred (credentials, presentations, status lists, JWT parts, DID and controller
documents, API bodies).
"""

from __future__ import annotations

import json
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from microcred.vc.errors import InputError


class JSONInputError(InputError, ValueError):
    """Text that is not one JSON value, or has a key twice in one object. A ValueError too
    (like json.JSONDecodeError), so that ``except ValueError`` around a JSON read still
    catches it."""


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates)


def _loads(text: str) -> Any:
    """json.loads refusing duplicate keys: raises JSONDecodeError, _DuplicateKey or
    RecursionError."""
    return _DECODER.decode(text)


def loads_strict(text: str | bytes, source: str) -> Any:
    """One JSON value from ``text`` (bytes are read as UTF-8, a BOM allowed), refusing
    duplicate keys. Raises InputError naming ``source``, the line and the column."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JSONInputError(f"{source} is not UTF-8 text", code="bad_json") from None
    try:
        return _loads(text)
    except _DuplicateKey as exc:
        raise duplicate_key_error(source, text, exc.key) from None
    except json.JSONDecodeError as exc:
        raise _syntax(source, exc.lineno, exc) from None
    except RecursionError:
        raise JSONInputError(f"{source}: JSON nested too deeply", code="bad_json") from None


def duplicate_key_error(
    source: str, text: str, key: str, *, line: int | None = None
) -> JSONInputError:
    """The InputError for ``key`` appearing twice in one object of ``text`` (valid JSON
    otherwise), at the second occurrence's line and column. ``line``: the line ``text`` is
    (JSON Lines), else lines are counted in ``text``."""
    where = source
    at = _second_occurrence(text)
    if at is not None:
        found, index = at
        key = found
        col = index - text.rfind("\n", 0, index)
        row = line if line is not None else text.count("\n", 0, index) + 1
        where = f"{source}, line {row}, column {col}"
    elif line is not None:
        where = f"{source}, line {line}"
    return JSONInputError(
        f"{where}: the key {key!r} appears twice in one object (JSON keys must be unique: "
        "readers disagree on which value counts)",
        code="duplicate_key",
    )


def _second_occurrence(text: str) -> tuple[str, int] | None:
    """(key, index of its opening quote) for the first member name that repeats one earlier
    in the same object, scanning ``text`` (valid JSON apart from that)."""
    stack: list[set[str] | None] = []  # a set of keys per open object, None per array
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            try:
                value, end = scanstring(text, i + 1)
            except ValueError:
                return None
            j = end
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] == ":" and stack and stack[-1] is not None:
                keys = stack[-1]
                if value in keys:
                    return value, i
                keys.add(value)
            i = end
            continue
        if c == "{":
            stack.append(set())
        elif c == "[":
            stack.append(None)
        elif c in "}]" and stack:
            stack.pop()
        i += 1
    return None


def parse_documents(text: str, source: str, *, lines: bool | None = None) -> list[tuple[str, Any]]:
    """``[(where, value), ...]`` from ``text``; ``where`` names the source (and line).

    ``lines``: True reads JSON Lines, False one JSON value (an array gives its items), None
    tries one JSON value first and falls back to JSON Lines. Raises InputError.
    """
    if lines is not True:
        try:
            value = _loads(text)
        except _DuplicateKey as exc:
            raise duplicate_key_error(source, text, exc.key) from None
        except json.JSONDecodeError as exc:
            if lines is False or not _looks_like_json_lines(text):
                raise _syntax(source, exc.lineno, exc) from None
        except RecursionError:
            raise InputError(f"{source}: JSON nested too deeply", code="bad_json") from None
        else:
            if isinstance(value, list):
                if not value:
                    raise InputError(
                        f"{source} is an empty JSON array: no credential in it", code="empty"
                    )
                return [(f"{source}, item {i}", v) for i, v in enumerate(value, 1)]
            return [(source, value)]
    docs = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            docs.append((f"{source}, line {i}", _loads(line)))
        except _DuplicateKey as exc:
            raise duplicate_key_error(source, line, exc.key, line=i) from None
        except json.JSONDecodeError as exc:
            raise _syntax(source, i, exc) from None
        except RecursionError:
            raise InputError(
                f"{source}, line {i}: JSON nested too deeply", code="bad_json"
            ) from None
    if not docs:
        raise InputError(f"{source}: no credential in the file", code="empty")
    return docs


def _looks_like_json_lines(text: str) -> bool:
    """Two or more non-empty lines, the first of which is a JSON value on its own."""
    rows = [ln for ln in text.splitlines() if ln.strip()]
    if len(rows) < 2:
        return False
    try:
        _loads(rows[0])
    except (json.JSONDecodeError, RecursionError):
        return False
    except _DuplicateKey:
        return True  # JSON Lines, whose reader names the key
    return True


def _syntax(source: str, line: int, exc: json.JSONDecodeError) -> JSONInputError:
    return JSONInputError(
        f"{source}, line {line}, column {exc.colno}: invalid JSON ({exc.msg})", code="bad_json"
    )
