"""Test helpers: a small OB 3.0 credential, a tiny PNG, a local HTTP server."""

from __future__ import annotations

import http.server
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from microcred.vc import openbadges


def ob_credential(issuer: str, *, name: str = "Data Analysis Micro-credential", **kwargs) -> dict:
    """An Open Badges 3.0 credential from ``issuer``; ``kwargs`` go to open_badge_credential."""
    achievement = openbadges.achievement(
        id="https://example.edu/achievements/data-analysis",
        name=name,
        description="Cleans, explores and visualises tabular data.",
        criteria_narrative="Pass the final project (60 h of study).",
        achievement_type="MicroCredential",
        alignment=[
            openbadges.alignment(
                target_name="data analysis",
                target_url="http://data.europa.eu/esco/skill/data-analysis",
                target_framework="ESCO",
            )
        ],
    )
    return openbadges.open_badge_credential(
        **{
            "id": "urn:uuid:2f0e4b9c-5d3b-4c57-9f7e-1d2a8c0b6e11",
            "issuer": openbadges.profile(id=issuer, name="Example College"),
            "achievement": achievement,
            "subject_id": "did:example:learner-42",
            "valid_from": "2025-01-01T00:00:00Z",
            "name": name,
            **kwargs,
        }
    )


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    raw = b"".join(b"\x00" + b"\x30\x80\xc0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@contextmanager
def serve_files(routes: dict[str, bytes], content_type: str = "application/json") -> Iterator[str]:
    """Serve ``routes`` (path -> body) over plain HTTP on 127.0.0.1; yields the base URL."""
    hits: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits[self.path] = hits.get(self.path, 0) + 1
            body = routes.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def live_app(app, sock=None) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn in a thread on 127.0.0.1; yields the base URL.

    ``sock``: an already bound socket (to know the URL before the app is built)."""
    import socket
    import time

    import pytest
    import uvicorn

    if sock is None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
