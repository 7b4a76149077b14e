"""Seeding a thesis's journal from its file's git commits, in a real repository made by the test."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.journal import git as journal_git
from tracker.journal.changes import PAST
from tracker.journal.git import file_history
from tracker.journal.store import journal, record_versions
from tracker.validation import load_theses

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

THESIS = """title: Known figures
opened: 2026-06-11
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, weight: 50%, upside: 20%, horizon: 30d}
"""
RETARGETED = THESIS.replace("target: 150", "target: 170")
BROKEN = RETARGETED.replace("weight: 50%", "weight: 70%", 1)
GROWN = RETARGETED + "  - {ticker: CCC, weight: 25%, horizon: 1y, opened: 2026-09-01}\n"
NOW = dt.datetime(2026, 11, 20, 14, 3, tzinfo=dt.UTC)


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T10:00:00+00:00")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository whose git ignores the machine's own configuration."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    root = tmp_path / "repo"
    (root / "theses").mkdir(parents=True)
    git(root, "init", "-q")
    return root


def git(root: Path, *args: str, when: dt.datetime | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Tracker Tests", "GIT_AUTHOR_EMAIL": "tests@example.com",
           "GIT_COMMITTER_NAME": "Tracker Tests", "GIT_COMMITTER_EMAIL": "tests@example.com"}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, env=env, check=True, capture_output=True)


def commit(root: Path, name: str, text: str, day: str, message: str = "edit") -> None:
    (root / "theses" / name).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=at(day))


@pytest.fixture
def history_repo(repo: Path) -> Path:
    """old.yaml committed, retargeted, renamed to known.yaml, broken, then fixed with a new position."""
    commit(repo, "old.yaml", THESIS, "2026-06-11")
    commit(repo, "old.yaml", RETARGETED, "2026-07-01")
    git(repo, "mv", "theses/old.yaml", "theses/known.yaml")
    git(repo, "commit", "-q", "-m", "rename", when=at("2026-08-01"))
    commit(repo, "known.yaml", BROKEN, "2026-08-15")
    commit(repo, "known.yaml", GROWN, "2026-09-01")
    return repo


def test_file_history_follows_renames_oldest_first(history_repo):
    found = file_history(history_repo / "theses" / "known.yaml")
    assert [(v.committed_at, v.path) for v in found] == [
        (at("2026-06-11"), "theses/old.yaml"),
        (at("2026-07-01"), "theses/old.yaml"),  # the rename commit holds the same text: left out
        (at("2026-08-15"), "theses/known.yaml"),
        (at("2026-09-01"), "theses/known.yaml"),
    ]
    assert [v.text for v in found] == [THESIS, RETARGETED, BROKEN, GROWN]


def test_a_first_journal_is_seeded_from_the_commits(sqlite_engine, history_repo):
    theses = history_repo / "theses"
    (theses / "known.yaml").write_text(GROWN.replace("title: Known figures", "title: Known figures, revised"), encoding="utf-8")
    assert record_versions(sqlite_engine, load_theses(theses), "refresh", NOW) == 4
    versions = journal(sqlite_engine, "known")
    assert [(v.seen_at, v.origin) for v in versions] == [
        (at("2026-06-11"), "git"), (at("2026-07-01"), "git"), (at("2026-09-01"), "git"), (NOW, "refresh"),
    ]  # the broken commit is not a valid thesis: left out like an invalid file
    assert [c.text for c in versions[0].changes] == ["first version: opened 2026-06-11, 2 positions (AAA, BBB)"]
    assert [c.text for c in versions[1].changes] == [f"positions[AAA].target: 150 → 170 ({PAST}: held since 2026-06-11)"]
    assert [c.text for c in versions[2].changes] == ["id: old → known", "positions[CCC] added (opened 2026-09-01, weight 25%)"]
    assert [c.text for c in versions[3].changes] == ["title: Known figures → Known figures, revised"]
    # seeding happens once: later edits are appended as usual
    assert record_versions(sqlite_engine, load_theses(theses), "refresh", NOW) == 0


def test_an_uncommitted_file_equal_to_its_last_commit_adds_nothing(engine, history_repo):
    assert record_versions(engine, load_theses(history_repo / "theses"), "dashboard", NOW) == 3
    assert [v.origin for v in journal(engine, "known")] == ["git", "git", "git"]


def test_an_untracked_file_starts_its_journal_now(sqlite_engine, history_repo):
    (history_repo / "theses" / "new.yaml").write_text(THESIS, encoding="utf-8")
    record_versions(sqlite_engine, load_theses(history_repo / "theses"), "refresh", NOW)
    assert [(v.seen_at, v.origin) for v in journal(sqlite_engine, "new")] == [(NOW, "refresh")]


def test_without_git_or_outside_a_work_tree_the_journal_starts_now(sqlite_engine, history_repo, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG, logger="tracker.journal.git")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "known.yaml").write_text(THESIS, encoding="utf-8")
    assert file_history(plain / "known.yaml") == []
    assert "not in a git work tree" in caplog.text or "no git history" in caplog.text
    monkeypatch.setattr(journal_git.shutil, "which", lambda _name: None)
    assert file_history(history_repo / "theses" / "known.yaml") == []
    assert "no git on PATH" in caplog.text
    record_versions(sqlite_engine, load_theses(history_repo / "theses"), "refresh", NOW)
    assert [v.origin for v in journal(sqlite_engine, "known")] == ["refresh"]


def test_a_failing_or_hanging_git_is_skipped_quietly(history_repo, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG, logger="tracker.journal.git")
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 5\n")
    fake.chmod(0o755)
    monkeypatch.setattr(journal_git.shutil, "which", lambda _name: str(fake))
    assert file_history(history_repo / "theses" / "known.yaml", timeout=0.2) == []
    assert "timed out" in caplog.text
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 2\n")
    assert file_history(history_repo / "theses" / "known.yaml") == []
    assert "exited with 2: broken" in caplog.text
