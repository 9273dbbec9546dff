"""Catalogs a test controls: only the languages it names, their voice entries translated as the English
marked with its locale, "[es] For %(topic)s, press %(digit)s.", so a test sees which language every
utterance came from (whatever the shipped translations say)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from service.catalogs import Catalogs, build_catalogs
from service.content import Content

VOICE_KEYS = (
    "voice_menu",
    "voice_topic_choice",
    "voice_languages_choice",
    "voice_language_choice",
    "voice_after_topic",
)


def marked(locale: str, text: str) -> str:
    """The fixture translation of an English text."""
    return f"[{locale}] {text}"


def voice_entries(content: Content) -> list[tuple[str, str]]:
    """(msgctxt, msgid) of every entry a call says."""
    entries = [(key, content.messages[key]) for key in VOICE_KEYS]
    for topic in content.topics:
        entries += [(topic.id, topic.spoken_name), *([(topic.id, topic.spoken)] if topic.spoken else [])]
    return entries


def translated(catalog: Catalog, locale: str, entries: list[tuple[str, str]], leave_out: Iterable[str] = ()) -> Catalog:
    """A copy of a PO catalog with these entries translated (marked) and not fuzzy, but those whose
    msgctxt or msgid is left out, which it has no translation of."""
    catalog = copy.deepcopy(catalog)
    skipped = set(leave_out)
    for context, msgid in entries:
        if context in skipped or msgid in skipped:
            catalog.delete(msgid, context=context)
            continue
        entry = catalog.get(msgid, context=context) or catalog.add(msgid, context=context)
        entry.string = marked(locale, msgid)  # add() would keep an existing entry's text and flags
        entry.flags.discard("fuzzy")
    return catalog


def voice_catalogs(
    catalogs: Catalogs, locales: Iterable[str], *, leave_out=(), content: Content | None = None
) -> Catalogs:
    """English and these locales' shipped catalogs only, every voice entry translated (marked) in them
    (leave_out: keys or msgids not), so a test knows which languages a call can be in."""
    content = content or catalogs.content
    entries = voice_entries(content)
    sources = {locale: translated(catalogs.sources[locale], locale, entries, leave_out) for locale in locales}
    return build_catalogs(content=content, sources=sources)


def with_recordings(content: Content, locale: str, keys: Iterable[str]) -> Content:
    """The content with recordings of these keys in a locale."""
    recordings = {**content.recordings, locale: {key: f"{key}.mp3" for key in keys}}
    return dataclasses.replace(content, recordings=recordings)


def write_voice_locales(catalogs: Catalogs, locales_dir: Path, locales: Iterable[str]) -> None:
    """These locales' shipped PO files into locales_dir, their voice entries translated (marked)."""
    entries = voice_entries(catalogs.content)
    for locale in locales:
        path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po_file:
            write_po(po_file, translated(catalogs.sources[locale], locale, entries))
