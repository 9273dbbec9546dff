"""Outreach programs: which numbers belong to whom, and how their replies are made."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from service.config_errors import ConfigError, table_problems, toml_problem, toml_type
from service.segments import UNSENDABLE

DEFAULT_PROGRAMS_FILE = Path(__file__).resolve().parent.parent / "content" / "programs.toml"
DEFAULT_PROGRAM_ID = "default"
DEFAULT_LINE_NAME = "Infoline"
# The referral, with the contact, must still fit the reply's segment budget.
MAX_CONTACT_CHARS = 40
# The name opens most replies (menu, HELP, confirmations): short, or they cost another segment.
MAX_LINE_NAME_CHARS = 20
CHOICES = {
    "encoding": ("unicode", "gsm7"),
    "confirm_opt_out": ("service", "twilio"),
    "translations": ("approved", "drafts"),
}
# The To of an inbound text: an E.164 number, or a short code.
SHORT_CODE = r"[0-9]{3,8}"
LINE_NUMBER = re.compile(rf"\+[1-9][0-9]{{6,14}}|{SHORT_CODE}")
# A USSD code as Africa's Talking sends it in serviceCode: *384*1234#, at most 20 characters.
USSD_CODE = re.compile(r"(?=.{3,20}$)\*[0-9]{1,6}(?:\*[0-9]{1,6}){0,4}#")
# Each key of a [[program]] and what TOML must give for it (an array of strings, a table of strings).
PROGRAM_KEYS: dict[str, type] = {
    "id": str,
    "name": str,
    "numbers": list,
    "ussd_codes": list,
    "contact": str,
    "contacts": dict,
    "line_name": str,
    "help_contact": str,
    "default_locale": str,
    "encoding": str,
    "confirm_opt_out": str,
    "translations": str,
    "reply_cap": int,
    "reply_window_seconds": int,
    "hourly_cap": int,
}


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    numbers: tuple[str, ...] = ()
    # The USSD codes patients dial to reach it (*384*1234#), looked up like numbers.
    ussd_codes: tuple[str, ...] = ()
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
    # "approved": answer in a language only with what a clinical reviewer approved there (service.review),
    # the rest falls back whole, as a fuzzy entry does; "drafts": unreviewed translations too.
    translations: Literal["approved", "drafts"] = "approved"
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
        """The program that runs a number or USSD code (the default one for those no program lists)."""
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


def _problems(program: Program, *, help_key: str = "help_contact") -> list[str]:
    contacts = [
        ("contact", program.contact),
        (help_key, program.help_contact),
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
    for key, allowed in CHOICES.items():
        if getattr(program, key) not in allowed:
            problems.append(f"{key} must be " + " or ".join(repr(choice) for choice in allowed))
    problems += [
        f"numbers[{index}] is not an E.164 number (+15005550006) or a short code (3 to 8 digits)"
        for index, number in enumerate(program.numbers)
        if not LINE_NUMBER.fullmatch(number)
    ]
    problems += [
        f"ussd_codes[{index}] is not a USSD code (*384*1234#: '*', digits, '*'-separated, '#'; at most 20 characters)"
        for index, code in enumerate(program.ussd_codes)
        if not USSD_CODE.fullmatch(code)
    ]
    return problems


def _program(entry: Mapping[str, Any], *, where: str, default_help_contact: str) -> Program:
    problems = table_problems(entry, keys=PROGRAM_KEYS, required=("id", "name"))
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    fields = {
        **entry,
        "numbers": tuple(entry.get("numbers", ())),
        "ussd_codes": tuple(entry.get("ussd_codes", ())),
        "contacts": tuple(sorted(dict(entry.get("contacts", {})).items())),
    }
    help_key = "help_contact"
    if entry.get("id") == DEFAULT_PROGRAM_ID and not entry.get("help_contact"):
        fields["help_contact"], help_key = default_help_contact, "help_contact (from HELP_CONTACT)"
    program = Program(**fields)
    problems = _problems(program, help_key=help_key)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return program


def _entries(path: Path) -> list[tuple[str, Mapping[str, Any]]]:
    """(where, entry) for every [[program]] of the file; ConfigError naming the file (and line) if it
    cannot be read or is not a list of programs."""
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {toml_problem(error)}") from None
    programs = document.get("program")
    others = sorted(set(document) - {"program"})
    if others:
        raise ConfigError(f"{path}: unknown key {others[0]!r} (the file holds [[program]] tables only)")
    if programs is None:
        raise ConfigError(f"{path}: no [[program]] tables")
    if not isinstance(programs, list) or not all(isinstance(entry, dict) for entry in programs):
        raise ConfigError(f"{path}: program must be [[program]] tables, not {toml_type(programs)}")
    return [(f"{path}: {_entry_name(entry, index)}", entry) for index, entry in enumerate(programs, 1)]


def _entry_name(entry: Mapping[str, Any], index: int) -> str:
    """How a message names a [[program]]: by its id, or by its place when it has none."""
    return f"program {entry['id']!r}" if isinstance(entry.get("id"), str) else f"[[program]] #{index}"


def load_programs(path: Path = DEFAULT_PROGRAMS_FILE, *, default_help_contact: str = "") -> Programs:
    """Read the programs file; the program with id "default" serves unknown numbers. ConfigError, in one
    line naming the file, the program and the key, for a mistake in it.

    default_help_contact: the default program's support contact when the file gives none (HELP_CONTACT).
    """
    entries = [
        _program(entry, where=where, default_help_contact=default_help_contact) for where, entry in _entries(path)
    ]
    fallback = _program(
        {"id": DEFAULT_PROGRAM_ID, "name": DEFAULT_LINE_NAME, "translations": "drafts"},  # as the shipped default
        where=f"{path}: program {DEFAULT_PROGRAM_ID!r} (none in the file)",
        default_help_contact=default_help_contact,
    )
    default = next((p for p in entries if p.id == DEFAULT_PROGRAM_ID), fallback)
    return Programs(default=default, by_number=_by_number(entries, path=path))


def _by_number(entries: list[Program], *, path: Path) -> dict[str, Program]:
    """Each number's and USSD code's program; ConfigError for an id, a number or a code given twice (the last
    would silently win)."""
    by_number: dict[str, Program] = {}
    ids: set[str] = set()
    for program in entries:
        if program.id in ids:
            raise ConfigError(f"{path}: program {program.id!r} is given twice")
        ids.add(program.id)
        listed = [("numbers", program.numbers), ("ussd_codes", program.ussd_codes)]
        for key, index, number in ((key, index, item) for key, items in listed for index, item in enumerate(items)):
            if by_number.setdefault(number, program) is not program:
                other = by_number[number].id
                raise ConfigError(f"{path}: program {program.id!r}: {key}[{index}] is listed by {other!r} too")
    return by_number
