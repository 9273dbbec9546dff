"""The English source content (topics and the line's other messages) read from content/."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from service.voices import Voice, load_recordings, load_voices

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
ORDINARY_FILE = "ordinary_texts.toml"


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    number: int
    keywords: str
    summary: str
    source: tuple[str, ...]  # the source's sentences it says, verbatim
    reviewed: str
    # Its name as the voice line says it ("chemotherapy").
    spoken_name: str = ""
    # The summary as the voice line says it, where the written one reads badly aloud (None: the summary).
    spoken: str | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        """Its English texts that are catalog entries (msgctxt = its id), as service.extract makes them."""
        return (self.keywords, self.summary, self.spoken_name, *((self.spoken,) if self.spoken else ()))


@dataclass(frozen=True, slots=True)
class Content:
    topics: tuple[Topic, ...]
    messages: Mapping[str, str]
    # locale -> texts patients send that must never opt them out or in (content/ordinary_texts.toml)
    ordinary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # locale -> the <Say> voice that speaks it on the voice line (content/voices.toml)
    voices: Mapping[str, Voice] = field(default_factory=dict)
    # locale -> {key said: its recording's file name} under content/audio/<locale>/ (content/audio/README.md)
    recordings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def languages_number(self) -> int:
        """The menu number that opens the list of languages (USSD, voice): the one after every topic's."""
        return max((topic.number for topic in self.topics), default=0) + 1

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id."""
        return next(topic for topic in self.topics if topic.id == topic_id)


def load_content(content_dir: Path = DEFAULT_CONTENT_DIR) -> Content:
    """Read topics.toml, messages.toml and what speaks each language on calls from a content directory."""
    topics_doc = tomllib.loads((content_dir / "topics.toml").read_text("utf-8"))
    messages_doc = tomllib.loads((content_dir / "messages.toml").read_text("utf-8"))
    topics = tuple(
        Topic(
            id=entry["id"],
            number=int(entry["number"]),
            keywords=entry["keywords"],
            summary=entry["summary"],
            source=tuple(entry["source"]),
            reviewed=str(entry["reviewed"]),
            spoken_name=entry["spoken_name"],
            spoken=entry.get("spoken"),
        )
        for entry in topics_doc["topic"]
    )
    ordinary_file = content_dir / ORDINARY_FILE
    ordinary = tomllib.loads(ordinary_file.read_text("utf-8"))["texts"] if ordinary_file.exists() else {}
    return Content(
        topics=topics,
        messages=MappingProxyType(dict(messages_doc["messages"])),
        ordinary=MappingProxyType({locale: tuple(texts) for locale, texts in ordinary.items()}),
        voices=load_voices(content_dir),
        recordings=load_recordings(content_dir),
    )


def split_keywords(words: str) -> list[str]:
    """The comma-separated words of a keywords entry, stripped, empties dropped."""
    return [word.strip() for word in words.split(",") if word.strip()]
