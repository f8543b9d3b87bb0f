"""The FastAPI app factory: one data directory, the batch API, OpenRosa and the limits."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync.server.api.auth import CurrentAdmin, RateLimiter
from sync.server.api.batch import router as batch_router
from sync.server.api.exports import router as exports_router
from sync.server.api.openrosa import router as openrosa_router
from sync.server.api.report import router as report_router
from sync.server.api.review import router as review_router
from sync.server.api.security_headers import SecurityHeaders
from sync.server.api.upload_gate import UploadGate
from sync.server.errors import install_error_handlers
from sync.server.exports.jobs import ExportJobs
from sync.server.review.store import index_for
from sync.server.storage.open import open_storage

__all__ = ["WORKER_CONFIG_ENV", "ServerConfig", "create_app", "open_storage", "worker_app"]

log = logging.getLogger(__name__)

WORKER_CONFIG_ENV = "FIELDAPP_WORKER_CONFIG"
"""The settings of `serve --workers N` as JSON, for the worker processes uvicorn starts."""


@dataclass(frozen=True)
class ServerConfig:
    data: Path
    project: str = "1"
    body_limit: int = 20 * 1024 * 1024
    rate: float = 200.0
    """Requests per second per token (sustained)."""
    burst: float = 1000.0
    uploads_per_user: int = 2
    uploads_total: int = 8
    """Large bodies (over 1 MiB) taken in at once, per user and in all; beyond, 503."""
    require_known_form: bool = True
    """False on a district hub, whose forms come from upstream."""
    upstream: str | None = None
    """On a district hub, the central server's URL (its users, forms and returns come from it)."""
    database: str | None = None
    """A PostgreSQL URL; None: FIELDAPP_DATABASE_URL, else SQLite in `data`."""

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "data": str(self.data)})

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        fields = json.loads(text)
        return cls(**{**fields, "data": Path(fields["data"])})


def worker_app() -> FastAPI:
    """The app of one `serve --workers N` process (an app factory for uvicorn): each worker
    opens the storage itself, with the settings `serve` put in FIELDAPP_WORKER_CONFIG."""
    return create_app(ServerConfig.from_json(os.environ[WORKER_CONFIG_ENV]))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Before the server takes its first request, its review index opens: that records the
    quality facts a crash left missing (`review.store.index_for`) while nothing is being
    ingested here. Opened at first use instead, a process started beside others that are
    ingesting would take their submissions, stored but with facts not yet written, for
    such leftovers and judge them a second time. When the server stops, its storage closes
    (its pools and review index readers)."""
    try:
        await run_in_threadpool(index_for, app.state.storage)
    except Exception:  # the queue opens it again at first use; serving need not wait
        log.exception("the review index did not open at start")
    yield
    app.state.storage.close()


def create_app(config: ServerConfig) -> FastAPI:
    app = FastAPI(
        title="fieldapp server",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    storage, blobs = open_storage(config.data, config.database)
    app.state.storage = storage
    app.state.blobs = blobs
    app.state.project = config.project
    app.state.body_limit = config.body_limit
    app.state.require_known_form = config.require_known_form
    app.state.upstream = config.upstream
    app.state.limiter = RateLimiter(storage.rate_limits, config.rate, config.burst)
    app.state.export_jobs = ExportJobs(storage, config.data / "exports")
    install_error_handlers(app)
    app.include_router(batch_router)
    app.include_router(openrosa_router)
    app.include_router(exports_router)
    app.include_router(report_router)
    app.include_router(review_router)
    app.add_api_route("/api/v1/openapi.json", _schema, methods=["GET"], include_in_schema=False)
    app.add_middleware(
        UploadGate,
        limit=config.body_limit,
        per_user=config.uploads_per_user,
        total=config.uploads_total,
    )
    app.add_middleware(SecurityHeaders)
    return app


def _schema(request: Request, user: CurrentAdmin) -> JSONResponse:
    """The OpenAPI schema of the API, for an admin (property-based tests read it)."""
    app: FastAPI = request.app
    return JSONResponse(app.openapi())
