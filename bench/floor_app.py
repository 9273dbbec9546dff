"""The framework's floor: a FastAPI app that answers POST /sms with a fixed TwiML, reading nothing.

Served the way `python -m service serve` serves the line: uvicorn.run() in this one
process (one worker; loop "auto" = asyncio, or uvloop if installed; http "auto" =
httptools), with the same keyword options: they are read from the uvicorn.run(...)
call in service/cli.py at start, so the floor follows when serve's options change.
The route is mounted the way the line mounts its own (a plain Starlette endpoint on
a FastAPI app), so what separates the two is the line's own work: its middleware,
body, form, signature, store read, core, store write, metrics, TwiML.

    .venv/bin/python bench/floor_app.py --port 8001
"""

from __future__ import annotations

import argparse
import ast
import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'
TWIML_TYPE = "application/xml"
CLI = Path(__file__).resolve().parent.parent / "service" / "cli.py"
# Options the floor sets itself (where it listens), whatever serve passes for them.
OWN = {"host", "port"}


async def sms(request: Request) -> Response:
    return Response(TWIML, media_type=TWIML_TYPE)


def create_app() -> FastAPI:
    app = FastAPI(title="floor", docs_url=None, redoc_url=None)
    app.router.add_route("/sms", sms, methods=["POST"], include_in_schema=False)
    return app


def serve_options(cli: Path = CLI) -> tuple[dict, list[str]]:
    """The literal keyword options of the uvicorn.run(...) call in serve(), and the names of the others."""
    tree = ast.parse(cli.read_text("utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "uvicorn"):
            literal, other = {}, []
            for keyword in node.keywords:
                if keyword.arg is None or keyword.arg in OWN:
                    continue
                try:
                    literal[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:
                    other.append(keyword.arg)
            return literal, other
    raise SystemExit(f"floor: no uvicorn.run(...) call found in {cli}")


def main() -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--print-options", action="store_true", help="print the uvicorn options and exit")
    args = parser.parse_args()
    options, other = serve_options()
    if "log_level" in other:  # serve passes the configured level: use ours, the same LOG_LEVEL
        options["log_level"] = args.log_level.lower()
        other.remove("log_level")
    if args.print_options:
        print(options, "not literal, left at uvicorn's defaults:", other)
        return 0
    if other:
        print(f"floor: serve passes {other} to uvicorn as expressions; the floor leaves them at uvicorn's defaults",
              flush=True)
    logging.basicConfig(level=args.log_level.upper())
    uvicorn.run(create_app(), host=args.host, port=args.port, **options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
