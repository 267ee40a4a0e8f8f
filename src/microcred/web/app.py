"""``create_app(settings)``: the FastAPI application, wired once.

Routes live in ``routes/``; error mapping in ``errors.py`` (the one place); the body cap in
``limits.py``. The guarded fetcher is built here from the settings and kept on
``app.state.fetcher``; routes get it through ``deps.FetchDep`` (override ``deps.app_fetcher``
in tests). The trust registries (``app.state.trust``) reach routes through ``deps.TrustDep``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from microcred import __version__
from microcred.config import Settings, get_settings
from microcred.issuing.context import context_from_settings
from microcred.issuing.jobs import InProcessWorker
from microcred.issuing.mailer import mailer_from_settings
from microcred.issuing.notify import MailSender
from microcred.store.migrate import open_database
from microcred.verifying import Fetcher
from microcred.verifying.trust import TrustSources
from microcred.web import errors, learner_auth
from microcred.web.limits import BodyLimit
from microcred.web.routes import (
    account,
    advice,
    api,
    catalog,
    claim,
    console,
    issuer,
    org_api,
    pages,
    share,
    wallet_api,
    wallet_pages,
)
from microcred.web.templating import STATIC_DIR

DESCRIPTION = """Verify Open Badges 3.0 and W3C Verifiable Credentials.

`POST /credentials/verify` follows the W3C VC API. `POST /verify` takes any supported input
(JSON, JSON Lines, VC-JWT, baked PNG/SVG, or a URL). Errors are `application/problem+json`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web application for ``settings`` (read from the environment when None)."""
    settings = settings or get_settings()
    fetcher = Fetcher.from_settings(settings)
    engine = open_database(settings.database_url)
    issuing = context_from_settings(settings, actor="web")
    mailer = mailer_from_settings(settings)
    # this server's organisations and MICROCRED_TRUST_REGISTRIES; a bad file stops the start
    trust = TrustSources.from_settings(settings, engine=engine)
    trust.check_files()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = InProcessWorker(engine, issuing) if engine.dialect.name == "sqlite" else None
        if worker is not None:
            worker.start()
        # queues expiry reminders and sends the outbox every minute (safe in many processes)
        sender = MailSender(engine, issuing, mailer, reminder_days=settings.reminder_days)
        sender.start()
        try:
            yield
        finally:
            sender.stop()
            if worker is not None:
                worker.stop()
            fetcher.close()
            engine.dispose()

    app = FastAPIOffline(  # Swagger UI served from the package, not from a CDN
        title="microcred",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.fetcher = fetcher
    app.state.engine = engine
    app.state.issuing = issuing
    app.state.mailer = mailer
    app.state.trust = trust
    errors.install(app)
    learner_auth.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.upload_max_bytes)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(issuer.router)
    app.include_router(org_api.router)
    app.include_router(claim.router)
    app.include_router(console.router)
    app.include_router(catalog.router)
    app.include_router(advice.router)
    app.include_router(account.router)
    app.include_router(wallet_api.router)
    app.include_router(share.router)
    app.include_router(wallet_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
