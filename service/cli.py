"""Command line: serve the line, try a text without Twilio, count SMS segments, review translations."""

from __future__ import annotations

import argparse
import datetime
import json
import secrets
import sys
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from service import segments
from service.cli_review import add_review_command
from service.config_errors import ConfigError
from service.settings import get_settings
from service.store.generate import add_command as add_schema_command

TRY_HOST = "infoline.local"
HTTP_PROTOCOL = "service.web.http_protocol:Guarded"
TRY_URL = f"http://{TRY_HOST}/sms"


def serve(args: argparse.Namespace) -> int:
    """Run the service with uvicorn."""
    import uvicorn

    from service.app import create_app
    from service.observability import configure_logging
    from service.programs import load_programs
    from service.web.hosts import policy_for
    from service.web.http_protocol import Guarded

    settings = get_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    # Read first, so a mistake in it is the one line the start ends with (and not one per worker).
    load_programs(settings.programs_file, default_help_contact=settings.help_contact)
    # Each worker process (serve --workers N) builds its own app from the same environment.
    app = create_app(settings) if args.workers <= 1 else None
    print(f"Infoline on http://{args.host}:{args.port}/sms  (try: .venv/bin/python -m service text HER2)", flush=True)
    hosts = policy_for(allowed_hosts=settings.allowed_hosts, public_base_url=settings.public_base_url)
    print(f"Answering {hosts.describe()}; other Host headers get 400.", flush=True)
    # Our own "answered" line replaces uvicorn's access log; SIGTERM lets
    # in-flight requests finish (uvicorn's graceful shutdown).
    # httptools with deadlines and caps uvicorn lacks (slow or endless heads and bodies, pipelining).
    Guarded.configure(settings)
    options = dict(
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
        http=HTTP_PROTOCOL,
    )
    if app is None:
        uvicorn.run("service.app:worker_app", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(app, **options)
    return 0


def _reply_body(twiml: str) -> str | None:
    message = ElementTree.fromstring(twiml).find("Message")
    return None if message is None else (message.text or "")


def text(args: argparse.Namespace) -> int:
    """Send one text through the real app, in-process and signed, and print the reply."""
    from starlette.testclient import TestClient

    from service.app import create_app

    token = secrets.token_hex(16)
    app = create_app(get_settings(twilio_auth_token=token, public_base_url=None, allowed_hosts=(TRY_HOST,)))
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": args.sender,
        "To": args.to,
        "Body": args.body,
        "NumMedia": "0",
    }
    signature = RequestValidator(token).compute_signature(TRY_URL, form)
    with TestClient(app, base_url="http://infoline.local") as client:
        response = client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        print(f"HTTP {response.status_code}: {response.text.strip()}", file=sys.stderr)
        return 1
    body = _reply_body(response.text)
    if body is None:
        print("(no reply)")
        return 0
    cost = segments.count(body)
    print(body)
    print(f"-- {cost.segments} segment(s), {cost.encoding}, {len(body)} characters")
    return 0


def count_segments(args: argparse.Namespace) -> int:
    """One JSON cost line per input message (plain lines, or JSON strings with --json)."""
    for line in sys.stdin:
        line = line.rstrip("\r\n") if not args.json else line.strip()
        if args.json and not line:
            continue
        try:
            message = json.loads(line) if args.json else line
        except json.JSONDecodeError:
            message = None
        if not isinstance(message, str):
            print("with --json, each line must be one JSON string", file=sys.stderr)
            return 2
        cost = segments.count(message)
        print(json.dumps({"encoding": cost.encoding, "segments": cost.segments}), flush=True)
    return 0


def _read_all(locales_dir) -> tuple[dict, list[str]]:
    from babel.messages.pofile import PoFileError

    from service.catalogs import po_paths, read_catalog

    catalogs, problems = {}, []
    for locale, path in po_paths(locales_dir).items():
        try:
            catalogs[locale] = read_catalog(path)
        except (PoFileError, ValueError, UnicodeDecodeError) as error:
            problems.append(f"{locale}: {path.name} does not parse: {error}")
    return catalogs, problems


def catalog(args: argparse.Namespace) -> int:
    """Run one step of the translation workflow."""
    from service import catalog_check, catalog_tools
    from service.content import load_content
    from service.line import configured_programs

    settings = get_settings()
    content_dir, locales_dir = settings.content_dir, settings.locales_dir
    if args.step == "extract":
        print(catalog_tools.extract(content_dir=content_dir, locales_dir=locales_dir))
    elif args.step == "update":
        print("\n".join(map(str, catalog_tools.update(content_dir=content_dir, locales_dir=locales_dir))))
    elif args.step == "compile":
        print("\n".join(map(str, catalog_tools.compile_all(locales_dir=settings.locales_dir))))
    elif args.step == "stats":
        for row in catalog_tools.stats(locales_dir=settings.locales_dir):
            print(
                f"{row.locale:6} translated {row.translated:3}  fuzzy {row.fuzzy:3}  missing {row.missing:3}  {row.review_status}"
            )
    else:
        catalogs, problems = _read_all(settings.locales_dir)
        report = catalog_check.check(
            content=load_content(settings.content_dir), catalogs=catalogs, programs=configured_programs(settings).all
        )
        print("\n".join(catalog_check.cost_table(report.costs)))
        problems += report.problems
        for problem in problems:
            print("PROBLEM", problem, file=sys.stderr)
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    return 0


def duration(text: str) -> datetime.timedelta:
    """90d, 12h, 30m: a span of days, hours or minutes."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError("use a number and d, h or m, e.g. 90d")
    return datetime.timedelta(**{units[text[-1]]: int(text[:-1])})


def purge(args: argparse.Namespace) -> int:
    """Delete records older than the given age; subscriber state (opt-outs, languages) stays."""
    from service.store import open_store

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    cutoff = datetime.datetime.now(datetime.UTC) - args.older_than
    deleted = open_store(settings.store_url).purge(before=cutoff)
    print(f"deleted {deleted} record(s) older than {cutoff:%Y-%m-%d %H:%M} UTC")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    root = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the service")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1, help="worker processes (one per core is plenty)")
    serve_cmd.set_defaults(run=serve)
    text_cmd = commands.add_parser("text", help="send one text through the line, print the reply")
    text_cmd.add_argument("body")
    text_cmd.add_argument("--from", dest="sender", default="+15551230000")
    text_cmd.add_argument("--to", default="+15005550000")
    text_cmd.set_defaults(run=text)
    seg_cmd = commands.add_parser("segments", help="count SMS segments of messages on stdin")
    seg_cmd.add_argument("--json", action="store_true", help="one JSON string per line")
    seg_cmd.set_defaults(run=count_segments)
    catalog_cmd = commands.add_parser("catalog", help="translation workflow: extract, update, compile, check, stats")
    catalog_cmd.add_argument("step", choices=["extract", "update", "compile", "check", "stats"])
    catalog_cmd.set_defaults(run=catalog)
    purge_cmd = commands.add_parser("purge", help="delete old message records")
    purge_cmd.add_argument("--older-than", type=duration, required=True, metavar="AGE", help="e.g. 90d")
    purge_cmd.set_defaults(run=purge)
    add_schema_command(commands)
    add_review_command(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run a command; a configuration mistake ends it with one line on stderr and status 2."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
