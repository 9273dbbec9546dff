"""What speaks each language on the voice line: a text-to-speech voice (content/voices.toml), or
recordings (content/audio/<locale>/<key>.mp3) for a language no voice speaks."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from service.config_errors import ConfigError, table_problems, toml_problem

VOICES_FILE = "voices.toml"
AUDIO_DIR = "audio"
# Where the line serves recordings from (GET AUDIO_ROUTE/<locale>/<file>), for Twilio's <Play>.
AUDIO_ROUTE = "/voice/audio"
# What Twilio's <Play> takes that a recording is likely made in.
AUDIO_TYPES: Mapping[str, str] = {".mp3": "audio/mpeg", ".wav": "audio/wav"}
# A locale directory (pt_BR) and a recording's key (voice_menu, her2.spoken, voice_menu.hope-clinic): only
# names like these are read, listed and served, so no name a request carries ever reaches the file system.
LOCALE_NAME = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
KEY_NAME = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_-]+)*")
VOICE_KEYS = {"language": str, "voice": str}


@dataclass(frozen=True, slots=True)
class Voice:
    """A <Say>'s language and voice attributes ("es-US", "Polly.Lupe")."""

    language: str
    voice: str


def load_voices(content_dir: Path) -> Mapping[str, Voice]:
    """locale -> its voice, from voices.toml (none when the file is absent); ConfigError naming the
    file and locale for a table that is not one."""
    path = content_dir / VOICES_FILE
    if not path.exists():
        return MappingProxyType({})
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {toml_problem(error)}") from None
    voices = {}
    for locale, table in document.items():
        problems = (
            table_problems(table, keys=VOICE_KEYS, required=VOICE_KEYS)
            if isinstance(table, dict)
            else ["must be a table with language and voice"]
        )
        if not LOCALE_NAME.fullmatch(locale):
            problems.append("is not a locale code (es, pt_BR)")
        if problems:
            raise ConfigError(f"{path}: [{locale}] " + "; ".join(problems))
        voices[locale] = Voice(language=table["language"], voice=table["voice"])
    return MappingProxyType(voices)


def load_recordings(content_dir: Path) -> Mapping[str, Mapping[str, str]]:
    """locale -> {key: file name} of the recordings under audio/<locale>/ (a file per key said); files
    with other names are left out."""
    audio = content_dir / AUDIO_DIR
    found: dict[str, Mapping[str, str]] = {}
    for folder in sorted(audio.iterdir()) if audio.is_dir() else ():
        if not (folder.is_dir() and not folder.is_symlink() and LOCALE_NAME.fullmatch(folder.name)):
            continue
        files = {
            file.stem: file.name
            for file in sorted(folder.iterdir())
            # A link could serve any file of the machine: only files that are really there.
            if file.suffix in AUDIO_TYPES and KEY_NAME.fullmatch(file.stem) and file.is_file() and not file.is_symlink()
        }
        if files:
            found[folder.name] = MappingProxyType(files)
    return MappingProxyType(found)
