"""respond(): one inbound message in, one reply out. Pure: no HTTP, no database.

A text is matched against keywords; a step of a menu channel (USSD, voice) is answered by its
channel's responder, found in RESPONDERS by the message's channel.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

from service.catalogs import Catalogs
from service.core.keywords import KeywordIndex, build_index
from service.core.language import choose_locale
from service.core.matching import match_command
from service.core.opt_out import is_silent, state_after
from service.core.render import offered_locales, render
from service.core.types import Command, InboundMessage, Intent, Reply, Subscriber
from service.core.ussd import respond_ussd
from service.core.voice import respond_voice
from service.programs import Program


@functools.lru_cache(maxsize=8)
def keyword_index(catalogs: Catalogs) -> KeywordIndex:
    """The keyword index of a set of catalogs, built once per set."""
    return build_index(catalogs)


@functools.lru_cache(maxsize=16384)
def _matched(body: str, index: KeywordIndex) -> Command:
    return match_command(body, index)


def match_command_cached(body: str, catalogs: Catalogs) -> Command:
    """match_command(), remembered for short texts: most texts are a handful of keywords."""
    index = keyword_index(catalogs)
    return _matched(body, index) if len(body) <= 160 else match_command(body, index)


def next_subscriber(*, command: Command, subscriber: Subscriber, locale: str) -> Subscriber:
    """What the line remembers after this command: opt-out state and a chosen language."""
    opted = state_after(command=command, subscriber=subscriber)
    if opted is not None:
        return opted
    chose = command.intent == Intent.LANGUAGE_SET or bool(command.locales)
    return dataclasses.replace(subscriber, locale=locale) if chose or subscriber.locale is None else subscriber


def offered(command: Command, catalogs: Catalogs) -> Command:
    """A choice of a language the program cannot confirm (its confirmation not approved there) lists the
    languages it can instead: kept and confirmed in English, her choice would read as a refusal."""
    if command.intent == Intent.LANGUAGE_SET and command.locale not in offered_locales(catalogs):
        return dataclasses.replace(command, intent=Intent.LANGUAGE, locale=None, locales=frozenset())
    return command


Responder = Callable[[InboundMessage, Subscriber, Program, Catalogs], Reply]


def respond(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The reply to one inbound message, by its channel's responder (a text's when none is listed)."""
    return RESPONDERS.get(message.channel, respond_to_text)(message, subscriber, program, catalogs)


def respond_to_text(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The reply the line sends to one inbound text (SMS, WhatsApp)."""
    command = offered(match_command_cached(message.body, catalogs), catalogs.serving(program.translations))
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


# Channels whose messages are steps through a menu, not texts. A new menu channel is a new row.
RESPONDERS: Mapping[str, Responder] = {"ussd": respond_ussd, "voice": respond_voice}
