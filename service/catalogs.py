"""Translated catalogs: one gettext catalog per locale, read from the PO files at start.

The service reads the PO files themselves, not compiled .mo files, so a stale
.mo can never be served. Fuzzy entries are dropped when the catalog is built:
a fuzzy or missing translation is never served, the reply falls back instead.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from service.content import Content

SOURCE_LOCALE = "en"
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
# [ \t], not \s: \s would run across blank lines, tried again at each one (quadratic in a header comment).
REVIEW_STATUS = re.compile(r"^#?[ \t]*review-status:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
# A translator's word that dropping accents keeps the meaning (á -> a), so a program on the
# gsm7 policy may send this language transliterated at half the price.
TRANSLITERATE = re.compile(r"^#?[ \t]*transliterate:[ \t]*gsm7[ \t]*$", re.IGNORECASE | re.MULTILINE)
# The only placeholder form the line's messages use: a name, no width, precision or flags.
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Never transliterated, whatever a header says: without its diacritics Vietnamese
# changes meaning ("khong nham chua khoi benh" reads as "not yet cured").
NEVER_TRANSLITERATED = frozenset({"vi"})


class _Missing(gettext.NullTranslations):
    """The end of every fallback chain: says "missing" instead of echoing the msgid."""

    def pgettext(self, context, message):
        return None


class _ApprovedOnly(gettext.NullTranslations):
    """A locale's served translations, each only if a reviewer approved exactly it against exactly its English."""

    def __init__(self, served: gettext.NullTranslations, approved: Mapping[tuple[str, str], str]):
        super().__init__()
        self.served, self.approved = served, approved

    def pgettext(self, context, message):
        text = self.served.pgettext(context, message)
        return text if text is not None and self.approved.get((context, message)) == text else None


@dataclass(frozen=True, eq=False)
class Catalogs:
    """The English source plus every locale's served (non-fuzzy) translations."""

    content: Content
    translations: Mapping[str, gettext.NullTranslations] = field(default_factory=dict)
    review_status: Mapping[str, str] = field(default_factory=dict)
    # Locales whose translators opted in to gsm7 transliteration (the source locale always may).
    transliterable: frozenset[str] = frozenset({SOURCE_LOCALE})
    # Reads the PO catalogs again, fuzzy entries and all, for admins and checks:
    # a worker that only answers texts does not keep them (megabytes of Message objects).
    read_sources: Callable[[], Mapping[str, Catalog]] = dict
    # locale -> {(msgctxt, msgid): the translation a reviewer approved against that English} (service.review).
    approvals: Mapping[str, Mapping[tuple[str, str], str]] = field(default_factory=dict)

    @functools.cached_property
    def approved_only(self) -> Catalogs:
        """These catalogs as a program serving approved translations sees them: the rest reads as missing."""
        approved = {
            locale: _ApprovedOnly(served, self.approvals.get(locale, {}))
            for locale, served in self.translations.items()
        }
        return dataclasses.replace(self, translations=approved)

    def with_approvals(self, approvals: Mapping[str, Mapping[tuple[str, str], str]]) -> Catalogs:
        """These catalogs with other approvals; the PO catalogs admins already had parsed are kept, not read again."""
        changed = dataclasses.replace(self, approvals=approvals)
        if "sources" in self.__dict__:  # functools.cached_property keeps its value there
            changed.__dict__["sources"] = self.__dict__["sources"]
        return changed

    def serving(self, translations: str) -> Catalogs:
        """The catalogs a program answers from: all served translations for "drafts", else approved ones only."""
        return self if translations == "drafts" else self.approved_only

    @functools.cached_property
    def sources(self) -> Mapping[str, Catalog]:
        """The parsed PO catalogs of every locale but the source."""
        return {locale: catalog for locale, catalog in self.read_sources().items() if locale != SOURCE_LOCALE}

    @functools.cached_property
    def locales(self) -> tuple[str, ...]:
        """Every locale the line can answer in, the source locale first."""
        return (SOURCE_LOCALE, *sorted(self.translations))

    def lookup(self, locale: str, context: str, msgid: str) -> str | None:
        """The served translation of msgid, or None when it is missing or fuzzy."""
        if locale == SOURCE_LOCALE:
            return msgid
        translations = self.translations.get(locale)
        return translations.pgettext(context, msgid) if translations else None

    def message(self, locale: str, key: str) -> str | None:
        """One of the line's messages (content/messages.toml) in a locale, or None."""
        return self.lookup(locale, key, self.content.messages[key])


def fallback_chain(locale: str) -> tuple[str, ...]:
    """The locales to try for a reply, most specific first: pt_BR -> pt -> en."""
    chain = [locale]
    if "_" in locale:
        chain.append(locale.split("_", 1)[0])
    if SOURCE_LOCALE not in chain:
        chain.append(SOURCE_LOCALE)
    return tuple(chain)


def review_status(catalog: Catalog) -> str:
    """The review status a PO file's header comment declares ("draft" when it says none)."""
    found = REVIEW_STATUS.search(catalog.header_comment or "")
    return found.group(1).lower() if found else "draft"


def placeholders_match(source: str, translation: str) -> bool:
    """Whether a translation has exactly its source's placeholders, as written, and no other % directive:
    %(contact).0s or a dropped %(contact)s would send the referral without the care team."""
    found = sorted(PLACEHOLDER.findall(translation))
    rest = PLACEHOLDER.sub("", translation).replace("%%", "")
    return found == sorted(PLACEHOLDER.findall(source)) and "%" not in rest


def declares_transliteration(catalog: Catalog) -> bool:
    """Whether a PO file's header says its translators opted in to gsm7 transliteration."""
    return TRANSLITERATE.search(catalog.header_comment or "") is not None


def never_transliterated(locale: str) -> bool:
    """Whether a locale's meaning lives in its diacritics (Vietnamese): no header can opt it in."""
    return locale.split("_", 1)[0] in NEVER_TRANSLITERATED


def allows_transliteration(catalog: Catalog, locale: str) -> bool:
    """Whether a PO file's header opts its locale in to gsm7 transliteration (never for Vietnamese)."""
    return declares_transliteration(catalog) and not never_transliterated(locale)


def served_translations(catalog: Catalog) -> Translations:
    """Gettext translations of a catalog without its fuzzy entries."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    translations = Translations(buffer)
    translations.add_fallback(_Missing())
    return translations


def parse_po(data: bytes) -> Catalog:
    """A PO file's catalog; PoFileError or ValueError when it does not parse."""
    return read_po(io.BytesIO(data), abort_invalid=True)


def po_bytes(catalog: Catalog, **options) -> bytes:
    """A catalog as PO file bytes, lines unwrapped as translators' tools keep them."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, **options)
    return buffer.getvalue()


def read_catalog(path: Path) -> Catalog:
    """Parse one PO file (raises on a malformed file)."""
    return parse_po(path.read_bytes())


def po_paths(locales_dir: Path) -> dict[str, Path]:
    """locale -> its messages.po, for every locale directory that has one."""
    return {
        path.parent.parent.name: path
        for path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po"))
        if path.parent.parent.name != SOURCE_LOCALE
    }


def build_catalogs(
    *, content: Content, sources: Mapping[str, Catalog], read_sources: Callable[[], Mapping[str, Catalog]] | None = None
) -> Catalogs:
    """Catalogs to serve from parsed PO catalogs (the source locale needs none)."""
    sources = {locale: catalog for locale, catalog in sources.items() if locale != SOURCE_LOCALE}
    return Catalogs(
        content=content,
        translations={locale: served_translations(cat) for locale, cat in sources.items()},
        review_status={locale: review_status(cat) for locale, cat in sources.items()},
        transliterable=frozenset(
            {SOURCE_LOCALE, *(locale for locale, cat in sources.items() if allows_transliteration(cat, locale))}
        ),
        read_sources=read_sources or (lambda: sources),
    )


def load_catalogs(
    *, content: Content, locales_dir: Path = DEFAULT_LOCALES_DIR, overrides: Mapping[str, Catalog] | None = None
) -> Catalogs:
    """Every locale's PO file under locales_dir, with uploaded versions (overrides) in their place."""

    def read_sources() -> dict[str, Catalog]:
        return {**{locale: read_catalog(path) for locale, path in po_paths(locales_dir).items()}, **(overrides or {})}

    return build_catalogs(content=content, sources=read_sources(), read_sources=read_sources)
