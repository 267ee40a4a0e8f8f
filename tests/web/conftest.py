"""The app under test, with a fetcher that never touches the network, and signed badges."""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from microcred.config import Settings
from microcred.verifying import Fetcher
from microcred.web import create_app, deps

with warnings.catch_warnings():  # starlette asks for "httpx2"; the project uses httpx
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

UPLOAD_LIMIT = 200_000


def offline(request: httpx.Request) -> httpx.Response:
    """A transport answering 503 to everything: the network is never used in tests."""
    return httpx.Response(503, text="offline in tests")


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(data_dir=tmp_path, upload_max_bytes=UPLOAD_LIMIT)


@pytest.fixture
def fixtures() -> dict[str, bytes]:
    """URL -> body served by the app's fetcher; tests add to it."""
    return {}


@pytest.fixture
def app(settings: Settings, fixtures: dict[str, bytes]) -> Any:
    app = create_app(settings)
    fetcher = Fetcher(fixtures=fixtures, transport=httpx.MockTransport(offline))
    app.dependency_overrides[deps.app_fetcher] = lambda: fetcher
    yield app
    fetcher.close()


@pytest.fixture
def make_client() -> Callable[..., TestClient]:
    """TestClient(app, **kwargs), for tests that build their own app (use it with `with`)."""
    return TestClient


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def issuer_key() -> Any:
    from microcred.vc.keys import Ed25519Multikey

    return Ed25519Multikey.generate()


@pytest.fixture(scope="session")
def make_badge(issuer_key: Any) -> Callable[..., dict[str, Any]]:
    """make_badge(name=..., signed=True, **open_badge_credential kwargs) -> credential."""
    from microcred.vc import proofs
    from tests.helpers import ob_credential

    def make(
        name: str = "Data Literacy Foundations", *, signed: bool = True, **extra: Any
    ) -> dict[str, Any]:
        doc = ob_credential(issuer_key.controller, name=name, **extra)
        return proofs.sign(doc, issuer_key) if signed else doc

    return make


@pytest.fixture(scope="session")
def tiny_png() -> bytes:
    """A valid 1x1 RGBA PNG, made here (no image library)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0b\x5c\xad\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
