"""Catalog versions uploaded by admins: the newest per locale is served; older ones allow rollback."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from service.store.base import run


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


class VersionStore:
    """The catalog_versions table. Polling it is a plain query; the admin's queries use
    SQLAlchemy, loaded at the first one."""

    def __init__(self, store):
        self.store = store

    @property
    def engine(self):
        return self.store.engine

    def add(
        self, *, locale: str, po: str, label: str, note: str, counts: tuple[int, int, int], restores: int | None = None
    ) -> int:
        """Store a new version of a locale's catalog; it is served from now on."""
        from sqlalchemy import insert

        from service.store.schema import catalog_versions

        translated, fuzzy, missing = counts
        values = dict(
            locale=locale,
            po=po,
            label=label,
            note=note,
            translated=translated,
            fuzzy=fuzzy,
            missing=missing,
            restores=restores,
            created_at=datetime.datetime.now(datetime.UTC),
        )
        return run(
            self.engine,
            lambda c: c.execute(insert(catalog_versions).values(**values)).inserted_primary_key[0],
            write=True,
        )

    def newest_id(self) -> tuple[int, int]:
        """(count, newest id) of all versions: what replicas poll. The count also changes when
        two uploads commit out of id order, which the newest id alone would miss."""
        with self.store.direct.transaction(write=False) as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM catalog_versions")
            return tuple(cursor.fetchone())

    def served(self) -> dict[str, CatalogVersion]:
        """The newest version of each locale, with its PO text."""
        from sqlalchemy import func, select

        from service.store.schema import catalog_versions

        newest = select(func.max(catalog_versions.c.id)).group_by(catalog_versions.c.locale)
        query = select(catalog_versions).where(catalog_versions.c.id.in_(newest))
        return run(self.engine, lambda c: {row.locale: CatalogVersion(**row._mapping) for row in c.execute(query)})

    def history(self, *, locale: str | None = None, limit: int = 50) -> list[CatalogVersion]:
        """Versions newest first, without their PO text."""
        from sqlalchemy import select

        from service.store.schema import catalog_versions

        summary = [catalog_versions.c[name] for name in CatalogVersion.__slots__ if name != "po"]
        query = select(*summary).order_by(catalog_versions.c.id.desc()).limit(limit)
        if locale:
            query = query.where(catalog_versions.c.locale == locale)
        return run(self.engine, lambda c: [CatalogVersion(**row._mapping) for row in c.execute(query)])

    def texts(self, *, locale: str, label: str, limit: int) -> list[str]:
        """The PO text of the newest versions of a locale stored under a label, in one query."""
        from sqlalchemy import select

        from service.store.schema import catalog_versions as versions

        query = (
            select(versions.c.po)
            .where(versions.c.locale == locale, versions.c.label == label)
            .order_by(versions.c.id.desc())
            .limit(limit)
        )
        return run(self.engine, lambda c: [row.po for row in c.execute(query)])

    def get(self, *, version_id: int) -> CatalogVersion | None:
        """One version with its PO text."""
        from sqlalchemy import select

        from service.store.schema import catalog_versions

        query = select(catalog_versions).where(catalog_versions.c.id == version_id)
        row = run(self.engine, lambda c: c.execute(query).first())
        return CatalogVersion(**row._mapping) if row else None
