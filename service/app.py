"""The app factory: a Line built from one Settings, its inbound endpoints and FastAPI app composed explicitly."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from typing import Literal

from fastapi import FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp

from service.background import keep_current, keep_current_forever, send_forever
from service.channels import africastalking, africastalking_sms, receipts, twilio, twilio_voice
from service.channels.base import Receipt
from service.line import Line, build_line
from service.observability import configure_logging
from service.settings import Settings, get_settings
from service.store import StoreUnavailable
from service.web import admin, admin_simulator, admin_translations, recordings
from service.web.admin_auth import LoginRequired
from service.web.admin_gate import AdminGate
from service.web.dispatch import Dispatch
from service.web.hosts import HostCheck, policy_for
from service.web.inbound import InboundEndpoint
from service.web.receipts import ReceiptEndpoint
from service.web.request_id import RequestIdMiddleware

log = logging.getLogger("service.app")
RECEIPT_LOOKS = 4
RECEIPT_LOOK_AGAIN_SECONDS = 1.0
YOUNG_COLLECTION_EVERY = 20_000


class Readiness(BaseModel):
    catalogs: list[str]
    catalog_version: int  # the newest published version served (0: the PO files as shipped)
    database: Literal["ok", "unavailable"]
    spooled: bool


async def healthz() -> PlainTextResponse:
    """Alive: the process answers."""
    return PlainTextResponse("ok\n")


def readyz(request: Request) -> JSONResponse:
    """Ready: catalogs loaded and the database reachable (503 while it is away)."""
    line: Line = request.app.state.line
    database: Literal["ok", "unavailable"]
    try:
        line.store.ping()
        database = "ok"
    except StoreUnavailable:
        database = "unavailable"
    body = Readiness(
        catalogs=list(line.catalogs.locales),
        catalog_version=line.catalog_version[1],
        database=database,
        spooled=line.spool.pending(),
    )
    return JSONResponse(body.model_dump(), status_code=200 if database == "ok" and body.catalogs else 503)


def store_unavailable(request: Request, _: StoreUnavailable) -> PlainTextResponse:
    """Admin pages while the database is away: a clear 503, not a 500 (the webhook degrades instead)."""
    return PlainTextResponse("The database is unavailable right now; try again in a moment.\n", status_code=503)


async def metrics(request) -> Response:
    """Prometheus metrics: counts and timings, never a number or a body."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class Infoline(RequestIdMiddleware):
    """The whole app as the server runs it: the request-id layer, the Host check, then the dispatcher
    (inbound endpoints by exact path, all else to FastAPI). It holds the FastAPI app's state, where
    tests and tools read app.state.line."""

    def __init__(self, app: ASGIApp, *, fastapi: FastAPI) -> None:
        super().__init__(app)
        self.fastapi = fastapi
        self.state = fastapi.state


def create_app(settings: Settings | None = None) -> Infoline:
    """A ready app: content and catalogs loaded, store open, routes mounted."""
    settings = settings or get_settings()
    hosts = policy_for(allowed_hosts=settings.allowed_hosts, public_base_url=settings.public_base_url)
    line = build_line(settings)
    keep_current(line)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        drainer = asyncio.create_task(keep_current_forever(line))
        sender = asyncio.create_task(send_forever(line)) if line.sender else None
        # What is loaded now lives as long as the process: leaving it out of the collector's
        # full passes took a 16 ms pause, every few hundred messages, off the webhook's p99.
        gc.freeze()
        # A message allocates a few hundred objects and frees nearly all by reference count:
        # a young collection every 700 allocations cost 5 µs a message, every 20,000 under 1 µs.
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
        yield
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        drainer.cancel()
        if sender and line.sender:
            # What is in flight is sent and settled first (bounded by the sender's lease), then closed.
            line.sender.stop()
            await asyncio.wait([sender], timeout=line.sender.lease + 1)
            sender.cancel()
            await line.sender.api.close()
        line.store.close()

    # The OpenAPI document covers the JSON endpoints (readiness); the inbound endpoints speak
    # their providers' protocols and the admin is HTML.
    app = FastAPI(title="Infoline", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.line = line
    app.get("/healthz", response_class=PlainTextResponse)(healthz)
    app.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})(readyz)
    app.router.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    # /admin: authenticated from the headers, origin-checked and body-capped before FastAPI reads a body.
    app.add_middleware(AdminGate, line=line)
    app.include_router(admin.router)
    app.include_router(admin_translations.router)
    app.include_router(admin_simulator.router)
    app.include_router(recordings.router)  # the voice line's recordings, for Twilio's <Play>
    # Starlette types a handler as taking any Exception, not the one it is registered for.
    app.add_exception_handler(LoginRequired, admin.login_required)  # type: ignore[arg-type]
    app.add_exception_handler(StoreUnavailable, store_unavailable)  # type: ignore[arg-type]
    return Infoline(HostCheck(Dispatch(routes=inbound_routes(line), fallback=app), policy=hosts), fastapi=app)


def inbound_routes(line: Line) -> dict[str, ASGIApp]:
    """The providers' paths: one line each, a channel and how its messages are answered."""
    settings = line.settings
    inbound = functools.partial(
        InboundEndpoint,
        answer=line.batcher.answer,  # gathered into groups for the flow (service.batching)
        max_body=settings.max_request_bytes,
        public_base_url=settings.public_base_url,
    )
    receipt = functools.partial(ReceiptEndpoint, apply=functools.partial(apply_receipt, line),
                                max_body=settings.max_request_bytes, public_base_url=settings.public_base_url)  # fmt: skip
    return {
        "/sms": inbound(channel=twilio.messaging(settings)),
        "/sms/africastalking": inbound(channel=africastalking_sms.sms(settings)),
        "/ussd/africastalking": inbound(channel=africastalking.ussd(settings)),
        twilio_voice.ROUTE: inbound(channel=twilio_voice.calls(settings, content=line.catalogs.content)),
        "/delivery/africastalking": receipt(channel=receipts.africastalking_reports(settings)),
        "/delivery/twilio": receipt(channel=receipts.twilio_status(settings)),
    }


async def apply_receipt(line: Line, receipt: Receipt) -> None:
    """A gateway's receipt on its reply's record and the rollups (StoreUnavailable: the endpoint says 503).

    A report can outrun the sender's settle (the gateway answered, its id not yet written): an id no reply
    has yet is looked for again for a few seconds before the report is let go."""
    for attempt in range(RECEIPT_LOOKS):
        if attempt:
            await asyncio.sleep(RECEIPT_LOOK_AGAIN_SECONDS)
        found = await run_in_threadpool(
            line.store.apply_receipt, gateway=receipt.gateway, to=receipt.state, provider_id=receipt.provider_id,
            reply_to=receipt.reply_to, reason=receipt.reason,
        )  # fmt: skip
        if found is not None:
            return


def worker_app() -> Infoline:
    """The app of one uvicorn worker process (serve --workers N), logging as the parent does."""
    from service.web.http_protocol import Guarded

    settings = get_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    Guarded.configure(settings)  # this process's protocol class, as serve's
    return create_app(settings)
