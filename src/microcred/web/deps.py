"""Request dependencies, as type aliases (swap them in tests with ``dependency_overrides``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from microcred.config import Settings
from microcred.vc.identity import TrustRegistry
from microcred.vc.jsondocs import JSONInputError, loads_strict
from microcred.vc.verifier import Fetch


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_fetcher(request: Request) -> Fetch:
    """The app's guarded fetcher (``app.state.fetcher``, built by ``create_app``)."""
    fetch: Fetch = request.app.state.fetcher
    return fetch


def verifier_fetch(request: Request, fetch: Fetch = Depends(app_fetcher)) -> Fetch:  # noqa: B008
    """What the verifier fetches with: this deployment's own documents (status lists, DID
    documents) answered from its database — verifying our own credentials needs no request
    to ourselves — and every other URL through the guarded fetcher."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return fetch
    from microcred.issuing.public import LocalFirstFetch

    return LocalFirstFetch(engine, request.app.state.issuing, fetch)


def app_trust(request: Request, fetch: Fetch = Depends(app_fetcher)) -> TrustRegistry:  # noqa: B008
    """The trust registries to verify with: this server's organisations and every source of
    ``MICROCRED_TRUST_REGISTRIES`` (``app.state.trust``, a ``verifying.trust.TrustSources``),
    read on the verifier's first question and kept for the fetcher's cache time."""
    from microcred.verifying.trust import TrustSources

    sources: TrustSources = request.app.state.trust
    return sources.registry(fetch)


async def strict_json_body(request: Request) -> None:
    """Refuse a JSON request body with a key twice in one object (400 ``duplicate_key``,
    naming the key, line and column): FastAPI's parser keeps the last value, other readers
    the first. Added to the routers whose bodies carry credentials."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        return
    raw = await request.body()
    if not raw.strip():
        return
    try:
        loads_strict(raw, "the request body")
    except JSONInputError as exc:
        if exc.code == "duplicate_key":
            raise
        # anything else is FastAPI's to report, as for every other body


SettingsDep = Annotated[Settings, Depends(app_settings)]
FetchDep = Annotated[Fetch, Depends(verifier_fetch)]
TrustDep = Annotated[TrustRegistry, Depends(app_trust)]
