"""`catalog check`: what makes a set of catalogs unfit to serve, and what every reply costs.

The admin's PO upload runs the same check on the catalogs it would serve.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from babel.messages.catalog import Catalog

from service import segments
from service.catalog_check_opt_out import everyday_word_problems, ordinary_text_problems, unaccented_twin_problems
from service.catalog_check_ussd import ussd_problems
from service.catalog_tools import LOCALES
from service.catalogs import (
    PLACEHOLDER,
    SOURCE_LOCALE,
    Catalogs,
    build_catalogs,
    declares_transliteration,
    never_transliterated,
    placeholders_match,
)
from service.content import Content
from service.core.keywords import build_index, command_entries, language_names, split_keywords, topic_entries
from service.core.normalize import keyword_key, strip_accents
from service.core.opt_out import opt_entries
from service.core.referral import REFERRAL_KEYS
from service.core.render import compose
from service.core.types import Intent
from service.programs import Program

# A topic's keywords in one language: the most any has today is 13, none over 15 characters.
MAX_KEYWORDS, MAX_KEYWORD_CHARS = 30, 40
# A reply may cost at most this many segments in its encoding.
BUDGET = {segments.GSM7: 2, segments.UCS2: 4}
# HELP carries what carriers require (name, what and when it sends, rates, STOP, a support
# contact) besides the referral, and is sent only when asked for: one segment more.
REPLY_BUDGETS = {"help": {segments.GSM7: 3, segments.UCS2: 5}}
POLICIES: tuple[Literal["unicode", "gsm7"], ...] = ("unicode", "gsm7")


def budget(reply: str, encoding: str) -> int:
    """The most segments a reply may cost in an encoding."""
    return REPLY_BUDGETS.get(reply, BUDGET)[encoding]


@dataclass(frozen=True, slots=True)
class ReplyCost:
    """What one reply costs in one locale under one encoding policy, as the check reports it."""

    locale: str
    policy: str
    reply: str
    encoding: str
    segments: int

    @property
    def over_budget(self) -> bool:
        return self.segments > budget(self.reply, self.encoding)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    costs: list[ReplyCost] = field(default_factory=list)


def replies(content: Content) -> list[tuple[str, Intent, str | None]]:
    """Every reply the line can send: (label, intent, topic)."""
    fixed = [Intent.MENU, Intent.HELP, Intent.STOP, Intent.START, Intent.LANGUAGE, Intent.LANGUAGE_SET]
    return [(t.id, Intent.TOPIC, t.id) for t in content.topics] + [(i.value, i, None) for i in fixed]


def catalog_problems(locale: str, catalog: Catalog) -> list[str]:
    """Babel's own checks (placeholders among them) and a served referral."""
    problems = [
        f"{locale}: {message.context or ''} {message.id!r}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]
    problems += [
        f"{locale}: {message.context} must have exactly the placeholders of its English, as written"
        f" ({', '.join(sorted(set(PLACEHOLDER.findall(message.id))))})"
        for message in catalog
        if message.string
        and isinstance(message.string, str)
        and isinstance(message.id, str)  # a plural's id is a tuple; the line has none
        and "%(" in message.id
        and not placeholders_match(message.id, message.string)
    ]
    for key in REFERRAL_KEYS:
        entry = next((m for m in catalog if m.context == key), None)
        if entry is None or entry.fuzzy or not entry.string:
            problems.append(f"{locale}: the referral ({key}) is missing or fuzzy: no reply can be served in {locale}")
    return problems


def keyword_list_problems(catalogs: Catalogs) -> list[str]:
    """Keyword lists longer than a person would write: each keyword is matched against every text."""
    problems = []
    for locale in catalogs.locales:
        for topic in catalogs.content.topics:
            words = split_keywords(catalogs.lookup(locale, topic.id, topic.keywords) or "")
            if len(words) > MAX_KEYWORDS or any(len(word) > MAX_KEYWORD_CHARS for word in words):
                problems.append(
                    f"{locale}: {topic.id} keywords: at most {MAX_KEYWORDS}, each at most {MAX_KEYWORD_CHARS} characters"
                )
    return problems


def keyword_collisions(catalogs: Catalogs) -> list[str]:
    """Words that would mean two different things (two topics, a topic and a command, a language)."""
    meanings: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for locale in catalogs.locales:
        for key, intent, topic, _ in [*topic_entries(catalogs, locale), *command_entries(catalogs, locale)]:
            meanings[key].add((intent.value, topic or "", locale))
        for key, intent, _topic, _ in opt_entries(catalogs, locale):  # folded: stricter than they are matched
            meanings[strip_accents(key)].add((intent.value, "", locale))
    for locale in {*catalogs.locales, *LOCALES}:
        for name in language_names(locale):
            meanings[keyword_key(name)].add(("language", locale, locale))
    problems = []
    for key, found in sorted(meanings.items()):
        distinct = {(intent, topic) for intent, topic, _ in found}
        if len(distinct) > 1:
            owners = ", ".join(sorted(f"{intent}:{topic or '-'} ({locale})" for intent, topic, locale in found))
            problems.append(f"keyword {key!r} means more than one thing: {owners}")
    return problems


def transliteration_problems(locale: str, catalog: Catalog) -> list[str]:
    """A header opting a language in to gsm7 transliteration that must never have it."""
    if declares_transliteration(catalog) and never_transliterated(locale):
        return [
            f"{locale}: transliteration to GSM-7 changes the meaning of {locale} text; remove '# transliterate: gsm7'"
        ]
    return []


def reply_costs(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[ReplyCost]:
    """Each reply's cost in each locale it is served in, for every program (and one without contacts)
    under each encoding policy."""
    costs = []
    bare = Program(id="check", name="check")
    for policy in POLICIES:
        for configured in dict.fromkeys((bare, *programs)):
            # Every translation as if served: a draft is checked now, not first when a reviewer approves it.
            program = dataclasses.replace(configured, encoding=policy, translations="drafts")
            for locale in catalogs.locales:
                for label, intent, topic in replies(catalogs.content):
                    # Uncached: candidate catalogs of refused uploads must not stay in render's cache.
                    text, served, cost = compose(
                        catalogs=catalogs, intent=intent, topic=topic, locale=locale, program=program
                    )
                    if served == locale:
                        costs.append(ReplyCost(locale, policy, label, cost.encoding, cost.segments))
    return costs


def program_problems(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[str]:
    """A contact given for a language the line does not serve would never be used (pt-BR for pt)."""
    return [
        f"program {program.id}: contacts has {code!r}, which is not one of the line's languages"
        for program in programs
        for code, _ in program.contacts
        if code not in catalogs.locales
    ]


def check(*, content: Content, catalogs: Mapping[str, Catalog], programs: tuple[Program, ...]) -> Report:
    """Every problem that would make these catalogs unfit to serve, and every reply's cost."""
    report = Report()
    for locale, catalog in sorted(catalogs.items()):
        report.problems.extend(catalog_problems(locale, catalog))
        report.problems.extend(transliteration_problems(locale, catalog))
    served = build_catalogs(content=content, sources=catalogs)
    report.problems.extend(keyword_list_problems(served))
    report.problems.extend(keyword_collisions(served))
    index = build_index(served)
    report.problems.extend(everyday_word_problems(served, index))
    report.problems.extend(ordinary_text_problems(served, index))
    report.problems.extend(unaccented_twin_problems(served))
    report.problems.extend(program_problems(served, programs))
    report.problems.extend(ussd_problems(served, programs))
    report.costs = reply_costs(served, programs)
    report.problems.extend(
        f"{c.locale}: {c.reply} costs {c.segments} {c.encoding} segments under '{c.policy}'"
        f" (budget {budget(c.reply, c.encoding)})"
        for c in report.costs
        if c.over_budget
    )
    return report


def _cell(costs: list[ReplyCost]) -> str:
    parts = []
    for encoding in BUDGET:
        found = [cost for cost in costs if cost.encoding == encoding]
        if found:
            dearest = max(found, key=lambda cost: cost.segments)
            parts.append(f"{len(found)}x{encoding} max {dearest.segments} ({dearest.reply})")
    over = sum(cost.over_budget for cost in costs)
    return "; ".join(parts) + (f"; {over} OVER" if over else "")


def cost_table(costs: list[ReplyCost]) -> list[str]:
    """Per locale and policy: how many replies go as GSM-7 / UCS-2 and the dearest of each."""
    width = 52
    rows = [f"{'locale':7}" + "".join(f"{'policy ' + policy:<{width}}" for policy in POLICIES)]
    for locale in sorted({cost.locale for cost in costs}, key=lambda code: (code != SOURCE_LOCALE, code)):
        cells = [_cell([c for c in costs if c.locale == locale and c.policy == policy]) for policy in POLICIES]
        rows.append(f"{locale:7}" + "".join(f"{cell:<{width}}" for cell in cells))
    rows.append(
        f"budgets: GSM-7 <= {BUDGET['GSM-7']} segments, UCS-2 <= {BUDGET['UCS-2']} (HELP: one more); "
        "each reply counted for every program and for one without contacts"
    )
    return rows
