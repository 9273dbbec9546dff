"""The USSD path: walked through the transition table, bounded, whatever the caller typed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.ussd_path import (
    MAX_INPUTS,
    MAX_PATH_CHARS,
    TABLE,
    Choices,
    Screen,
    Step,
    path_inputs,
    walk,
    within_bounds,
)

CHOICES = Choices(
    topics=(1, 2, 3, 4, 5, 6), locales=("en", "ar", "es", "fr", "hi", "pt", "sw", "tl", "vi", "zh"), languages_entry="7"
)


@pytest.mark.parametrize(
    ("path", "step"),
    [
        ("", Step()),
        ("1", Step(Screen.TOPIC, topic=1)),
        ("6", Step(Screen.TOPIC, topic=6)),
        ("3*1", Step(Screen.TOPIC, topic=3, page=1)),
        ("3*1*1*1", Step(Screen.TOPIC, topic=3, page=3)),
        ("3*1*0", Step()),
        ("3*9", Step(Screen.TOPIC, topic=3)),  # anything else on a page: the same page
        ("7", Step(Screen.LANGUAGES)),
        ("7*0", Step()),
        ("7*3", Step(chosen="es", just_chose=True)),
        ("7*10", Step(chosen="zh", just_chose=True)),
        ("7*3*2", Step(Screen.TOPIC, topic=2, chosen="es")),
        ("7*3*7*4", Step(chosen="fr", just_chose=True)),
        ("7*3*7*0", Step(chosen="es")),
        ("7*11", Step(Screen.LANGUAGES)),
        ("7*03", Step(Screen.LANGUAGES)),
        ("7*", Step(Screen.LANGUAGES)),
        ("0", Step()),
        ("8", Step()),
        ("01", Step()),
        ("**", Step()),
        ("1*1*0*4", Step(Screen.TOPIC, topic=4)),
    ],
)
def test_a_path_ends_on_its_screen(path, step):
    assert walk(path, CHOICES) == step


def test_every_screen_has_a_rule_for_anything():
    for screen in Screen:
        test, _ = TABLE[screen][-1]
        assert test("anything at all", CHOICES), screen


@pytest.mark.parametrize(
    ("path", "inputs"),
    [
        ("", ()),
        ("1", ("1",)),
        ("1*2*", ("1", "2", "")),
        ("*".join(["1"] * MAX_INPUTS), ("1",) * MAX_INPUTS),
        ("*".join(["1"] * (MAX_INPUTS + 1)), ()),
        ("1" * (MAX_PATH_CHARS + 1), ()),
    ],
)
def test_a_path_past_its_bounds_has_no_inputs(path, inputs):
    assert path_inputs(path) == inputs
    assert within_bounds(path) == (inputs != () or path == "")


@settings(max_examples=500, deadline=None)
@given(path=st.text(alphabet="0123456789*", max_size=MAX_PATH_CHARS + 20))
def test_any_path_ends_on_a_screen_it_offers(path):
    step = walk(path, CHOICES)
    assert (step.topic in CHOICES.topics) == (step.screen == Screen.TOPIC) and step.topic in (0, *CHOICES.topics)
    assert step.page == 0 or step.screen in (Screen.TOPIC, Screen.LANGUAGES)  # only those are paged
    assert step.chosen in (None, *CHOICES.locales)
    if step.just_chose:  # the last key chose, and chose the language it numbers
        assert step.screen == Screen.MENU and step.chosen == CHOICES.locales[int(path.rsplit("*", 1)[-1]) - 1]


@settings(max_examples=200, deadline=None)
@given(prefix=st.lists(st.sampled_from("0123456789"), max_size=10))
def test_zero_on_a_topic_page_or_the_language_list_is_the_menu(prefix):
    for opened in ("1", "7"):
        step = walk("*".join([*prefix, opened, "0"]), CHOICES)
        before = walk("*".join([*prefix, opened]), CHOICES)
        if before.screen in (Screen.TOPIC, Screen.LANGUAGES):
            assert step.screen == Screen.MENU and step.chosen == before.chosen
