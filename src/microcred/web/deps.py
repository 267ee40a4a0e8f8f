"""Request dependencies, as type aliases (swap them in tests with ``dependency_overrides``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from microcred.config import Settings
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


SettingsDep = Annotated[Settings, Depends(app_settings)]
FetchDep = Annotated[Fetch, Depends(verifier_fetch)]
