"""respond(): one inbound text in, one reply out. Pure: no HTTP, no database."""

from __future__ import annotations

import functools

from service.catalogs import Catalogs
from service.core.keywords import KeywordIndex, build_index
from service.core.matching import understand
from service.core.render import render
from service.core.types import Command, InboundMessage, Reply, Subscriber
from service.programs import Program


@functools.lru_cache(maxsize=8)
def keyword_index(catalogs: Catalogs) -> KeywordIndex:
    """The keyword index of a set of catalogs, built once per set."""
    return build_index(catalogs)


def choose_locale(*, command: Command, subscriber: Subscriber, program: Program) -> str:
    """The keyword's own language, else the sender's, else the program's default."""
    return command.locale or subscriber.locale or program.default_locale


def respond(
    message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs
) -> Reply:
    """The reply the line sends to one inbound text."""
    command = understand(message.body, keyword_index(catalogs))
    locale = choose_locale(command=command, subscriber=subscriber, program=program)
    text, served_locale, cost = render(
        catalogs=catalogs, intent=command.intent, topic=command.topic, locale=locale, program=program
    )
    return Reply(
        body=text,
        intent=command.intent,
        locale=served_locale,
        topic=command.topic,
        encoding=cost.encoding,
        segments=cost.segments,
    )
