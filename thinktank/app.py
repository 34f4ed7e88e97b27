"""create_app(settings) -> Starlette: the whole site, assembled from each package's routes.

``thinktank.app:app`` (for uvicorn) builds the app from the environment on first use.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

import thinktank.registry  # noqa: F401  (registers every table and job handler)
from bills import api_routes as bill_api_routes
from bills import district_routes as bill_district_routes
from bills import routes as bill_routes
from bills import staff_routes as bill_staff_routes
from core import api as core_api
from core import moderation_routes, pages, passwords, receipt_routes
from core import routes as core_routes
from core.db import make_engine
from core.jobs import Queue
from core.ratelimit import RateLimiter
from core.response_cache import ResponseCache
from core.security import SecurityHeadersMiddleware
from core.settings import ROOT, Settings
from core.web import BodyLimitMiddleware, LocaleMiddleware, http_exception_handler, server_error_handler
from deliberation import api_routes as deliberation_api_routes
from deliberation import budget_routes, discussion_routes, poll_api, poll_routes
from deliberation import routes as deliberation_routes
from feedback import comment_routes, response_routes, support_routes
from participation import agency_routes, proposal_routes
from participation import routes as participation_routes
from search import outbox as search_outbox
from search import routes as search_routes
from search import site as search_site
from thinktank import home

SESSION_COOKIE = "thinktank_session"


def all_routes() -> list[BaseRoute]:
    return [
        *home.routes,
        *core_routes.routes,
        *pages.routes,
        *search_routes.routes,
        *core_api.routes,
        *moderation_routes.routes,
        *receipt_routes.routes,
        *comment_routes.routes,
        *support_routes.routes,
        *response_routes.routes,
        *participation_routes.routes,
        *proposal_routes.routes,
        *agency_routes.routes,
        *bill_routes.routes,
        *bill_staff_routes.routes,
        *bill_district_routes.routes,
        *bill_api_routes.routes,
        *deliberation_routes.routes,
        *discussion_routes.routes,
        *poll_routes.routes,
        *budget_routes.routes,
        *poll_api.routes,
        *deliberation_api_routes.routes,
        Mount("/static", StaticFiles(directory=ROOT / "static"), name="static"),
    ]


def create_app(settings: Settings | None = None, engine: Engine | None = None, queue: Queue | None = None) -> Starlette:
    """The site. Tests and the demo hand in their engine and queue; otherwise they are made here."""
    settings = settings or Settings.from_env()
    # Made beside the start-up (Argon2 releases the GIL), so the first sign-in for an unknown address
    # takes no longer than others and the first page does not wait for it.
    threading.Thread(target=passwords.dummy_hash, name="dummy-hash", daemon=True).start()
    engine = engine or (queue.engine if queue else make_engine(settings.database_url))
    app = Starlette(
        debug=False,  # tracebacks go to the log, never to the page
        routes=all_routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware, https=settings.https),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                same_site="lax",
                https_only=settings.https,
            ),
            Middleware(LocaleMiddleware, default=settings.default_locale),
            Middleware(ResponseCache),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes),
        ],
        exception_handlers={HTTPException: http_exception_handler, Exception: server_error_handler},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.queue = queue or Queue(settings, engine)
    app.state.limiter = RateLimiter(settings)
    app.state.search = search_site.backend(settings)
    if settings.jobs_mode == "immediate":  # no worker drains the search outbox: do it after each commit
        search_outbox.drain_after_commit(engine, app.state.search)
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return create_app()
    raise AttributeError(name)
