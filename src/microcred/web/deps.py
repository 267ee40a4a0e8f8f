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


SettingsDep = Annotated[Settings, Depends(app_settings)]
FetchDep = Annotated[Fetch, Depends(app_fetcher)]
