"""What every SQLAlchemy query of the store shares: one short transaction, database trouble as
StoreUnavailable (service.store.errors decides what is trouble and what is a bug)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from service.store.errors import database_errors

T = TypeVar("T")


def run(engine: Any, work: Callable[[Any], T], *, write: bool = False) -> T:
    """work(connection) in one transaction."""
    with database_errors(), engine.begin() if write else engine.connect() as connection:
        return work(connection)
