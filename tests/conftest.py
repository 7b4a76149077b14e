"""Shared fixtures: databases on SQLite and on a real PostgreSQL server, thesis helpers.

`engine` is parametrised over both backends; a test that takes it runs twice. The PostgreSQL
server is started once per test run on 127.0.0.1 and each test gets a fresh database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.support.postgres import PostgresServer, find_bindir, start_server
from tracker import settings as tracker_settings
from tracker.storage.db import open_database
from tracker.validation import load_thesis_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "theses" / "ai-inference-cost-squeeze.yaml"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Test feed servers listen on 127.0.0.1, which the refresh refuses by default
# (TRACKER_ALLOW_PRIVATE_FEEDS): settings loaded in tests, even at a test module's import, allow it;
# the tests of the refusal turn it off (tests/test_feed_limits.py).
tracker_settings._KEYS["allow_private_feeds"] = "1"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the internet: only loopback connections are allowed."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        is_ip = self.family in (socket.AF_INET, socket.AF_INET6)
        if isinstance(host, str) and is_ip and not (host.startswith("127.") or host in ("::1", "localhost")):
            raise OSError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    if find_bindir() is None:
        if IN_CI:
            pytest.fail("CI=true but no PostgreSQL server binary is installed (apt install postgresql)")
        pytest.skip("no PostgreSQL server binary on this machine (install Debian's postgresql to run these)")
    server = start_server()
    assert server is not None
    yield server
    server.stop()


def _fresh_pg_url(server: PostgresServer) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return _fresh_pg_url(request.getfixturevalue("pg_server"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests about logic rather than backends."""
    eng = open_database(f"sqlite:///{tmp_path / 'tracker.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def example_thesis():
    return load_thesis_file(EXAMPLE)


@pytest.fixture
def fresh_streamlit_caches() -> Iterator[None]:
    """Empty Streamlit's data and resource caches before and after a test that runs pages."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
