"""How the two servers are set up: a clean environment, the floor gets serve's own uvicorn options, the line
(by default) a programs file whose reply caps are out of the way."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tomllib
from pathlib import Path
from unittest import mock

from harness import HOST, ROOT, HarnessError

DEFAULT_PROGRAMS = ROOT / "content" / "programs.toml"
HIGH_CAP = 1_000_000
# The service's settings the harness sets itself: none may leak in from the caller's environment.
CLEARED_ENV = (
    "DATABASE_URL",
    "DATA_DIR",
    "PUBLIC_BASE_URL",
    "PHONE_HASH_KEY",
    "PROGRAMS_FILE",
    "TWILIO_AUTH_TOKEN",
    "AFRICASTALKING_CALLBACK_KEY",
    "LOG_LEVEL",
    "MAX_REQUEST_BYTES",
    "CONTENT_DIR",
    "LOCALES_DIR",
    "HOST",
    "PORT",
    "ALLOWED_HOSTS",
    "REQUEST_BODY_TIMEOUT_SECONDS",
    "REQUEST_HEAD_TIMEOUT_SECONDS",
    "REQUEST_BODY_MIN_BYTES_PER_SECOND",
    "HELP_CONTACT",
)


def base_env() -> dict[str, str]:
    """The caller's environment without the service's settings, output unbuffered."""
    env = {key: value for key, value in os.environ.items() if key.upper() not in CLEARED_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def serve_options(workdir: Path) -> dict:
    """The keyword options `python -m service serve` (its defaults: one worker) gives uvicorn.run, captured
    by calling the real serve() with uvicorn.run, create_app and the logging set-up stubbed out, so the
    floor follows whenever serve's options change."""
    try:
        options = captured_serve_options(workdir)
    except Exception as error:  # serve is the service's to change: say what broke rather than guess
        raise HarnessError(f"could not capture serve's uvicorn options ({type(error).__name__}: {error})") from None
    try:
        json.dumps(options)  # the floor receives them as JSON
    except TypeError as error:
        raise HarnessError(f"serve's uvicorn options cannot be handed to the floor: {error}") from None
    return options


def captured_serve_options(workdir: Path) -> dict:
    import uvicorn

    import service.app
    import service.cli
    import service.observability

    calls: list[dict] = []
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(uvicorn, "run", lambda app, **options: calls.append(options)))
        stack.enter_context(mock.patch.object(service.app, "create_app", lambda *args, **kwargs: object()))
        stack.enter_context(mock.patch.object(service.observability, "configure_logging", lambda *args, **kwargs: None))
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        # Should serve ever touch its data before uvicorn.run, let it be a scratch directory, not var/.
        stack.enter_context(mock.patch.dict(os.environ, {"DATA_DIR": str(workdir / "capture")}))
        args = service.cli.parser().parse_args(["serve", "--host", HOST, "--port", "1"])
        args.run(args)
    (options,) = calls
    return {key: value for key, value in options.items() if key not in ("host", "port")}


def toml_value(value) -> str:
    """A TOML value: JSON writes scalars and arrays as TOML does; a table becomes an inline table."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def high_cap_programs(destination: Path) -> Path:
    """A copy of the programs file (PROGRAMS_FILE or the default) with reply_cap and hourly_cap raised to
    HIGH_CAP for every program, so every request gets a full reply."""
    source = Path(os.environ.get("PROGRAMS_FILE") or DEFAULT_PROGRAMS)
    out = ["# Written by bench/run.py: the real programs with reply caps out of the way.\n"]
    for program in tomllib.loads(source.read_text("utf-8"))["program"]:
        out.append("[[program]]\n")
        for key, value in (program | {"reply_cap": HIGH_CAP, "hourly_cap": HIGH_CAP}).items():
            out.append(f"{key} = {toml_value(value)}\n")
        out.append("\n")
    destination.write_text("".join(out), "utf-8")
    try:
        tomllib.loads(destination.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:  # a value neither writes as TOML
        raise HarnessError(f"could not write the high-cap programs file: {error}") from None
    return destination
