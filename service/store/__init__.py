"""The store: subscriber state and message records, behind a narrow keyword-only interface."""

from service.store.records import Change, Record, StoreUnavailable, SubscriberState
from service.store.sql import SqlStore, open_store

__all__ = ["Change", "Record", "SqlStore", "StoreUnavailable", "SubscriberState", "open_store"]
