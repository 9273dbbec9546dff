"""A catalog message with the program's names in its placeholders (%(program)s, %(contact)s, …)."""

from __future__ import annotations

from collections.abc import Mapping

from service.catalogs import Catalogs, placeholders_match
from service.programs import Program

# A part that names something the program has not got is left out (HELP without a support contact).
OPTIONAL_PLACEHOLDERS = ("help_contact",)


def filled(
    catalogs: Catalogs, locale: str, key: str, program: Program, extra: Mapping[str, str] | None = None
) -> str | None:
    """A message in a locale with the program's names in its placeholders, and extra's (a call's
    %(topic)s, %(digit)s): None when missing or when a translation broke a placeholder (catalog check
    refuses that too); "" when it names what the program has not got."""
    text, source = catalogs.message(locale, key), catalogs.content.messages[key]
    if text is None or "%(" not in source:
        return text
    if not placeholders_match(source, text):
        return None
    values = {
        "program": program.line_name,
        "contact": program.contact_in(locale),
        "help_contact": program.help_contact,
        **(extra or {}),
    }
    if any(f"%({name})s" in source and not values[name] for name in OPTIONAL_PLACEHOLDERS):
        return ""
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        return None
