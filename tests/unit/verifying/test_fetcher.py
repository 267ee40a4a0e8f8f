"""The guarded fetcher, against a real HTTP server on 127.0.0.1 (and never anywhere else).

Refusals of non-loopback addresses are checked with ``socket.create_connection`` replaced
by a function that fails the test, so no packet ever leaves for them; host names are
"resolved" by an injected resolver, never by DNS.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from microcred.config import get_settings
from microcred.vc.errors import FetchFailed
from microcred.verifying import Fetcher
from microcred.verifying.fetcher import CACHE_SIZE, address_refusal, freshness

SLOW_SECONDS = 2.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits[self.path] += 1
        path = self.path
        try:
            if path == "/ok":
                self._send(200, b"hello", ctype="text/plain")
            elif path == "/accept":
                self._send(200, (self.headers.get("Accept") or "").encode())
            elif path.startswith("/cache/"):  # /cache/<Cache-Control value, URL-quoted>
                value = urllib.parse.unquote(path.split("/", 2)[2])
                self._send(200, b"cached?", headers={"Cache-Control": value})
            elif path.startswith("/expires/"):  # Expires: Date + N seconds ("bad": unreadable)
                arg = path.rsplit("/", 1)[1]
                when = (
                    email.utils.formatdate(time.time() + int(arg), usegmt=True)
                    if arg.lstrip("-").isdigit()
                    else arg
                )
                self._send(200, b"expires", headers={"Expires": when})
            elif path == "/pragma":
                self._send(200, b"pragma", headers={"Pragma": "no-cache", "Expires": "0"})
            elif path == "/missing":
                self._send(404, b"no")
            elif path == "/big":
                self._send(200, b"x" * 2000)
            elif path == "/big-unannounced":  # no Content-Length: body ends when we close
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(20):
                    self.wfile.write(b"y" * 500)
                self.close_connection = True
            elif path == "/slow":
                time.sleep(SLOW_SECONDS)
                self._send(200, b"late")
            elif path.startswith("/hops/"):
                left = int(path.rsplit("/", 1)[1])
                target = "/ok" if left == 0 else f"/hops/{left - 1}"
                self._redirect(target)
            elif path.startswith("/to?"):
                self._redirect(path.split("?", 1)[1])
            else:
                self._send(404, b"unknown")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "application/octet-stream",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: Counter[str]


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.hits = Counter()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture
def base(server: _Server) -> str:
    server.hits.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a client socket fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a connection was attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def _no_transport(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the transport was called for {request.url}")


# --- loopback fetches against the real server ------------------------------------------


def test_fetch_from_loopback_when_allowed(base: str) -> None:
    with Fetcher(allow_loopback=True) as fetch:
        assert fetch(f"{base}/ok") == b"hello"


def test_accept_header_is_sent(base: str) -> None:
    with Fetcher(allow_loopback=True) as fetch:
        assert fetch(f"{base}/accept", accept="application/did+json") == b"application/did+json"


def test_loopback_refused_by_default(base: str, server: _Server) -> None:
    with Fetcher() as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"{base}/ok")
    assert f"{base}/ok" in info.value.user_message
    assert "https://" in info.value.user_message
    assert server.hits["/ok"] == 0


def test_error_status_names_url_and_status(base: str) -> None:
    with Fetcher(allow_loopback=True) as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"{base}/missing")
    message = info.value.user_message
    assert message == f"Could not fetch {base}/missing: the server answered 404 Not Found."


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_size_cap(base: str, path: str) -> None:
    with Fetcher(allow_loopback=True, max_bytes=1000) as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"{base}{path}")
    assert "larger than the limit of 1,000 bytes" in info.value.user_message
    assert path in info.value.user_message


def test_size_cap_allows_exact_limit(base: str) -> None:
    with Fetcher(allow_loopback=True, max_bytes=5) as fetch:
        assert fetch(f"{base}/ok") == b"hello"


def test_timeout(base: str) -> None:
    started = time.monotonic()
    with Fetcher(allow_loopback=True, timeout=0.3) as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"{base}/slow")
    assert time.monotonic() - started < SLOW_SECONDS - 0.5
    assert "did not answer within 0.3 seconds" in info.value.user_message


def test_connection_refused_names_url() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Fetcher(allow_loopback=True) as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"http://127.0.0.1:{port}/x")
    assert f"http://127.0.0.1:{port}/x" in info.value.user_message


def test_cache_ttl_caps_what_the_headers_allow(base: str, server: _Server) -> None:
    now = [1000.0]
    path = "/cache/public,%20max-age=600"
    with Fetcher(allow_loopback=True, cache_ttl=60, clock=lambda: now[0]) as fetch:
        fetch(f"{base}{path}")
        fetch(f"{base}{path}")
        assert server.hits[path] == 1
        fetch(f"{base}{path}", accept="text/plain")  # another Accept is another document
        assert server.hits[path] == 2
        now[0] += 61  # the headers allow 600 s, the deployment 60
        fetch(f"{base}{path}")
        assert server.hits[path] == 3


def test_max_age_shorter_than_the_ttl_wins(base: str, server: _Server) -> None:
    now = [1000.0]
    path = "/cache/max-age=5"
    with Fetcher(allow_loopback=True, cache_ttl=300, clock=lambda: now[0]) as fetch:
        fetch(f"{base}{path}")
        now[0] += 4
        fetch(f"{base}{path}")
        assert server.hits[path] == 1
        now[0] += 2  # 6 s after the first answer: stale
        fetch(f"{base}{path}")
        assert server.hits[path] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/ok",  # no caching headers at all: never reused
        "/cache/no-store",
        "/cache/no-cache",
        "/cache/no-cache,%20max-age=600",
        "/cache/private,%20max-age=600",
        "/cache/max-age=0",
        "/cache/max-age=soon",
        "/expires/bad",
        "/expires/-60",
        "/pragma",
    ],
)
def test_answers_the_headers_do_not_allow_to_reuse_are_fetched_every_time(
    base: str, server: _Server, path: str
) -> None:
    with Fetcher(allow_loopback=True, cache_ttl=300) as fetch:
        fetch(f"{base}{path}")
        fetch(f"{base}{path}")
    assert server.hits[path] == 2


def test_expires_counts_from_the_answers_date(base: str, server: _Server) -> None:
    now = [1000.0]
    with Fetcher(allow_loopback=True, cache_ttl=300, clock=lambda: now[0]) as fetch:
        fetch(f"{base}/expires/30")
        now[0] += 25
        fetch(f"{base}/expires/30")
        assert server.hits["/expires/30"] == 1
        now[0] += 10
        fetch(f"{base}/expires/30")
        assert server.hits["/expires/30"] == 2


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Cache-Control": "max-age=60", "Age": "20"}, 40),
        ({"cache-control": 'public, max-age="30"'}, 30),
        ({"Cache-Control": "s-maxage=5, max-age=60"}, 5),
        (
            {"Expires": "Wed, 21 Oct 2026 07:28:00 GMT", "Date": "Wed, 21 Oct 2026 07:27:00 GMT"},
            60,
        ),
        (
            {"Cache-Control": "max-age=10", "Expires": "Wed, 21 Oct 2026 07:28:00 GMT"},
            10,
        ),
        ({"Cache-Control": "must-revalidate"}, 0),
        ({}, 0),
    ],
)
def test_freshness(headers: dict[str, str], seconds: float) -> None:
    assert freshness(headers) == seconds


def test_cache_off_with_zero_ttl(base: str, server: _Server) -> None:
    path = "/cache/max-age=600"
    with Fetcher(allow_loopback=True, cache_ttl=0) as fetch:
        fetch(f"{base}{path}")
        fetch(f"{base}{path}")
    assert server.hits[path] == 2


def test_failures_are_not_cached(base: str, server: _Server) -> None:
    with Fetcher(allow_loopback=True) as fetch:
        for _ in range(2):
            with pytest.raises(FetchFailed):
                fetch(f"{base}/missing")
    assert server.hits["/missing"] == 2


def test_cache_is_bounded() -> None:
    calls: Counter[str] = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        calls[str(request.url)] += 1
        return httpx.Response(200, content=b"doc", headers={"Cache-Control": "max-age=600"})

    with Fetcher(transport=httpx.MockTransport(handler)) as fetch:
        urls = [f"https://example.org/{i}" for i in range(CACHE_SIZE + 1)]
        for url in urls:
            fetch(url)
        fetch(urls[-1])  # still cached
        fetch(urls[0])  # evicted, fetched again
    assert calls[urls[-1]] == 1
    assert calls[urls[0]] == 2


def test_redirects_followed_up_to_three(base: str) -> None:
    with Fetcher(allow_loopback=True) as fetch:
        assert fetch(f"{base}/hops/2") == b"hello"  # /hops/2 -> 1 -> 0 -> /ok
        with pytest.raises(FetchFailed) as info:
            fetch(f"{base}/hops/3")
    assert "more than 3 redirects" in info.value.user_message


@pytest.mark.parametrize(
    "target",
    ["https://10.0.0.1/x", "http://10.0.0.1/x", "https://[::ffff:192.168.0.1]/", "ftp://x/"],
)
def test_redirect_to_refused_address(base: str, target: str) -> None:
    with Fetcher(allow_loopback=True) as fetch, pytest.raises(FetchFailed) as info:
        fetch(f"{base}/to?{target}")
    expected = f"Could not fetch {base}/to?{target}: it redirects to {target}, and "
    assert info.value.user_message.startswith(expected)


# --- refusals before any connection ------------------------------------------------------

REFUSED = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "127.0.0.1",
    "0.0.0.0",  # noqa: S104
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "2002:a00:1::",
    "2001:db8::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_address_refusal(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=False)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=False) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_allowed_only_when_asked(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=True) is None
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=False)


@pytest.mark.usefixtures("no_connections")
@pytest.mark.parametrize("address", REFUSED)
def test_literal_address_refused_before_connecting(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    url = f"https://{host}/x"
    started = time.monotonic()
    with Fetcher() as fetch, pytest.raises(FetchFailed) as info:
        fetch(url)
    assert time.monotonic() - started < 0.5
    assert info.value.user_message.startswith(f"Could not fetch {url}: ")
    assert "never fetches from" in info.value.user_message


@pytest.mark.usefixtures("no_connections")
@pytest.mark.parametrize("address", REFUSED)
def test_host_resolving_to_refused_address(address: str) -> None:
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return [address]

    with Fetcher(resolve=resolve) as fetch, pytest.raises(FetchFailed) as info:
        fetch("https://intranet.example/status/1")
    assert asked == [("intranet.example", 443)]
    assert f"intranet.example resolves to {ipaddress.ip_address(address)}" in (
        info.value.user_message
    )


@pytest.mark.usefixtures("no_connections")
def test_one_refused_address_among_public_ones_is_enough() -> None:
    with Fetcher(resolve=lambda host, port: ["1.1.1.1", "10.0.0.7"]) as fetch:
        with pytest.raises(FetchFailed, match="10.0.0.7, a private address"):
            fetch("https://mixed.example/")


def test_checked_address_is_the_one_connected_to(base: str, server: _Server) -> None:
    # the name resolves (through the injected resolver) to the loopback server: the socket
    # goes to the checked address, not to whatever the system resolver would say
    port = server.server_address[1]
    with Fetcher(allow_loopback=True, resolve=lambda host, p: ["127.0.0.1"]) as fetch:
        assert fetch(f"http://localhost:{port}/ok") == b"hello"
    assert server.hits["/ok"] == 1


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://example.org/x", "only https://"),
        ("ftp://example.org/x", "only https://"),
        ("file:///etc/passwd", "no host name"),
        ("not a url", "no host name"),
        ("https://user:pw@example.org/", "user name"),
    ],
)
def test_refused_urls(url: str, words: str) -> None:
    with Fetcher(allow_loopback=True, transport=httpx.MockTransport(_no_transport)) as fetch:
        with pytest.raises(FetchFailed) as info:
            fetch(url)
    assert info.value.user_message.startswith(f"Could not fetch {url}: ")
    assert words in info.value.user_message


def test_https_to_loopback_name_refused_without_allow(no_connections: None) -> None:
    with Fetcher(resolve=lambda host, port: ["127.0.0.1"]) as fetch:
        with pytest.raises(FetchFailed, match="loopback"):
            fetch("https://sneaky.example/")


# --- fixtures ------------------------------------------------------------------------------


def test_fixtures_answered_without_network(tmp_path: Path) -> None:
    doc = tmp_path / "did.json"
    doc.write_bytes(b'{"id": "did:web:example.org"}')
    fixtures = {"https://example.org/.well-known/did.json": doc, "https://example.org/s": b"st"}
    with Fetcher(fixtures=fixtures, transport=httpx.MockTransport(_no_transport)) as fetch:
        assert fetch("https://example.org/.well-known/did.json") == doc.read_bytes()
        assert fetch("https://example.org/s", accept="application/vc+jwt") == b"st"


def test_fixture_size_cap() -> None:
    with Fetcher(fixtures={"https://e.org/a": b"x" * 11}, max_bytes=10) as fetch:
        with pytest.raises(FetchFailed, match="larger than the limit of 10 bytes"):
            fetch("https://e.org/a")


def test_other_urls_still_go_through_the_rules() -> None:
    with Fetcher(fixtures={"https://e.org/a": b"x"}) as fetch:
        with pytest.raises(FetchFailed, match="only https://"):
            fetch("http://e.org/a")


def test_from_settings() -> None:
    settings = get_settings(
        fetch_allow_loopback=True, fetch_timeout=2, fetch_max_bytes=10, fetch_cache_ttl=0
    )
    with Fetcher.from_settings(settings, fixtures={"https://e.org/a": b"x"}) as fetch:
        assert (fetch.allow_loopback, fetch.timeout, fetch.max_bytes, fetch.cache_ttl) == (
            True,
            2,
            10,
            0,
        )
        assert fetch("https://e.org/a") == b"x"
