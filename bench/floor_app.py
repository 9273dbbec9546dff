"""The framework's floor: a FastAPI app that answers POST /sms with a fixed TwiML, reading nothing.

Served the way `python -m service serve` serves the line: uvicorn.run(app, host, port,
**options) in this one process (one worker; loop "auto" = asyncio, or uvloop if
installed; http "auto" = httptools). bench/server_config.py captures the options serve
passes to uvicorn.run and hands them over as --uvicorn-options JSON, so the floor follows
when serve's options change. The route is mounted the way the line mounts its own
(a plain Starlette endpoint on a FastAPI app), so what separates the two is the
line's own work: its middleware, body, form, signature, store read, core, store
write, metrics, TwiML.

    .venv/bin/python bench/floor_app.py --port 8001 [--uvicorn-options '{"access_log": false}']
"""

from __future__ import annotations

import argparse
import json
import logging

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'
TWIML_TYPE = "application/xml"


async def sms(request: Request) -> Response:
    return Response(TWIML, media_type=TWIML_TYPE)


def create_app() -> FastAPI:
    app = FastAPI(title="floor", docs_url=None, redoc_url=None)
    app.router.add_route("/sms", sms, methods=["POST"], include_in_schema=False)
    return app


def main() -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--uvicorn-options", default="{}", help="JSON: keyword options for uvicorn.run")
    args = parser.parse_args()
    options = json.loads(args.uvicorn_options)
    logging.basicConfig(level=args.log_level.upper())
    uvicorn.run(create_app(), host=args.host, port=args.port, **options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
