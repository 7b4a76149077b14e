"""Alembic environment: runs on the engine handed over by `tracker.storage.db.upgrade`,
or on `TRACKER_DB_URL` when run from the `alembic` command line."""

from __future__ import annotations

from alembic import context

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


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
