"""The one guarded fetcher: every network read of the verifier goes through :class:`Fetcher`.

A ``Fetcher`` is a ``Fetch`` (``fetch(url, *, accept=None) -> bytes``) as the standards core
expects it. Its rules, in the order they apply:

1. ``fixtures`` (URL -> bytes or file path) are answered first, without any network.
2. ``https`` only; plain ``http`` only to loopback hosts (``127.0.0.1``, ``::1``,
   ``localhost``) and only when ``allow_loopback``.
3. The host name is resolved and every address must be public: private, shared,
   link-local, loopback (unless allowed), multicast, reserved and unspecified addresses are
   refused, IPv4 and IPv6, including IPv4-mapped, 6to4 and Teredo forms. The check happens
   in the network backend, right before the socket is opened, and the socket goes to the
   address that was checked (no second DNS answer in between).
4. At most ``MAX_REDIRECTS`` redirects, each hop checked again by rules 2 and 3.
5. ``timeout`` bounds each connect and read and the fetch as a whole; the body is streamed
   and refused beyond ``max_bytes``.
6. Successful answers are cached only as long as their HTTP caching headers allow
   (``Cache-Control: max-age`` / ``s-maxage`` less ``Age``, else ``Expires`` less ``Date``),
   and never longer than ``cache_ttl`` seconds (at most ``CACHE_SIZE`` entries). An answer
   without such headers, or with ``no-store``, ``no-cache``, ``private`` or
   ``Pragma: no-cache``, is not reused: a status list its issuer changed a second ago is read
   again on the next check.

Every failure raises :class:`microcred.vc.errors.FetchFailed` whose message names the URL.
"""

from __future__ import annotations

import email.utils
import ipaddress
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from microcred import __version__
from microcred.vc.errors import FetchFailed

if TYPE_CHECKING:
    from microcred.config import Settings

MAX_REDIRECTS = 3
CACHE_SIZE = 64
USER_AGENT = f"microcred/{__version__} (credential verifier)"
LOOPBACK_NAMES = frozenset({"localhost", "localhost."})
_NEVER = "which microcred never fetches from"

Resolve = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


_DIRECTIVE = re.compile(r'([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("[^"]*"|[^,\s]*))?')


def _http_date(value: str | None) -> float | None:
    """An HTTP date as a POSIX timestamp; None when missing or unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.timestamp()


def freshness(headers: Mapping[str, str], *, now: float | None = None) -> float:
    """How many seconds an answer with these headers may be reused (RFC 9111, section 4.2.1,
    as a shared cache; no heuristic freshness): 0 when it must not be. ``now`` (a POSIX
    timestamp) stands for the answer's ``Date`` when it has none."""
    headers = {k.lower(): v for k, v in headers.items()}  # httpx joins repeated ones with ", "
    cache_control = headers.get("cache-control") or ""
    directives: dict[str, str | None] = {}
    for m in _DIRECTIVE.finditer(cache_control):
        value = m.group(2)
        directives.setdefault(m.group(1).lower(), value.strip('"') if value is not None else None)
    if {"no-store", "no-cache", "private"} & directives.keys():
        return 0.0
    if not cache_control and "no-cache" in (headers.get("pragma") or "").lower():
        return 0.0
    age_text = (headers.get("age") or "").strip()
    age = float(age_text) if age_text.isdigit() else 0.0
    for name in ("s-maxage", "max-age"):
        if name in directives:
            raw = (directives[name] or "").strip()
            return max(0.0, float(raw) - age) if raw.isdigit() else 0.0
    if "expires" in headers:
        expires = _http_date(headers["expires"])
        if expires is None:  # "0" or an unreadable date: already expired
            return 0.0
        date = _http_date(headers.get("date"))
        start = date if date is not None else (now if now is not None else time.time())
        return max(0.0, expires - start - age)
    return 0.0


class _Failed(Exception):
    """Why a fetch failed (a clause); the Fetcher turns it into FetchFailed naming the URL."""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (system resolver), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _Failed(f"the host name {host!r} could not be resolved ({exc})") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded(ip: IPAddress) -> Iterable[IPAddress]:
    """The addresses ``ip`` stands for: itself, or the IPv4 address it maps, and any IPv4
    address it carries (6to4, Teredo client)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        yield ip.ipv4_mapped
        return
    yield ip
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in (ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if inner is not None:
                yield inner


def address_refusal(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """What kind of address ``ip`` is when the fetcher may not connect to it, else None.

    ``"a private address"``, ``"a loopback address"``, ...
    """
    for addr in _embedded(ip):
        if addr.is_loopback:
            if allow_loopback:
                continue
            return "a loopback address"
        for kind, refused in (
            ("an unspecified", addr.is_unspecified),
            ("a link-local", addr.is_link_local),
            ("a multicast", addr.is_multicast),
            ("a private", addr.is_private),
            ("a reserved", addr.is_reserved),
            ("a non-public", not addr.is_global),
        ):
            if refused:
                return f"{kind} address"
    return None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks every address, then connects to a checked address."""

    def __init__(self, *, allow_loopback: bool, resolve: Resolve) -> None:
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        literal = _ip_literal(host)
        addresses = [str(literal)] if literal else self._resolve(host, port)
        if not addresses:
            raise _Failed(f"the host name {host!r} did not resolve to any address")
        for address in addresses:
            ip = ipaddress.ip_address(address)
            kind = address_refusal(ip, allow_loopback=self._allow_loopback)
            if kind and literal:
                raise _Failed(f"{ip} is {kind}, {_NEVER}")
            if kind:
                raise _Failed(f"{host} resolves to {ip}, {kind}, {_NEVER}")
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise _Failed("unix sockets are never used")


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the address check in its network backend, no proxies."""

    def __init__(self, *, allow_loopback: bool, resolve: Resolve) -> None:
        # httpx (pinned <0.29) has no network_backend option; HTTPTransport's methods only
        # use ``_pool``, so build that pool here instead of calling HTTPTransport.__init__.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allow_loopback=allow_loopback, resolve=resolve),
        )


class Fetcher:
    """The guarded fetcher; call it as ``fetcher(url, accept=...) -> bytes``.

    ``transport`` replaces the network (tests); with it the address check applies to IP
    literals in URLs only, since no name is resolved. ``resolve(host, port)`` replaces the
    system resolver and ``clock`` the monotonic clock (tests).
    """

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        timeout: float = 5.0,
        max_bytes: int = 1_000_000,
        cache_ttl: float = 300,
        fixtures: Mapping[str, bytes | Path] | None = None,
        transport: httpx.BaseTransport | None = None,
        resolve: Resolve = resolve_host,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.cache_ttl = cache_ttl
        self.fixtures = fixtures if fixtures is not None else {}  # read live, not copied
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str | None], tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._client = httpx.Client(
            transport=transport
            or _GuardedTransport(allow_loopback=allow_loopback, resolve=resolve),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Fetcher:
        """The fetcher ``settings.fetch_*`` describe; ``kwargs`` (fixtures, ...) are added."""
        return cls(
            allow_loopback=settings.fetch_allow_loopback,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            cache_ttl=settings.fetch_cache_ttl,
            **kwargs,
        )

    def __call__(self, url: str, *, accept: str | None = None) -> bytes:
        """The body at ``url``.

        Raises FetchFailed (naming the URL) when the URL is refused by the rules above, the
        server cannot be reached or answers with an error, or the body is too large.
        """
        try:
            if url in self.fixtures:
                return self._fixture(url)
            return self._cached(url, accept)
        except _Failed as exc:
            raise FetchFailed(f"Could not fetch {url}: {exc}.") from exc
        except httpx.TimeoutException as exc:
            raise FetchFailed(
                f"Could not fetch {url}: the server did not answer within {self.timeout:g} seconds."
            ) from exc
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchFailed(f"Could not fetch {url}: {reason}.", detail=repr(exc)) from exc

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fixture(self, url: str) -> bytes:
        value = self.fixtures[url]
        body = value.read_bytes() if isinstance(value, Path) else bytes(value)
        if len(body) > self.max_bytes:
            raise _Failed(self._too_large())
        return body

    def _cached(self, url: str, accept: str | None) -> bytes:
        key = (url, accept)
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > self._clock():
                self._cache.move_to_end(key)
                return hit[1]
            if hit:
                del self._cache[key]
        body, lifetime = self._get(url, accept)
        keep = min(lifetime, self.cache_ttl)
        if keep > 0:
            with self._lock:
                self._cache[key] = (self._clock() + keep, body)
                self._cache.move_to_end(key)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return body

    def _too_large(self) -> str:
        return f"the document is larger than the limit of {self.max_bytes:,} bytes"

    def _check_url(self, url: str) -> httpx.URL:
        """``url`` parsed; raises _Failed when the scheme or a literal address is refused."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise _Failed(f"it is not a valid URL ({exc})") from exc
        host = parsed.host
        if not host:
            raise _Failed("the URL has no host name")
        literal = _ip_literal(host)
        loopback_host = host.lower() in LOOPBACK_NAMES or bool(literal and literal.is_loopback)
        if parsed.scheme == "http":
            if not (self.allow_loopback and loopback_host):
                raise _Failed(
                    "only https:// addresses are fetched "
                    "(plain http:// only to this machine, when loopback fetching is allowed)"
                )
        elif parsed.scheme != "https":
            raise _Failed(f"only https:// addresses are fetched, not {parsed.scheme} addresses")
        if parsed.userinfo:
            raise _Failed("URLs with a user name are not fetched")
        if literal is not None:
            kind = address_refusal(literal, allow_loopback=self.allow_loopback)
            if kind:
                raise _Failed(f"{literal} is {kind}, {_NEVER}")
        return parsed

    def _get(self, url: str, accept: str | None) -> tuple[bytes, float]:
        """The body, and how long its caching headers allow to reuse it (seconds)."""
        deadline = self._clock() + self.timeout
        headers = {"Accept": accept} if accept else {}
        current = self._check_url(url)
        for _ in range(MAX_REDIRECTS + 1):
            with self._client.stream("GET", current, headers=headers) as resp:
                if resp.is_redirect:
                    target = str(current.join(resp.headers["Location"]))
                    try:
                        current = self._check_url(target)
                    except _Failed as exc:
                        raise _Failed(f"it redirects to {target}, and {exc}") from exc
                    continue
                if resp.status_code != 200:
                    answer = f"{resp.status_code} {resp.reason_phrase}".strip()
                    raise _Failed(f"the server answered {answer}")
                return self._read(resp, deadline), freshness(resp.headers)
        raise _Failed(f"more than {MAX_REDIRECTS} redirects")

    def _read(self, resp: httpx.Response, deadline: float) -> bytes:
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _Failed(self._too_large())
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _Failed(self._too_large())
            if self._clock() > deadline:
                raise _Failed(f"the download took longer than {self.timeout:g} seconds")
            chunks.append(chunk)
        return b"".join(chunks)
