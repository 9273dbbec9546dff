"""The voice line's responder: a call's path of key presses walked through TABLE, then what it leads to
said in the caller's language (spoken.py). Pure: the path is all the state a call has on the line.

The path is message.body: the keys pressed so far joined by "*" ("" when the call comes in, "1*9" after
1 then 9). A key that is no digit (a channel writes "*" and "#" as "#") chooses nothing on any screen.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable, Mapping

from service.catalogs import Catalogs
from service.core.language import DIALLED, choose_locale
from service.core.spoken import (
    KEYPAD,
    closing,
    keyed_topics,
    languages_key,
    offered_languages,
    speaking_locale,
    spoken_languages,
    spoken_reply,
)
from service.core.types import InboundMessage, Intent, Reply, Subscriber, Utterance
from service.programs import Program

SEPARATOR = "*"
# A call's steps are bounded: past this many the call ends with the referral (Twilio would otherwise
# carry an ever longer path, and every step walks it).
MAX_STEPS = 32
REPEAT, BACK = "9", "0"
# The sender of a call from a hidden number (channels map every such caller to it): answered in the
# program's default language, and no language is kept under it, since callers share it (its steps are
# recorded under it like any caller's).
HIDDEN_CALLER = "anonymous"


class CallScreen(enum.Enum):
    MENU = "menu"
    TOPIC = "topic"
    LANGUAGES = "languages"


INTENTS = {CallScreen.MENU: Intent.MENU, CallScreen.TOPIC: Intent.TOPIC, CallScreen.LANGUAGES: Intent.LANGUAGE}


@dataclasses.dataclass(frozen=True, slots=True)
class Keys:
    """What the digits choose on a line's screens."""

    topics: Mapping[str, str]  # digit -> topic id
    languages_key: str | None  # the menu's digit for the language menu
    languages: Mapping[str, str]  # digit -> locale, in the language menu


@dataclasses.dataclass(frozen=True, slots=True)
class CallStep:
    """Where a call is: its screen, the topic it is on, and the language chosen on this call."""

    screen: CallScreen = CallScreen.MENU
    topic: str | None = None
    chosen: str | None = None
    # The key just pressed chose the language (LANGUAGE_SET: remember it).
    choosing: bool = False


Test = Callable[[Keys, str], bool]
Move = Callable[[Keys, CallStep, str], CallStep]


def _pressed(expected: str) -> Test:
    return lambda keys, key: key == expected


def _any_key(keys: Keys, key: str) -> bool:
    return True


def _to_menu(keys: Keys, step: CallStep, key: str) -> CallStep:
    return CallStep(chosen=step.chosen)


def _again(keys: Keys, step: CallStep, key: str) -> CallStep:
    return dataclasses.replace(step, choosing=False)


def _to_topic(keys: Keys, step: CallStep, key: str) -> CallStep:
    return CallStep(CallScreen.TOPIC, topic=keys.topics[key], chosen=step.chosen)


def _to_languages(keys: Keys, step: CallStep, key: str) -> CallStep:
    return CallStep(CallScreen.LANGUAGES, chosen=step.chosen)


def _choose(keys: Keys, step: CallStep, key: str) -> CallStep:
    return CallStep(chosen=keys.languages[key], choosing=True)


# Each screen's rules, tried in order: the first whose test takes the key says where it leads.
TABLE: Mapping[CallScreen, tuple[tuple[Test, Move], ...]] = {
    CallScreen.MENU: (
        (lambda keys, key: key in keys.topics, _to_topic),
        (lambda keys, key: key == keys.languages_key, _to_languages),
        (_any_key, _again),
    ),
    CallScreen.TOPIC: ((_pressed(REPEAT), _again), (_pressed(BACK), _to_menu), (_any_key, _to_menu)),
    CallScreen.LANGUAGES: (
        (lambda keys, key: key in keys.languages, _choose),
        (_pressed(BACK), _to_menu),
        (_any_key, _again),
    ),
}


@functools.lru_cache(maxsize=256)
def call_keys(catalogs: Catalogs, program: Program) -> Keys:
    """What the digits choose on a program's calls."""
    offered = offered_languages(catalogs, program)
    return Keys(
        topics=keyed_topics(catalogs.content),
        languages_key=languages_key(catalogs, program),
        languages=dict(zip(KEYPAD, offered, strict=False)),
    )


def walk_call(path: str, keys: Keys) -> tuple[CallStep, bool]:
    """Where a path leads, and whether it went past MAX_STEPS (then only its first steps are walked)."""
    pressed = path.split(SEPARATOR, MAX_STEPS) if path else []
    step = CallStep()
    for key in pressed[:MAX_STEPS]:
        step = next(move(keys, step, key) for test, move in TABLE[step.screen] if test(keys, key))
    return step, len(pressed) > MAX_STEPS


def _wanted(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> str:
    if message.sender == HIDDEN_CALLER:
        return program.default_locale
    return choose_locale(
        command=DIALLED, subscriber=subscriber, program=program, sender=message.sender, served=catalogs.locales
    )


def _said(step: CallStep, ended: bool, *, catalogs: Catalogs, program: Program, locale: str) -> tuple[Utterance, ...]:
    if ended:
        return (closing(catalogs, program, speaking_locale(catalogs, program, locale)),)
    if step.screen is CallScreen.LANGUAGES:
        return spoken_languages(catalogs=catalogs, program=program, locale=locale)
    return spoken_reply(catalogs=catalogs, program=program, locale=locale, topic=step.topic)


def respond_voice(message: InboundMessage, subscriber: Subscriber, program: Program, catalogs: Catalogs) -> Reply:
    """The reply to one step of a call: where its path leads, said in her language (chosen on this call,
    else stored, else her number's country's, else the program's), the referral said last."""
    catalogs = catalogs.serving(program.translations)
    step, ended = walk_call(message.body, call_keys(catalogs, program))
    if ended:  # only the referral is said: nothing chosen, no topic
        step = CallStep(chosen=step.chosen)
    locale = step.chosen or _wanted(message, subscriber, program, catalogs)
    spoken = _said(step, ended, catalogs=catalogs, program=program, locale=locale)
    after = subscriber
    if message.sender != HIDDEN_CALLER and (step.choosing or subscriber.locale is None):
        after = dataclasses.replace(subscriber, locale=locale)
    return Reply(
        body="\n".join(utterance.text for utterance in spoken),
        intent=Intent.LANGUAGE_SET if step.choosing else INTENTS[step.screen],
        locale=spoken[-1].locale,
        topic=step.topic,
        segments=0,
        subscriber=after,
        goes_on=not ended,
        spoken=spoken,
    )
