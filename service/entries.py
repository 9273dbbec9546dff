"""The catalog's entries by a short id that outlives a change of their English: "help", "her2.summary".

A PO entry is keyed by its English (msgid), which changes when the English does; a review must be
kept against something that does not, so it can say "the English changed since this was approved".
"""

from __future__ import annotations

from dataclasses import dataclass

from service.content import Content, Topic

# A topic's texts that are catalog entries, by the name an entry id gives them (service.content.Topic.texts).
TOPIC_FIELDS = ("keywords", "summary", "spoken_name", "spoken")


@dataclass(frozen=True, slots=True)
class Entry:
    id: str  # "help", "her2.summary"
    context: str  # its msgctxt
    source: str  # its msgid: the English

    @property
    def is_message(self) -> bool:
        """Whether it is one of the line's messages (content/messages.toml), not a topic's text."""
        return self.id == self.context


def _topic_entries(topic: Topic) -> list[Entry]:
    texts = [(name, getattr(topic, name)) for name in TOPIC_FIELDS]
    return [Entry(f"{topic.id}.{name}", topic.id, text) for name, text in texts if text]


def entries_of(content: Content) -> dict[str, Entry]:
    """Every entry of the template (messages.pot) by its id, in the template's order: topics, then messages."""
    found = [entry for topic in content.topics for entry in _topic_entries(topic)]
    found += [Entry(key, key, text) for key, text in content.messages.items()]
    return {entry.id: entry for entry in found}
