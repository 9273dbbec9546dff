"""Translation updates without a restart: validate an uploaded PO, publish it, roll it back, reload.

Versions live in the database, so every replica serves the same catalogs:
each polls the newest version id and reloads when it changes.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog

from service import po_upload, review, review_po
from service.catalog_check import check
from service.catalog_tools import locale_stats
from service.catalogs import Catalogs, load_catalogs, parse_po, po_bytes, po_paths
from service.core.respond import keyword_index
from service.line import Line
from service.programs import Program
from service.store import StoreUnavailable

log = logging.getLogger("service.translations")
MAX_PO_BYTES = 1024 * 1024
_RELOADING = threading.Lock()


def served_overrides(*, line: Line) -> dict[str, Catalog]:
    """The newest uploaded version of each locale, parsed; one that no longer parses is passed over (its
    locale is served from the PO file) rather than keeping every replica from starting."""
    overrides = {}
    for locale, version in line.versions.served().items():
        try:
            if version.po is None:  # served() reads every version's text; one without it cannot be served either
                raise ValueError("the version has no PO text")
            overrides[locale] = parse_po(version.po.encode("utf-8"))
        except Exception as error:  # Babel raises several kinds; any means this version cannot be served
            log.error(
                "a stored catalog version does not parse; serving the PO file instead",
                extra={"locale": locale, "catalog_version": version.id, "error": type(error).__name__},
            )
    return overrides


def refresh_catalogs(*, line: Line) -> bool:
    """Reload the catalogs if another version was published, or a review changed, anywhere; whether it reloaded."""
    # One at a time: the background loop and a request reloading at once could swap in the older of the two.
    with _RELOADING:
        newest = (*line.versions.newest_id(), *line.reviews.newest_id())
        served = line.catalog_version
        if newest == served:
            return False
        catalogs = line.catalogs
        if newest[:2] != served[:2]:
            overrides = served_overrides(line=line)
            catalogs = load_catalogs(
                content=catalogs.content, locales_dir=line.settings.locales_dir, overrides=overrides
            )
        catalogs = catalogs.with_approvals(review.approvals_of(content=catalogs.content, events=line.reviews.current()))
        keyword_index(catalogs)  # built before the swap, not by the next message inside its transaction
        line.content.swap(dataclasses.replace(line.content.snapshot, catalogs=catalogs, catalog_version=newest))
    # A published version is worth a warning in the log; an approval is routine.
    level = logging.WARNING if newest[:2] != served[:2] else logging.INFO
    log.log(level, "catalogs reloaded", extra={"catalog_version": newest[1], "review_version": newest[3]})
    return True


def servable(*, line: Line, locale: str, data: bytes) -> Catalog | list[str]:
    """The uploaded catalog if it may be served, else every reason it must not be."""
    parsed = _parsed(line=line, locale=locale, data=data)
    if isinstance(parsed, list):
        return parsed
    return _check(line=line, locale=locale, catalog=parsed) or parsed


def _parsed(*, line: Line, locale: str, data: bytes) -> Catalog | list[str]:
    """The uploaded catalog, or why it is refused before the catalogs are even checked with it."""
    if locale not in line.catalogs.sources:
        return [f"{locale!r} is not one of the line's languages"]
    if len(data) > MAX_PO_BYTES:
        return ["the file is larger than 1 MiB"]
    try:
        catalog = po_upload.parse(data)
    except po_upload.UploadRefused as refused:
        return [str(refused)]
    if catalog.locale is not None and str(catalog.locale) not in _names_of(locale):
        return [f"the file's Language header says {catalog.locale}, not {locale}"]
    return po_upload.extra_entries(catalog, line.catalogs.content) or catalog


def _names_of(locale: str) -> set[str]:
    """What a PO file's Language header may say for a locale: itself, or Babel's name for it (tl: fil_PH)."""
    try:
        return {locale, str(Locale.parse(locale))}
    except (ValueError, UnknownLocaleError):
        return {locale}


@functools.lru_cache(maxsize=1)
def _problems_now(catalogs: Catalogs, programs: tuple[Program, ...]) -> frozenset[str]:
    """The problems of the catalogs served now: checked once per set of catalogs, not once per upload."""
    return frozenset(check(content=catalogs.content, catalogs=dict(catalogs.sources), programs=programs).problems)


def _check(*, line: Line, locale: str, catalog: Catalog) -> list[str]:
    """What serving this catalog would newly break, anywhere: a stop word that is another language's
    everyday word is that language's problem, not this one's, and must refuse the upload all the same."""
    try:
        before = _problems_now(line.catalogs, line.programs.all)
        after = check(
            content=line.catalogs.content,
            catalogs={**line.catalogs.sources, locale: catalog},
            programs=line.programs.all,
        )
    except Exception as error:  # an upload the checks cannot even run on is refused, not a 500
        log.error(
            "catalog check failed on an upload", extra={"locale": locale, "error": type(error).__name__}, exc_info=True
        )
        return [f"the file could not be checked ({type(error).__name__}); compare it with the downloaded .po"]
    return [problem for problem in after.problems if problem not in before]


def publish(*, line: Line, locale: str, data: bytes, label: str) -> tuple[int | None, list[str]]:
    """Validate and, if it passes, serve an uploaded PO: (version id, []) or (None, problems)."""
    catalog = servable(line=line, locale=locale, data=data)
    if isinstance(catalog, list):
        return None, catalog
    return _serve(line=line, locale=locale, catalog=catalog, label=label, note="upload"), []


def _serve(*, line: Line, locale: str, catalog: Catalog, label: str, note: str, restores: int | None = None) -> int:
    """Store a checked catalog as the locale's newest version; approvals of the translations it changes end."""
    stats = locale_stats(catalog, locale)
    current = line.reviews.current()
    # Before the version: were it stored first and this failed, a rollback could revive an approval unread.
    line.reviews.add(
        review.replacements(catalogs=line.catalogs, locale=locale, catalog=catalog, current=current, label=label)
    )
    # Stored as UTF-8 whatever the upload's charset (po_upload.parse set it), obsolete entries and review marks
    # left out: only a reviewer's approval approves (service.review_po).
    text = po_bytes(review_po.without_marks(catalog), ignore_obsolete=True).decode("utf-8")
    counts = (stats.translated, stats.fuzzy, stats.missing)
    version = line.versions.add(locale=locale, po=text, label=label, note=note, counts=counts, restores=restores)
    refresh_catalogs(line=line)
    return version


def _origin(version_id: int, by_id: dict) -> int:
    """The upload a version goes back to: itself, or what its rollback restored (0: the PO file)."""
    while version_id and by_id[version_id].restores is not None:
        version_id = by_id[version_id].restores
    return version_id


def rollback(*, line: Line, locale: str, label: str) -> tuple[int | None, list[str]]:
    """Serve what came before the served upload (the PO file at the start): (the new version's id, []), (None, [])
    when there is nothing to roll back, or (None, problems) when what came before may not be served now.

    Rolling back a rollback goes further back, never forth again. What it restores is checked as an upload
    is: since it was served, the English or another language may have changed around it.
    """
    history = line.versions.history(locale=locale, limit=10_000)
    by_id = {version.id: version for version in history}
    origin = _origin(history[0].id, by_id) if history else 0
    if not origin:
        return None, []
    before = [version for version in history if version.id < origin]
    if before:
        target, note = before[0].id, f"rollback to version {before[0].id}"
        stored = line.versions.get(version_id=target)
        if stored is None or stored.po is None:  # gone since its history was read: refused as what may not be served
            return None, [f"{note} is refused: that version is no longer stored"]
        text = stored.po
    else:
        target = 0
        text, note = po_paths(line.settings.locales_dir)[locale].read_text("utf-8"), "rollback to the PO file"
    catalog = servable(line=line, locale=locale, data=text.encode("utf-8"))
    if isinstance(catalog, list):
        return None, [f"{note} is refused: {problem}" for problem in catalog]
    return _serve(line=line, locale=locale, catalog=catalog, label=label, note=note, restores=target), []


def served_po(*, line: Line, locale: str) -> bytes:
    """The PO file as served now, for Poedit or Weblate, its approved entries marked (service.review_po)."""
    reviews = review.entry_reviews(catalogs=line.catalogs, locale=locale, current=line.reviews.current())
    return po_bytes(review_po.with_marks(line.catalogs.sources[locale], reviews))


__all__ = ["StoreUnavailable", "publish", "refresh_catalogs", "rollback", "served_po", "servable"]
