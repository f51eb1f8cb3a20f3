"""The FastAPI application: claims, reports and accounts under /api/v1."""

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp

from api.accounts.router import router as accounts_router
from api.claims.router import router as claims_router
from api.core.config import Settings, get_settings
from api.core.db import make_engine, make_sessionmaker
from api.core.errors import error_body, install_error_handlers
from api.core.input_guard import InputGuard
from api.core.middleware import AccessLog, BodySizeLimit, SecurityHeaders
from api.notifications.router import router as notifications_router
from api.reports.router import router as reports_router
from api.training.model_server import router as model_server_router  # issue 13
from api.web.agent.router import router as agent_router
from api.web.docs import install_docs
from api.web.errors import refusal
from api.web.install import install_web
from api.web.policyholder.router import router as account_router
from api.web.public.router import router as public_router
from api.web.templating import STATIC_PREFIX
from api.web.trainer.router import router as trainer_router

API_PREFIX = "/api/v1"


class VigilanceApp(FastAPI):
    """FastAPI whose outermost layer adds the security headers: it wraps Starlette's own
    error middleware, so an unexpected 500 carries them like every other answer."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        return SecurityHeaders(
            super().build_middleware_stack(),
            hsts=settings.cookie_secure,
            static_prefix=STATIC_PREFIX,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    engine = make_engine(settings.database_url)

    app = VigilanceApp(
        title="Vigilance remboursements",
        description="Remboursements, signalements et comptes des assurés.",
        version="1.0.0",
        # /docs is served from the project's own copy of Swagger UI (api/web/docs.py); ReDoc
        # would load its script from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)

    install_error_handlers(app)
    # Inside the body-size cap: refuses NUL characters and lone surrogates in any text.
    app.add_middleware(InputGuard, respond=refusal)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)

    for router in (accounts_router, claims_router, reports_router, notifications_router):
        app.include_router(router, prefix=API_PREFIX)
    # Server-rendered pages: session cookie, static files, /connexion, then each console.
    install_web(app, settings)
    app.include_router(public_router)
    app.include_router(agent_router)
    app.include_router(account_router)
    app.include_router(trainer_router)
    install_docs(app)
    # The model server the Rasa replicas pull from (issue 13): not under /api/v1.
    app.include_router(model_server_router)

    @app.get("/healthz", tags=["exploitation"], summary="État du service")
    def healthz() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse(
                error_body("La base de données ne répond pas.", "database_unavailable"),
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
