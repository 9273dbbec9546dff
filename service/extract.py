"""A Babel extractor for content/: every topic and message becomes a catalog entry.

msgctxt is the topic id or message key; msgid is the English text. Translator
comments carry what a translator needs: the source sentence, the budget, and
the comments written above a message in content/messages.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import BinaryIO

Extracted = tuple[int, str, tuple[str, str], list[str]]

KEYWORDS_NOTE = "Comma-separated words that pick this topic (with and without accents). The first is shown in the menu."
SUMMARY_NOTE = (
    "Plain language, nothing added. Aim for 200 characters; the care-team referral is added after it."
    " The voice line leaves out what is in brackets: say no fact only in brackets."
)
SPOKEN_NAME_NOTE = (
    'The topic\'s name as the voice line says it ("For chemotherapy, press 3"): write it as it should be heard.'
)
SPOKEN_NOTE = (
    "The summary as the voice line says it, where the written one reads badly aloud. The same facts, nothing added."
)


def _row_of(rows: list[str], needle: str, start: int = 0) -> int:
    """1-based number of the first row (text line) from `start` that contains needle (the file's first if none)."""
    return next((number + 1 for number, row in enumerate(rows) if number >= start and needle in row), 1)


def _comments_above(rows: list[str], lineno: int) -> list[str]:
    comments: list[str] = []
    index = lineno - 2
    while index >= 0 and rows[index].lstrip().startswith("#"):
        comments.insert(0, rows[index].lstrip().lstrip("#").strip())
        index -= 1
    return comments


def _topic_entries(doc: dict, rows: list[str]) -> Iterator[Extracted]:
    for topic in doc["topic"]:
        start = _row_of(rows, f'id = "{topic["id"]}"') - 1
        yield (_row_of(rows, "keywords =", start), "pgettext", (topic["id"], topic["keywords"]), [KEYWORDS_NOTE])
        source = "Source: " + " … ".join(topic["source"])
        yield (_row_of(rows, "summary =", start), "pgettext", (topic["id"], topic["summary"]), [SUMMARY_NOTE, source])
        yield (
            _row_of(rows, "spoken_name =", start),
            "pgettext",
            (topic["id"], topic["spoken_name"]),
            [SPOKEN_NAME_NOTE],
        )
        if "spoken" in topic:
            yield (_row_of(rows, "spoken =", start), "pgettext", (topic["id"], topic["spoken"]), [SPOKEN_NOTE, source])


def _message_entries(doc: dict, rows: list[str]) -> Iterator[Extracted]:
    for key, text in doc["messages"].items():
        lineno = _row_of(rows, f"{key} =")
        yield (lineno, "pgettext", (key, text), _comments_above(rows, lineno))


def extract_content(
    fileobj: BinaryIO, keywords: Mapping[str, object], comment_tags: Collection[str], options: Mapping[str, object]
) -> Iterator[Extracted]:
    """Babel extraction method for content/topics.toml and content/messages.toml."""
    text = fileobj.read().decode("utf-8")
    doc, rows = tomllib.loads(text), text.splitlines()
    if "topic" in doc:
        yield from _topic_entries(doc, rows)
    if "messages" in doc:
        yield from _message_entries(doc, rows)
