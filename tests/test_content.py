"""The English content: faithful to the source, plain, within budget, never promising a cure."""

import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from service.content import split_keywords

SOURCE = (Path(__file__).resolve().parent.parent / "content" / "source-article.txt").read_text("utf-8")
FORBIDDEN = [
    r"\bmg\b",
    r"\bdose",
    r"\bdosing\b",
    r"\bguarantee",
    r"\bwill cure\b",
    r"\bcures?\b(?! it)",
    r"\bcurable\b",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_six_topics_numbered_one_to_six(content):
    assert [(t.id, t.number) for t in content.topics] == [
        ("her2", 1),
        ("hormone", 2),
        ("chemo", 3),
        ("surgery", 4),
        ("radiation", 5),
        ("goals", 6),
    ]


@pytest.mark.parametrize("index", range(6))
def test_each_topic_cites_the_source_verbatim(content, index):
    topic = content.topics[index]
    assert topic.source
    for quote in topic.source:
        assert squash(quote) in squash(SOURCE)
    datetime.date.fromisoformat(topic.reviewed)


@pytest.mark.parametrize("index", range(6))
def test_each_summary_is_short_and_promises_nothing(content, index):
    summary = content.topics[index].summary
    assert len(summary) <= 200
    for pattern in FORBIDDEN:
        assert not re.search(pattern, summary, re.IGNORECASE), pattern


def test_goals_never_describe_stage_iv_treatment_as_curative(content):
    assert "not meant to cure" in content.topic("goals").summary


def test_first_keyword_of_each_topic_is_its_menu_word(content):
    assert [split_keywords(t.keywords)[0] for t in content.topics] == [
        "HER2",
        "HORMONE",
        "CHEMO",
        "SURGERY",
        "RADIATION",
        "GOALS",
    ]


def test_summaries_read_at_about_sixth_to_eighth_grade(content):
    # Flesch-Kincaid grade with a vowel-group syllable count: rough, but it
    # catches a summary drifting into clinical prose.
    def syllables(word):
        return max(1, len(re.findall(r"[aeiouy]+", word.lower().rstrip("e"))))

    text = " ".join(t.summary.split(":", 1)[1] for t in content.topics)
    sentences = len(re.findall(r"[.!?](\s|$)", text))
    words = re.findall(r"[A-Za-z']+", text)
    grade = 0.39 * len(words) / sentences + 11.8 * sum(map(syllables, words)) / len(words) - 15.59
    assert grade <= 9.0, grade


# Wordings a clinical reader found overstating or misleading, in the English every translation follows.
MISREAD = [
    ("chemo", "More drugs did not mean longer life"),  # reads as if no added drug helps: HER2's chemo + Herceptin does
    ("chemo", "urgent care"),  # reads as an urgent-care clinic; the source: an urgent need to control symptoms
    ("hormone", "many facts"),  # the source: factors
]


@pytest.mark.parametrize(("topic", "wording"), MISREAD)
def test_no_summary_says_what_the_source_does_not(content, topic, wording):
    assert wording not in content.topic(topic).summary


def test_chemo_compares_several_chemo_drugs_with_one_not_drugs_in_general(content):
    summary = content.topic("chemo").summary
    assert "one chemo drug at a time" in summary and "Several at once did not help people live longer" in summary


@pytest.mark.parametrize("field", ["line_name", "contact", "help_contact"])
@pytest.mark.parametrize("escape", ["\\u001b", "\\ufffe", "\\u0000"])  # TOML's escapes: raw ones do not parse
def test_a_program_name_or_contact_no_reply_could_carry_is_refused(tmp_path, field, escape):
    # It goes into every reply of the program: a character XML cannot carry makes all its TwiML unreadable.
    from service.programs import load_programs

    programs = tmp_path / "programs.toml"
    programs.write_text(f'[[program]]\nid = "default"\nname = "X"\n{field} = "Hope{escape}Clinic, 1"\n', "utf-8")
    with pytest.raises(ValueError, match="control characters"):
        load_programs(programs)


def test_a_help_contact_from_the_environment_is_held_to_the_same_rule(tmp_path):
    from service.programs import load_programs

    programs = tmp_path / "programs.toml"
    programs.write_text('[[program]]\nid = "default"\nname = "X"\n', "utf-8")
    with pytest.raises(ValueError, match="control characters"):
        load_programs(programs, default_help_contact="Infoline\x1b, 0800")


def test_the_languages_entry_comes_after_every_topics_number(content):
    assert content.languages_number == 7  # topics 1-6
    # Numbered with a gap, a topic never shares the languages entry's number.
    renumbered = dataclasses.replace(
        content, topics=(*content.topics[:-1], dataclasses.replace(content.topics[-1], number=9))
    )
    assert renumbered.languages_number == 10
