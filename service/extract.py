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
SUMMARY_NOTE = "Plain language, nothing added. Aim for 200 characters; the care-team referral is added after it."


def _line_of(lines: list[str], needle: str, start: int = 0) -> int:
    """1-based number of the first line from `start` that contains needle (the file's first line if none)."""
    return next((number + 1 for number, line in enumerate(lines) if number >= start and needle in line), 1)


def _comments_above(lines: list[str], lineno: int) -> list[str]:
    comments: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#"):
        comments.insert(0, lines[index].lstrip().lstrip("#").strip())
        index -= 1
    return comments


def _topics(doc: dict, lines: list[str]) -> Iterator[Extracted]:
    for topic in doc["topic"]:
        start = _line_of(lines, f'id = "{topic["id"]}"') - 1
        yield (_line_of(lines, "keywords =", start), "pgettext", (topic["id"], topic["keywords"]), [KEYWORDS_NOTE])
        source = "Source: " + " … ".join(topic["source"])
        yield (_line_of(lines, "summary =", start), "pgettext", (topic["id"], topic["summary"]), [SUMMARY_NOTE, source])


def _messages(doc: dict, lines: list[str]) -> Iterator[Extracted]:
    for key, text in doc["messages"].items():
        lineno = _line_of(lines, f"{key} =")
        yield (lineno, "pgettext", (key, text), _comments_above(lines, lineno))


def extract_content(
    fileobj: BinaryIO, keywords: Mapping[str, object], comment_tags: Collection[str], options: Mapping[str, object]
) -> Iterator[Extracted]:
    """Babel extraction method for content/topics.toml and content/messages.toml."""
    text = fileobj.read().decode("utf-8")
    doc, lines = tomllib.loads(text), text.splitlines()
    if "topic" in doc:
        yield from _topics(doc, lines)
    if "messages" in doc:
        yield from _messages(doc, lines)
