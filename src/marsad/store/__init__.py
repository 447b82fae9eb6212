"""Storage behind a small interface: SQLite by default."""
from marsad.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore"]
