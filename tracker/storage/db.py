"""Engine and sessions for SQLite (default) and PostgreSQL, with the schema kept current.

`open_database(url)` is the one way in: it creates the SQLite folder, sets the pragmas that
make SQLite safe for a dashboard reading while a refresh writes (WAL, busy timeout, foreign
keys), and runs Alembic migrations up to head the first time an engine is opened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import TrackerError
from tracker.redact import redact_text, redact_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseError(TrackerError):
    """The database cannot be opened or migrated; the message says which URL and why."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_db_engine(url: str) -> Engine:
    """An engine for `url`, without touching the schema."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        # the URL as given may hold a password: it is echoed redacted, and only when it has a
        # scheme (redaction finds a password by its `scheme://`); the parser's message repeats the URL
        shown = f"TRACKER_DB_URL={redact_url(url)!r}" if "://" in url else "TRACKER_DB_URL"
        raise DatabaseError(f"{shown} is not a database URL (dialect://user:password@host:port/database)") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that a
        # transaction starts where SQLAlchemy says it does (whole batches or nothing).
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision` (the latest by default); safe to call on every start."""
    command.upgrade(alembic_config(engine), revision)


def _first_line(exc: Exception) -> str:
    """The driver's reason on one line, with the credentials of any URL in it replaced by `***`."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return redact_text((text.splitlines() or [type(exc).__name__])[0])


def open_database(url: str) -> Engine:
    """An engine for `url` with the schema migrated to the latest revision."""
    engine = create_db_engine(url)
    try:
        if current_revisions(engine) != head_revisions():
            log.info("migrating database %s to %s", engine.url.render_as_string(hide_password=True), head_revisions())
            upgrade(engine)
    except DBAPIError as exc:  # unreachable server, wrong password, a file that is not a database
        raise DatabaseError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {_first_line(exc)}") from None
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot migrate database {engine.url.render_as_string(hide_password=True)}: {_first_line(exc)}") from None
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upsert(
    session: Session,
    model: Any,
    rows: list[dict[str, Any]],
    keys: list[str],
    set_: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE as one executemany, on SQLite and PostgreSQL alike.

    By default every non-key column takes the new value; `set_(excluded)` can say otherwise.
    """
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model)
    values = set_(stmt.excluded) if set_ else {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=values)
    session.execute(stmt, rows)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed as a whole at the end, or rolled back on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
