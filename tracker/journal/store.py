"""The stored version journal (table `thesis_versions`): recording versions, reading a thesis's journal.

`record_versions` is called by the refresh (origin `refresh`) and by the dashboard's load
(`dashboard`) with the theses they loaded; `tracker validate` and `tracker history` write
nothing. For each valid thesis it reads the file and appends a version when the content differs
from the latest stored one. Invalid files are not recorded: their content is recorded once they
validate again.

The first time a thesis has no journal:

- **a renamed file** — the id was never seen, its content equals the latest version of another
  id that is no longer loaded (the file was renamed without an explicit `id:`): the version is
  recorded with `renamed_from`, and the new id's journal continues the old one's;
- **a file in git** — otherwise, when the file is in a git work tree, its committed versions are
  recorded first (origin `git`, the commit time as `seen_at`), then the file as it is now if it
  differs from the last commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.errors import TrackerError
from tracker.journal.changes import NO_FIELD_CHANGED, Change, Version, describe, diff, parse_version
from tracker.journal.git import CommittedVersion, file_history, normalise
from tracker.journal.history import VersionChanges
from tracker.storage.db import transaction
from tracker.storage.tables import ThesisVersion
from tracker.thesis.loader import LoadResult
from tracker.thesis.model import Thesis

log = logging.getLogger(__name__)

_ATTEMPTS = 5
GitHistory = Callable[[Path], Sequence[CommittedVersion]]


class UnknownThesisId(TrackerError):
    """`tracker history ID` names no loaded thesis and no recorded journal."""


def content_hash(text: str) -> str:
    """The sha256 of a version's text (line endings normalised), in hex."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SeenFile:
    """A loaded thesis's file as read now."""

    thesis_id: str
    path: Path
    text: str
    content_hash: str


def read_files(loaded: LoadResult) -> dict[str, SeenFile]:
    """The current text of every valid thesis's file (a file that cannot be read now is left out)."""
    out: dict[str, SeenFile] = {}
    for thesis in loaded.theses:
        path = loaded.paths.get(thesis.id)
        if path is None:
            continue
        try:
            text = normalise(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            log.debug("cannot read %s for the journal: %s", path, exc)
            continue
        out[thesis.id] = SeenFile(thesis.id, path, text, content_hash(text))
    return out


def fingerprint(loaded: LoadResult) -> tuple[tuple[str, str], ...]:
    """`(thesis id, content hash)` of every valid thesis: what a load saw, to record it only once."""
    return tuple(sorted((tid, seen.content_hash) for tid, seen in read_files(loaded).items()))


# ---- writing ---------------------------------------------------------------------------------


def _latest_hashes(session: Session, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    last = (select(ThesisVersion.thesis_id, func.max(ThesisVersion.seq).label("seq"))
            .where(ThesisVersion.thesis_id.in_(ids)).group_by(ThesisVersion.thesis_id).subquery())
    rows = session.execute(
        select(ThesisVersion.thesis_id, ThesisVersion.content_hash)
        .join(last, (ThesisVersion.thesis_id == last.c.thesis_id) & (ThesisVersion.seq == last.c.seq))
    ).all()
    return {tid: digest for tid, digest in rows}


def _head(session: Session, thesis_id: str) -> tuple[int, str] | None:
    row = session.execute(
        select(ThesisVersion.seq, ThesisVersion.content_hash)
        .where(ThesisVersion.thesis_id == thesis_id).order_by(ThesisVersion.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _renamed_from(session: Session, seen: SeenFile, loaded_ids: set[str]) -> str | None:
    """The id this thesis was before its file was renamed: same content as its latest version, no longer loaded."""
    rows = session.execute(
        select(ThesisVersion.thesis_id, ThesisVersion.seq, ThesisVersion.seen_at)
        .where(ThesisVersion.content_hash == seen.content_hash, ThesisVersion.thesis_id != seen.thesis_id)
    ).all()
    candidates = []
    for old, seq, seen_at in rows:
        if old in loaded_ids:
            continue
        head = _head(session, old)
        taken = session.scalar(select(func.count()).select_from(ThesisVersion).where(ThesisVersion.renamed_from == old))
        if head is not None and head[0] == seq and not taken:
            candidates.append((seen_at, old))
    return max(candidates)[1] if candidates else None


def _row(seen: SeenFile, seq: int, origin: str, now: dt.datetime, renamed_from: str | None = None) -> dict[str, Any]:
    return {"thesis_id": seen.thesis_id, "seq": seq, "path": str(seen.path), "content_hash": seen.content_hash,
            "content": seen.text, "seen_at": now, "origin": origin, "renamed_from": renamed_from}


def _seeded_rows(seen: SeenFile, commits: Sequence[CommittedVersion]) -> list[dict[str, Any]]:
    """The committed versions that read as a thesis, each differing from the one before."""
    rows: list[dict[str, Any]] = []
    for commit in commits:
        digest = content_hash(commit.text)
        if rows and rows[-1]["content_hash"] == digest:
            continue
        if not isinstance(parse_version(commit.text, commit.path, Path(commit.path).stem), Thesis):
            log.debug("skipping %s at %s: not a valid thesis then", commit.path, commit.commit[:10])
            continue
        rows.append({"thesis_id": seen.thesis_id, "seq": len(rows) + 1, "path": commit.path, "content_hash": digest,
                     "content": commit.text, "seen_at": commit.committed_at, "origin": "git", "renamed_from": None})
    return rows


def _insert(session: Session, row: Mapping[str, Any]) -> bool:
    """Insert one version unless its `(thesis_id, seq)` is taken; whether it was inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(ThesisVersion).values(**row).on_conflict_do_nothing(index_elements=["thesis_id", "seq"])
            .returning(ThesisVersion.id))
    return session.execute(stmt).scalar() is not None


class _Taken(Exception):
    """Another process appended to this journal meanwhile."""


def _record_one(engine: Engine, seen: SeenFile, origin: str, now: dt.datetime, loaded_ids: set[str], git: GitHistory | None) -> int:
    for _ in range(_ATTEMPTS):
        with transaction(engine) as s:
            head = _head(s, seen.thesis_id)
            if head is not None and head[1] == seen.content_hash:
                return 0
            renamed_from = _renamed_from(s, seen, loaded_ids) if head is None else None
        if head is not None:
            rows = [_row(seen, head[0] + 1, origin, now)]
        elif renamed_from is not None:
            rows = [_row(seen, 1, origin, now, renamed_from)]
        else:
            rows = _seeded_rows(seen, git(seen.path)) if git is not None else []
            if not rows or rows[-1]["content_hash"] != seen.content_hash:
                rows.append(_row(seen, len(rows) + 1, origin, now))
        try:
            with transaction(engine) as s:
                for row in rows:
                    if not _insert(s, row):
                        raise _Taken
        except _Taken:
            continue
        if renamed_from is not None:
            log.info("thesis %s continues the journal of %s (file renamed)", seen.thesis_id, renamed_from)
        return len(rows)
    log.warning("could not append to the journal of %s: other writers kept appending", seen.thesis_id)
    return 0


def record_versions(engine: Engine, loaded: LoadResult, origin: str, now: dt.datetime,
                    git: GitHistory | None = file_history) -> int:
    """Append a version for every valid thesis whose file differs from its latest stored version.

    Idempotent, and safe when several processes record at once. Returns how many versions were
    stored. `git=None` turns seeding from commits off.
    """
    files = read_files(loaded)
    if not files:
        return 0
    with transaction(engine) as s:
        latest = _latest_hashes(s, sorted(files))
    loaded_ids = set(loaded.paths)
    stored = 0
    for tid, seen in files.items():
        if latest.get(tid) == seen.content_hash:
            continue
        # The file may have changed since it was loaded: record it only while it is still this valid thesis.
        now_version = parse_version(seen.text, str(seen.path), seen.path.stem)
        if not isinstance(now_version, Thesis) or now_version.id != tid:
            log.debug("%s changed since it was loaded; it is recorded at the next load", seen.path)
            continue
        stored += _record_one(engine, seen, origin, now, loaded_ids, git)
    if stored:
        log.info("journal: %d new thesis version%s (%s)", stored, "" if stored == 1 else "s", origin)
    return stored


# ---- reading ---------------------------------------------------------------------------------


def _chain(session: Session, thesis_id: str) -> list[ThesisVersion]:
    """The versions of a thesis oldest first, preceded by those of the ids it was renamed from."""
    rows = list(session.scalars(select(ThesisVersion).where(ThesisVersion.thesis_id == thesis_id).order_by(ThesisVersion.seq)))
    seen = {thesis_id}
    while rows and rows[0].renamed_from and rows[0].renamed_from not in seen:
        old = rows[0].renamed_from
        seen.add(old)
        earlier = session.scalars(
            select(ThesisVersion).where(ThesisVersion.thesis_id == old, ThesisVersion.seen_at <= rows[0].seen_at)
            .order_by(ThesisVersion.seq)
        )
        rows = [*earlier, *rows]
    return rows


def has_journal(engine: Engine, thesis_id: str) -> bool:
    with transaction(engine) as s:
        return _head(s, thesis_id) is not None


def journal(engine: Engine, thesis_id: str) -> list[VersionChanges]:
    """Every version of a thesis oldest first (through its renames), each with what it changed."""
    with transaction(engine) as s:
        rows = _chain(s, thesis_id)
    out: list[VersionChanges] = []
    before: Version | None = None
    before_path = ""
    for row in rows:
        version = parse_version(row.content, row.path, Path(row.path).stem)
        changes: list[Change]
        if version is None:
            changes = [Change("this version is not a YAML mapping; it is left out of the comparisons")]
        elif before is None:
            changes = [describe(version)]
        else:
            changes = diff(before, version, row.seen_at.date())
            if row.renamed_from:
                moved = f" ({Path(before_path).name} → {Path(row.path).name})" if Path(before_path).name != Path(row.path).name else ""
                changes = [Change(f"renamed from {row.renamed_from}{moved}"), *(c for c in changes if not c.text.startswith("id: "))]
            changes = changes or [Change(NO_FIELD_CHANGED)]
        if version is not None:
            before, before_path = version, row.path
        out.append(VersionChanges(row.seen_at, row.origin, changes, row.thesis_id, row.path, row.renamed_from))
    return out


def thesis_history(engine: Engine, thesis_id: str, loaded_ids: Iterable[str]) -> list[VersionChanges]:
    """The journal of a thesis for `tracker history`; a thesis that is loaded but not yet recorded has none.

    Raises `UnknownThesisId` when the id is neither loaded nor in the journal.
    """
    versions = journal(engine, thesis_id)
    known = set(loaded_ids)
    if not versions and thesis_id not in known:
        shown = ", ".join(sorted(known)) or "none"
        raise UnknownThesisId(f"no thesis and no recorded versions with id {thesis_id!r} (loaded ids: {shown})")
    return versions
