"""The stored version journal on SQLite and PostgreSQL: one version per distinct content, renames, races."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.journal import store
from tracker.journal.changes import PAST
from tracker.journal.store import UnknownThesisId, content_hash, journal, record_versions, thesis_history
from tracker.storage.db import transaction
from tracker.storage.tables import ThesisVersion
from tracker.validation import load_theses

THESIS = """title: Known figures
opened: 2026-06-11
benchmark: IDX
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, weight: 50%, upside: 20%, horizon: 30d}
"""
EDITED = THESIS.replace("target: 150", "target: 180") + "  - {ticker: CCC, weight: 25%, horizon: 1y, opened: 2026-09-01}\n"
T1 = dt.datetime(2026, 11, 20, 14, 3, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
T3 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def theses(tmp_path: Path) -> Path:
    folder = tmp_path / "theses"
    folder.mkdir()
    (folder / "known.yaml").write_text(THESIS, encoding="utf-8")
    return folder


def record(engine, folder: Path, now: dt.datetime, origin: str = "refresh") -> int:
    return record_versions(engine, load_theses(folder), origin, now, git=None)


def rows(engine, thesis_id: str | None = None) -> list[ThesisVersion]:
    with transaction(engine) as s:
        query = select(ThesisVersion).order_by(ThesisVersion.thesis_id, ThesisVersion.seq)
        if thesis_id is not None:
            query = query.where(ThesisVersion.thesis_id == thesis_id)
        return list(s.scalars(query))


def test_recording_twice_stores_one_version(engine, theses):
    assert record(engine, theses, T1) == 1
    assert record(engine, theses, T2, "dashboard") == 0
    [row] = rows(engine)
    assert (row.thesis_id, row.seq, row.origin, row.seen_at, row.renamed_from) == ("known", 1, "refresh", T1, None)
    assert row.content == THESIS and row.content_hash == content_hash(THESIS) and len(row.content_hash) == 64
    assert row.path == str(theses / "known.yaml")
    [version] = journal(engine, "known")
    assert [c.text for c in version.changes] == ["first version: opened 2026-06-11, 2 positions (AAA, BBB)"]


def test_an_edit_is_a_second_version_naming_what_changed(engine, theses):
    record(engine, theses, T1)
    (theses / "known.yaml").write_text(EDITED, encoding="utf-8")
    assert record(engine, theses, T2, "dashboard") == 1
    assert record(engine, theses, T3) == 0
    first, second = journal(engine, "known")
    assert (first.seen_at, first.origin) == (T1, "refresh")
    assert (second.seen_at, second.origin) == (T2, "dashboard")
    assert [(c.text, c.rewrites_past) for c in second.changes] == [
        (f"positions[AAA].target: 150 → 180 ({PAST}: held since 2026-06-11)", True),
        ("positions[CCC] added (opened 2026-09-01, weight 25%)", False),
    ]
    assert second.rewrites_past and not first.rewrites_past


def test_a_reverted_edit_is_a_new_version(engine, theses):
    record(engine, theses, T1)
    (theses / "known.yaml").write_text(EDITED, encoding="utf-8")
    record(engine, theses, T2)
    (theses / "known.yaml").write_text(THESIS, encoding="utf-8")
    record(engine, theses, T3)
    assert [r.seq for r in rows(engine)] == [1, 2, 3]
    assert [c.text for c in journal(engine, "known")[2].changes][0] == f"positions[AAA].target: 180 → 150 ({PAST}: held since 2026-06-11)"


def test_comments_only_and_line_endings(engine, theses):
    record(engine, theses, T1)
    (theses / "known.yaml").write_bytes(THESIS.replace("\n", "\r\n").encode())
    assert record(engine, theses, T2) == 0  # the same text with CRLF line endings
    (theses / "known.yaml").write_text("# reviewed in November\n" + THESIS, encoding="utf-8")
    assert record(engine, theses, T2) == 1
    assert [c.text for c in journal(engine, "known")[1].changes] == ["no field changed (comments or layout only)"]


def test_invalid_files_are_not_recorded(engine, theses):
    (theses / "known.yaml").write_text(THESIS.replace("weight: 50%", "weight: 70%", 1), encoding="utf-8")
    assert record(engine, theses, T1) == 0 and rows(engine) == []
    (theses / "known.yaml").write_text(THESIS, encoding="utf-8")
    assert record(engine, theses, T2) == 1


def test_a_file_changed_since_it_was_loaded_waits_for_the_next_load(engine, theses):
    loaded = load_theses(theses)
    (theses / "known.yaml").write_text("title: [half-saved\n", encoding="utf-8")
    assert record_versions(engine, loaded, "refresh", T1, git=None) == 0
    (theses / "known.yaml").write_text(THESIS.replace("title: Known figures", "id: other\ntitle: Known figures"), encoding="utf-8")
    assert record_versions(engine, loaded, "refresh", T1, git=None) == 0  # it is another thesis now
    assert rows(engine) == []


def test_a_renamed_file_continues_its_journal(engine, theses):
    record(engine, theses, T1)
    (theses / "known.yaml").write_text(EDITED, encoding="utf-8")
    record(engine, theses, T2)
    (theses / "known.yaml").rename(theses / "figures.yaml")
    assert record(engine, theses, T3) == 1
    [renamed] = rows(engine, "figures")
    assert (renamed.seq, renamed.renamed_from, renamed.content_hash) == (1, "known", content_hash(EDITED))
    versions = journal(engine, "figures")
    assert [(v.thesis_id, v.seen_at) for v in versions] == [("known", T1), ("known", T2), ("figures", T3)]
    assert [c.text for c in versions[2].changes] == ["renamed from known (known.yaml → figures.yaml)"]
    assert versions[2].renamed_from == "known"
    assert len(journal(engine, "known")) == 2  # the old id keeps its own journal
    # a copy under another name while the original is still loaded is a new thesis, not a rename
    (theses / "copy.yaml").write_text(EDITED, encoding="utf-8")
    record(engine, theses, T3)
    assert [(r.seq, r.renamed_from) for r in rows(engine, "copy")] == [(1, None)]
    assert [c.text for c in journal(engine, "copy")[0].changes][0].startswith("first version")


def test_a_journal_is_claimed_by_one_rename_only(engine, theses):
    record(engine, theses, T1)
    (theses / "known.yaml").rename(theses / "a.yaml")
    record(engine, theses, T2)
    (theses / "a.yaml").unlink()
    (theses / "b.yaml").write_text(THESIS, encoding="utf-8")
    record(engine, theses, T3)
    assert [(r.thesis_id, r.renamed_from) for r in rows(engine)] == [("a", "known"), ("b", "a"), ("known", None)]
    assert [v.thesis_id for v in journal(engine, "b")] == ["known", "a", "b"]


def test_a_lost_race_is_retried_not_duplicated(engine, theses, monkeypatch):
    record(engine, theses, T1)
    (theses / "known.yaml").write_text(EDITED, encoding="utf-8")
    real_head, calls = store._head, []

    def stale_head(session, thesis_id):  # the first read misses the version another process stored
        calls.append(thesis_id)
        return None if len(calls) == 1 else real_head(session, thesis_id)

    monkeypatch.setattr(store, "_head", stale_head)
    assert record(engine, theses, T2) == 1
    assert [(r.seq, r.content_hash) for r in rows(engine)] == [(1, content_hash(THESIS)), (2, content_hash(EDITED))]


def test_concurrent_recorders_store_each_content_once(engine, theses):
    for n in range(5):
        (theses / f"t{n}.yaml").write_text(THESIS.replace("Known figures", f"Thesis {n}"), encoding="utf-8")
    loaded = load_theses(theses)
    start, errors, stored = threading.Barrier(6), [], []

    def recorder():
        try:
            start.wait()
            stored.append(record_versions(engine, loaded, "refresh", T1, git=None))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=recorder) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(stored) == 6
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(ThesisVersion)) == 6
        assert set(s.execute(select(ThesisVersion.thesis_id, ThesisVersion.seq)).all()) == {(t, 1) for t in loaded.paths}


def test_history_of_an_unknown_id_is_an_error(engine, theses):
    assert thesis_history(engine, "known", ["known"]) == []  # loaded, not recorded yet
    record(engine, theses, T1)
    assert len(thesis_history(engine, "known", [])) == 1  # recorded, no longer loaded
    with pytest.raises(UnknownThesisId, match="no thesis and no recorded versions with id 'nope'"):
        thesis_history(engine, "nope", ["known"])
