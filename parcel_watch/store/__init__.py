"""The normalized event store (SQLAlchemy 2, async): SQLite by default, PostgreSQL at scale."""

from parcel_watch.store.ingest import IngestItem, IngestResult, StatusChange
from parcel_watch.store.payloads import RawPayload
from parcel_watch.store.store import AddResult, Store, StoredPayload

__all__ = ["AddResult", "IngestItem", "IngestResult", "RawPayload", "StatusChange", "Store", "StoredPayload"]
