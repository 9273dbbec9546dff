"""The running line: what the edges share (catalogs, programs, signature check) and answer()."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

from service.catalogs import Catalogs, load_catalogs
from service.content import load_content
from service.core import InboundMessage, Reply, Subscriber, respond
from service.programs import Programs, load_programs
from service.settings import Settings

log = logging.getLogger("service.line")

NO_TOKEN_WARNING = (
    "TWILIO_AUTH_TOKEN is not set: every call to the webhook will be refused with 403. "
    "Set it to the Auth Token of the Twilio account whose numbers point here. "
    "'python -m service text BODY' still works without it."
)


@dataclass(frozen=True, eq=False)
class Line:
    settings: Settings
    catalogs: Catalogs
    programs: Programs
    # None when no Auth Token is configured: nothing can be verified, all is refused.
    validator: RequestValidator | None


def build_line(settings: Settings) -> Line:
    """Load content, catalogs and programs once, at start."""
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if not token:
        log.warning(NO_TOKEN_WARNING)
    return Line(
        settings=settings,
        catalogs=load_catalogs(content=load_content(settings.content_dir), locales_dir=settings.locales_dir),
        programs=load_programs(settings.programs_file),
        validator=RequestValidator(token) if token else None,
    )


def answer(*, line: Line, message: InboundMessage) -> Reply:
    """Answer one verified inbound message."""
    program = line.programs.for_number(message.recipient)
    reply = respond(message, Subscriber(), program, line.catalogs)
    log.info(
        "answered",
        extra={"intent": reply.intent.value, "topic": reply.topic, "locale": reply.locale,
               "program": program.id, "channel": message.channel, "segments": reply.segments},
    )
    return reply
