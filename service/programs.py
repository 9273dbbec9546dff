"""Outreach programs: which Twilio numbers belong to whom, and how their replies are made."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping

DEFAULT_PROGRAMS_FILE = Path(__file__).resolve().parent.parent / "content" / "programs.toml"
DEFAULT_PROGRAM_ID = "default"
# The referral, with the contact, must still fit the reply's segment budget.
MAX_CONTACT_CHARS = 40


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    numbers: tuple[str, ...] = ()
    contact: str = ""
    default_locale: str = "en"
    encoding: Literal["unicode", "gsm7"] = "unicode"
    confirm_opt_out: Literal["service", "twilio"] = "service"
    # Twilio drops more than 15 messages in 30 s between two numbers.
    reply_cap: int = 10
    reply_window_seconds: int = 30
    hourly_cap: int = 30


@dataclass(frozen=True, slots=True)
class Programs:
    default: Program
    by_number: Mapping[str, Program]

    def for_number(self, number: str) -> Program:
        """The program that runs a Twilio number (the default one for numbers no program lists)."""
        return self.by_number.get(bare_number(number), self.default)

    @property
    def all(self) -> tuple[Program, ...]:
        """Every program, the default first."""
        others = {program.id: program for program in self.by_number.values()}
        others.pop(self.default.id, None)
        return (self.default, *others.values())


def bare_number(address: str) -> str:
    """A Twilio address without its channel prefix: whatsapp:+1555… -> +1555…."""
    return address.split(":", 1)[1] if ":" in address else address


def _program(entry: Mapping) -> Program:
    program = Program(**{**entry, "numbers": tuple(entry.get("numbers", ()))})
    if len(program.contact) > MAX_CONTACT_CHARS:
        raise ValueError(f"program {program.id}: contact is longer than {MAX_CONTACT_CHARS} characters")
    if program.encoding not in ("unicode", "gsm7"):
        raise ValueError(f"program {program.id}: encoding must be 'unicode' or 'gsm7'")
    return program


def load_programs(path: Path = DEFAULT_PROGRAMS_FILE) -> Programs:
    """Read the programs file; the program with id "default" serves unknown numbers."""
    entries = [_program(entry) for entry in tomllib.loads(path.read_text("utf-8"))["program"]]
    default = next((p for p in entries if p.id == DEFAULT_PROGRAM_ID), Program(DEFAULT_PROGRAM_ID, "Infoline"))
    by_number = {number: program for program in entries for number in program.numbers}
    return Programs(default=default, by_number=by_number)
