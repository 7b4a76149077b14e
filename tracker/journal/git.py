"""A thesis file's versions from its git commits, to seed the journal of a thesis seen for the first time.

Runs the `git` found on PATH with a timeout; when there is no git, the file is not in a work
tree, or git fails, there is no history (logged at debug level) and the journal starts with the
file as it is now. No library beyond the standard one.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT_SECONDS = 10.0
MAX_COMMITS = 500
_MARK = "\x1e"  # starts each commit's header line in the log output


@dataclass(frozen=True)
class CommittedVersion:
    """The file's text as of a commit; `path` is where the file was then, relative to the repository."""

    commit: str
    committed_at: dt.datetime
    path: str
    text: str


class _GitFailed(Exception):
    pass


def _git(git: str, folder: Path, *args: str, timeout: float) -> bytes:
    try:
        done = subprocess.run(
            [git, "-c", "core.quotepath=off", "-C", str(folder), *args],
            capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise _GitFailed(f"git {args[0]}: {exc}") from None
    if done.returncode != 0:
        raise _GitFailed(f"git {args[0]} exited with {done.returncode}: {done.stderr.decode(errors='replace').strip()[:300]}")
    return done.stdout


def normalise(text: str) -> str:
    """The text as stored: line endings as `\\n`, so a checkout with CRLF endings is the same version."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def file_history(path: Path, timeout: float = GIT_TIMEOUT_SECONDS) -> list[CommittedVersion]:
    """The committed versions of `path`, oldest first, following renames; [] when git cannot tell.

    A commit whose text equals the one before it (a rename, a merge) is left out; so is one
    whose text is not UTF-8 or that does not hold the file (a deletion).
    """
    git = shutil.which("git")
    if git is None:
        log.debug("no git on PATH: the journal of %s is not seeded from commits", path)
        return []
    folder = path.parent
    try:
        if _git(git, folder, "rev-parse", "--is-inside-work-tree", timeout=timeout).strip() != b"true":
            log.debug("%s is not in a git work tree", folder)
            return []
        out = _git(git, folder, "log", "--follow", "--no-color", "--no-show-signature", f"--max-count={MAX_COMMITS}",
                   f"--format={_MARK}%H %ct", "--name-only", "--", path.name, timeout=timeout)
    except _GitFailed as exc:
        log.debug("no git history for %s: %s", path, exc)
        return []
    found: list[CommittedVersion] = []
    for block in out.decode("utf-8", errors="replace").split(_MARK)[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if len(lines) < 2:  # a merge lists no file
            continue
        commit, _, stamp = lines[0].partition(" ")
        where = lines[1]
        try:
            committed_at = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
            raw = _git(git, folder, "cat-file", "blob", f"{commit}:{where}", timeout=timeout)
            text = normalise(raw.decode("utf-8-sig"))
        except (_GitFailed, UnicodeDecodeError, ValueError) as exc:
            log.debug("skipping %s at %s: %s", where, commit[:10], exc)
            continue
        found.append(CommittedVersion(commit, committed_at, where, text))
    found.reverse()
    out_versions: list[CommittedVersion] = []
    for version in found:
        if out_versions and out_versions[-1].text == version.text:
            continue
        out_versions.append(version)
    return out_versions
