"""The translation workflow over Babel's API: extract, update, compile, stats.

The same steps as pybabel with babel.cfg, so translators' tools (Poedit,
Weblate) see ordinary gettext files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo

from service.catalogs import SOURCE_LOCALE, po_bytes, po_paths, read_catalog, review_status
from service.extract import extract_content

# The languages the line is translated into; `update` creates any that are missing.
LOCALES = ("es", "fr", "pt", "sw", "ar", "hi", "zh", "vi", "tl")
CONTENT_FILES = ("topics.toml", "messages.toml")
DRAFT_HEADER = (
    "# Infoline translation.\n"
    "# review-status: draft\n"
    "# (draft: drafted by the Infoline team; set to clinically-reviewed once a\n"
    "# clinician who reads this language has approved every entry)"
)


def template(*, content_dir: Path, root: Path) -> Catalog:
    """The catalog template (messages.pot) extracted from the English content."""
    catalog = Catalog(project="Infoline", version="1", msgid_bugs_address="", fuzzy=False)
    for name in CONTENT_FILES:
        path = content_dir / name
        location = path.relative_to(root).as_posix() if path.is_relative_to(root) else name
        # Babel types an extraction method's items as extract()'s own (lineno, message, comments, context),
        # but calls it for (lineno, funcname, messages, comments), as its own extract_python yields.
        found = extract_from_file(extract_content, path)  # type: ignore[arg-type]
        for lineno, msgid, comments, context in found:
            catalog.add(msgid, locations=[(location, lineno)], auto_comments=comments, context=context)
    return catalog


def write_catalog(catalog: Catalog, path: Path, **options: bool) -> None:
    """Write a PO/POT file atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(po_bytes(catalog, **options))
    partial.replace(path)


def extract(*, content_dir: Path, locales_dir: Path) -> Path:
    """Write locales/messages.pot from content/."""
    path = locales_dir / "messages.pot"
    write_catalog(template(content_dir=content_dir, root=content_dir.parent), path)
    return path


def update(*, content_dir: Path, locales_dir: Path, locales: tuple[str, ...] = LOCALES) -> list[Path]:
    """Merge the template into every locale's PO file; changed English makes entries fuzzy."""
    pot = template(content_dir=content_dir, root=content_dir.parent)
    written = []
    for locale in locales:
        path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
        catalog = (
            read_catalog(path)
            if path.exists()
            else Catalog(locale=locale, header_comment=DRAFT_HEADER, project="Infoline", version="1", fuzzy=False)
        )
        catalog.update(pot)
        write_catalog(catalog, path, ignore_obsolete=True)
        written.append(path)
    return written


def compile_all(*, locales_dir: Path) -> list[Path]:
    """Write messages.mo beside every PO file, without fuzzy entries, for tools that want them."""
    written = []
    for path in po_paths(locales_dir).values():
        mo_path = path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, read_catalog(path), use_fuzzy=False)
        written.append(mo_path)
    return written


@dataclass(frozen=True, slots=True)
class LocaleStats:
    locale: str
    translated: int
    fuzzy: int
    missing: int
    review_status: str


def locale_stats(catalog: Catalog, locale: str) -> LocaleStats:
    """Counts of one catalog's entries (the header excluded)."""
    entries = [message for message in catalog if message.id]
    fuzzy = sum(1 for message in entries if message.fuzzy)
    missing = sum(1 for message in entries if not message.fuzzy and not message.string)
    return LocaleStats(locale, len(entries) - fuzzy - missing, fuzzy, missing, review_status(catalog))


def stats(*, locales_dir: Path) -> list[LocaleStats]:
    """Per-locale translated / fuzzy / missing counts and review status."""
    return [
        locale_stats(read_catalog(path), locale)
        for locale, path in po_paths(locales_dir).items()
        if locale != SOURCE_LOCALE
    ]
