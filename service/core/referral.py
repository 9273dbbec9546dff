"""The care-team referral: which one a reply gets, and where it goes (last, on every reply).

Every reply the line sends ends with it, in the reply's language: an SMS through with_referral()
(render.py); a USSD session's END screen (ussd.py) and every call (spoken.py) through referral().
"""

from __future__ import annotations

from service.catalogs import Catalogs
from service.core.placeholders import filled
from service.programs import Program

# The catalog messages of the referral: without a care-team contact, and naming one.
REFERRAL = "referral"
REFERRAL_CONTACT = "referral_contact"
REFERRAL_KEYS = (REFERRAL, REFERRAL_CONTACT)


def referral_key(*, program: Program, locale: str) -> str:
    """Which referral a reply in a locale gets: the one naming the program's care team when the program
    has a contact (for that locale, or its default one)."""
    return REFERRAL_CONTACT if program.contact_in(locale) else REFERRAL


def referral(catalogs: Catalogs, locale: str, program: Program) -> str | None:
    """The care-team referral in a locale, naming the program's contact when it has one."""
    return filled(catalogs, locale, referral_key(program=program, locale=locale), program)


def with_referral(
    parts: list[str | None], *, catalogs: Catalogs, locale: str, program: Program
) -> list[str | None] | None:
    """A reply's parts with the referral last; None when the locale has no referral to end it with,
    so the reply is served in the next locale of the chain instead."""
    ending = referral(catalogs, locale, program)
    return [*parts, ending] if ending else None
