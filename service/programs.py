"""Outreach programs: which numbers belong to whom, and how their replies are made."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from service.segments import UNSENDABLE

DEFAULT_PROGRAMS_FILE = Path(__file__).resolve().parent.parent / "content" / "programs.toml"
DEFAULT_PROGRAM_ID = "default"
DEFAULT_LINE_NAME = "Infoline"
# The referral, with the contact, must still fit the reply's segment budget.
MAX_CONTACT_CHARS = 40
# The name opens most replies (menu, HELP, confirmations): short, or they cost another segment.
MAX_LINE_NAME_CHARS = 20


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    numbers: tuple[str, ...] = ()
    # The care team the referral names: a name and a number, no verb, so it reads in any language.
    contact: str = ""
    # contact in other languages, as (locale, contact) pairs: "Clínica Esperanza, 0800 123 456".
    contacts: tuple[tuple[str, str], ...] = ()
    # The name patients see in replies (HELP, menu, confirmations).
    line_name: str = DEFAULT_LINE_NAME
    # Who answers questions about the line itself; HELP names it (carriers require a contact).
    help_contact: str = ""
    default_locale: str = "en"
    encoding: Literal["unicode", "gsm7"] = "unicode"
    confirm_opt_out: Literal["service", "twilio"] = "service"
    # Twilio drops more than 15 messages in 30 s between two numbers.
    reply_cap: int = 10
    reply_window_seconds: int = 30
    hourly_cap: int = 30

    def contact_in(self, locale: str) -> str:
        """The care-team contact as written for a locale (the default form when none is)."""
        return next((contact for code, contact in self.contacts if code == locale), self.contact)


@dataclass(frozen=True, slots=True)
class Programs:
    default: Program
    by_number: Mapping[str, Program]

    def for_number(self, number: str) -> Program:
        """The program that runs a number (the default one for numbers no program lists)."""
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


def _problems(program: Program) -> list[str]:
    contacts = [
        ("contact", program.contact),
        ("help_contact", program.help_contact),
        *((f"contacts.{code}", text) for code, text in program.contacts),
    ]
    problems = [
        f"{field} is longer than {MAX_CONTACT_CHARS} characters"
        for field, text in contacts
        if len(text) > MAX_CONTACT_CHARS
    ]
    if not program.line_name or len(program.line_name) > MAX_LINE_NAME_CHARS:
        problems.append(f"line_name must be 1 to {MAX_LINE_NAME_CHARS} characters")
    if "%" in program.line_name or any("%" in text for _, text in contacts):
        problems.append("names and contacts may not contain '%'")
    if any(UNSENDABLE.search(text) for text in (program.line_name, *(text for _, text in contacts))):
        problems.append("names and contacts may not contain control characters (they go into every reply)")
    if program.encoding not in ("unicode", "gsm7"):
        problems.append("encoding must be 'unicode' or 'gsm7'")
    return problems


def _program(entry: Mapping, *, default_help_contact: str) -> Program:
    fields = {
        **entry,
        "numbers": tuple(entry.get("numbers", ())),
        "contacts": tuple(sorted(dict(entry.get("contacts", {})).items())),
    }
    if entry.get("id") == DEFAULT_PROGRAM_ID and not entry.get("help_contact"):
        fields["help_contact"] = default_help_contact
    program = Program(**fields)
    problems = _problems(program)
    if problems:
        raise ValueError(f"program {program.id}: " + "; ".join(problems))
    return program


def load_programs(path: Path = DEFAULT_PROGRAMS_FILE, *, default_help_contact: str = "") -> Programs:
    """Read the programs file; the program with id "default" serves unknown numbers.

    default_help_contact: the default program's support contact when the file gives none (HELP_CONTACT).
    """
    entries = [
        _program(entry, default_help_contact=default_help_contact)
        for entry in tomllib.loads(path.read_text("utf-8"))["program"]
    ]
    fallback = _program(
        {"id": DEFAULT_PROGRAM_ID, "name": DEFAULT_LINE_NAME}, default_help_contact=default_help_contact
    )
    default = next((p for p in entries if p.id == DEFAULT_PROGRAM_ID), fallback)
    by_number = {number: program for program in entries for number in program.numbers}
    return Programs(default=default, by_number=by_number)
