"""Storage: SQLAlchemy tables, the engine factory and Alembic migrations."""

from tracker.storage.db import DatabaseError, open_database, session_factory, transaction

__all__ = ["DatabaseError", "open_database", "session_factory", "transaction"]
