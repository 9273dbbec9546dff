"""Catalog versions uploaded by admins: the newest per locale is served; older ones allow rollback."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select

from service.store.base import run
from service.store.schema import catalog_versions


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    id: int
    locale: str
    label: str
    note: str
    translated: int
    fuzzy: int
    missing: int
    created_at: datetime.datetime
    restores: int | None = None  # a rollback: the version it restored (0: the PO file)
    po: str | None = None


SUMMARY = [catalog_versions.c[name] for name in CatalogVersion.__slots__ if name != "po"]


class VersionStore:
    """The catalog_versions table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, *, locale: str, po: str, label: str, note: str, counts: tuple[int, int, int],
            restores: int | None = None) -> int:
        """Store a new version of a locale's catalog; it is served from now on."""
        translated, fuzzy, missing = counts
        values = dict(locale=locale, po=po, label=label, note=note, translated=translated, fuzzy=fuzzy,
                      missing=missing, restores=restores, created_at=datetime.datetime.now(datetime.timezone.utc))
        return run(self.engine, lambda c: c.execute(insert(catalog_versions).values(**values)).inserted_primary_key[0],
                   write=True)

    def newest_id(self) -> tuple[int, int]:
        """(count, newest id) of all versions: what replicas poll. The count also changes when
        two uploads commit out of id order, which the newest id alone would miss."""
        query = select(func.count(), func.coalesce(func.max(catalog_versions.c.id), 0))
        return run(self.engine, lambda c: tuple(c.execute(query).one()))

    def served(self) -> dict[str, CatalogVersion]:
        """The newest version of each locale, with its PO text."""
        newest = select(func.max(catalog_versions.c.id)).group_by(catalog_versions.c.locale)
        query = select(catalog_versions).where(catalog_versions.c.id.in_(newest))
        return run(self.engine, lambda c: {row.locale: CatalogVersion(**row._mapping) for row in c.execute(query)})

    def history(self, *, locale: str | None = None, limit: int = 50) -> list[CatalogVersion]:
        """Versions newest first, without their PO text."""
        query = select(*SUMMARY).order_by(catalog_versions.c.id.desc()).limit(limit)
        if locale:
            query = query.where(catalog_versions.c.locale == locale)
        return run(self.engine, lambda c: [CatalogVersion(**row._mapping) for row in c.execute(query)])

    def get(self, *, version_id: int) -> CatalogVersion | None:
        """One version with its PO text."""
        query = select(catalog_versions).where(catalog_versions.c.id == version_id)
        row = run(self.engine, lambda c: c.execute(query).first())
        return CatalogVersion(**row._mapping) if row else None
