"""What every store query shares: one short transaction, and database trouble as StoreUnavailable."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from service.store.records import StoreUnavailable

T = TypeVar("T")
log = logging.getLogger("service.store")


def run(engine, work: Callable, *, write: bool = False) -> T:
    """work(connection) in one transaction; any database error becomes StoreUnavailable."""
    from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, SQLAlchemyError

    try:
        with engine.begin() if write else engine.connect() as connection:
            return work(connection)
    except SQLAlchemyError as error:
        # The error's text can hold query parameters: keep only its kind.
        permanent = isinstance(error, (DataError, IntegrityError, ProgrammingError))
        raise StoreUnavailable(type(error).__name__, transient=not permanent) from None
    except (OSError, ValueError, RuntimeError) as error:
        # A driver failing outside SQLAlchemy's wrapping (a connection cut
        # mid-handshake): the line answers without the store rather than 500.
        log.error("store failed outside the database driver's errors", extra={"error": type(error).__name__})
        raise StoreUnavailable(type(error).__name__) from None
