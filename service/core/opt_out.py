"""The opt-out policy: what opts a sender out (STOP) and back in (START), and what she gets meanwhile.

- The words: each locale's stop_keywords, start_keywords and stop_phrases (catalog messages), matched
  with their accents as written; filler_words may stand beside a stop word (STOP PLEASE).
- Which texts opt out: the whole text one opt word, a stop phrase anywhere, or a short text of a stop
  word and fillers ("stop the pain" is a question). core/matching.py runs these rules in its order.
- Her state: STOP opts her out, START back in; while she is opted out nothing else changes it.
- Her replies while opted out: only START and HELP; under confirm_opt_out = "twilio" Twilio's own reply
  to its single words on SMS is the only one.
The catalog checks of these words are in service/catalog_check_opt_out.py.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from service.catalogs import Catalogs
from service.core.meaning import Entry, Meaning, listed_words, meanings_by_key
from service.core.normalize import Folded, is_unspaced, keyword_key, strip_accents, words
from service.core.types import Command, InboundMessage, Intent, Subscriber
from service.programs import Program

# Which catalog message holds each locale's opt words. They are matched with their accents as written
# (normalize.fold): folded, some are everyday words (Vietnamese Đúng, "right", would be DỪNG).
OPT_WORDS: Mapping[Intent, str] = {
    Intent.STOP: "stop_keywords",
    Intent.START: "start_keywords",
}
PHRASES: Mapping[Intent, str] = {Intent.STOP: "stop_phrases"}
# Words that may stand beside a stop word without changing its meaning (STOP PLEASE).
FILLERS = "filler_words"
# "STOP please", "QUIT now": an opt-out word with nothing but filler beside it.
# "stop the pain" or "end treatment" is a question, not an opt-out.
SHORT_STOP_WORDS = 4
# Carriers allow an opted-out number to get only the opt-in confirmation and HELP.
ANSWERED_WHEN_OPTED_OUT = frozenset({Intent.START, Intent.HELP})
# Twilio's own opt-out handling on SMS long codes answers exactly these single words itself.
TWILIO_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "START", "UNSTOP", "YES"}
)
Phrase = tuple[int, tuple[str, ...], Meaning]  # (place in the catalogs' order, words, meaning)


@dataclass(frozen=True, slots=True, eq=False)
class OptOutWords:
    """Every locale's stop and start words, stop phrases and fillers, as the rules look them up."""

    stop_and_start: Mapping[str, Meaning]  # stop and start words, keyed with their accents
    # Stop phrases by their first word (the first listed wins): a text's words are looked up,
    # not every phrase tried at every word (1.5 ms for a long question).
    phrases_by_first: Mapping[str, tuple[Phrase, ...]]
    joined_phrases: Mapping[str, Meaning]  # each phrase written without spaces (Chinese texts have none)
    fillers: frozenset[str]
    fillers_longest_first: tuple[str, ...]


def opt_entries(catalogs: Catalogs, locale: str) -> Iterator[Entry]:
    """A locale's stop and start words, keyed with their accents."""
    for intent, message_key in OPT_WORDS.items():
        for word in listed_words(catalogs, locale, message_key):
            yield keyword_key(word, keep_accents=True), intent, None, locale


def _phrase_entries(catalogs: Catalogs, locale: str) -> Iterator[tuple[tuple[str, ...], Meaning]]:
    for intent, message_key in PHRASES.items():
        for phrase in listed_words(catalogs, locale, message_key):
            yield (
                tuple(words(phrase, join_apostrophes=True, keep_accents=True)),
                Meaning(intent, None, frozenset({locale})),
            )


def _by_first_word(phrases: list[tuple[tuple[str, ...], Meaning]]) -> dict[str, tuple[Phrase, ...]]:
    found: dict[str, list[Phrase]] = defaultdict(list)
    for order, (phrase, meaning) in enumerate(phrases):
        if phrase:
            found[phrase[0]].append((order, phrase, meaning))
    return {first: tuple(entries) for first, entries in found.items()}


def build_opt_out_words(catalogs: Catalogs) -> OptOutWords:
    """Index every served locale's opt words, stop phrases and fillers."""
    entries = [entry for locale in catalogs.locales for entry in opt_entries(catalogs, locale)]
    phrases = [phrase for locale in catalogs.locales for phrase in _phrase_entries(catalogs, locale)]
    fillers = frozenset(
        keyword_key(word) for locale in catalogs.locales for word in listed_words(catalogs, locale, FILLERS)
    )
    return OptOutWords(
        stop_and_start=meanings_by_key(entries),
        phrases_by_first=_by_first_word(phrases),
        joined_phrases={"".join(phrase): meaning for phrase, meaning in phrases},
        fillers=fillers,
        fillers_longest_first=tuple(sorted(fillers, key=len, reverse=True)),
    )


def _is_stop(opt: OptOutWords, word: str) -> bool:
    return word in opt.stop_and_start and opt.stop_and_start[word].intent == Intent.STOP


def whole_opt_word(text: Folded, opt: OptOutWords) -> Command | None:
    """STOP, ARRÊT, DON'T: the whole text one stop or start word, as written."""
    for whole in ("".join(text.exact), "".join(text.exact_contracted)):
        if whole in opt.stop_and_start:
            return opt.stop_and_start[whole].command()
    return None


def stop_phrase(text: Folded, opt: OptOutWords) -> Command | None:
    """PLEASE DON'T TEXT ME: a phrase that clearly asks to stop, anywhere in a text."""
    found = text.exact_contracted
    matches = [
        (order, meaning)
        for at, word in enumerate(found)
        for order, phrase, meaning in opt.phrases_by_first.get(word, ())
        if tuple(found[at : at + len(phrase)]) == phrase
    ]
    return min(matches, key=lambda match: match[0])[1].command() if matches else None


def short_stop(text: Folded, opt: OptOutWords) -> Command | None:
    """STOP PLEASE, 请停止: an opt-out word or phrase with nothing but filler words beside it."""
    found = text.exact_contracted
    if len(found) > SHORT_STOP_WORDS:  # both forms below are a few words at most
        return None
    stops = [word for word in found if _is_stop(opt, word)]
    # Fillers only ever stand beside a stop word written as listed: they may be folded.
    rest = [word for word in found if word not in stops and strip_accents(word) not in opt.fillers]
    if stops and not rest:
        return opt.stop_and_start[stops[0]].command()
    if len(found) == 1 and is_unspaced(found[0]):
        bare = found[0]
        for filler in opt.fillers_longest_first:
            bare = bare.replace(filler, "")
        meaning = opt.stop_and_start.get(bare) if _is_stop(opt, bare) else opt.joined_phrases.get(bare)
        return meaning.command() if meaning else None
    return None


def state_after(*, command: Command, subscriber: Subscriber) -> Subscriber | None:
    """Her state after STOP or START, or unchanged while she is opted out; None when opting has no say."""
    if command.intent == Intent.STOP:
        return dataclasses.replace(subscriber, opted_out=True)
    if command.intent == Intent.START:
        return dataclasses.replace(subscriber, opted_out=False)
    return subscriber if subscriber.opted_out else None


def is_silent(*, command: Command, subscriber: Subscriber, program: Program, message: InboundMessage) -> bool:
    """Whether the line must not answer at all."""
    if subscriber.opted_out and command.intent not in ANSWERED_WHEN_OPTED_OUT:
        return True
    if program.confirm_opt_out != "twilio" or command.intent not in (Intent.STOP, Intent.START):
        return False
    # Twilio itself confirms its own SMS words (the body as a whole, any case).
    return message.channel == "sms" and message.body.strip().upper() in TWILIO_WORDS


# A message delivered again after she opted out gets its reply again only if it was one of these.
REPLAYED_WHEN_OPTED_OUT = frozenset({Intent.STOP, Intent.START, Intent.HELP})


def opt_change(*, intent: Intent, after: Subscriber) -> bool | None:
    """What a reply records of her opt-out: True (out), False (back in), None (nothing)."""
    return after.opted_out if intent in (Intent.STOP, Intent.START) else None


def spooled_is_newer(*, stored_at: float | None, spooled_at: float) -> bool:
    """Whether an opt-out or opt-in waiting in the spool outranks the stored one: the later one wins
    (the store's upsert applies the same rule, so a STOP spooled in an outage never undoes a later START)."""
    return stored_at is None or stored_at <= spooled_at
