"""Alembic environment: runs on the engine handed over by `tracker.storage.db.upgrade`,
or on `TRACKER_DB_URL` when run from the `alembic` command line."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from tracker.settings import load_settings
from tracker.storage.db import create_db_engine
from tracker.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_db_engine(load_settings().db_url)
    return engine


def _pragma(connection: Connection, statement: str) -> list[Any]:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return list(cursor.execute(statement).fetchall())
    finally:
        cursor.close()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys on,
            # that drop cascades to every row that references the table (news links, check results).
            # The pragma only takes effect outside a transaction: it goes to the driver's connection
            # directly, since the engine begins a transaction on the first statement it is given.
            _pragma(connection, "PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            broken = _pragma(connection, "PRAGMA foreign_key_check")
            _pragma(connection, "PRAGMA foreign_keys=ON")  # the pooled connection goes back as it came
            if broken:
                raise RuntimeError(f"the migration left {len(broken)} rows pointing at missing rows, first: {broken[0]}")


run_migrations_online()
