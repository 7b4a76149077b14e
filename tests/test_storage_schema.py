"""The schema is created from empty by the migrations, on every backend, and matches the models."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from tracker.storage.db import create_db_engine, current_revisions, head_revisions, open_database, transaction, upgrade
from tracker.storage.tables import Base, Price


def test_migrations_create_every_table_from_empty(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revisions(engine) == head_revisions()


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []


def test_opening_twice_is_idempotent_and_keeps_rows(db_url):
    first = open_database(db_url)
    with transaction(first) as s:
        s.add(Price(ticker="NET", date=dt.date(2026, 6, 11), close=221.4, source="csv"))
    first.dispose()
    again = open_database(db_url)
    with transaction(again) as s:
        assert s.scalars(select(Price.close)).all() == [221.4]
    again.dispose()


def test_timestamps_come_back_as_aware_utc(engine):
    from tracker.storage.tables import Feed

    moment = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with transaction(engine) as s:
        s.add(Feed(url="file:///x.xml", last_attempt_at=moment))
    with transaction(engine) as s:
        got = s.scalars(select(Feed.last_attempt_at)).one()
    assert got == moment and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_upgrade_from_the_first_revision_keeps_rows(db_url):
    from tracker.storage.db import create_db_engine, upgrade

    old = create_db_engine(db_url)
    upgrade(old, "0001")
    with transaction(old) as s:
        s.add(Price(ticker="NET", date=dt.date(2026, 6, 11), close=221.4, source="csv"))
    assert current_revisions(old) == {"0001"}
    assert "thesis_summaries" not in inspect(old).get_table_names()
    old.dispose()
    new = open_database(db_url)  # migrates to the latest revision on first use
    assert current_revisions(new) == head_revisions() == {"0009"}
    assert "thesis_summaries" in inspect(new).get_table_names()
    with transaction(new) as s:
        assert s.scalars(select(Price.close)).all() == [221.4]
    new.dispose()


def test_upgrade_from_0002_adds_the_version_journal_and_keeps_rows(db_url):
    from tracker.storage.db import create_db_engine, upgrade
    from tracker.storage.tables import ThesisSummary, ThesisVersion

    old = create_db_engine(db_url)
    upgrade(old, "0002")
    moment = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
    with transaction(old) as s:
        s.add(Price(ticker="NET", date=dt.date(2026, 6, 11), close=221.4, source="csv"))
    with old.begin() as conn:  # the table as 0002 made it (the model has columns added since)
        conn.execute(text("INSERT INTO thesis_summaries (thesis_id, computed_at, portfolio_return) VALUES ('t', :at, 0.1)"),
                     {"at": moment.replace(tzinfo=None)})
    assert current_revisions(old) == {"0002"}
    assert "thesis_versions" not in inspect(old).get_table_names()
    old.dispose()
    new = open_database(db_url)
    assert current_revisions(new) == head_revisions()
    with transaction(new) as s:
        assert s.scalars(select(Price.close)).all() == [221.4]
        assert s.scalars(select(ThesisSummary.portfolio_return)).all() == [0.1]
        s.add(ThesisVersion(thesis_id="t", seq=1, path="theses/t.yaml", content_hash="0" * 64, content="title: t\n",
                            seen_at=moment, origin="refresh"))
    with transaction(new) as s:
        assert s.scalars(select(ThesisVersion.seen_at)).all() == [moment]
    new.dispose()


def test_upgrade_from_0004_keeps_headline_figures(db_url):
    """Migration 0005 adds the positions past their horizon to the headline figures; rows stay."""
    from tracker.storage.tables import ThesisSummary

    old = create_db_engine(db_url)
    upgrade(old, "0004")
    moment = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO thesis_summaries (thesis_id, computed_at, portfolio_return) VALUES ('t', :at, 0.1)"),
                     {"at": moment.replace(tzinfo=None)})
    old.dispose()
    new = open_database(db_url)
    assert current_revisions(new) == head_revisions()
    with transaction(new) as s:
        row = s.get(ThesisSummary, "t")
        assert row is not None and row.portfolio_return == 0.1 and row.past_horizon is None
        row.past_horizon = ["NET"]
    with transaction(new) as s:
        assert s.get(ThesisSummary, "t").past_horizon == ["NET"]
    new.dispose()


def test_upgrade_from_0005_keeps_status_alerts_and_allows_reminders(db_url):
    """Migration 0006 lets alerts be reminders (no status change) without touching the stored ones."""
    from tracker.storage.tables import Alert

    old = create_db_engine(db_url)
    upgrade(old, "0005")
    moment = dt.datetime(2026, 11, 24, 18, 30)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO status_history (thesis_id, assumption_id, from_status, to_status, changed_at, reasons) "
                          "VALUES ('t', 'a', NULL, 'at_risk', :at, '[]')"), {"at": moment})
        change = conn.execute(text("SELECT id FROM status_history")).scalar_one()
        conn.execute(text("INSERT INTO alerts (change_id, thesis_id, assumption_id, from_status, to_status, created_at, evidence, "
                          "delivery_attempts) VALUES (:c, 't', 'a', NULL, 'at_risk', :at, '{}', 0)"), {"c": change, "at": moment})
    old.dispose()
    new = open_database(db_url)
    with transaction(new) as s:
        (kept,) = s.scalars(select(Alert)).all()
        assert (kept.kind, kept.to_status, kept.dedupe_key) == ("status_change", "at_risk", None)
        s.add(Alert(kind="review_overdue", dedupe_key="review:t:2026-11-30", thesis_id="t", created_at=moment.replace(tzinfo=dt.UTC),
                    evidence={"text": "review overdue"}))
    with transaction(new) as s:
        assert sorted(s.scalars(select(Alert.kind)).all()) == ["review_overdue", "status_change"]
    new.dispose()


def test_upgrade_from_0007_keeps_headline_figures_and_stores_no_figures_for_them(db_url):
    """Migration 0008 adds the stored figures (with the thesis and day they are for); an older row
    keeps its headline figures and has none, so the readers compute them."""
    from tracker.storage.tables import ThesisSummary

    old = create_db_engine(db_url)
    upgrade(old, "0007")
    moment = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO thesis_summaries (thesis_id, computed_at, portfolio_return) VALUES ('t', :at, 0.1)"),
                     {"at": moment.replace(tzinfo=None)})
    old.dispose()
    new = open_database(db_url)
    with transaction(new) as s:
        row = s.get(ThesisSummary, "t")
        assert row is not None and row.portfolio_return == 0.1
        assert row.figures is None and row.thesis_hash is None and row.as_of is None
    new.dispose()
