"""match_command(): a table of what texts mean."""

import pytest

from service.core.matching import match_command
from service.core.respond import keyword_index
from service.core.types import Command, Intent

TOPIC_CASES = [
    ("HER2", "her2"),
    ("her2", "her2"),
    ("  Her2?  ", "her2"),
    ("HER 2", "her2"),
    ("HER-2", "her2"),
    ("her2neu", "her2"),
    ("Herceptin", "her2"),
    ("hormone", "hormone"),
    ("HORMONES", "hormone"),
    ("estrogen", "hormone"),
    ("chemo", "chemo"),
    ("Chemotherapy!", "chemo"),
    ("surgery", "surgery"),
    ("surgery please", "surgery"),
    ("tell me about radiation", "radiation"),
    ("GOALS", "goals"),
    ("goal", "goals"),
    ("What are the goals of treatment?", "goals"),
    # one or two letters off in a keyword of five or more letters
    ("surgry", "surgery"),
    ("sugery", "surgery"),
    ("radiaton", "radiation"),
    ("radaition", "radiation"),
    ("cehmo", "chemo"),
    ("hormnoe", "hormone"),
    ("horome", "hormone"),
    ("goals.", "goals"),
    # menu numbers, for feature phones
    ("1", "her2"),
    ("2", "hormone"),
    ("3", "chemo"),
    ("4", "surgery"),
    ("5", "radiation"),
    ("6", "goals"),
    (" 4. ", "surgery"),
    ("#5", "radiation"),
    ("４", "surgery"),  # full-width digit from some phone keyboards
    # the first topic named wins
    ("surgery or radiation?", "surgery"),
    ("stop chemo?", "chemo"),  # a question about chemo; STOP alone opts out
    ("parar quimio", "chemo"),
    ("surgeries", "surgery"),
    ("chemotherapies", "chemo"),
    ("٤", "surgery"),  # Arabic-Indic digit
    ("۳", "chemo"),  # Persian digit
    ("३", "chemo"),  # Devanagari digit
]

OTHER_CASES = [
    ("HELP", Intent.HELP),
    ("help!", Intent.HELP),
    ("Info", Intent.HELP),
    ("STOP", Intent.STOP),
    ("stop please", Intent.STOP),
    ("please stop texting me about chemo", Intent.STOP),
    ("Don't text me", Intent.STOP),
    ("don’t text me anymore", Intent.STOP),
    ("QUIT NOW", Intent.STOP),
    ("stop it please", Intent.STOP),
    ("停止", Intent.STOP),
    ("请停止", Intent.STOP),
    ("退订谢谢", Intent.STOP),
    ("请不要再发短信了", Intent.STOP),
    ("ARRÊTEZ", Intent.STOP),
    ("DỪNG", Intent.STOP),
    # questions that carry a stop word are not opt-outs
    ("stop the pain", Intent.UNKNOWN),
    ("end treatment", Intent.UNKNOWN),
    ("end of life", Intent.UNKNOWN),
    ("quit treatment", Intent.UNKNOWN),
    ("停止化疗吗", Intent.TOPIC),
    ("START", Intent.START),
    ("help please", Intent.HELP),
    ("MENU", Intent.MENU),
    ("topics", Intent.MENU),
    ("", Intent.UNKNOWN),
    ("   ", Intent.UNKNOWN),
    ("hello", Intent.UNKNOWN),
    ("7", Intent.UNKNOWN),
    ("0", Intent.UNKNOWN),
    ("12", Intent.UNKNOWN),
    ("😀😀", Intent.UNKNOWN),
    ("مرحبا", Intent.UNKNOWN),
    ("\x00\x07\x1b", Intent.UNKNOWN),
    ("HER", Intent.UNKNOWN),  # too short to guess at
    ("cheap", Intent.UNKNOWN),  # two letters off a five-letter keyword is another word
    ("I am 45 and was diagnosed in 2019 and my sister wants to know more", Intent.UNKNOWN),
]


@pytest.mark.parametrize(("text", "topic"), TOPIC_CASES)
def test_topic_words_reach_their_topic(catalogs, text, topic):
    command = match_command(text, keyword_index(catalogs))
    assert (command.intent, command.topic) == (Intent.TOPIC, topic)


@pytest.mark.parametrize(("text", "intent"), OTHER_CASES)
def test_other_texts(catalogs, text, intent):
    assert match_command(text, keyword_index(catalogs)).intent == intent


def test_english_words_say_nothing_of_the_senders_language(catalogs):
    # English keywords work for everyone, so they never switch a reader of another language.
    assert match_command("SURGERY", keyword_index(catalogs)) == Command(Intent.TOPIC, "surgery")


@pytest.mark.parametrize("text", ["radiotherapi", "operasion", "radiatoin", "chemotherapie"])
def test_a_typo_guess_never_names_a_language(catalogs, text):
    command = match_command(text, keyword_index(catalogs))
    assert command.intent == Intent.TOPIC and command.locales == frozenset()


def test_long_text_is_cut_before_matching(catalogs):
    assert match_command("radiation " + "x" * 20_000, keyword_index(catalogs)).topic == "radiation"


def test_a_keyword_of_several_words_is_matched_exactly_or_not_at_all(catalogs):
    # Vietnamese CẮT BỎ (cut out) is stored joined, CATBO: one letter from "carbo" (a chemo drug's nickname).
    index = keyword_index(catalogs)
    assert match_command("cắt bỏ", index).topic == "surgery"
    assert match_command("carbo", index).intent == Intent.UNKNOWN
