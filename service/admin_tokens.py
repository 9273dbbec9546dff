"""ADMIN_TOKEN and ADMIN_TOKENS read into entries: who may use the admin, with which token, in which role."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

ADMIN_LABEL = re.compile(r"[A-Za-z0-9._-]{1,64}")
MIN_ADMIN_TOKEN_CHARS = 16
# What each may do is service/web/roles.py's table; an entry without a role is an admin, as before roles.
ROLES = ("admin", "translator", "reviewer")
ENTRY_FORMS = "label:token or label:role:token (role: admin, translator or reviewer)"
# A middle part of letters alone, or one holding a role word, is a role mistyped ("Reviewer", "reviwer",
# "reviewer2", a Cyrillic "е"), not the start of a token: read as a token it would make a would-be reviewer an
# admin, so it is refused instead.
MAX_ROLE_LIKE_CHARS = 20


def _role_like(part: str) -> bool:
    """Whether an entry's middle part reads as an attempt at a role word."""
    lowered = part.lower()
    return (part.isalpha() and len(part) <= MAX_ROLE_LIKE_CHARS) or any(role in lowered for role in ROLES)


@dataclass(frozen=True, slots=True)
class AdminEntry:
    where: str  # how an error names it: by position, never by label (written the wrong way round it is the token)
    label: str
    role: str
    token: str


# label -> its entry: who may use the admin, read once per request from the settings.
Accounts = Mapping[str, AdminEntry]


def read_entries(*, admin_token: str, admin_tokens: str) -> Iterator[AdminEntry]:
    """ADMIN_TOKEN (label and role "admin") and every ADMIN_TOKENS entry; ValueError for an entry of neither form
    (a typo must not silently turn the admin off or keep the wrong token)."""
    if admin_token:
        yield AdminEntry("ADMIN_TOKEN", "admin", "admin", admin_token.strip())
    listed = filter(None, (part.strip() for part in admin_tokens.split(",")))
    for number, entry in enumerate(listed, start=1):
        yield read_entry(entry, where=f"ADMIN_TOKENS entry {number}")


def read_entry(entry: str, *, where: str) -> AdminEntry:
    """One ADMIN_TOKENS entry: label:role:token when the middle part is exactly a role word, else label:token."""
    label, colon, rest = (part.strip() for part in entry.partition(":"))
    role, between, token = (part.strip() for part in rest.partition(":"))
    if between and role not in ROLES and _role_like(role):
        raise ValueError(f"{where}: its middle part is not a role; write admin, translator or reviewer, in lower case")
    if not (between and role in ROLES):
        role, token = "admin", rest  # a token may hold colons, as it always could
    if not (label and colon and token):
        raise ValueError(f"{where}: each entry must be {ENTRY_FORMS}")
    return AdminEntry(where, label, role, token)


def check_entries(entries: Iterable[AdminEntry]) -> None:
    """ValueError naming the first entry that cannot be used safely."""
    # A label is stored with every change and session (64 characters at most); a short token can be
    # guessed past the login throttle by spreading the guesses over addresses.
    labels: set[str] = set()
    tokens: set[str] = set()
    for entry in entries:
        if not ADMIN_LABEL.fullmatch(entry.label):
            raise ValueError(f"{entry.where}: the label must be 1-64 letters, digits, '.', '_' or '-'")
        if entry.label in labels:
            raise ValueError(f"{entry.where}: its label is given twice (ADMIN_TOKEN's is 'admin')")
        if entry.token in tokens:  # the bearer would be whichever label is compared last
            raise ValueError(f"{entry.where}: its token is another entry's too; give each label its own")
        tokens.add(entry.token)
        if len(entry.token) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"{entry.where}: the token is shorter than {MIN_ADMIN_TOKEN_CHARS} characters (e.g. openssl rand -hex 32)"
            )
        labels.add(entry.label)
