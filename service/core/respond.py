"""respond(): one inbound text in, one reply out. Pure: no HTTP, no database."""

from __future__ import annotations

import dataclasses
import functools

from service.catalogs import Catalogs
from service.core.keywords import KeywordIndex, build_index
from service.core.language import choose_locale
from service.core.matching import understand
from service.core.render import render
from service.core.types import Command, InboundMessage, Intent, Reply, Subscriber
from service.programs import Program

# Carriers allow an opted-out number to get only the opt-in confirmation and HELP.
ANSWERED_WHEN_OPTED_OUT = frozenset({Intent.START, Intent.HELP})
# Twilio's own opt-out handling on SMS long codes answers exactly these single words itself.
TWILIO_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "START", "UNSTOP", "YES"}
)


@functools.lru_cache(maxsize=8)
def keyword_index(catalogs: Catalogs) -> KeywordIndex:
    """The keyword index of a set of catalogs, built once per set."""
    return build_index(catalogs)


@functools.lru_cache(maxsize=16384)
def _understood(body: str, index: KeywordIndex) -> Command:
    return understand(body, index)


def understand_cached(body: str, catalogs: Catalogs) -> Command:
    """understand(), remembered for short texts: most texts are a handful of keywords."""
    index = keyword_index(catalogs)
    return _understood(body, index) if len(body) <= 160 else understand(body, index)


def next_subscriber(*, command: Command, subscriber: Subscriber, locale: str) -> Subscriber:
    """What the line remembers after this command: opt-out state and a chosen language."""
    if command.intent == Intent.STOP:
        return dataclasses.replace(subscriber, opted_out=True)
    if command.intent == Intent.START:
        return dataclasses.replace(subscriber, opted_out=False)
    if subscriber.opted_out:
        return subscriber
    chose = command.intent == Intent.LANGUAGE_SET or bool(command.locales)
    return dataclasses.replace(subscriber, locale=locale) if chose or subscriber.locale is None else subscriber


def is_silent(*, command: Command, subscriber: Subscriber, program: Program, message: InboundMessage) -> bool:
    """Whether the line must not answer at all."""
    if subscriber.opted_out and command.intent not in ANSWERED_WHEN_OPTED_OUT:
        return True
    twilio_answers = message.channel == "sms" and message.body.strip().upper() in TWILIO_WORDS
    return program.confirm_opt_out == "twilio" and twilio_answers and command.intent in (Intent.STOP, Intent.START)


def respond(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The reply the line sends to one inbound text."""
    command = understand_cached(message.body, catalogs)
    locale = choose_locale(
        command=command, subscriber=subscriber, program=program, sender=message.sender, served=catalogs.locales
    )
    after = next_subscriber(command=command, subscriber=subscriber, locale=locale)
    if is_silent(command=command, subscriber=subscriber, program=program, message=message):
        return Reply(body=None, intent=command.intent, locale=locale, topic=command.topic, subscriber=after)
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
        subscriber=after,
    )
