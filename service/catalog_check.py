"""`catalog check`: what makes a set of catalogs unfit to serve, and what every reply costs.

The admin's PO upload runs the same check on the catalogs it would serve.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping

from babel.messages.catalog import Catalog

from service import segments
from service.catalog_tools import LOCALES
from service.catalogs import NEVER_TRANSLITERATED, SOURCE_LOCALE, TRANSLITERATE, Catalogs, build_catalogs
from service.content import Content, split_keywords
from service.core.keywords import build_index, command_entries, language_names, opt_entries, topic_entries
from service.core.matching import understand
from service.core.normalize import keyword_key, strip_accents
from service.core.render import render
from service.core.types import Intent
from service.programs import Program

# A reply may cost at most this many segments in its encoding.
BUDGET = {segments.GSM7: 2, segments.UCS2: 4}
# HELP carries what carriers require (name, what and when it sends, rates, STOP, a support
# contact) besides the referral, and is sent only when asked for: one segment more.
REPLY_BUDGETS = {"help": {segments.GSM7: 3, segments.UCS2: 5}}


def budget(reply: str, encoding: str) -> int:
    """The most segments a reply may cost in an encoding."""
    return REPLY_BUDGETS.get(reply, BUDGET)[encoding]
POLICIES = ("unicode", "gsm7")
REFERRAL_KEYS = ("referral", "referral_contact")


@dataclass(frozen=True, slots=True)
class Cost:
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
    costs: list[Cost] = field(default_factory=list)


def replies(content: Content) -> list[tuple[str, Intent, str | None]]:
    """Every reply the line can send: (label, intent, topic)."""
    fixed = [Intent.MENU, Intent.HELP, Intent.STOP, Intent.START, Intent.LANGUAGE, Intent.LANGUAGE_SET]
    return [(t.id, Intent.TOPIC, t.id) for t in content.topics] + [(i.value, i, None) for i in fixed]


def catalog_problems(locale: str, catalog: Catalog) -> list[str]:
    """Babel's own checks (placeholders among them) and a served referral."""
    problems = [
        f"{locale}: {message.context or ''} {message.id!r}: {error}"
        for message, errors in catalog.check() for error in errors
    ]
    for key in REFERRAL_KEYS:
        entry = next((m for m in catalog if m.context == key), None)
        if entry is None or entry.fuzzy or not entry.string:
            problems.append(f"{locale}: the referral ({key}) is missing or fuzzy: no reply can be served in {locale}")
    return problems


def keyword_collisions(catalogs: Catalogs) -> list[str]:
    """Words that would mean two different things (two topics, a topic and a command, a language)."""
    meanings: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for locale in catalogs.locales:
        for key, intent, topic, _ in [*topic_entries(catalogs, locale), *command_entries(catalogs, locale)]:
            meanings[key].add((intent.value, topic or "", locale))
        for key, intent, topic, _ in opt_entries(catalogs, locale):  # folded: stricter than they are matched
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


# What an everyday word must never be read as: it would opt her out or in, or change her language.
STATE_CHANGING = frozenset({Intent.STOP, Intent.START, Intent.LANGUAGE_SET})


def everyday_word_problems(catalogs: Catalogs) -> list[str]:
    """Everyday words (yes, thanks, a common name) of a language that the line would read as an opt-out,
    an opt-in, a choice of language, or another language's keyword."""
    index, problems = build_index(catalogs), []
    for locale in catalogs.locales:
        for word in split_keywords(catalogs.message(locale, "everyday_words") or ""):
            command = understand(word, index)
            switches = bool(command.locales) and locale not in command.locales
            if command.intent in STATE_CHANGING or switches:
                problems.append(f"{locale}: the everyday word {word!r} would be read as {command.intent.value}"
                                f"{' of ' + ', '.join(sorted(command.locales)) if switches else ''}")
    return problems


def transliteration_problems(locale: str, catalog: Catalog) -> list[str]:
    """A header opting a language in to gsm7 transliteration that must never have it."""
    declared = TRANSLITERATE.search(catalog.header_comment or "") is not None
    if declared and locale.split("_", 1)[0] in NEVER_TRANSLITERATED:
        return [f"{locale}: transliteration to GSM-7 changes the meaning of {locale} text; remove '# transliterate: gsm7'"]
    return []


def reply_costs(catalogs: Catalogs, programs: tuple[Program, ...]) -> list[Cost]:
    """Each reply's cost in each locale it is served in, for every program (and one without contacts)
    under each encoding policy."""
    costs = []
    bare = Program(id="check", name="check")
    for policy in POLICIES:
        for configured in dict.fromkeys((bare, *programs)):
            program = dataclasses.replace(configured, encoding=policy)
            for locale in catalogs.locales:
                for label, intent, topic in replies(catalogs.content):
                    text, served, cost = render(catalogs=catalogs, intent=intent, topic=topic, locale=locale, program=program)
                    if served == locale:
                        costs.append(Cost(locale, policy, label, cost.encoding, cost.segments))
    return costs


def check(*, content: Content, catalogs: Mapping[str, Catalog], programs: tuple[Program, ...]) -> Report:
    """Every problem that would make these catalogs unfit to serve, and every reply's cost."""
    report = Report()
    for locale, catalog in sorted(catalogs.items()):
        report.problems.extend(catalog_problems(locale, catalog))
        report.problems.extend(transliteration_problems(locale, catalog))
    served = build_catalogs(content=content, sources=catalogs)
    report.problems.extend(keyword_collisions(served))
    report.problems.extend(everyday_word_problems(served))
    report.costs = reply_costs(served, programs)
    report.problems.extend(
        f"{c.locale}: {c.reply} costs {c.segments} {c.encoding} segments under '{c.policy}'"
        f" (budget {budget(c.reply, c.encoding)})"
        for c in report.costs if c.over_budget
    )
    return report


def _cell(costs: list[Cost]) -> str:
    parts = []
    for encoding in BUDGET:
        found = [cost for cost in costs if cost.encoding == encoding]
        if found:
            dearest = max(found, key=lambda cost: cost.segments)
            parts.append(f"{len(found)}x{encoding} max {dearest.segments} ({dearest.reply})")
    over = sum(cost.over_budget for cost in costs)
    return "; ".join(parts) + (f"; {over} OVER" if over else "")


def cost_table(costs: list[Cost]) -> list[str]:
    """Per locale and policy: how many replies go as GSM-7 / UCS-2 and the dearest of each."""
    width = 52
    lines = [f"{'locale':7}" + "".join(f"{'policy ' + policy:<{width}}" for policy in POLICIES)]
    for locale in sorted({cost.locale for cost in costs}, key=lambda code: (code != SOURCE_LOCALE, code)):
        cells = [_cell([c for c in costs if c.locale == locale and c.policy == policy]) for policy in POLICIES]
        lines.append(f"{locale:7}" + "".join(f"{cell:<{width}}" for cell in cells))
    lines.append(f"budgets: GSM-7 <= {BUDGET['GSM-7']} segments, UCS-2 <= {BUDGET['UCS-2']} (HELP: one more); "
                 "each reply counted for every program and for one without contacts")
    return lines
