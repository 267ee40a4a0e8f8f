"""Trust registries: the issuers this verifier knows by id, each with its name.

``load_registries(settings, fetch=..., engine=...)`` composes, in this order (the first
registry that lists an id names it):

1. this server's own organisations, always (read from the database: each organisation's
   issuer id as ``issuing.orgs.issuer_id`` computes it, and on a did:key deployment the
   did:key of every key it ever had, so credentials signed before a rotation still count);
2. every source of ``MICROCRED_TRUST_REGISTRIES`` (and the CLI's ``--trust-registry``), in
   the order given: a file path or an https URL (fetched through the guarded fetcher).

A source is read in one of two formats (docs/trust-registries.md):

- microcred's own: ``{"name": "...", "issuers": [{"id": "did:web:...", "name": "...",
  "url": "https://..."}]}``;
- the Digital Credentials Consortium's issuer registry:
  ``{"meta": {...}, "registry": {"did:...": {"name": "...", "url": "...", "location": "..."}}}``.

A file that cannot be read or is malformed is an error (``RegistryError``) naming the file
and the JSON path; a URL that cannot be fetched, or answers with something malformed, is a
warning (logged, and kept in ``warnings``): the verifier goes on without it. What was read is
kept for ``MICROCRED_FETCH_CACHE_TTL`` seconds; after that a source is read again, and when
that fails the last good copy stays in use (with a warning).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from microcred.errors import MicrocredError
from microcred.vc.errors import FetchFailed
from microcred.vc.identity import RegistryEntry, StaticRegistry, TrustRegistry

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from microcred.config import Settings

__all__ = [
    "RegistryError",
    "CompositeRegistry",
    "TrustSources",
    "load_registries",
    "parse_registry",
    "own_organisations",
    "existing_database",
    "split_sources",
    "is_url",
]

log = logging.getLogger(__name__)

Fetch = Callable[..., bytes]
ACCEPT = "application/json"


class RegistryError(MicrocredError):
    """A trust registry file that cannot be used; the message names the file and JSON path."""

    code = "trust_registry"


# ---- sources ----------------------------------------------------------------------------------
def split_sources(value: str | Iterable[str]) -> list[str]:
    """The sources in ``value``: a comma-separated string or a list; blanks dropped."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return [s.strip() for s in items if s and s.strip()]


def is_url(source: str) -> bool:
    return "://" in source


def source_problem(source: str) -> str | None:
    """Why ``source`` can never be a registry source (a scheme other than https), else None.
    Plain http is left to the fetcher, which allows it to loopback addresses in tests."""
    if not is_url(source):
        return None
    scheme = urlsplit(source).scheme.lower()
    if scheme not in ("https", "http"):
        return f"{source}: a trust registry is a file path or an https:// URL"
    return None


# ---- the two formats --------------------------------------------------------------------------
def _bad(source: str, path: str, problem: str) -> RegistryError:
    return RegistryError(f"trust registry {source}: {path}: {problem}")


def _text(value: Any, source: str, path: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        got = "missing" if value is None else f"{_kind(value)}, not a non-empty string"
        raise _bad(source, path, f"must be a non-empty string ({got})")
    return value.strip()


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "true or false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _issuer_id(value: Any, source: str, path: str) -> str:
    text = _text(value, source, path)
    assert text is not None
    if not (text.startswith("did:") or text.startswith("https://")):
        raise _bad(source, path, f"{text!r} is not a DID or an https:// URL")
    return text


def _site(value: Any, source: str, path: str) -> str | None:
    text = _text(value, source, path, required=False)
    if text is not None and not text.startswith(("https://", "http://")):
        raise _bad(source, path, f"{text!r} is not an http(s):// URL")
    return text


def parse_registry(data: bytes, *, source: str) -> tuple[str, list[RegistryEntry]]:
    """The registry's name and entries. Raises RegistryError naming ``source`` and the JSON
    path of the first problem."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RegistryError(f"trust registry {source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RegistryError(
            f"trust registry {source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise RegistryError(f"trust registry {source}: nested too deeply") from None
    if not isinstance(doc, dict) or ("issuers" in doc) == ("registry" in doc):
        raise _bad(
            source,
            "$",
            'expected an object with "issuers" (microcred\'s format) or "registry" '
            "(the Digital Credentials Consortium's format), exactly one of the two",
        )
    if "issuers" in doc:
        return _parse_own(doc, source)
    return _parse_dcc(doc, source)


def _parse_own(doc: dict[str, Any], source: str) -> tuple[str, list[RegistryEntry]]:
    name = _text(doc.get("name"), source, "$.name")
    assert name is not None
    issuers = doc["issuers"]
    if not isinstance(issuers, list):
        raise _bad(source, "$.issuers", f"must be an array ({_kind(issuers)})")
    entries: list[RegistryEntry] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(issuers):
        path = f"$.issuers[{i}]"
        if not isinstance(item, dict):
            raise _bad(source, path, f"must be an object ({_kind(item)})")
        issuer = _issuer_id(item.get("id"), source, f"{path}.id")
        if issuer in seen:
            raise _bad(source, f"{path}.id", f"{issuer} is listed twice (also at {seen[issuer]})")
        seen[issuer] = f"{path}.id"
        label = _text(item.get("name"), source, f"{path}.name")
        assert label is not None
        url = _site(item.get("url"), source, f"{path}.url")
        entries.append(RegistryEntry(id=issuer, name=label, registry=name, url=url))
    return name, entries


def _parse_dcc(doc: dict[str, Any], source: str) -> tuple[str, list[RegistryEntry]]:
    listed = doc["registry"]
    if not isinstance(listed, dict):
        raise _bad(source, "$.registry", f"must be an object of DIDs ({_kind(listed)})")
    given = doc.get("name")
    name = given.strip() if isinstance(given, str) and given.strip() else source
    entries: list[RegistryEntry] = []
    for did, item in listed.items():
        path = f"$.registry[{json.dumps(did)}]"
        issuer = _issuer_id(did, source, path)
        if not isinstance(item, dict):
            raise _bad(source, path, f"must be an object ({_kind(item)})")
        label = _text(item.get("name"), source, f"{path}.name")
        assert label is not None
        url = _site(item.get("url"), source, f"{path}.url")
        entries.append(RegistryEntry(id=issuer, name=label, registry=name, url=url))
    return name, entries


# ---- this server's organisations --------------------------------------------------------------
def own_organisations(engine: Engine, base_url: str) -> StaticRegistry:
    """This server's organisations, listed in a registry named "this server (<host>)"."""
    from sqlalchemy import select

    from microcred.issuing import orgs
    from microcred.issuing.context import IssuingContext
    from microcred.store.db import session_scope
    from microcred.store.models import Organisation, SigningKey

    ctx = IssuingContext(base_url=base_url.rstrip("/"), secret=b"")
    label = f"this server ({urlsplit(ctx.base_url).hostname or ctx.base_url})"
    out = StaticRegistry()
    with session_scope(engine) as session:
        keys: dict[str, list[str]] = {}
        for org_id, multibase in session.execute(
            select(SigningKey.org_id, SigningKey.public_key_multibase).order_by(
                SigningKey.created_at.desc()
            )
        ):
            keys.setdefault(org_id, []).append(multibase)
        for org in session.scalars(select(Organisation).order_by(Organisation.created_at)):
            try:
                ids = [orgs.issuer_id(org, ctx, session)]
            except MicrocredError as exc:  # an organisation without a current key
                log.warning("trust registry %s: %s", label, exc.user_message)
                ids = []
            if not ctx.did_web:  # a did:key deployment: every key it signed with
                ids += [f"did:key:{mb}" for mb in keys.get(org.id, [])]
            for issuer in dict.fromkeys(ids):
                out.add(RegistryEntry(id=issuer, name=org.name, registry=label, url=org.url))
    return out


def existing_database(settings: Settings) -> Engine | None:
    """This deployment's database for a command that only reads it (``microcred verify``):
    None when it is an SQLite file that does not exist (nothing is created) or cannot be
    opened (a warning is logged)."""
    from sqlalchemy.engine import make_url

    from microcred.store.migrate import open_database

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None
    try:
        return open_database(settings.database_url)
    except Exception as exc:
        log.warning("this server's organisations could not be read (%s)", exc)
        return None


def base_url_of(settings: Settings) -> str:
    """Where this deployment is reached (as ``issuing.context.context_from_settings`` says,
    without reading the key-encryption secret)."""
    return (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")


# ---- composing ----------------------------------------------------------------------------------
class CompositeRegistry:
    """Several registries asked in order: ``lookup`` answers from the first that lists the
    id (the most authoritative first), ``named`` from all of them."""

    def __init__(self, parts: Sequence[TrustRegistry] = (), warnings: Sequence[str] = ()):
        self.parts = list(parts)
        self.warnings = list(warnings)

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        for part in self.parts:
            entry = part.lookup(issuer_id)
            if entry is not None:
                return entry
        return None

    def named(self, name: str) -> list[RegistryEntry]:
        return [entry for part in self.parts for entry in part.named(name)]

    def __len__(self) -> int:
        """How many issuer ids the parts that can count list (duplicates counted)."""
        return sum(len(p) for p in self.parts if isinstance(p, StaticRegistry))


@dataclass
class _Loaded:
    expires: float
    registry: StaticRegistry | None  # the last good copy (None: never read)
    warning: str | None = None


@dataclass
class TrustSources:
    """The configured registries, read when first needed and kept for ``ttl`` seconds.

    One instance lives as long as the web app (``app.state.trust``) or a CLI command;
    ``registry(fetch)`` gives the TrustRegistry to verify with, loading lazily: nothing is
    read until the verifier asks. Thread-safe.
    """

    sources: list[str]
    ttl: float = 300.0
    max_bytes: int = 1_000_000
    engine: Engine | None = None
    base_url: str = "http://127.0.0.1:8000"
    clock: Callable[[], float] = time.monotonic
    _cache: dict[str, _Loaded] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, engine: Engine | None = None, extra: Iterable[str] = ()
    ) -> TrustSources:
        """The sources of ``settings.trust_registries`` followed by ``extra``. Raises
        RegistryError for a source that can never be read (a scheme other than https)."""
        sources = list(dict.fromkeys(settings.trust_registry_sources() + split_sources(extra)))
        for source in sources:
            problem = source_problem(source)
            if problem:
                raise RegistryError(problem)
        return cls(
            sources=sources,
            ttl=settings.fetch_cache_ttl,
            max_bytes=settings.fetch_max_bytes,
            engine=engine,
            base_url=base_url_of(settings),
        )

    def check_files(self) -> None:
        """Read every file source now (at start-up): raises RegistryError for the first one
        that is missing or malformed, so a bad file stops the start, not a verification."""
        for source in self.sources:
            if not is_url(source):
                registry = self._read_file(source)
                with self._lock:
                    self._cache[source] = _Loaded(self.clock() + self.ttl, registry)

    def registry(self, fetch: Fetch) -> LazyRegistry:
        """The registries for one request or command, read when first asked."""
        return LazyRegistry(self, fetch)

    def load(self, fetch: Fetch, *, strict_files: bool = False) -> CompositeRegistry:
        """Every registry now, this server's organisations first.

        ``strict_files``: a bad file raises RegistryError (the CLI); otherwise it is a
        warning and its last good copy is used (a long-running server)."""
        parts: list[TrustRegistry] = []
        warnings: list[str] = []
        if self.engine is not None:
            try:
                parts.append(own_organisations(self.engine, self.base_url))
            except Exception as exc:  # a database that cannot be read: go on without it
                message = f"this server's organisations could not be read ({exc})"
                log.warning("%s", message)
                warnings.append(message)
        for source in self.sources:
            registry, warning = self._source(source, fetch, strict_files=strict_files)
            if warning:
                warnings.append(warning)
            if registry is not None:
                parts.append(registry)
        return CompositeRegistry(parts, warnings)

    # -- one source, cached ------------------------------------------------------------------
    def _source(
        self, source: str, fetch: Fetch, *, strict_files: bool
    ) -> tuple[StaticRegistry | None, str | None]:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(source)
        if hit is not None and hit.expires > now:
            return hit.registry, hit.warning
        try:
            if is_url(source):
                registry = self._read_url(source, fetch)
            else:
                registry = self._read_file(source)
            loaded = _Loaded(now + self.ttl, registry)
        except (RegistryError, FetchFailed) as exc:
            if strict_files and not is_url(source):
                raise
            kept = hit.registry if hit is not None else None
            warning = exc.user_message + (
                "; the copy read earlier is used" if kept is not None else "; it is not used"
            )
            log.warning("%s", warning)
            loaded = _Loaded(now + self.ttl, kept, warning)
        with self._lock:
            self._cache[source] = loaded
        return loaded.registry, loaded.warning

    def _read_file(self, source: str) -> StaticRegistry:
        try:
            with Path(source).open("rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            raise RegistryError(
                f"trust registry {source}: cannot read the file ({exc.strerror})"
            ) from None
        if len(data) > self.max_bytes:
            raise RegistryError(
                f"trust registry {source}: the file is larger than the limit of "
                f"{self.max_bytes:,} bytes (MICROCRED_FETCH_MAX_BYTES)"
            )
        return StaticRegistry(parse_registry(data, source=source)[1])

    def _read_url(self, source: str, fetch: Fetch) -> StaticRegistry:
        try:
            data = fetch(source, accept=ACCEPT)
        except FetchFailed as exc:
            raise FetchFailed(f"trust registry {source}: {exc.user_message}") from None
        return StaticRegistry(parse_registry(data, source=source)[1])


class LazyRegistry:
    """A TrustRegistry that reads its sources on the first question (in the verifier's
    thread, not the web server's event loop)."""

    def __init__(self, sources: TrustSources, fetch: Fetch) -> None:
        self._sources = sources
        self._fetch = fetch
        self._loaded: CompositeRegistry | None = None
        self._lock = threading.Lock()

    def _get(self) -> CompositeRegistry:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._sources.load(self._fetch)
            return self._loaded

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        return self._get().lookup(issuer_id)

    def named(self, name: str) -> list[RegistryEntry]:
        return self._get().named(name)

    @property
    def warnings(self) -> list[str]:
        return self._get().warnings


def load_registries(
    settings: Settings,
    *,
    fetch: Fetch,
    engine: Engine | None = None,
    extra: Iterable[str] = (),
) -> CompositeRegistry:
    """Every trust registry ``settings`` (and ``extra`` sources) name, read now, this
    server's organisations first (when ``engine`` is given). A bad file raises
    RegistryError naming it and the JSON path; an unreachable URL is a warning (logged, and
    in the result's ``warnings``)."""
    sources = TrustSources.from_settings(settings, engine=engine, extra=extra)
    return sources.load(fetch, strict_files=True)
