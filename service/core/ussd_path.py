"""A USSD session's path, reduced to the screen it is on. Pure, and the server keeps no session.

Africa's Talking sends the caller's inputs so far joined by '*' ("" on the first screen, "1*1*0*7"
later); the path is walked from the menu through TABLE, one rule list per screen, the first rule
whose test holds deciding the next step. The walk is bounded by the path's bounds.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Africa's Talking joins the inputs with this; the channel refuses a longer path (400) and so
# does the walk (the menu again), so no caller makes it loop further.
SEPARATOR = "*"
MAX_INPUTS = 32
MAX_PATH_CHARS = 100
# On a topic page: 1 goes on, 0 goes back to the menu; 0 is also back on the list of languages.
MORE = "1"
BACK = "0"
# The list of languages numbers them all, one number each on every page, so its "more" needs a number no
# language has: 98, as East African operators' own USSD menus mark "more".
MORE_LANGUAGES = "98"


class Screen(enum.StrEnum):
    """Where a session is."""

    MENU = "menu"
    TOPIC = "topic"
    LANGUAGES = "languages"


@dataclass(frozen=True, slots=True)
class Choices:
    """What the menus offer: the topics' numbers (as SMS numbers them) and the languages listed."""

    topics: tuple[int, ...]
    locales: tuple[str, ...]
    # The menu entry that opens the list of languages (Content.languages_number).
    languages_entry: str


@dataclass(frozen=True, slots=True)
class Step:
    """The screen a path ends on: a topic's number and page, and a language chosen on the way."""

    screen: Screen = Screen.MENU
    topic: int = 0
    page: int = 0
    chosen: str | None = None
    # This very input chose the language (chosen): the reply, the menu in it, is recorded as the choice.
    just_chose: bool = False


Test = Callable[[str, Choices], bool]
Move = Callable[[Step, str, Choices], Step]


def _is(expected: str) -> Test:
    return lambda choice, choices: choice == expected


def _any(choice: str, choices: Choices) -> bool:
    return True


def _is_topic(choice: str, choices: Choices) -> bool:
    return choice.isdigit() and int(choice) in choices.topics and choice == str(int(choice))


def _is_languages(choice: str, choices: Choices) -> bool:
    return choice == choices.languages_entry


def _is_language(choice: str, choices: Choices) -> bool:
    return choice.isdigit() and choice == str(int(choice)) and 1 <= int(choice) <= len(choices.locales)


# Steps are made, not dataclasses.replace()d: that took half of a screen's time.
def _to(screen: Screen) -> Move:
    return lambda step, choice, choices: Step(screen, chosen=step.chosen)


def _open_topic(step: Step, choice: str, choices: Choices) -> Step:
    return Step(Screen.TOPIC, topic=int(choice), chosen=step.chosen)


def _next_page(step: Step, choice: str, choices: Choices) -> Step:
    # Past the last page the screens show the last (core/ussd.py): a topic's ended the session anyway.
    return Step(step.screen, topic=step.topic, page=step.page + 1, chosen=step.chosen)


def _choose_language(step: Step, choice: str, choices: Choices) -> Step:
    return Step(screen=Screen.MENU, chosen=choices.locales[int(choice) - 1], just_chose=True)


def _stay(step: Step, choice: str, choices: Choices) -> Step:
    return Step(step.screen, topic=step.topic, page=step.page, chosen=step.chosen)


# Per screen, (test, move) rules tried in order; the last always holds. A new choice is a new row.
TABLE: Mapping[Screen, tuple[tuple[Test, Move], ...]] = {
    Screen.MENU: ((_is_topic, _open_topic), (_is_languages, _to(Screen.LANGUAGES)), (_any, _to(Screen.MENU))),
    Screen.TOPIC: ((_is(MORE), _next_page), (_is(BACK), _to(Screen.MENU)), (_any, _stay)),
    Screen.LANGUAGES: (
        (_is(BACK), _to(Screen.MENU)),
        (_is(MORE_LANGUAGES), _next_page),
        (_is_language, _choose_language),
        (_any, _stay),
    ),
}


def path_inputs(path: str) -> tuple[str, ...]:
    """The inputs of a path, first first; none (the menu) for a path past its bounds."""
    if not path or len(path) > MAX_PATH_CHARS:
        return ()
    inputs = path.split(SEPARATOR, MAX_INPUTS)
    return () if len(inputs) > MAX_INPUTS else tuple(inputs)


def within_bounds(path: str) -> bool:
    """Whether a path is one the line walks: at most MAX_PATH_CHARS characters and MAX_INPUTS inputs."""
    return len(path) <= MAX_PATH_CHARS and path.count(SEPARATOR) < MAX_INPUTS


def next_step(step: Step, choice: str, choices: Choices) -> Step:
    """The step one input leads to from step, by the first rule of its screen that holds."""
    move = next(move for test, move in TABLE[step.screen] if test(choice, choices))
    return move(step, choice, choices)


@functools.lru_cache(maxsize=4096)
def walk(path: str, choices: Choices) -> Step:
    """The step a whole path ends on, from the menu (remembered: most sessions take the same few paths)."""
    step = Step()
    for choice in path_inputs(path):
        step = next_step(step, choice, choices)
    return step
