"""The app factory: one FastAPI app around a Line built from one Settings."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import PlainTextResponse

from service.line import build_line
from service.settings import Settings, get_settings
from service.web import webhook


async def healthz(request) -> PlainTextResponse:
    return PlainTextResponse("ok\n")


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready app: content and catalogs loaded, routes mounted."""
    settings = settings or get_settings()
    app = FastAPI(title="Infoline", docs_url=None, redoc_url=None)
    app.state.line = build_line(settings)
    app.router.add_route("/sms", webhook.sms, methods=["POST"], include_in_schema=False)
    app.router.add_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    return app
