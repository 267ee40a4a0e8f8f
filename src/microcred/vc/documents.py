"""Offline JSON-LD contexts: the bundle and the document loader.

The contexts under ``contexts/`` come from the npm registry's context packages (see
``tools/contexts/build.mjs``); ``manifest.json`` records URL, source package@version and
sha256. The loader serves exactly these and refuses every other URL: a verifier never
fetches a context.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from microcred.vc.errors import ContextError

_PACKAGE = "microcred.vc"


@cache
def manifest() -> dict[str, dict[str, str]]:
    """URL -> {file, source, sha256} for every bundled context."""
    raw = resources.files(_PACKAGE).joinpath("contexts/manifest.json").read_text("utf-8")
    contexts: dict[str, dict[str, str]] = json.loads(raw)["contexts"]
    return contexts


@cache
def _bundle() -> dict[str, Any]:
    out: dict[str, Any] = {}
    base = resources.files(_PACKAGE).joinpath("contexts")
    for url, entry in manifest().items():
        data = base.joinpath(entry["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ContextError(
                f"bundled context {entry['file']} does not match its manifest sha256",
                code="context_integrity",
            )
        out[url] = json.loads(data)
    return out


def bundled_urls() -> list[str]:
    return sorted(manifest())


def get_context(url: str) -> Any:
    """The bundled context document for ``url``.

    Raises ContextError naming the URL when it is not bundled.
    """
    doc = _bundle().get(url)
    if doc is None:
        raise ContextError(
            f"unknown JSON-LD context {url!r}: microcred only uses its bundled contexts "
            "and never fetches one",
            code="unknown_context",
        )
    return doc


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader over the bundle (raises ContextError for any other URL).

    The documents are tagged ``static``: they never change, so pyld keeps their processed
    form across calls instead of processing the contexts again for every credential.
    """
    # a fresh copy: pyld may modify what it is given, and the bundle must stay as shipped
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(get_context(url)),
        "tag": "static",
    }
