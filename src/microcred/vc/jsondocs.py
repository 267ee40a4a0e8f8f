"""Reading credentials from text: one JSON document, a JSON array of them, or JSON Lines.

Every error names the source, and the line and column of broken JSON.
"""

from __future__ import annotations

import json
from typing import Any

from microcred.vc.errors import InputError


def parse_documents(text: str, source: str, *, lines: bool | None = None) -> list[tuple[str, Any]]:
    """``[(where, value), ...]`` from ``text``; ``where`` names the source (and line).

    ``lines``: True reads JSON Lines, False one JSON value (an array gives its items), None
    tries one JSON value first and falls back to JSON Lines. Raises InputError.
    """
    if lines is not True:
        try:
            value = json.loads(text)
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
            docs.append((f"{source}, line {i}", json.loads(line)))
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
        json.loads(rows[0])
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _syntax(source: str, line: int, exc: json.JSONDecodeError) -> InputError:
    return InputError(
        f"{source}, line {line}, column {exc.colno}: invalid JSON ({exc.msg})", code="bad_json"
    )
