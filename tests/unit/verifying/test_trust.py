"""Trust registries: real files, a real HTTP server on 127.0.0.1, a real database."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from microcred.config import Settings, get_settings
from microcred.errors import MicrocredError
from microcred.verifying import Fetcher
from microcred.verifying.trust import (
    RegistryError,
    TrustSources,
    load_registries,
    own_organisations,
    parse_registry,
)

OURS = {
    "name": "Ontario Colleges",
    "issuers": [
        {
            "id": "did:web:badges.northbridge.example",
            "name": "Northbridge College",
            "url": "https://northbridge.example",
        },
        {"id": "https://lakeside.example/issuer", "name": "Lakeside Polytechnic"},
    ],
}
# the Digital Credentials Consortium's format (github.com/digitalcredentials/community-registry,
# registry.json): DIDs under "registry", each {name, location?, url?}
DCC = {
    "meta": {"created": "2024-01-01T00:00:00+00:00", "updated": "2024-02-01T00:00:00+00:00"},
    "registry": {
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK": {
            "name": "Example Test University",
            "location": "Somewhere, ON, Canada",
            "url": "https://university.example",
        },
        "did:web:credentials.example.org": {"name": "Example Org (no url)"},
    },
}


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), "utf-8")
    return str(path)


def settings_for(tmp_path: Path, *sources: str, **kwargs: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        trust_registries=",".join(sources),
        fetch_allow_loopback=True,
        **kwargs,
    )


@pytest.fixture
def fetch() -> Iterator[Fetcher]:
    with Fetcher(allow_loopback=True, cache_ttl=0) as f:  # our own cache is under test
        yield f


# ---- the two formats ------------------------------------------------------------------------
def test_our_format_from_a_file(tmp_path: Path, fetch: Fetcher) -> None:
    path = write(tmp_path, "ontario.json", OURS)
    registry = load_registries(settings_for(tmp_path, path), fetch=fetch)
    entry = registry.lookup("did:web:badges.northbridge.example")
    assert entry is not None
    assert (entry.name, entry.registry, entry.url) == (
        "Northbridge College",
        "Ontario Colleges",
        "https://northbridge.example",
    )
    assert registry.lookup("did:web:badges.northbridge.example:other") is None
    # names compare folded: case, spaces, punctuation and accents
    assert [e.id for e in registry.named("LAKESIDE  polytechnic.")] == [
        "https://lakeside.example/issuer"
    ]
    assert registry.named("Lakeside") == []


def test_dcc_format_from_a_file(tmp_path: Path, fetch: Fetcher) -> None:
    path = write(tmp_path, "dcc.json", DCC)
    registry = load_registries(settings_for(tmp_path, path), fetch=fetch)
    entry = registry.lookup("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
    assert entry is not None
    assert entry.name == "Example Test University"
    assert entry.url == "https://university.example"
    assert entry.registry == path  # the DCC format names no registry: its source does
    bare = registry.lookup("did:web:credentials.example.org")
    assert bare is not None and bare.url is None


def test_a_dcc_registry_may_carry_a_name(tmp_path: Path) -> None:
    name, entries = parse_registry(
        json.dumps({**DCC, "name": "DCC Sandbox"}).encode(), source="x.json"
    )
    assert name == "DCC Sandbox"
    assert {e.registry for e in entries} == {"DCC Sandbox"}


@pytest.mark.parametrize(
    "content, where",
    [
        ('{"name": "x", "issuers": [}', "not JSON (line 1, column 27"),
        ("[1, 2]", '$: expected an object with "issuers"'),
        ({"name": "x"}, '$: expected an object with "issuers"'),
        ({**OURS, "registry": {}}, "exactly one of the two"),
        ({"issuers": []}, "$.name: must be a non-empty string (missing)"),
        ({"name": "x", "issuers": {}}, "$.issuers: must be an array (an object)"),
        ({"name": "x", "issuers": ["did:web:a"]}, "$.issuers[0]: must be an object (a string)"),
        (
            {"name": "x", "issuers": [{"id": "did:web:a", "name": "A"}, {"id": "did:web:b"}]},
            "$.issuers[1].name: must be a non-empty string (missing)",
        ),
        (
            {"name": "x", "issuers": [{"id": "acme", "name": "A"}]},
            "$.issuers[0].id: 'acme' is not a DID or an https:// URL",
        ),
        (
            {"name": "x", "issuers": [{"id": "did:web:a", "name": "A", "url": "ftp://a"}]},
            "$.issuers[0].url: 'ftp://a' is not an http(s):// URL",
        ),
        (
            {"name": "x", "issuers": [{"id": "did:web:a", "name": "A"}] * 2},
            "$.issuers[1].id: did:web:a is listed twice (also at $.issuers[0].id)",
        ),
        ({"registry": []}, "$.registry: must be an object of DIDs (an array)"),
        ({"registry": {"did:key:z6Mk": "Acme"}}, '$.registry["did:key:z6Mk"]: must be an object'),
        (
            {"registry": {"did:key:z6Mk": {"name": 7}}},
            '$.registry["did:key:z6Mk"].name: must be a non-empty string (a number',
        ),
        ({"registry": {"Acme": {"name": "A"}}}, "$.registry[\"Acme\"]: 'Acme' is not a DID"),
    ],
)
def test_a_bad_file_names_the_file_and_the_json_path(
    tmp_path: Path, fetch: Fetcher, content: Any, where: str
) -> None:
    path = write(tmp_path, "bad-registry.json", content)
    with pytest.raises(RegistryError) as info:
        load_registries(settings_for(tmp_path, path), fetch=fetch)
    message = info.value.user_message
    assert message.startswith(f"trust registry {path}: "), message
    assert where in message, message


def test_a_missing_or_oversized_file_is_an_error(tmp_path: Path, fetch: Fetcher) -> None:
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(RegistryError, match=r"nowhere\.json: cannot read the file"):
        load_registries(settings_for(tmp_path, missing), fetch=fetch)
    big = write(tmp_path, "big.json", OURS)
    with pytest.raises(RegistryError, match="larger than the limit of 100 bytes"):
        load_registries(settings_for(tmp_path, big, fetch_max_bytes=100), fetch=fetch)


def test_a_source_that_is_not_https_or_a_path_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(MicrocredError, match="MICROCRED_TRUST_REGISTRIES: .*ftp://x/r.json"):
        get_settings(data_dir=tmp_path, trust_registries="a.json, ftp://x/r.json")
    with pytest.raises(RegistryError, match="file path or an https:// URL"):
        load_registries(settings_for(tmp_path), fetch=Fetcher(), extra=["gopher://x"])


# ---- registries fetched over HTTP ----------------------------------------------------------
class _Server(ThreadingHTTPServer):
    bodies: dict[str, bytes]
    hits: Counter[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits[self.path] += 1
        body = self.server.bodies.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.bodies, srv.hits = {}, Counter()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url_of(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_fetched_registry_is_read_and_kept_for_the_ttl(
    tmp_path: Path, server: _Server, fetch: Fetcher
) -> None:
    server.bodies["/registry.json"] = json.dumps(DCC).encode()
    url = url_of(server, "/registry.json")
    clock = Clock()
    sources = TrustSources.from_settings(settings_for(tmp_path, url, fetch_cache_ttl=60))
    sources.clock = clock
    lazy = sources.registry(fetch)
    assert server.hits["/registry.json"] == 0  # nothing is read before the first question
    entry = lazy.lookup("did:web:credentials.example.org")
    assert entry is not None and entry.registry == url
    assert sources.registry(fetch).named("example test university")
    assert server.hits["/registry.json"] == 1  # the second request used the cached copy

    clock.now += 61
    changed = {"name": "Renamed", "issuers": [{"id": "did:web:new.example", "name": "New"}]}
    server.bodies["/registry.json"] = json.dumps(changed).encode()
    registry = sources.registry(fetch)
    assert registry.lookup("did:web:new.example") is not None
    assert registry.lookup("did:web:credentials.example.org") is None
    assert server.hits["/registry.json"] == 2


def test_an_unreachable_registry_is_a_warning_not_a_crash(
    tmp_path: Path, server: _Server, fetch: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    local = write(tmp_path, "ontario.json", OURS)
    gone = url_of(server, "/gone.json")
    caplog.set_level(logging.WARNING, logger="microcred.verifying.trust")
    registry = load_registries(settings_for(tmp_path, gone, local), fetch=fetch)
    assert registry.lookup("did:web:badges.northbridge.example") is not None
    (warning,) = registry.warnings
    assert warning.startswith(f"trust registry {gone}: ")
    assert "404" in warning and warning.endswith("it is not used")
    assert [r.getMessage() for r in caplog.records] == [warning]


def test_a_malformed_fetched_registry_is_a_warning(
    tmp_path: Path, server: _Server, fetch: Fetcher
) -> None:
    server.bodies["/r.json"] = b'{"name": "x", "issuers": [{"id": 5, "name": "A"}]}'
    url = url_of(server, "/r.json")
    registry = load_registries(settings_for(tmp_path, url), fetch=fetch)
    assert len(registry) == 0
    assert "$.issuers[0].id: must be a non-empty string" in registry.warnings[0]


def test_a_failed_refetch_keeps_the_last_good_copy(
    tmp_path: Path, server: _Server, fetch: Fetcher
) -> None:
    server.bodies["/r.json"] = json.dumps(OURS).encode()
    url = url_of(server, "/r.json")
    clock = Clock()
    sources = TrustSources.from_settings(settings_for(tmp_path, url, fetch_cache_ttl=10))
    sources.clock = clock
    assert sources.registry(fetch).lookup("did:web:badges.northbridge.example") is not None
    clock.now += 11
    del server.bodies["/r.json"]
    registry = sources.registry(fetch)
    assert registry.lookup("did:web:badges.northbridge.example") is not None
    assert registry.warnings[0].endswith("the copy read earlier is used")


def test_a_registry_larger_than_the_fetch_limit_is_refused(tmp_path: Path, server: _Server) -> None:
    server.bodies["/big.json"] = json.dumps(OURS).encode()
    with Fetcher(allow_loopback=True, max_bytes=100) as small:
        registry = load_registries(settings_for(tmp_path, url_of(server, "/big.json")), fetch=small)
    assert len(registry) == 0
    assert "larger than the limit of 100 bytes" in registry.warnings[0]


# ---- this server's organisations -------------------------------------------------------------
def _org_engine(tmp_path: Path, base_url: str) -> tuple[Any, Any]:
    from microcred.issuing import orgs
    from microcred.issuing.context import IssuingContext
    from microcred.store.db import session_scope
    from microcred.store.migrate import open_database

    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ctx = IssuingContext(base_url=base_url, secret=b"s" * 32)
    with session_scope(engine) as s:
        org = orgs.create_organisation(
            s, ctx, slug="northbridge", name="Northbridge College", url="https://nb.example"
        )
        first = orgs.issuer_id(org, ctx, s)
        orgs.rotate_key(s, ctx, org, reason="yearly")
        second = orgs.issuer_id(org, ctx, s)
    return engine, (first, second)


def test_own_organisations_on_a_did_key_deployment(tmp_path: Path) -> None:
    engine, (before, after) = _org_engine(tmp_path, "http://127.0.0.1:8000")
    assert before != after and before.startswith("did:key:")
    registry = own_organisations(engine, "http://127.0.0.1:8000")
    for issuer in (after, before):  # credentials signed before the rotation still count
        entry = registry.lookup(issuer)
        assert entry is not None
        assert (entry.name, entry.registry, entry.url) == (
            "Northbridge College",
            "this server (127.0.0.1)",
            "https://nb.example",
        )
    engine.dispose()


def test_own_organisations_on_a_did_web_deployment_come_first(
    tmp_path: Path, fetch: Fetcher
) -> None:
    engine, (did, _) = _org_engine(tmp_path, "https://badges.example.edu")
    assert did == "did:web:badges.example.edu:orgs:northbridge"
    # another registry lists the same id under another name: this server's answer wins
    other = write(
        tmp_path,
        "other.json",
        {"name": "Other", "issuers": [{"id": did, "name": "Someone Else"}]},
    )
    settings = settings_for(tmp_path, other, public_base_url="https://badges.example.edu")
    registry = load_registries(settings, fetch=fetch, engine=engine)
    entry = registry.lookup(did)
    assert entry is not None
    assert (entry.name, entry.registry) == (
        "Northbridge College",
        "this server (badges.example.edu)",
    )
    assert {e.registry for e in registry.named("northbridge college")} == {
        "this server (badges.example.edu)"
    }
    engine.dispose()


def test_the_web_app_refuses_to_start_with_a_bad_registry_file(tmp_path: Path) -> None:
    from microcred.web import create_app

    bad = write(tmp_path, "bad.json", {"name": "x", "issuers": [{"id": "did:web:a"}]})
    with pytest.raises(RegistryError, match=r"bad\.json: \$\.issuers\[0\]\.name"):
        create_app(settings_for(tmp_path, bad))
